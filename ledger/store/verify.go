package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
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
// every account's monthly and all-time balance matches, and every member's
// debt lots add up to what their deferred account says is owed. It reads
// the journal once, summing in whole minor units (int64) rather than
// decimals, and holds only per-account-month sums in memory.
func (db *DB) VerifyJournal() (transactions int, err error) {
	err = db.View(func(tx *Tx) error {
		var sums map[string]ledger.Balance
		var err error
		transactions, sums, err = tx.sumJournal()
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

// storedTx is the part of a stored transaction that verification reads,
// amounts kept as the text they were written as.
type storedTx struct {
	ID       string `json:"id"`
	Date     string `json:"date"`
	Accrual  string `json:"accrual"`
	Postings []struct {
		Account  string `json:"account"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	} `json:"postings"`
}

// sumJournal reads every transaction, checks it as Transaction.Validate
// would (accounts, currencies, amounts exact to the minor unit and not
// zero, postings summing to zero per currency; each distinct account, date
// and currency is checked once) and sums the postings per account and
// month.
func (tx *Tx) sumJournal() (int, map[string]ledger.Balance, error) {
	type key struct{ account, month, currency string }
	units := map[key]int64{}
	goodAccount, goodDate := map[string]bool{}, map[string]bool{}
	places := map[string]int32{}
	var want uint64 = 1
	n := 0
	err := tx.tx.Bucket(bucketJournal).ForEach(func(k, v []byte) error {
		seq := fromU64(k)
		id := formatID(prefixTx, seq)
		if seq != want {
			return &JournalBreak{Where: formatID(prefixTx, want), Reason: "transaction missing"}
		}
		want++
		var t storedTx
		if err := json.Unmarshal(v, &t); err != nil {
			return &JournalBreak{Where: id, Reason: "unreadable record"}
		}
		bad := func(why string) error { return &JournalBreak{Where: id, Reason: why} }
		switch {
		case t.ID != id:
			return bad("stored under another id (" + t.ID + ")")
		case len(t.Postings) < 2:
			return bad("fewer than two postings")
		}
		if !goodDate[t.Date] {
			if _, err := ledger.ParseDate(t.Date); err != nil {
				return bad("date " + err.Error())
			}
			goodDate[t.Date] = true
		}
		month := t.Date[:7]
		balance := map[string]int64{}
		for _, p := range t.Postings {
			if !goodAccount[p.Account] {
				if err := ledger.CheckAccount(p.Account); err != nil {
					return bad("account " + p.Account + " " + err.Error())
				}
				goodAccount[p.Account] = true
			}
			pl, ok := places[p.Currency]
			if !ok {
				if c, err := ledger.ParseCurrency(p.Currency); err != nil || c != p.Currency {
					return bad("unknown currency " + p.Currency)
				}
				pl = ledger.MinorUnits(p.Currency)
				places[p.Currency] = pl
			}
			u, ok := parseUnits(p.Amount, pl)
			if !ok || u == 0 {
				return bad("amount " + p.Amount + " is not a non-zero " + p.Currency + " amount")
			}
			balance[p.Currency] += u
			units[key{p.Account, month, p.Currency}] += u
		}
		for c, u := range balance {
			if u != 0 {
				return bad(c + " postings do not sum to zero")
			}
		}
		n++
		return nil
	})
	if err != nil {
		return n, nil, err
	}
	sums := make(map[string]ledger.Balance, len(units))
	for k, u := range units {
		bk := string(balanceKey(k.account, k.month))
		if sums[bk] == nil {
			sums[bk] = ledger.Balance{}
		}
		sums[bk].Add(k.currency, decimal.New(u, -places[k.currency]))
	}
	return n, sums, nil
}

// parseUnits reads a decimal amount as written by the journal ("-1167.00")
// into whole minor units, refusing more places than the currency has and
// anything that is not a plain decimal.
func parseUnits(s string, places int32) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || int32(len(frac)) > places || (hasDot && frac == "") {
		return 0, false
	}
	var u int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + int64(c-'0')
	}
	for i := int32(len(frac)); i < places; i++ {
		u *= 10
	}
	if neg {
		u = -u
	}
	return u, true
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

// VerifyReport is what Verify found: counts, and the first break of each
// check (nil when it holds).
type VerifyReport struct {
	Events       int
	Transactions int
	File         error
	Audit        error
	Journal      error
}

// OK reports whether every check held.
func (r VerifyReport) OK() bool { return r.File == nil && r.Audit == nil && r.Journal == nil }

// Verify runs the page check, then the audit chain and the journal checks
// side by side, each in a read transaction of its own. (bbolt's page check
// shares state with other readers, so it runs alone.)
func (db *DB) Verify() VerifyReport {
	var r VerifyReport
	r.File = db.CheckFile()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.Events, r.Audit = db.VerifyAudit() }()
	go func() { defer wg.Done(); r.Transactions, r.Journal = db.VerifyJournal() }()
	wg.Wait()
	return r
}
