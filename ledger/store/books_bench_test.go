package store_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/export"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// bigBooks is a store with ten years of books for 1,000 members: every
// member-month posts wages with fees and a deferral (4 postings), a
// payback (2) and a bounty payout with its fee (3): 1,080,000 postings.
// It is built once per benchmark run, in a temporary directory.
var bigBooks struct {
	once     sync.Once
	dir      string
	path     string
	postings int
	err      error
}

// bigBooksSize can be shrunk for a quick look: COOPLEDGER_BENCH_MEMBERS=100.
func bigBooksSize() (members, years int) {
	members, years = 1000, 10
	if n, err := strconv.Atoi(os.Getenv("COOPLEDGER_BENCH_MEMBERS")); err == nil && n > 0 {
		members = n
	}
	return members, years
}

func buildBigBooks(b *testing.B) string {
	b.Helper()
	bigBooks.once.Do(func() {
		dir, err := os.MkdirTemp("", "coopledger-books-")
		bigBooks.dir = dir
		if err != nil {
			bigBooks.err = err
			return
		}
		bigBooks.path = filepath.Join(dir, "books.db")
		bigBooks.postings, bigBooks.err = writeBigBooks(bigBooks.path)
	})
	if bigBooks.err != nil {
		b.Fatal(bigBooks.err)
	}
	return bigBooks.path
}

func writeBigBooks(path string) (int, error) {
	members, years := bigBooksSize()
	now := time.Date(2030, 1, 15, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(path, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ids := make([]string, members)
	err = db.Update(func(tx *store.Tx) error {
		for i := range ids {
			name, email, joined := fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.org", i), "2019-01-01"
			m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
			if err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	gbp := func(cents int64) decimal.Decimal { return decimal.New(cents, -2) }
	postings := 0
	for y := 0; y < years; y++ {
		for mo := 1; mo <= 12; mo++ {
			month := fmt.Sprintf("%d-%02d", 2020+y, mo)
			err := db.Update(func(tx *store.Tx) error {
				for i, id := range ids {
					earned, paid, fee := int64(40000+i*7), int64(25000+i*3), int64(150)
					deferred := earned - paid
					txs := []ledger.Transaction{
						{Date: month + "-28", Kind: ledger.KindWages, MemberID: id, Description: "Wages " + month, Postings: []ledger.Posting{
							{Account: ledger.AccountWages, Amount: gbp(earned), Currency: "GBP"},
							{Account: ledger.AccountFees, Amount: gbp(fee), Currency: "GBP"},
							{Account: ledger.AccountBank, Amount: gbp(-paid - fee), Currency: "GBP"},
							{Account: ledger.DeferredAccount(id), Amount: gbp(-deferred), Currency: "GBP"},
						}},
						{Date: month + "-28", Kind: ledger.KindPayback, MemberID: id, Description: "Payback " + month, Postings: []ledger.Posting{
							{Account: ledger.DeferredAccount(id), Amount: gbp(deferred / 3), Currency: "GBP"},
							{Account: ledger.AccountBank, Amount: gbp(-deferred / 3), Currency: "GBP"},
						}},
						{Date: month + "-28", Kind: ledger.KindBounty, Description: "Bounty " + month, Postings: []ledger.Posting{
							{Account: ledger.AccountBounties, Amount: gbp(1000), Currency: "GBP"},
							{Account: ledger.AccountFees, Amount: gbp(30), Currency: "GBP"},
							{Account: ledger.AccountBountyFund, Amount: gbp(-1030), Currency: "GBP"},
						}},
					}
					for _, t := range txs {
						if _, err := tx.Post(ledger.System, t); err != nil {
							return fmt.Errorf("%s: %w", month, err)
						}
						postings += len(t.Postings)
					}
				}
				return nil
			})
			if err != nil {
				return 0, err
			}
		}
	}
	return postings, nil
}

// BenchmarkBalanceReport is the balance report over ten years of books
// for 1,000 members (about 1,000,000 postings): it reads the running
// balances the store keeps as transactions post, never the postings.
//
//	go test ./ledger/store -run '^$' -bench 'BalanceReport|VerifyBooks' -benchtime 10x
func BenchmarkBalanceReport(b *testing.B) {
	path := buildBigBooks(b)
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int
		err := db.View(func(tx *store.Tx) error {
			bals, err := tx.AccountBalances("")
			n = len(bals)
			return err
		})
		if err != nil || n == 0 {
			b.Fatalf("balances: %d accounts, %v", n, err)
		}
	}
	b.ReportMetric(float64(bigBooks.postings), "postings")
}

// BenchmarkVerifyBooks recomputes every balance and debt from the
// transactions and walks the audit chain: what `coopledger verify` does.
// It reports the peak Go heap in use as MB-heap.
func BenchmarkVerifyBooks(b *testing.B) {
	path := buildBigBooks(b)
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
		}()
		if r := db.Verify(); !r.OK() {
			b.Fatalf("%+v", r)
		}
		close(done)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap")
}

// bigJournal is bigBooks exported for ledger-cli, once per run.
var bigJournal struct {
	once sync.Once
	path string
	err  error
}

// BenchmarkLedgerCLIBalance runs `ledger -f FILE bal` on the same books,
// exported: the plain-text reference the balance report is measured
// against, in the same run. It reports ledger's peak RSS as MB-rss.
func BenchmarkLedgerCLIBalance(b *testing.B) {
	ledgerCmd, err := exec.LookPath("ledger")
	if err != nil {
		b.Skip("ledger not found (apt-get install ledger)")
	}
	path := buildBigBooks(b)
	bigJournal.once.Do(func() {
		db, err := store.Open(path, store.Options{ReadOnly: true})
		if err != nil {
			bigJournal.err = err
			return
		}
		defer db.Close()
		txs, err := db.Transactions(ledger.System)
		if err != nil {
			bigJournal.err = err
			return
		}
		bigJournal.path = path + ".ledger"
		f, err := os.Create(bigJournal.path)
		if err != nil {
			bigJournal.err = err
			return
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		if bigJournal.err = export.Write(w, export.Ledger, txs, export.Options{}); bigJournal.err == nil {
			bigJournal.err = w.Flush()
		}
	})
	if bigJournal.err != nil {
		b.Fatal(bigJournal.err)
	}
	b.ResetTimer()
	var rss int64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(ledgerCmd, "--args-only", "-f", bigJournal.path, "bal")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, u.Maxrss)
		}
	}
	b.ReportMetric(float64(rss)/1024, "MB-rss")
}

// TestMain removes the books the benchmarks built, once they are done,
// unless COOPLEDGER_BENCH_KEEP is set (to time `coopledger verify` on
// them), and the close benchmarks' stores (close_bench_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	if bigBooks.dir != "" {
		if os.Getenv("COOPLEDGER_BENCH_KEEP") != "" {
			fmt.Fprintln(os.Stderr, "books kept in", bigBooks.path)
		} else {
			os.RemoveAll(bigBooks.dir)
		}
	}
	removeCloseBooks()
	os.Exit(code)
}
