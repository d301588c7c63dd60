package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// benchMonth is the month the close benchmarks close; the clock reads
// mid-February 2030.
const benchMonth = "2030-01"

var benchNow = time.Date(2030, 2, 15, 12, 0, 0, 0, time.UTC)

// closeBooks is one store for the close benchmarks, built once per run
// in its own temporary directory (removed by TestMain).
type closeBooks struct {
	once sync.Once
	dir  string
	path string
	err  error
	lots int // debt lots outstanding before benchMonth
}

// closeStores are keyed by years of history and whether each month's
// deferrals were paid back in full.
var (
	closeStoresMu sync.Mutex
	closeStores   = map[string]*closeBooks{}
)

// closeSize can be shrunk for a quick look: COOPLEDGER_BENCH_MEMBERS=100
// (entries per member stay 50).
func closeSize() (members, entriesEach int) {
	members = 1000
	if n, err := strconv.Atoi(os.Getenv("COOPLEDGER_BENCH_MEMBERS")); err == nil && n > 0 {
		members = n
	}
	return members, 50
}

// buildCloseBooks returns the path of a store with `members` members on
// the policy's team (25/h), each owed an opening balance, then `years` of
// history before benchMonth: every month its income and costs, one
// approved hour per member, and per member wages, a deferral and a
// payback posted as the close posts them; paidBack pays each month's
// deferral back in full (the debt lots outstanding stay one per member),
// otherwise half of it (a lot per member per month stays outstanding).
// benchMonth itself has 50 approved entries per member (50,000 for 1,000
// members) with income and costs.
func buildCloseBooks(b *testing.B, years int, paidBack bool) *closeBooks {
	b.Helper()
	key := fmt.Sprintf("%dy-%v", years, paidBack)
	closeStoresMu.Lock()
	cb := closeStores[key]
	if cb == nil {
		cb = &closeBooks{}
		closeStores[key] = cb
	}
	closeStoresMu.Unlock()
	cb.once.Do(func() {
		cb.dir, cb.err = os.MkdirTemp("", "coopledger-close-")
		if cb.err != nil {
			return
		}
		cb.path = filepath.Join(cb.dir, "close.db")
		start := time.Now()
		cb.lots, cb.err = writeCloseBooks(cb.path, years, paidBack)
		b.Logf("built %s books (%d debt lots) in %s", key, cb.lots, time.Since(start).Round(time.Second))
	})
	if cb.err != nil {
		b.Fatal(cb.err)
	}
	return cb
}

// removeCloseBooks deletes every store the close benchmarks built.
func removeCloseBooks() {
	for _, cb := range closeStores {
		if cb.dir != "" {
			os.RemoveAll(cb.dir)
		}
	}
}

func writeCloseBooks(path string, years int, paidBack bool) (int, error) {
	members, entriesEach := closeSize()
	db, err := store.Open(path, store.Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.Bolt().NoSync = true // a benchmark's scratch file: no need to wait for the disk
	gbp := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	ids := make([]string, members)
	var reviewer ledger.Member
	var circle string
	err = db.Update(func(tx *store.Tx) error {
		name, email, joined := "Reviewer", "reviewer@example.org", "2010-01-01"
		roles := []ledger.Role{ledger.RoleBoard}
		var err error
		if reviewer, err = tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined, Roles: &roles}); err != nil {
			return err
		}
		c, err := tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"})
		if err != nil {
			return err
		}
		circle = c.ID
		for i := range ids {
			name, email := fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.org", i)
			m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
			if err != nil {
				return err
			}
			ids[i] = m.ID
			if _, err := tx.AddRate(ledger.System, m.ID, ledger.RateInput{From: "2010-01-01", Hourly: gbp("25")}); err != nil {
				return err
			}
			if _, err := tx.AddOpeningBalance(ledger.System, ledger.OpeningInput{MemberID: m.ID, AsOf: "2015-12-31", Deferred: gbp(fmt.Sprintf("%d.00", 1000+i))}); err != nil {
				return err
			}
		}
		_, err = tx.AddPolicy(ledger.System, ledger.PolicyInput{From: "2016-01", BountyShare: gbp("0.10"), Team: ids, Split: ledger.SplitEarned,
			PaybackShare: gbp("0.50"), PaybackMethod: ledger.PaybackProRata})
		return err
	})
	if err != nil {
		return 0, err
	}
	// approve logs and approves entries of minutes for each member on the
	// given days of month, in one write.
	required := ledger.CompRequired
	approve := func(month string, days []int, minutes int64) error {
		return db.Update(func(tx *store.Tx) error {
			for _, id := range ids {
				for _, day := range days {
					e, err := tx.LogTime(ledger.System, ledger.TimeEntryInput{MemberID: id, Date: fmt.Sprintf("%s-%02d", month, day),
						Minutes: &minutes, CircleID: circle, Compensation: &required, Submit: true})
					if err != nil {
						return fmt.Errorf("log %s: %w", month, err)
					}
					if _, err := tx.ReviewTimeEntry(reviewer, e.ID, true, ""); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	// Income of 2,000.00 and costs of 100.00 a member: after the bounty
	// the team's 1,250.00 each is paid in full and 460.00 a member is
	// left, half of it paid back.
	money := func(tx *store.Tx, month string) error {
		income, costs := decimal.NewFromInt(int64(2000*members)), decimal.NewFromInt(int64(100*members))
		if _, err := tx.RecordMoney(ledger.System, ledger.MoneyInput{Month: month, Amount: &income}, false); err != nil {
			return err
		}
		_, err := tx.RecordMoney(ledger.System, ledger.MoneyInput{Month: month, Amount: &costs}, true)
		return err
	}
	first, _ := ledger.ParseMonth(benchMonth)
	for m := first.AddDate(-years, 0, 0); m.Before(first); m = m.AddDate(0, 1, 0) {
		month := m.Format(ledger.MonthLayout)
		if err := approve(month, []int{10}, 60); err != nil {
			return 0, err
		}
		err := db.Update(func(tx *store.Tx) error {
			if err := money(tx, month); err != nil {
				return err
			}
			date := m.AddDate(0, 1, -1).Format(ledger.DateLayout)
			for i, id := range ids {
				earned, paid := int64(2500), int64(1500-i%7)
				deferred := earned - paid
				back := deferred / 2
				if paidBack {
					back = deferred
				}
				txs := []ledger.Transaction{
					{Date: date, Kind: ledger.KindWages, MemberID: id, Description: "Wages " + month, Postings: []ledger.Posting{
						{Account: ledger.AccountWages, Amount: decimal.New(paid, -2), Currency: "GBP"},
						{Account: ledger.AccountBank, Amount: decimal.New(-paid, -2), Currency: "GBP"}}},
					{Date: date, Kind: ledger.KindDeferral, MemberID: id, Accrual: month, Description: "Deferred pay " + month, Postings: []ledger.Posting{
						{Account: ledger.AccountWages, Amount: decimal.New(deferred, -2), Currency: "GBP"},
						{Account: ledger.DeferredAccount(id), Amount: decimal.New(-deferred, -2), Currency: "GBP"}}},
					{Date: date, Kind: ledger.KindPayback, MemberID: id, Description: "Payback " + month, Postings: []ledger.Posting{
						{Account: ledger.DeferredAccount(id), Amount: decimal.New(back, -2), Currency: "GBP"},
						{Account: ledger.AccountBank, Amount: decimal.New(-back, -2), Currency: "GBP"}}},
				}
				for _, t := range txs {
					if _, err := tx.Post(ledger.System, t); err != nil {
						return fmt.Errorf("%s: %w", month, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	// benchMonth: 50 entries of an hour per member, two a day.
	days := make([]int, 0, entriesEach)
	for d := 0; len(days) < entriesEach; d++ {
		days = append(days, 1+d%25)
	}
	if err := approve(benchMonth, days, 60); err != nil {
		return 0, err
	}
	if err := db.Update(func(tx *store.Tx) error { return money(tx, benchMonth) }); err != nil {
		return 0, err
	}
	lots := 0
	err = db.View(func(tx *store.Tx) error {
		d, err := tx.CurrentDebt()
		for _, l := range d {
			lots += len(l)
		}
		return err
	})
	return lots, err
}

// benchClose times the close of benchMonth on a store: the books read
// (tx.CloseInput) and the waterfall (ledger.Close) in one read
// transaction, as DraftClose computes it, and reports the entries and
// debt lots it covered.
func benchClose(b *testing.B, years int, paidBack bool) {
	cb := buildCloseBooks(b, years, paidBack)
	db, err := store.Open(cb.path, store.Options{ReadOnly: true, Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	members, entriesEach := closeSize()
	var readTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.View(func(tx *store.Tx) error {
			t0 := time.Now()
			in, err := tx.CloseInput(benchMonth)
			readTime += time.Since(t0)
			if err != nil {
				return err
			}
			if len(in.Earned) != members {
				return fmt.Errorf("%d members earned, want %d", len(in.Earned), members)
			}
			r, err := ledger.Close(in)
			if err == nil && len(r.Payback) != members {
				err = fmt.Errorf("%d members paid back, want %d", len(r.Payback), members)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(readTime.Microseconds())/1000/float64(b.N), "ms-read")
	b.ReportMetric(float64(members*entriesEach), "entries")
	b.ReportMetric(float64(cb.lots), "lots")
}

// BenchmarkClose is the close of one month with 1,000 members and 50,000
// approved entries (target ≤ 100 ms), over one and ten years of history
// (target: ten years within 1.2× of one). "PaidBack" history pays each
// month's deferral back in full, so the debt outstanding is one lot per
// member whatever the years; "Owed" pays back half, so a lot per member
// per month of history stays outstanding, as when debt accumulates. Each
// store is built once per run (a few minutes for the ten-year ones).
//
//	go test ./ledger/store -run '^$' -bench 'Close/' -benchtime 10x -timeout 60m
func BenchmarkClose(b *testing.B) {
	for _, years := range []int{1, 10} {
		for _, paidBack := range []bool{true, false} {
			name := fmt.Sprintf("History%dy/Owed", years)
			if paidBack {
				name = fmt.Sprintf("History%dy/PaidBack", years)
			}
			b.Run(name, func(b *testing.B) { benchClose(b, years, paidBack) })
		}
	}
}

// BenchmarkDraftClose is DraftClose itself on the one-year store: the same
// computation plus storing the draft and its audit event in a durable
// write.
func BenchmarkDraftClose(b *testing.B) {
	cb := buildCloseBooks(b, 1, true)
	db, err := store.Open(cb.path, store.Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.DraftClose(ledger.System, benchMonth); err != nil {
			b.Fatal(err)
		}
	}
}
