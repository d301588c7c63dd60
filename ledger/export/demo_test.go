package export

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/testdata"
)

// TestExport_DemoCoop_ToolsAgree exports the sample co-op's books in each
// format and checks that hledger, ledger and bean-query report for every
// account exactly the balance Coopledger keeps.
func TestExport_DemoCoop_ToolsAgree(t *testing.T) {
	db := storetest.OpenDB(t, time.Date(2025, 3, 18, 10, 0, 0, 0, time.UTC))
	if _, err := testdata.LoadInto(db); err != nil {
		t.Fatal(err)
	}
	var txs []ledger.Transaction
	var own map[string]ledger.Balance
	err := db.View(func(tx *store.Tx) error {
		var err error
		if txs, err = tx.Transactions(); err != nil {
			return err
		}
		own, err = tx.AccountBalances("")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) < 20 {
		t.Fatalf("the demo has only %d transactions", len(txs))
	}
	want := func(name func(string) string) balances {
		out := balances{}
		for a, bal := range own {
			for c, amt := range bal {
				if !amt.IsZero() {
					if err := out.add(name(a), c, amt.String()); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return out
	}
	file := func(f Format) string {
		var b bytes.Buffer
		if err := Write(&b, f, txs, Options{Title: "Demo co-op"}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "demo."+f.Extension())
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("hledger", func(t *testing.T) {
		compareBalances(t, "hledger", hledgerBalances(t, file(Hledger)), want(same))
	})
	t.Run("ledger", func(t *testing.T) {
		compareBalances(t, "ledger", ledgerBalances(t, file(Ledger)), want(same))
	})
	t.Run("beancount", func(t *testing.T) {
		f := file(Beancount)
		if out := run(t, requireTool(t, "bean-check", "beancount"), f); len(bytes.TrimSpace(out)) != 0 {
			t.Fatalf("bean-check said:\n%s", out)
		}
		compareBalances(t, "bean-query", beancountBalances(t, f), want(BeancountAccount))
	})
}
