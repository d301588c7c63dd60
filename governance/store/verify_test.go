package store_test

import (
	"errors"
	"testing"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	lstore "github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/testdata"
	bolt "go.etcd.io/bbolt"
)

// Verify passes on the demo's governance and catches each kind of damage.
func TestVerify(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx) error
	}{
		{"a request's count off by one", func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("gov_request_counts"))
			k, v := b.Cursor().First()
			n := append([]byte(nil), v...)
			n[7]++
			return b.Put(k, n)
		}},
		{"a vote lost", func(tx *bolt.Tx) error {
			k, _ := tx.Bucket([]byte("gov_request_votes")).Cursor().First()
			return tx.Bucket([]byte("gov_request_votes")).Delete(k)
		}},
		{"a ballot lost", func(tx *bolt.Tx) error {
			k, _ := tx.Bucket([]byte("gov_ballots")).Cursor().First()
			return tx.Bucket([]byte("gov_ballots")).Delete(k)
		}},
		{"a closed poll's result lost", func(tx *bolt.Tx) error {
			k, _ := tx.Bucket([]byte("gov_poll_results")).Cursor().First()
			return tx.Bucket([]byte("gov_poll_results")).Delete(k)
		}},
		{"a voter outside the electorate", func(tx *bolt.Tx) error {
			k, _ := tx.Bucket([]byte("gov_poll_electorate")).Cursor().First()
			return tx.Bucket([]byte("gov_poll_electorate")).Delete(k)
		}},
	}
	for _, c := range append([]struct {
		name   string
		damage func(tx *bolt.Tx) error
	}{{"intact", nil}}, cases...) {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.OpenDB(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
			if _, err := testdata.LoadInto(db); err != nil {
				t.Fatal(err)
			}
			gs, err := govstore.New(db)
			if err != nil {
				t.Fatal(err)
			}
			if c.damage != nil {
				if err := db.Update(func(tx *lstore.Tx) error { return c.damage(tx.Bolt()) }); err != nil {
					t.Fatal(err)
				}
			}
			r, err := gs.Verify()
			switch {
			case c.damage == nil && (err != nil || r.Requests != 6 || r.Votes == 0 || r.Polls != 4 || r.Ballots == 0 || r.Bounties != 3):
				t.Fatalf("intact demo: %+v %v", r, err)
			case c.damage != nil && !errors.Is(err, govstore.ErrInconsistent):
				t.Fatalf("damage not found: %+v %v", r, err)
			}
		})
	}
}
