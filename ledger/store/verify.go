package store

import (
	"bytes"
	"fmt"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
)

// JournalBreak says where the journal's invariants stop holding.
type JournalBreak struct {
	Where  string
	Reason string
}

func (b *JournalBreak) Error() string { return fmt.Sprintf("journal: %s: %s", b.Where, b.Reason) }

// VerifyJournal recomputes, from the transactions alone, what the store
// keeps current as they post, and compares: every transaction balances,
// every account's monthly balance matches, and every member's debt lots
// add up to what their deferred account says is owed. It reads the whole
// journal once, holding only per-account-month sums in memory.
func (db *DB) VerifyJournal() (transactions int, err error) {
	err = db.View(func(tx *Tx) error {
		sums := map[string]ledger.Balance{} // account | 0 | month → sum
		var want uint64 = 1
		err := tx.tx.Bucket(bucketJournal).ForEach(func(k, v []byte) error {
			seq := fromU64(k)
			id := formatID(prefixTx, seq)
			if seq != want {
				return &JournalBreak{Where: formatID(prefixTx, want), Reason: "transaction missing"}
			}
			want++
			var t ledger.Transaction
			if err := jsonUnmarshal(v, &t); err != nil {
				return &JournalBreak{Where: id, Reason: "unreadable record"}
			}
			if t.ID != id {
				return &JournalBreak{Where: id, Reason: "stored under another id (" + t.ID + ")"}
			}
			if err := t.Validate(); err != nil {
				return &JournalBreak{Where: id, Reason: err.Error()}
			}
			month := ledger.MonthOf(t.Date)
			for _, p := range t.Postings {
				key := string(balanceKey(p.Account, month))
				if sums[key] == nil {
					sums[key] = ledger.Balance{}
				}
				sums[key].Add(p.Currency, p.Amount)
			}
			transactions++
			return nil
		})
		if err != nil {
			return err
		}
		stored := 0
		err = tx.tx.Bucket(bucketBalances).ForEach(func(k, v []byte) error {
			stored++
			var bal ledger.Balance
			if err := jsonUnmarshal(v, &bal); err != nil {
				return &JournalBreak{Where: "balance " + printableKey(k), Reason: "unreadable record"}
			}
			if !sameBalance(bal, sums[string(k)]) {
				return &JournalBreak{Where: "balance " + printableKey(k), Reason: "does not match the transactions"}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if stored != len(sums) {
			return &JournalBreak{Where: "balances", Reason: fmt.Sprintf("%d stored, %d recomputed", stored, len(sums))}
		}
		totals := map[string]ledger.Balance{}
		for key, bal := range sums {
			account := key[:bytes.IndexByte([]byte(key), 0)]
			if totals[account] == nil {
				totals[account] = ledger.Balance{}
			}
			for c, a := range bal {
				totals[account].Add(c, a)
			}
		}
		n := 0
		err = tx.tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			n++
			var bal ledger.Balance
			if err := jsonUnmarshal(v, &bal); err != nil || !sameBalance(bal, totals[string(k)]) {
				return &JournalBreak{Where: "total of " + string(k), Reason: "does not match the transactions"}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n != len(totals) {
			return &JournalBreak{Where: "account totals", Reason: fmt.Sprintf("%d stored, %d recomputed", n, len(totals))}
		}
		return tx.verifyLots(sums)
	})
	return transactions, err
}

// verifyLots checks each member's debt lots against their account.
func (tx *Tx) verifyLots(sums map[string]ledger.Balance) error {
	owed := map[string]ledger.Balance{}
	for key, bal := range sums {
		account := key[:bytes.IndexByte([]byte(key), 0)]
		if member, ok := ledger.DeferredMember(account); ok {
			if owed[member] == nil {
				owed[member] = ledger.Balance{}
			}
			for c, a := range bal {
				owed[member].Add(c, a.Neg())
			}
		}
	}
	lots := map[string]ledger.Balance{}
	err := tx.tx.Bucket(bucketDebtLots).ForEach(func(k, v []byte) error {
		member := formatID(prefixMember, fromU64(k[:8]))
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return &JournalBreak{Where: "debt of " + member, Reason: "unreadable lot"}
		}
		if lots[member] == nil {
			lots[member] = ledger.Balance{}
		}
		for c, a := range bal {
			if a.IsNegative() {
				return &JournalBreak{Where: "debt of " + member, Reason: "a negative lot"}
			}
			lots[member].Add(c, a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for member, bal := range owed {
		if !sameBalance(bal, lots[member]) {
			return &JournalBreak{Where: "debt of " + member, Reason: "lots do not add up to the deferred account"}
		}
	}
	for member, bal := range lots {
		if !sameBalance(bal, owed[member]) {
			return &JournalBreak{Where: "debt of " + member, Reason: "lots for a member the journal owes nothing"}
		}
	}
	return nil
}

func sameBalance(a, b ledger.Balance) bool {
	for c, x := range a {
		if !x.Equal(b[c]) {
			return false
		}
	}
	for c, y := range b {
		if !y.Equal(a[c]) {
			return false
		}
	}
	return true
}

func printableKey(k []byte) string { return string(bytes.ReplaceAll(k, []byte{0}, []byte{' '})) }

// CheckFile runs bbolt's own consistency check over every page.
func (db *DB) CheckFile() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bbolt check: %w", err)
		}
		return nil
	})
}
