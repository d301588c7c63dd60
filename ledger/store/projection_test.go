package store_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	x, _ := json.Marshal(got)
	y, _ := json.Marshal(want)
	if string(x) != string(y) {
		t.Errorf("%s\n got %s\nwant %s", what, x, y)
	}
}

// workedCoop is DESIGN.md's worked example in a store: alice (25/h), bob
// (25/h), carol (20/h) on the team, dan (20/h) not; opening debt as of
// 2021-12-31; bea (board) approves closes, olga (ops) approves hours.
type workedCoop struct {
	db                     *store.DB
	clock                  *storetest.Clock
	bea, olga, mia         ledger.Member
	alice, bob, carol, dan ledger.Member
	circle                 string
}

func newWorkedCoop(t *testing.T) *workedCoop {
	t.Helper()
	clock := storetest.NewClock(time.Date(2022, 8, 15, 12, 0, 0, 0, time.UTC))
	db := storetest.OpenDBClock(t, clock.Now)
	w := &workedCoop{db: db, clock: clock, circle: storetest.MustCircle(t, db, "tech").ID}
	w.bea = storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil)
	w.olga = storetest.MustMember(t, db, "Olga", "olga@example.org", []ledger.Role{ledger.RoleOps}, nil)
	w.mia = storetest.MustMember(t, db, "Mia", "mia@example.org", nil, nil)
	for _, p := range []struct {
		m          *ledger.Member
		name, rate string
		debt       string
	}{{&w.alice, "alice", "25", "20000.00"}, {&w.bob, "bob", "25", "18000.00"}, {&w.carol, "carol", "20", "8000.00"}, {&w.dan, "dan", "20", "4000.00"}} {
		*p.m = storetest.MustMember(t, db, p.name, p.name+"@example.org", []ledger.Role{ledger.RoleOps}, nil)
		if _, err := db.AddRate(w.bea, p.m.ID, ledger.RateInput{From: "2021-01-01", Hourly: dec(p.rate)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddOpeningBalance(w.bea, ledger.OpeningInput{MemberID: p.m.ID, AsOf: "2021-12-31", Deferred: dec(p.debt)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.AddPolicy(w.bea, ledger.PolicyInput{From: "2022-05", BountyShare: dec("0.10"), Team: []string{w.alice.ID, w.bob.ID, w.carol.ID},
		Split: ledger.SplitEarned, PaybackShare: dec("0.50"), PaybackMethod: ledger.PaybackProRata})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// month records a month's income, costs and approved hours.
func (w *workedCoop) month(t *testing.T, month, income string, costs []string, hours map[*ledger.Member]string) {
	t.Helper()
	if _, err := w.db.RecordMoney(w.bea, ledger.MoneyInput{Month: month, Amount: dec(income)}, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range costs {
		if _, err := w.db.RecordMoney(w.bea, ledger.MoneyInput{Month: month, Amount: dec(c)}, true); err != nil {
			t.Fatal(err)
		}
	}
	for m, h := range hours {
		e, err := w.db.LogTime(*m, ledger.TimeEntryInput{MemberID: m.ID, Date: month + "-20", Hours: dec(h), CircleID: w.circle, Submit: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.ReviewTimeEntry(w.olga, e.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// closeInput reads what the store's close of month starts from.
func closeInput(t *testing.T, db *store.DB, month string) ledger.CloseInput {
	t.Helper()
	var in ledger.CloseInput
	if err := db.View(func(tx *store.Tx) (err error) { in, err = tx.CloseInput(month); return err }); err != nil {
		t.Fatal(err)
	}
	return in
}

// scenarioOf is a scenario whose first month has exactly in's data: the
// month's income and costs, each member's earned as one hour at that
// rate, the debt and the policy.
func scenarioOf(in ledger.CloseInput, months int) ledger.Scenario {
	s := ledger.Scenario{Start: in.Month, Months: months, Currency: in.Currency, StartIncome: in.Income, FixedCosts: in.Costs,
		Debt: in.Debt, Policy: in.Policy}
	for id, e := range in.Earned {
		s.Team = append(s.Team, ledger.TeamMember{ID: id, Hours: decimal.NewFromInt(1), Rate: e})
	}
	return s
}

// TestProject_FirstMonthIsTheStoreClose: for May, June and July 2022 of
// the worked example (July with dan's hours deferred and paid back in the
// same month), the projection's first month from tx.CloseInput equals the
// drafted close, and carrying the debt with ledger.ApplyClose gives the
// very debt lots posting the close leaves in the store.
func TestProject_FirstMonthIsTheStoreClose(t *testing.T) {
	w := newWorkedCoop(t)
	w.month(t, "2022-05", "1167.00", []string{"420.00", "47.00"}, map[*ledger.Member]string{&w.alice: "20", &w.bob: "10", &w.carol: "6", &w.dan: "5"})
	w.month(t, "2022-06", "3501.00", []string{"467.00"}, map[*ledger.Member]string{&w.alice: "20", &w.bob: "10", &w.carol: "6"})
	w.month(t, "2022-07", "3501.00", []string{"467.00"}, map[*ledger.Member]string{&w.alice: "20", &w.bob: "10", &w.carol: "6", &w.dan: "5"})
	for _, month := range []string{"2022-05", "2022-06", "2022-07"} {
		in := closeInput(t, w.db, month)
		mc, err := w.db.DraftClose(w.bea, month)
		if err != nil {
			t.Fatal(err)
		}
		var first ledger.ProjectedMonth
		if err := ledger.ProjectEach(scenarioOf(in, 3), func(pm ledger.ProjectedMonth) bool { first = pm; return false }); err != nil {
			t.Fatal(err)
		}
		sameJSON(t, month+": the projection's first month", first.Result, mc.CloseResult)
		// The close input carries each member's balance as one lot for a
		// pro rata policy; the lots by accrual month come from the store.
		before, err := w.db.CurrentDebt()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.ApproveClose(w.bea, month); err != nil {
			t.Fatal(err)
		}
		want := ledger.CopyDebt(before)
		if err := ledger.ApplyClose(want, mc.CloseResult); err != nil {
			t.Fatal(err)
		}
		got, err := w.db.CurrentDebt()
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, month+": debt lots after posting", got, want)
	}
	// July paid dan back from July's lot first: his opening lot is
	// untouched by July's payback.
	if mc, _ := w.db.MonthClose("2022-07"); !mc.Payback[w.dan.ID].IsPositive() || !mc.Deferred[w.dan.ID].Equal(decimal.RequireFromString("100.00")) {
		t.Fatalf("July: dan deferred %s, paid back %s; the test needs both", mc.Deferred[w.dan.ID], mc.Payback[w.dan.ID])
	}
}

// TestDB_Project_FromTheBooks: with nothing but a horizon, a projection
// starts this month from last month's income, costs, hours, rates, the
// policy in force and the debt; when August then happens exactly so, its
// real close is the projection's first month.
func TestDB_Project_FromTheBooks(t *testing.T) {
	w := newWorkedCoop(t)
	hours := map[*ledger.Member]string{&w.alice: "20", &w.bob: "10", &w.carol: "6", &w.dan: "5"}
	w.month(t, "2022-07", "3501.00", []string{"420.00", "47.00"}, hours)
	months := 24
	s, p, err := w.db.Project(w.olga, ledger.ScenarioInput{Months: &months, MonthlyGrowth: dec("0.02")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Start != "2022-08" || s.Currency != "GBP" || s.StartIncome.StringFixed(2) != "3501.00" || s.FixedCosts.StringFixed(2) != "467.00" ||
		len(s.Team) != 4 || s.Policy.PaybackShare.String() != "0.5" || len(s.Debt) != 4 || len(p.Months) != 24 {
		t.Fatalf("scenario from the books: %+v", s)
	}
	for _, tm := range s.Team {
		if tm.ID == w.dan.ID && (!tm.Hours.Equal(decimal.NewFromInt(5)) || !tm.Rate.Equal(decimal.NewFromInt(20))) {
			t.Errorf("dan: %s h at %s, want 5 h at 20", tm.Hours, tm.Rate)
		}
	}

	// August happens as projected; the books then close it.
	w.clock.Advance(31 * 24 * time.Hour)
	w.month(t, "2022-08", "3501.00", []string{"467.00"}, hours)
	mc, err := w.db.DraftClose(w.bea, "2022-08")
	if err != nil {
		t.Fatal(err)
	}
	row := p.Months[0]
	sameJSON(t, "August: projected row against the close",
		[]string{row.Month, row.Income.String(), row.Costs.String(), row.Margin.String(), row.Bounty.String(), row.Reserve.String()},
		[]string{mc.Month, mc.Income.String(), mc.Costs.String(), mc.Margin.String(), mc.Bounty.String(), mc.Reserve.String()})
	var first ledger.CloseResult
	if err := ledger.ProjectEach(s, func(pm ledger.ProjectedMonth) bool { first = pm.Result; return false }); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "August: projected close against the real one", first, mc.CloseResult)
}

func TestDB_Project_Refusals(t *testing.T) {
	w := newWorkedCoop(t)
	months := 12
	if _, _, err := w.db.Project(w.mia, ledger.ScenarioInput{Months: &months}); !errors.Is(err, ledger.ErrForbidden) {
		t.Errorf("a plain member: %v, want forbidden", err)
	}
	if _, _, err := w.db.SolveProjection(w.mia, ledger.ScenarioInput{Months: &months}); !errors.Is(err, ledger.ErrForbidden) {
		t.Errorf("a plain member solving: %v, want forbidden", err)
	}
	// No income recorded yet: start_income must be given.
	_, _, err := w.db.Project(w.bea, ledger.ScenarioInput{Months: &months, Currency: "EUR"})
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) || ve.Fields["currency"] == "" {
		t.Errorf("another currency: %v, want currency named", err)
	}
	_, _, err = w.db.Project(w.bea, ledger.ScenarioInput{Months: &months})
	if !errors.As(err, &ve) || ve.Fields["start_income"] == "" {
		t.Errorf("no income in the books: %v, want start_income named", err)
	}
	_, _, err = w.db.SolveProjection(w.bea, ledger.ScenarioInput{StartIncome: dec("1000.00")})
	if !errors.As(err, &ve) || ve.Fields["months"] == "" {
		t.Errorf("solve without months: %v, want months named", err)
	}
	sol := func() ledger.Solution {
		_, s, err := w.db.SolveProjection(w.bea, ledger.ScenarioInput{StartIncome: dec("1000.00"), Members: ptr(int64(100)), Months: &months})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	// 50,000.00 owed and no hours logged yet: 12 paybacks of 4166.67 need
	// 8333.34 after the bounty (half of 8333.33 rounds half-even down to
	// 4166.66), so a margin of 9259.27 (bounty 925.93); 10.00 a member.
	if sol.Income.StringFixed(2) != "9259.27" || sol.MembersNeeded != 926 || sol.TeamSize != 3 || !sol.TeamIncome.IsZero() {
		t.Errorf("solution %+v", sol)
	}
}

func ptr[T any](v T) *T { return &v }

// A projection from the books counts last month's hours as its close does:
// an approved entry replaced by an approved correction counts as the
// correction.
func TestDB_Project_TeamCountsCorrections(t *testing.T) {
	w := newWorkedCoop(t)
	w.month(t, "2022-07", "3501.00", []string{"467.00"}, map[*ledger.Member]string{&w.dan: "5"})
	es, err := w.db.TimeEntries(w.dan, store.EntryQuery{MemberID: w.dan.ID, Month: "2022-07"})
	if err != nil || len(es) != 1 {
		t.Fatalf("dan's July: %v %v", es, err)
	}
	fix, err := w.db.LogTime(w.dan, ledger.TimeEntryInput{MemberID: w.dan.ID, Date: "2022-07-20", Hours: dec("3"),
		CircleID: w.circle, Corrects: es[0].ID, Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ReviewTimeEntry(w.olga, fix.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	months := 1
	s, _, err := w.db.Project(w.olga, ledger.ScenarioInput{Months: &months})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tm := range s.Team {
		if tm.ID == w.dan.ID {
			found = true
			if !tm.Hours.Equal(decimal.NewFromInt(3)) {
				t.Fatalf("dan: %s h, want the correction's 3", tm.Hours)
			}
		}
	}
	if !found {
		t.Fatalf("dan is not in the team from the books: %+v", s.Team)
	}
}
