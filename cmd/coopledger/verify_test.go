package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	bolt "go.etcd.io/bbolt"
)

// booksDB makes a store file with storetest.SeedBooks's books, closed.
func booksDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "books.db")
	db, err := store.Open(path, store.Options{Password: store.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.SeedBooks(t, db)
	return path
}

func TestVerify_SoundStore(t *testing.T) {
	path := booksDB(t)
	out, _, err := run(t, "verify", "--db", path)
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	for _, want := range []string{"ok    file", "ok    audit", "ok    journal: 5 transactions", "ok    governance: 0 requests"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestVerify_CatchesTampering(t *testing.T) {
	cases := []struct {
		name   string
		bucket string
		edit   func(k, v []byte) []byte
		want   string
	}{
		{"an audit event altered", "audit", func(k, v []byte) []byte {
			return bytes.Replace(v, []byte("journal.post"), []byte("journal.pass"), 1)
		}, "FAIL  audit"},
		{"a transaction's amount altered", "journal", func(k, v []byte) []byte {
			return bytes.Replace(v, []byte(`"1167.00"`), []byte(`"1067.00"`), 1)
		}, "FAIL  journal"},
		{"a running balance altered", "balances", func(k, v []byte) []byte {
			if bytes.HasPrefix(k, []byte("Assets:Bank")) {
				return []byte(`{"GBP":"999"}`)
			}
			return nil
		}, "FAIL  journal: balance Assets:Bank"},
		{"a debt lot altered", "debt_lots", func(k, v []byte) []byte { return []byte(`{"GBP":"1"}`) }, "FAIL  journal: debt of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := booksDB(t)
			b, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = b.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket([]byte(tc.bucket))
				type kv struct{ k, v []byte }
				var edits []kv
				bk.ForEach(func(k, v []byte) error {
					if nv := tc.edit(k, v); nv != nil && !bytes.Equal(nv, v) {
						edits = append(edits, kv{bytes.Clone(k), nv})
					}
					return nil
				})
				if len(edits) == 0 {
					return errors.New("nothing to tamper with")
				}
				return bk.Put(edits[0].k, edits[0].v)
			})
			b.Close()
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := run(t, "verify", "--db", path)
			if err == nil || exitCode(err) == 0 {
				t.Fatalf("verify passed a tampered store:\n%s", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// A vote count that disagrees with the votes fails verify, naming the
// request.
func TestVerify_CatchesGovernanceDamage(t *testing.T) {
	path := booksDB(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := db.Members()
	r, err := gs.FileRequest(ms[0], governance.RequestInput{Kind: governance.KindFeature, Title: "Dark mode"})
	if err == nil {
		_, _, err = gs.Vote(ms[0], r.ID)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, "verify", "--db", path); err != nil || !strings.Contains(out, "ok    governance: 1 requests with 1 votes") {
		t.Fatalf("sound governance: %v\n%s", err, out)
	}
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("gov_request_counts"))
		k, _ := bk.Cursor().First()
		return bk.Put(k, []byte{0, 0, 0, 0, 0, 0, 0, 2})
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "verify", "--db", path)
	if !errors.Is(err, errVerify) || !strings.Contains(out, "FAIL  governance: request "+r.ID+" counts 2 votes but has 1") {
		t.Fatalf("damaged governance: %v\n%s", err, out)
	}
}
