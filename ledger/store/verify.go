package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

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
// decimals, and holds only those per-account-month sums in memory.
func (db *DB) VerifyJournal() (transactions int, err error) {
	err = db.View(func(tx *Tx) error {
		var sums journalSums
		var err error
		if transactions, sums, err = tx.sumJournal(); err != nil {
			return err
		}
		// Every stored monthly balance equals the sums; every non-zero sum
		// is stored.
		matched := 0
		err = tx.tx.Bucket(bucketBalances).ForEach(func(k, v []byte) error {
			i := bytes.IndexByte(k, 0)
			account, month := string(k[:i]), string(k[i+1:])
			var bal ledger.Balance
			if err := jsonUnmarshal(v, &bal); err != nil {
				return &JournalBreak{Where: "balance " + printableKey(k), Reason: "unreadable record"}
			}
			for c, a := range bal {
				want := sums.amount(unitKey{account, month, c})
				if !a.Equal(want) {
					return &JournalBreak{Where: "balance " + printableKey(k), Reason: "does not match the transactions"}
				}
				if !want.IsZero() {
					matched++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := sums.nonZero(); matched != n {
			return &JournalBreak{Where: "balances", Reason: fmt.Sprintf("%d stored, %d recomputed", matched, n)}
		}
		// Every account's all-time total.
		totals := map[string]map[string]int64{}
		for k, u := range sums.units {
			if totals[k.account] == nil {
				totals[k.account] = map[string]int64{}
			}
			totals[k.account][k.currency] += u
		}
		accounts := 0
		err = tx.tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			accounts++
			var bal ledger.Balance
			if err := jsonUnmarshal(v, &bal); err != nil {
				return &JournalBreak{Where: "total of " + string(k), Reason: "unreadable record"}
			}
			want := totals[string(k)]
			for c, a := range bal {
				if !a.Equal(decimal.New(want[c], -sums.places[c])) {
					return &JournalBreak{Where: "total of " + string(k), Reason: "does not match the transactions"}
				}
			}
			for c, u := range want {
				if _, ok := bal[c]; !ok && u != 0 {
					return &JournalBreak{Where: "total of " + string(k), Reason: "does not match the transactions"}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if accounts != len(totals) {
			return &JournalBreak{Where: "account totals", Reason: fmt.Sprintf("%d stored, %d recomputed", accounts, len(totals))}
		}
		return tx.verifyLots(totals, sums.places)
	})
	return transactions, err
}

// unitKey names one account's movement in one month and currency.
type unitKey struct{ account, month, currency string }

// journalSums are the journal's postings summed per account, month and
// currency, in whole minor units.
type journalSums struct {
	units  map[unitKey]int64
	places map[string]int32
}

func (s journalSums) amount(k unitKey) decimal.Decimal {
	return decimal.New(s.units[k], -s.places[k.currency])
}

func (s journalSums) nonZero() int {
	n := 0
	for _, u := range s.units {
		if u != 0 {
			n++
		}
	}
	return n
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
func (tx *Tx) sumJournal() (int, journalSums, error) {
	units := map[unitKey]int64{}
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
			units[unitKey{p.Account, month, p.Currency}] += u
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
		return n, journalSums{}, err
	}
	return n, journalSums{units: units, places: places}, nil
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
func (tx *Tx) verifyLots(totals map[string]map[string]int64, places map[string]int32) error {
	owed := map[string]ledger.Balance{}
	for account, bal := range totals {
		if member, ok := ledger.DeferredMember(account); ok {
			owed[member] = ledger.Balance{}
			for c, u := range bal {
				owed[member].Add(c, decimal.New(-u, -places[c]))
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
//
// Every check reads the whole file through bbolt's memory map; on a store
// opened read-only, the pages read are dropped every 5 ms so the
// process's resident memory stays near what the checks hold, whatever the
// size of the file.
func (db *DB) Verify() VerifyReport {
	stop := make(chan struct{})
	defer close(stop)
	if db.readOnly {
		go func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					db.dropMapped()
				}
			}
		}()
	}
	var r VerifyReport
	r.File = db.CheckFile()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.Events, r.Audit = db.VerifyAudit() }()
	go func() { defer wg.Done(); r.Transactions, r.Journal = db.VerifyJournal() }()
	wg.Wait()
	return r
}
