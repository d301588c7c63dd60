package store_test

import (
	"fmt"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// dec is a decimal amount for an input field.
func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// rate adds a rate to member's schedule as Bea (board) and fails the test
// on an error.
func (c *coop) rate(t *testing.T, member ledger.Member, from, hourly string) ledger.Rate {
	t.Helper()
	r, err := c.db.AddRate(c.bea, member.ID, ledger.RateInput{From: from, Hourly: dec(hourly)})
	if err != nil {
		t.Fatalf("rate %s from %s for %s: %v", hourly, from, member.Name, err)
	}
	return r
}

// entryIn is an entry of whole minutes; comp "" leaves the default.
func (c *coop) entryIn(member ledger.Member, date string, minutes int64, comp ledger.Compensation) ledger.TimeEntryInput {
	in := c.in(member, date, "1")
	in.Hours = nil
	in.Minutes = &minutes
	if comp != "" {
		in.Compensation = &comp
	}
	return in
}

// entry logs an entry of whole minutes and takes it to state (draft,
// submitted, approved or rejected), reviewed by Bea.
func (c *coop) entry(t *testing.T, member ledger.Member, date string, minutes int64, comp ledger.Compensation, state ledger.EntryState) ledger.TimeEntry {
	t.Helper()
	e, err := c.db.LogTime(member, c.entryIn(member, date, minutes, comp))
	if err != nil {
		t.Fatalf("log %d min on %s for %s: %v", minutes, date, member.Name, err)
	}
	switch state {
	case ledger.StateDraft:
	case ledger.StateSubmitted:
		e = c.submit(t, member, e)
	case ledger.StateApproved:
		e = c.review(t, c.submit(t, member, e), true)
	case ledger.StateRejected:
		e = c.review(t, c.submit(t, member, e), false)
	default:
		t.Fatalf("unknown state %s", state)
	}
	return e
}

// statementMonth returns one month of member's statement, read by Bea.
func (c *coop) statementMonth(t *testing.T, member ledger.Member, month string) store.StatementMonth {
	t.Helper()
	st, err := c.db.Statement(c.bea, member.ID)
	if err != nil {
		t.Fatalf("statement of %s: %v", member.Name, err)
	}
	for _, m := range st.Months {
		if m.Month == month {
			return m
		}
	}
	t.Fatalf("statement of %s has no %s: %+v", member.Name, month, st.Months)
	return store.StatementMonth{}
}

func rateText(rs []ledger.Rate) string {
	out := ""
	for _, r := range rs {
		out += fmt.Sprintf("[%s %s %s %s]", r.MemberID, r.From, r.Hourly, r.Currency)
	}
	return out
}

func TestAddRate_BoardAndAdmin(t *testing.T) {
	c := newCoop(t)
	r, err := c.db.AddRate(c.bea, c.alice.ID, ledger.RateInput{From: " 2024-03-01 ", Hourly: dec("25.50")})
	if err != nil {
		t.Fatalf("board adds a rate: %v", err)
	}
	if r.MemberID != c.alice.ID || r.From != "2024-03-01" || r.Hourly.String() != "25.5" || r.Currency != "GBP" {
		t.Errorf("rate = %+v, want alice's 25.50 GBP from 2024-03-01", r)
	}
	// Added out of date order; read back in date order.
	if _, err := c.db.AddRate(c.ada, c.alice.ID, ledger.RateInput{From: "2023-01-01", Hourly: dec("20"), Currency: "gbp"}); err != nil {
		t.Fatalf("admin adds a rate: %v", err)
	}
	for _, reader := range []ledger.Member{c.alice, c.bob, c.bea, c.ada} {
		rs, err := c.db.Rates(reader, c.alice.ID)
		if err != nil {
			t.Fatalf("%s reads alice's rates: %v", reader.Name, err)
		}
		want := fmt.Sprintf("[%s 2023-01-01 20 GBP][%s 2024-03-01 25.5 GBP]", c.alice.ID, c.alice.ID)
		if got := rateText(rs); got != want {
			t.Errorf("%s reads %s, want %s", reader.Name, got, want)
		}
	}
	_, err = c.db.Rates(c.max, c.alice.ID)
	wantIs(t, err, ledger.ErrForbidden)
	if rs, err := c.db.Rates(c.max, c.max.ID); err != nil || len(rs) != 0 {
		t.Errorf("max's own empty schedule = %v, %v", rs, err)
	}
	_, err = c.db.Rates(c.bea, "m999999")
	wantIs(t, err, ledger.ErrNotFound)
}

func TestAddRate_OthersForbidden(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.alice, c.bob, c.max} {
		for _, member := range []ledger.Member{c.alice, c.max} {
			err := refused(t, c.db, func() error {
				_, err := c.db.AddRate(actor, member.ID, ledger.RateInput{From: "2024-01-01", Hourly: dec("25")})
				return err
			})
			wantIs(t, err, ledger.ErrForbidden)
		}
	}
}

func TestAddRate_Invalid_Refused(t *testing.T) {
	c := newCoop(t)
	tests := []struct {
		name  string
		in    ledger.RateInput
		field string
	}{
		{"no date", ledger.RateInput{Hourly: dec("25")}, "from"},
		{"not a date", ledger.RateInput{From: "2024-02-30", Hourly: dec("25")}, "from"},
		{"no hourly", ledger.RateInput{From: "2024-01-01"}, "hourly"},
		{"negative", ledger.RateInput{From: "2024-01-01", Hourly: dec("-1")}, "hourly"},
		{"five places", ledger.RateInput{From: "2024-01-01", Hourly: dec("25.00001")}, "hourly"},
		{"typo-sized", ledger.RateInput{From: "2024-01-01", Hourly: dec("10000.01")}, "hourly"},
		{"another currency", ledger.RateInput{From: "2024-01-01", Hourly: dec("25"), Currency: "EUR"}, "currency"},
		{"unknown currency", ledger.RateInput{From: "2024-01-01", Hourly: dec("25"), Currency: "XXX"}, "currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.AddRate(c.bea, c.alice.ID, tc.in); return err })
			wantField(t, err, tc.field)
		})
	}
	err := refused(t, c.db, func() error {
		_, err := c.db.AddRate(c.bea, "m999999", ledger.RateInput{From: "2024-01-01", Hourly: dec("25")})
		return err
	})
	wantIs(t, err, ledger.ErrNotFound)
}

func TestAddRate_SameDay_Refused(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-03-01", "25")
	for _, hourly := range []string{"25", "30", "0"} {
		err := refused(t, c.db, func() error {
			_, err := c.db.AddRate(c.ada, c.alice.ID, ledger.RateInput{From: "2024-03-01", Hourly: dec(hourly)})
			return err
		})
		wantField(t, err, "from")
	}
	// The day is taken for Alice only, and only that day.
	c.rate(t, c.bob, "2024-03-01", "25")
	c.rate(t, c.alice, "2024-03-02", "30")
}

func TestAddRate_LockedMonth_Refused(t *testing.T) {
	c := newCoop(t)
	closeMonth(t, c.db, "2024-05")
	for _, from := range []string{"2024-05-01", "2024-05-31"} {
		err := refused(t, c.db, func() error {
			_, err := c.db.AddRate(c.bea, c.alice.ID, ledger.RateInput{From: from, Hourly: dec("25")})
			return err
		})
		wantField(t, err, "from")
	}
	c.rate(t, c.alice, "2024-04-30", "25")
	c.rate(t, c.alice, "2024-06-01", "30")
}

// The default compensation follows the rate in force on the entry's date:
// `required` while there is a non-zero one, `volunteer` before the first
// rate and from a zero rate on, until a new non-zero rate starts.
func TestLogTime_DefaultCompensation_ByRate(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-02-01", "25")
	c.rate(t, c.alice, "2024-04-01", "0")
	c.rate(t, c.alice, "2024-06-01", "20")
	tests := []struct {
		member ledger.Member
		date   string
		want   ledger.Compensation
	}{
		{c.alice, "2024-01-31", ledger.CompVolunteer}, // before the first rate
		{c.alice, "2024-02-01", ledger.CompRequired},  // the day it starts
		{c.alice, "2024-03-31", ledger.CompRequired},
		{c.alice, "2024-04-01", ledger.CompVolunteer}, // zero: paid work ends
		{c.alice, "2024-05-31", ledger.CompVolunteer},
		{c.alice, "2024-06-01", ledger.CompRequired}, // paid again
		{c.alice, "2024-06-15", ledger.CompRequired},
		{c.bob, "2024-03-01", ledger.CompVolunteer}, // Bob has no rate
	}
	for _, tc := range tests {
		t.Run(tc.member.Name+" "+tc.date, func(t *testing.T) {
			e := c.entry(t, tc.member, tc.date, 60, "", ledger.StateDraft)
			if e.Compensation != tc.want {
				t.Errorf("compensation = %s, want %s", e.Compensation, tc.want)
			}
		})
	}
	// A kind given explicitly is kept whatever the rate.
	e := c.entry(t, c.alice, "2024-05-02", 60, ledger.CompRequired, ledger.StateDraft)
	if e.Compensation != ledger.CompRequired {
		t.Errorf("explicit required under a zero rate = %s", e.Compensation)
	}
}

// Earned for a month is the hours of the member's approved `required`
// entries, each valued at the rate in force on its own date, summed exactly
// and rounded half-even once. The figures below are computed by hand; each
// differs from what rounding every entry would give, and from valuing the
// whole month at one rate.
func TestStatement_Earned_RateOnEachDate_RoundedOnce(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-03-01", "0.75")
	c.rate(t, c.alice, "2024-05-01", "25.00")
	c.rate(t, c.alice, "2024-05-15", "30.00") // mid-May rise
	c.rate(t, c.alice, "2024-06-01", "0")     // paid work ends
	req := ledger.CompRequired

	// March: 10 min at 0.75 = 0.125 → 0.12 (half-even, not 0.13).
	c.entry(t, c.alice, "2024-03-10", 10, "", ledger.StateApproved)
	// April: 3 × 10 min at 0.75 = 0.375 → 0.38 (per entry: 3 × 0.12 = 0.36).
	for _, d := range []string{"2024-04-01", "2024-04-02", "2024-04-30"} {
		c.entry(t, c.alice, d, 10, "", ledger.StateApproved)
	}
	// May: 20 + 20 min at 25.00 = 16.6666…, 50 + 10 min at 30.00 = 30.00:
	// 46.6666… → 46.67 (per entry 8.33 + 8.33 + 25.00 + 5.00 = 46.66; the
	// whole 100 min at 30.00 = 50.00, at 25.00 = 41.67).
	c.entry(t, c.alice, "2024-05-03", 20, "", ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-14", 20, "", ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-15", 50, "", ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-31", 10, "", ledger.StateApproved)
	// None of these count: not approved, or not `required`.
	c.entry(t, c.alice, "2024-05-20", 120, ledger.CompContribution, ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-20", 180, ledger.CompVolunteer, ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-21", 60, req, ledger.StateDraft)
	c.entry(t, c.alice, "2024-05-22", 60, req, ledger.StateSubmitted)
	c.entry(t, c.alice, "2024-05-23", 60, req, ledger.StateRejected)
	// June: required hours under a zero rate are worth nothing.
	c.entry(t, c.alice, "2024-06-03", 90, req, ledger.StateApproved)
	// Bob's hours are not Alice's.
	c.rate(t, c.bob, "2024-01-01", "50")
	c.entry(t, c.bob, "2024-05-03", 600, "", ledger.StateApproved)

	tests := []struct{ month, hours, earned string }{
		{"2024-03", "0.17", "0.12"},
		{"2024-04", "0.5", "0.38"},
		// Hours are every approved hour (400 min); only required ones are valued.
		{"2024-05", "6.67", "46.67"},
		{"2024-06", "1.5", "0.00"},
	}
	st, err := c.db.Statement(c.alice, c.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Months) != len(tests) {
		t.Fatalf("statement months = %+v, want %d", st.Months, len(tests))
	}
	for i, tc := range tests {
		m := st.Months[i]
		if m.Month != tc.month || m.Hours != tc.hours || m.Earned.String() != tc.earned {
			t.Errorf("month %d = %s %s h earned %s, want %s %s h earned %s", i, m.Month, m.Hours, m.Earned, tc.month, tc.hours, tc.earned)
		}
		// Earned is not money moved: the balance stays at zero without a close.
		if !m.Balance.Amount.IsZero() || !m.Deferred.Amount.IsZero() || !m.Paid.Amount.IsZero() {
			t.Errorf("%s: balance %s, deferred %s, paid %s; want all 0.00", m.Month, m.Balance, m.Deferred, m.Paid)
		}
	}
	if got := c.statementMonth(t, c.bob, "2024-05").Earned.String(); got != "500.00" {
		t.Errorf("bob's May earned = %s, want 500.00", got)
	}
}

// A rate added later changes the value of hours already approved on and
// after its date only: rates are never edited, and a new one starts on a
// later date.
func TestStatement_Earned_RateAddedAfterApproval(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-05-01", "20")
	c.entry(t, c.alice, "2024-05-10", 60, "", ledger.StateApproved)
	c.entry(t, c.alice, "2024-05-20", 60, "", ledger.StateApproved)
	if got := c.statementMonth(t, c.alice, "2024-05").Earned.String(); got != "40.00" {
		t.Fatalf("May earned = %s, want 40.00", got)
	}
	c.rate(t, c.alice, "2024-05-15", "26")
	if got := c.statementMonth(t, c.alice, "2024-05").Earned.String(); got != "46.00" {
		t.Errorf("May earned after a rate from 05-15 = %s, want 20.00 + 26.00 = 46.00", got)
	}
}

// A correction replaces the entry it corrects (DESIGN.md, Time entries;
// TimeEntry.Counts: "toward the member's day total and valuation"). Once
// the correction is approved, the corrected hours must not be valued as
// well, or the member is owed the same work twice.
func TestStatement_Earned_CorrectedEntryNotValuedTwice(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-05-01", "25")
	orig := c.entry(t, c.alice, "2024-05-10", 120, "", ledger.StateApproved)
	in := c.entryIn(c.alice, "2024-05-10", 180, "")
	in.Corrects = orig.ID
	fix, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	// Until the correction is approved, the original stands.
	if got := c.statementMonth(t, c.alice, "2024-05").Earned.String(); got != "50.00" {
		t.Errorf("earned with the correction in draft = %s, want 50.00", got)
	}
	c.review(t, c.submit(t, c.alice, fix), true)
	m := c.statementMonth(t, c.alice, "2024-05")
	if m.Earned.String() != "75.00" || m.Hours != "3" {
		t.Errorf("after the correction: %s h earned %s, want 3 h earned 75.00", m.Hours, m.Earned)
	}
}
