package store_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"
)

// opening brings in debt owed to member as of asOf, posted by Bea.
func (c *coop) opening(t *testing.T, member ledger.Member, asOf, amount string) ledger.Transaction {
	t.Helper()
	tr, err := c.db.AddOpeningBalance(c.bea, ledger.OpeningInput{MemberID: member.ID, AsOf: asOf, Deferred: dec(amount)})
	if err != nil {
		t.Fatalf("opening %s as of %s for %s: %v", amount, asOf, member.Name, err)
	}
	return tr
}

// waive has member forgive amount of their own balance.
func (c *coop) waive(t *testing.T, member ledger.Member, amount string) ledger.Transaction {
	t.Helper()
	tr, err := c.db.Waive(member, member.ID, ledger.WaiverInput{Amount: dec(amount)})
	if err != nil {
		t.Fatalf("%s waives %s: %v", member.Name, amount, err)
	}
	return tr
}

// reverse reverses id as Bea, dated date.
func (c *coop) reverse(t *testing.T, id, date string) ledger.Transaction {
	t.Helper()
	tr, err := c.db.Reverse(c.bea, id, date, "")
	if err != nil {
		t.Fatalf("reverse %s on %s: %v", id, date, err)
	}
	return tr
}

// owedTo reads what the co-op owes member.
func owedTo(t *testing.T, db *store.DB, memberID string) decimal.Decimal {
	t.Helper()
	var owed decimal.Decimal
	err := db.View(func(tx *store.Tx) error {
		var err error
		owed, err = tx.Owed(memberID)
		return err
	})
	if err != nil {
		t.Fatalf("Owed(%s): %v", memberID, err)
	}
	return owed
}

// agingText prints a debt row's aging as "2021:1500.00 2022:3000.00".
func agingText(aging map[string]ledger.Money) string {
	years := make([]string, 0, len(aging))
	for y := range aging {
		years = append(years, y)
	}
	sort.Strings(years)
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = y + ":" + aging[y].String()
	}
	return strings.Join(parts, " ")
}

// wantDebt checks what the co-op owes member: Owed, the member's deferred
// account and the debt report's row must all agree with owed, and the
// row's aging must read aging ("" when nothing is owed and there is no row).
func wantDebt(t *testing.T, db *store.DB, member ledger.Member, owed, aging string) {
	t.Helper()
	if got := owedTo(t, db, member.ID); ledger.FormatAmount(got, "GBP") != owed {
		t.Errorf("Owed(%s) = %s, want %s", member.Name, got, owed)
	}
	account := accountBalances(t, db, "")[ledger.DeferredAccount(member.ID)]["GBP"].Neg()
	if ledger.FormatAmount(account, "GBP") != owed {
		t.Errorf("%s's deferred account says %s owed, want %s", member.Name, account, owed)
	}
	d, err := db.Debt(ledger.System)
	if err != nil {
		t.Fatal(err)
	}
	var row *store.DebtRow
	for i := range d.Members {
		if d.Members[i].MemberID == member.ID {
			row = &d.Members[i]
		}
	}
	switch {
	case row == nil && aging != "":
		t.Errorf("%s has no debt row, want aging %s", member.Name, aging)
	case row != nil && (row.Balance.String() != owed || agingText(row.Aging) != aging):
		t.Errorf("%s's debt row: %s aged %s, want %s aged %s", member.Name, row.Balance, agingText(row.Aging), owed, aging)
	}
}

func TestRecordMoney_IncomeAndCost(t *testing.T) {
	c := newCoop(t)
	in, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("1167.00"), Note: "May"}, false)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := c.db.RecordMoney(c.ada, ledger.MoneyInput{Month: "2024-05", Account: ledger.AccountFees, Amount: dec("100.00"),
		Currency: "EUR", Rate: dec("0.855")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if in.Date != "2024-05-01" || in.Kind != ledger.KindIncome || cost.Kind != ledger.KindCost {
		t.Errorf("income %+v, cost %+v", in, cost)
	}
	bal := accountBalances(t, c.db, "")
	// 100.00 EUR at 0.855 = 85.50 GBP; the journal holds the base currency only.
	for _, ck := range []struct{ account, want string }{
		{ledger.AccountBank, "1081.50"},
		{ledger.AccountSubscriptions, "-1167.00"},
		{ledger.AccountFees, "85.50"},
	} {
		if got := ledger.FormatAmount(bal[ck.account]["GBP"], "GBP"); got != ck.want {
			t.Errorf("%s = %s, want %s", ck.account, got, ck.want)
		}
		if len(bal[ck.account]) != 1 {
			t.Errorf("%s holds %v, want GBP only", ck.account, bal[ck.account])
		}
	}
}

func TestRecordMoney_Refusals(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.alice, c.max} {
		for _, cost := range []bool{false, true} {
			err := refused(t, c.db, func() error {
				_, err := c.db.RecordMoney(actor, ledger.MoneyInput{Month: "2024-05", Amount: dec("10.00")}, cost)
				return err
			})
			wantIs(t, err, ledger.ErrForbidden)
		}
	}
	tests := []struct {
		name  string
		in    ledger.MoneyInput
		cost  bool
		field string
	}{
		{"cost to an income account", ledger.MoneyInput{Month: "2024-05", Account: ledger.AccountSubscriptions, Amount: dec("1")}, true, "account"},
		{"income to an expense account", ledger.MoneyInput{Month: "2024-05", Account: ledger.AccountHosting, Amount: dec("1")}, false, "account"},
		{"zero", ledger.MoneyInput{Month: "2024-05", Amount: dec("0")}, false, "amount"},
		{"negative", ledger.MoneyInput{Month: "2024-05", Amount: dec("-5")}, true, "amount"},
		{"half a penny", ledger.MoneyInput{Month: "2024-05", Amount: dec("0.005")}, false, "amount"},
		{"no month", ledger.MoneyInput{Amount: dec("1")}, false, "month"},
		{"another currency, no rate", ledger.MoneyInput{Month: "2024-05", Amount: dec("1"), Currency: "EUR"}, false, "currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.RecordMoney(c.bea, tc.in, tc.cost); return err })
			wantField(t, err, tc.field)
		})
	}
}

func TestAddOpeningBalance_Refusals(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.alice, c.max} {
		err := refused(t, c.db, func() error {
			_, err := c.db.AddOpeningBalance(actor, ledger.OpeningInput{MemberID: actor.ID, AsOf: "2022-12-31", Deferred: dec("10.00")})
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
	}
	tests := []struct {
		name  string
		in    ledger.OpeningInput
		field string
	}{
		{"unknown member", ledger.OpeningInput{MemberID: "m999999", AsOf: "2022-12-31", Deferred: dec("1")}, "member_id"},
		{"no member", ledger.OpeningInput{AsOf: "2022-12-31", Deferred: dec("1")}, "member_id"},
		{"in the future", ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2024-06-16", Deferred: dec("1")}, "as_of"},
		{"not a date", ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2022", Deferred: dec("1")}, "as_of"},
		{"zero", ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2022-12-31", Deferred: dec("0")}, "deferred"},
		{"negative", ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2022-12-31", Deferred: dec("-10")}, "deferred"},
		{"not the base currency", ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2022-12-31", Deferred: dec("1"), Currency: "EUR"}, "currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.AddOpeningBalance(c.bea, tc.in); return err })
			wantField(t, err, tc.field)
		})
	}
	wantDebt(t, c.db, c.alice, "0.00", "")
}

func TestWaive_Refusals(t *testing.T) {
	c := newCoop(t)
	c.opening(t, c.alice, "2021-12-31", "100.00")
	// Nobody waives for a member, not even board or admin.
	for _, actor := range []ledger.Member{c.bea, c.ada, c.bob} {
		err := refused(t, c.db, func() error {
			_, err := c.db.Waive(actor, c.alice.ID, ledger.WaiverInput{Amount: dec("1.00")})
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
	}
	err := refused(t, c.db, func() error {
		_, err := c.db.Waive(c.alice, "m999999", ledger.WaiverInput{Amount: dec("1.00")})
		return err
	})
	wantIs(t, err, ledger.ErrNotFound)
	tests := []struct {
		name   string
		member ledger.Member
		in     ledger.WaiverInput
		field  string
	}{
		{"more than owed", c.alice, ledger.WaiverInput{Amount: dec("100.01")}, "amount"},
		{"nothing owed", c.bob, ledger.WaiverInput{Amount: dec("0.01")}, "amount"},
		{"zero", c.alice, ledger.WaiverInput{Amount: dec("0")}, "amount"},
		{"negative", c.alice, ledger.WaiverInput{Amount: dec("-1")}, "amount"},
		{"no amount", c.alice, ledger.WaiverInput{}, "amount"},
		{"half a penny", c.alice, ledger.WaiverInput{Amount: dec("0.005")}, "amount"},
		{"another currency", c.alice, ledger.WaiverInput{Amount: dec("1"), Currency: "EUR"}, "currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.Waive(tc.member, tc.member.ID, tc.in); return err })
			wantField(t, err, tc.field)
		})
	}
	w := c.waive(t, c.alice, "100.00") // exactly what is owed
	if w.Kind != ledger.KindWaiver || w.MemberID != c.alice.ID || w.Date != "2024-06-15" {
		t.Errorf("waiver = %+v", w)
	}
	wantDebt(t, c.db, c.alice, "0.00", "")
}

// Debt lots age by accrual month. A debit that names no lot of its own (a
// waiver) takes from the oldest lots first; a reversal of an opening takes
// from its own accrual month first, then the oldest. Nothing owed ever goes
// below zero: a debit larger than the debt is refused whole.
func TestDebt_Lots_FIFOAndOwnMonthFirst(t *testing.T) {
	c := newCoop(t)
	// Posted out of date order: aging follows the as-of dates.
	o2021 := c.opening(t, c.alice, "2021-06-30", "2000.00")
	c.opening(t, c.alice, "2020-12-31", "1000.00")
	o2022 := c.opening(t, c.alice, "2022-03-31", "3000.00")
	c.opening(t, c.bob, "2020-01-31", "50.00")
	wantDebt(t, c.db, c.alice, "6000.00", "2020:1000.00 2021:2000.00 2022:3000.00")

	c.waive(t, c.alice, "1500.00") // 2020 whole, then 500 of 2021
	wantDebt(t, c.db, c.alice, "4500.00", "2021:1500.00 2022:3000.00")

	c.reverse(t, o2022.ID, "2024-06-15") // its own 2022 lot, not 2021's
	wantDebt(t, c.db, c.alice, "1500.00", "2021:1500.00")

	err := refused(t, c.db, func() error {
		_, err := c.db.Waive(c.alice, c.alice.ID, ledger.WaiverInput{Amount: dec("1500.01")})
		return err
	})
	wantField(t, err, "amount")
	// Undoing the 2,000.00 opening would take more than the 1,500.00 owed.
	err = refused(t, c.db, func() error { _, err := c.db.Reverse(c.bea, o2021.ID, "2024-06-15", ""); return err })
	wantField(t, err, "amount")
	wantDebt(t, c.db, c.alice, "1500.00", "2021:1500.00")

	// With more owed it goes through, and is not "already reversed": its
	// own lot (1,500.00) first, then 500.00 from the oldest other lot.
	c.opening(t, c.alice, "2023-01-31", "600.00")
	c.opening(t, c.alice, "2023-09-30", "50.00")
	c.reverse(t, o2021.ID, "2024-06-15")
	wantDebt(t, c.db, c.alice, "150.00", "2023:150.00")

	c.waive(t, c.alice, "150.00")
	wantDebt(t, c.db, c.alice, "0.00", "")
	wantDebt(t, c.db, c.bob, "50.00", "2020:50.00") // untouched throughout
	if _, err := c.db.VerifyJournal(); err != nil {
		t.Errorf("VerifyJournal: %v", err)
	}
}

func TestDebt_ReverseOpeningWhoseLotIsGone_TakesOldest(t *testing.T) {
	c := newCoop(t)
	o2020 := c.opening(t, c.alice, "2020-12-31", "1000.00")
	c.opening(t, c.alice, "2021-12-31", "500.00")
	c.opening(t, c.alice, "2022-12-31", "700.00")
	c.waive(t, c.alice, "1000.00") // the 2020 lot is gone
	wantDebt(t, c.db, c.alice, "1200.00", "2021:500.00 2022:700.00")
	c.reverse(t, o2020.ID, "2024-06-15")
	wantDebt(t, c.db, c.alice, "200.00", "2022:200.00")
}

// Undoing a waiver gives back the debt the waiver took, which accrued in
// the lots the waiver drew from (DESIGN.md: the accrual month of an opening
// balance is its as-of month). moveDebt files the restored amount under
// the waiver's own month instead, so the debt looks new: the aging
// report, and an oldest_first payback, then treat 2020 debt as 2024 debt.
func TestDebt_ReverseWaiver_RestoresAging(t *testing.T) {
	c := newCoop(t)
	c.opening(t, c.alice, "2020-12-31", "1000.00")
	w := c.waive(t, c.alice, "400.00")
	wantDebt(t, c.db, c.alice, "600.00", "2020:600.00")
	c.reverse(t, w.ID, "2024-06-15")
	wantDebt(t, c.db, c.alice, "1000.00", "2020:1000.00")
}

// Board, admin and ops see every member owed something; a plain member sees
// the total and their own line only.
func TestDebt_WhoSeesWhat(t *testing.T) {
	c := newCoop(t)
	c.opening(t, c.alice, "2020-12-31", "1000.00")
	c.opening(t, c.alice, "2021-12-31", "2000.00")
	c.opening(t, c.bob, "2022-06-30", "1000.00")
	c.opening(t, c.max, "2023-03-31", "500.00")
	zoe := storetest.MustMember(t, c.db, "Zoe", "zoe@example.org", nil, nil)
	rows := func(d store.Debt) string {
		var parts []string
		for _, r := range d.Members {
			parts = append(parts, fmt.Sprintf("%s=%s[%s]", r.Name, r.Balance, agingText(r.Aging)))
		}
		return strings.Join(parts, " ")
	}
	all := "Alice=3000.00[2020:1000.00 2021:2000.00] Bob=1000.00[2022:1000.00] Max=500.00[2023:500.00]"
	tests := []struct {
		actor ledger.Member
		want  string
	}{
		{c.bea, all},
		{c.ada, all},
		{c.alice, all},
		{ledger.System, all},
		{c.max, "Max=500.00[2023:500.00]"},
		{zoe, ""},
	}
	for _, tc := range tests {
		t.Run(tc.actor.Name, func(t *testing.T) {
			d, err := c.db.Debt(tc.actor)
			if err != nil {
				t.Fatal(err)
			}
			if d.Total.String() != "4500.00" || d.Currency != "GBP" {
				t.Errorf("total %s %s, want 4500.00 GBP", d.Total, d.Currency)
			}
			if got := rows(d); got != tc.want {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
			if d.Members == nil {
				t.Errorf("members is nil, want an empty list")
			}
		})
	}
}

// debtHistory reads the total owed at the end of each month up to last.
func debtHistory(t *testing.T, db *store.DB, last string) string {
	t.Helper()
	var ps []store.DebtPoint
	err := db.View(func(tx *store.Tx) error {
		var err error
		ps, err = tx.DebtHistory(last)
		return err
	})
	if err != nil {
		t.Fatalf("DebtHistory(%s): %v", last, err)
	}
	if ps == nil {
		t.Errorf("DebtHistory(%s) is nil, want a list", last)
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Month + ":" + p.Total.String()
	}
	return strings.Join(parts, " ")
}

func TestDebtHistory_MonthByMonth(t *testing.T) {
	c := newCoop(t)
	if got := debtHistory(t, c.db, "2024-06"); got != "" {
		t.Errorf("history of an empty journal = %q, want none", got)
	}
	c.opening(t, c.alice, "2023-11-15", "1000.00")
	bobs := c.opening(t, c.bob, "2024-01-31", "500.00")
	// Income and costs are not debt.
	if _, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2023-12", Amount: dec("900.00")}, false); err != nil {
		t.Fatal(err)
	}
	c.reverse(t, bobs.ID, "2024-03-01")
	c.waive(t, c.alice, "300.00") // today, 2024-06-15
	want := "2023-11:1000.00 2023-12:1000.00 2024-01:1500.00 2024-02:1500.00 2024-03:1000.00 2024-04:1000.00 2024-05:1000.00 2024-06:700.00"
	if got := debtHistory(t, c.db, "2024-06"); got != want {
		t.Errorf("history to 2024-06:\n%s\nwant\n%s", got, want)
	}
	if got := debtHistory(t, c.db, "2024-01"); got != "2023-11:1000.00 2023-12:1000.00 2024-01:1500.00" {
		t.Errorf("history to 2024-01: %s", got)
	}
	// A last month before the first debt still shows the first month.
	if got := debtHistory(t, c.db, "2020-01"); got != "2023-11:1000.00" {
		t.Errorf("history to 2020-01: %s", got)
	}
	ps, err := c.db.DebtHistory() // up to this month
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 8 || ps[7].Month != "2024-06" || ps[7].Total.String() != "700.00" {
		t.Errorf("DB.DebtHistory = %v", ps)
	}
}

// The books of storetest.SeedBooks: two opening balances, income, a cost
// and a waiver.
func TestDebtHistory_Books(t *testing.T) {
	db := storetest.OpenDB(t, now)
	alice := storetest.SeedBooks(t, db)
	// The waiver took the 2021 lot whole and 100.00 of the 2022 one.
	wantDebt(t, db, alice, "400.00", "2022:400.00")
	// 2000.00 from 2021-12, 2500.00 from 2022-12; the waiver came later.
	got := debtHistory(t, db, "2023-02")
	want := "2021-12:2000.00 2022-01:2000.00 2022-02:2000.00 2022-03:2000.00 2022-04:2000.00 2022-05:2000.00 2022-06:2000.00 " +
		"2022-07:2000.00 2022-08:2000.00 2022-09:2000.00 2022-10:2000.00 2022-11:2000.00 2022-12:2500.00 2023-01:2500.00 2023-02:2500.00"
	if got != want {
		t.Errorf("history:\n%s\nwant\n%s", got, want)
	}
	if n, err := db.VerifyJournal(); err != nil || n != 5 {
		t.Errorf("VerifyJournal = %d, %v; want 5 transactions", n, err)
	}
}

// statementRow is the part of a statement month these tests compare.
type statementRow struct{ month, hours, earned, opening, waived, balance string }

// statementRows reads member's statement as reader, checking along the way
// that nothing was paid, deferred or paid back (there is no close yet).
func statementRows(t *testing.T, db *store.DB, reader, member ledger.Member) ([]statementRow, store.Statement) {
	t.Helper()
	st, err := db.Statement(reader, member.ID)
	if err != nil {
		t.Fatalf("%s reads %s's statement: %v", reader.Name, member.Name, err)
	}
	var got []statementRow
	for _, m := range st.Months {
		got = append(got, statementRow{m.Month, m.Hours, m.Earned.String(), m.Opening.String(), m.Waived.String(), m.Balance.String()})
		if !m.Paid.Amount.IsZero() || !m.Deferred.Amount.IsZero() || !m.PaidBack.Amount.IsZero() {
			t.Errorf("%s: paid %s, deferred %s, paid back %s; want 0.00 without a close", m.Month, m.Paid, m.Deferred, m.PaidBack)
		}
	}
	return got, st
}

func TestStatement_OpeningsWaiverAndEarned(t *testing.T) {
	c := newCoop(t)
	c.rate(t, c.alice, "2024-05-01", "25")
	c.entry(t, c.alice, "2024-05-10", 120, "", ledger.StateApproved)
	c.opening(t, c.alice, "2021-12-31", "2000.00")
	c.opening(t, c.alice, "2021-12-01", "100.00")
	c.opening(t, c.alice, "2022-12-31", "500.00")
	c.waive(t, c.alice, "2100.00") // today, June
	c.opening(t, c.bob, "2021-12-31", "999.00")

	want := []statementRow{
		{"2021-12", "0", "0.00", "2100.00", "0.00", "2100.00"},
		{"2022-12", "0", "0.00", "500.00", "0.00", "2600.00"},
		{"2024-05", "2", "50.00", "0.00", "0.00", "2600.00"}, // earned is not owed without a close
		{"2024-06", "0", "0.00", "0.00", "2100.00", "500.00"},
	}
	for _, reader := range []ledger.Member{c.alice, c.bob, c.bea, c.ada} {
		got, st := statementRows(t, c.db, reader, c.alice)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("statement read by %s:\n%v\nwant\n%v", reader.Name, got, want)
		}
		if st.Balance.String() != "500.00" || st.Currency != "GBP" || st.MemberID != c.alice.ID || st.Name != "Alice" {
			t.Errorf("statement %s %s %s %s, want Alice owed 500.00 GBP", st.MemberID, st.Name, st.Balance, st.Currency)
		}
	}
	wantDebt(t, c.db, c.alice, "500.00", "2022:500.00")

	_, err := c.db.Statement(c.max, c.alice.ID)
	wantIs(t, err, ledger.ErrForbidden)
	_, err = c.db.Statement(c.bea, "m999999")
	wantIs(t, err, ledger.ErrNotFound)
	st, err := c.db.Statement(c.max, c.max.ID)
	if err != nil || len(st.Months) != 0 || st.Balance.String() != "0.00" {
		t.Errorf("max's own empty statement = %+v, %v", st, err)
	}
}

// A reversal shows in the month it is dated, under the kind of what it
// reverses, with the opposite sign: undoing a waiver gives the balance back.
func TestStatement_Reversals_ShowNegativeInTheirMonth(t *testing.T) {
	clock := storetest.NewClock(now)
	c := seedCoop(t, storetest.OpenDBClock(t, clock.Now))
	c.opening(t, c.alice, "2021-12-31", "2000.00")
	o2022 := c.opening(t, c.alice, "2022-12-31", "500.00")
	w := c.waive(t, c.alice, "2100.00") // June
	clock.Advance(20 * 24 * time.Hour)  // 2024-07-05
	c.reverse(t, w.ID, "2024-07-05")
	c.reverse(t, o2022.ID, "2024-07-05")

	want := []statementRow{
		{"2021-12", "0", "0.00", "2000.00", "0.00", "2000.00"},
		{"2022-12", "0", "0.00", "500.00", "0.00", "2500.00"},
		{"2024-06", "0", "0.00", "0.00", "2100.00", "400.00"},
		{"2024-07", "0", "0.00", "-500.00", "-2100.00", "2000.00"},
	}
	got, st := statementRows(t, c.db, c.alice, c.alice)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statement:\n%v\nwant\n%v", got, want)
	}
	if st.Balance.String() != "2000.00" {
		t.Errorf("statement balance %s, want 2000.00", st.Balance)
	}
	// The waiver took 2000.00 from 2021 and 100.00 from 2022; undoing it
	// puts them back, and undoing the 2022 opening takes its 500.00 away.
	wantDebt(t, c.db, c.alice, "2000.00", "2021:2000.00")
}

// rapidTB lets the storetest helpers run inside one rapid run: failures,
// logs and cleanups go to the run (so a store opened in it is checked and
// closed when the run ends), the rest (TempDir, Name) to the test.
type rapidTB struct {
	testing.TB
	rt *rapid.T
}

func (r rapidTB) Helper()                           {}
func (r rapidTB) Cleanup(f func())                  { r.rt.Cleanup(f) }
func (r rapidTB) Error(args ...any)                 { r.rt.Error(args...) }
func (r rapidTB) Errorf(format string, args ...any) { r.rt.Errorf(format, args...) }
func (r rapidTB) Fatal(args ...any)                 { r.rt.Fatal(args...) }
func (r rapidTB) Fatalf(format string, args ...any) { r.rt.Fatalf(format, args...) }
func (r rapidTB) Fail()                             { r.rt.Fail() }
func (r rapidTB) FailNow()                          { r.rt.FailNow() }
func (r rapidTB) Failed() bool                      { return r.rt.Failed() }
func (r rapidTB) Log(args ...any)                   { r.rt.Log(args...) }
func (r rapidTB) Logf(format string, args ...any)   { r.rt.Logf(format, args...) }
func (r rapidTB) Skip(args ...any)                  { r.rt.Skip(args...) }
func (r rapidTB) Skipf(format string, args ...any)  { r.rt.Skipf(format, args...) }
func (r rapidTB) SkipNow()                          { r.rt.SkipNow() }

// checkRuns runs a rapid property runs times, so the package stays fast,
// unless -rapid.checks or RAPID_CHECKS asks for another number.
func checkRuns(t *testing.T, runs int, prop func(*rapid.T)) {
	t.Helper()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if _, env := os.LookupEnv("RAPID_CHECKS"); !set && !env {
		f := flag.Lookup("rapid.checks")
		old := f.Value.String()
		if err := f.Value.Set(strconv.Itoa(runs)); err != nil {
			t.Fatal(err)
		}
		defer f.Value.Set(old)
	}
	rapid.Check(t, prop)
}

// debtModel is the documented rule for debt lots, member → accrual month →
// outstanding: a credit adds to its accrual month; a debit takes from its
// own accrual month first, then from the oldest lots, and is refused whole
// when the member is owed less.
type debtModel map[string]map[string]decimal.Decimal

func (m debtModel) owed(member string) decimal.Decimal {
	total := decimal.Zero
	for _, a := range m[member] {
		total = total.Add(a)
	}
	return total
}

func (m debtModel) credit(member, month string, amount decimal.Decimal) {
	if m[member] == nil {
		m[member] = map[string]decimal.Decimal{}
	}
	m[member][month] = m[member][month].Add(amount)
}

// debit takes amount from the member's lots, the given month first, then
// oldest first, and returns what it took from each month (a reversal puts
// it back there).
func (m debtModel) debit(member, month string, amount decimal.Decimal) (map[string]decimal.Decimal, bool) {
	if m.owed(member).LessThan(amount) {
		return nil, false
	}
	took := map[string]decimal.Decimal{}
	lots := m[member]
	months := []string{month}
	for mo := range lots {
		months = append(months, mo)
	}
	sort.Strings(months[1:])
	left := amount
	for _, mo := range months {
		cut := decimal.Min(lots[mo], left)
		if !cut.IsPositive() {
			continue
		}
		left = left.Sub(cut)
		took[mo] = took[mo].Add(cut)
		if lots[mo] = lots[mo].Sub(cut); lots[mo].IsZero() {
			delete(lots, mo)
		}
	}
	return took, true
}

// aging sums a member's lots by accrual year, as the debt report shows them.
func (m debtModel) aging(member string) string {
	years := map[string]ledger.Money{}
	for mo, a := range m[member] {
		y := mo[:4]
		years[y] = ledger.NewMoney(years[y].Amount.Add(a), "GBP")
	}
	return agingText(years)
}

// A random history of opening balances, waivers (some more than owed),
// reversals (some taking more than owed) and income and costs keeps the
// books sound: the journal verifies, each member's debt reads the same from
// Owed, their deferred account, the debt report, their statement and the
// lot model, nothing owed is negative, and all accounts sum to zero.
func TestMoney_Property_RandomHistoryKeepsBooksSound(t *testing.T) {
	checkRuns(t, 40, func(rt *rapid.T) {
		tb := rapidTB{TB: t, rt: rt}
		db := storetest.OpenDB(tb, now)
		db.Bolt().NoSync = true // a scratch file: no need to wait for the disk
		bea := storetest.MustMember(tb, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil)
		var members []ledger.Member
		for i, name := range []string{"Alice", "Bob", "Cleo"} {
			members = append(members, storetest.MustMember(tb, db, name, fmt.Sprintf("m%d@example.org", i), nil, nil))
		}
		model := debtModel{}
		draws := map[string]map[string]decimal.Decimal{} // waiver id → what it took, by month
		var posted []ledger.Transaction
		reversed := map[string]bool{}
		cents := func(label string, max int64) decimal.Decimal {
			return decimal.New(rapid.Int64Range(1, max).Draw(rt, label), -2)
		}
		// refusedWrite checks that write fails on field and leaves the file as it was.
		refusedWrite := func(what, field string, write func() error) {
			before := storetest.Snapshot(tb, db)
			err := write()
			var ve *ledger.ValidationError
			if !errors.As(err, &ve) || ve.Fields[field] == "" {
				rt.Fatalf("%s: error %v, want a refusal about %s", what, err, field)
			}
			if storetest.Snapshot(tb, db) != before {
				rt.Fatalf("%s: refused, but the store changed", what)
			}
		}

		// Debt moves are weighted above income and costs, which touch no lot.
		opKinds := []string{"opening", "opening", "opening", "waiver", "waiver", "waiver", "reversal", "reversal", "reversal", "income", "cost"}
		ops := rapid.IntRange(1, 15).Draw(rt, "ops")
		for i := 0; i < ops; i++ {
			switch op := rapid.SampledFrom(opKinds).Draw(rt, "op"); op {
			case "opening":
				m := rapid.SampledFrom(members).Draw(rt, "member")
				asOf := fmt.Sprintf("%d-%02d-%02d", rapid.IntRange(2020, 2022).Draw(rt, "year"),
					rapid.IntRange(1, 12).Draw(rt, "month"), rapid.IntRange(1, 28).Draw(rt, "day"))
				amount := cents("amount", 1_000_000)
				tr, err := db.AddOpeningBalance(bea, ledger.OpeningInput{MemberID: m.ID, AsOf: asOf, Deferred: &amount})
				if err != nil {
					rt.Fatalf("opening %s as of %s for %s: %v", amount, asOf, m.Name, err)
				}
				model.credit(m.ID, ledger.MonthOf(asOf), amount)
				posted = append(posted, tr)
			case "waiver":
				// Mostly a member owed something, so waivers mostly go through.
				candidates := members
				var owing []ledger.Member
				for _, m := range members {
					if model.owed(m.ID).IsPositive() {
						owing = append(owing, m)
					}
				}
				if len(owing) > 0 && rapid.IntRange(0, 3).Draw(rt, "owing") > 0 {
					candidates = owing
				}
				m := rapid.SampledFrom(candidates).Draw(rt, "member")
				owed := model.owed(m.ID)
				var amount decimal.Decimal
				if owed.IsPositive() && rapid.IntRange(0, 3).Draw(rt, "within") > 0 {
					amount = cents("amount", owed.Shift(2).IntPart())
				} else {
					amount = owed.Add(cents("over", 200))
				}
				waive := func() error {
					tr, err := db.Waive(m, m.ID, ledger.WaiverInput{Amount: &amount})
					if err == nil {
						posted = append(posted, tr)
					}
					return err
				}
				if amount.GreaterThan(owed) {
					refusedWrite(fmt.Sprintf("%s waives %s of %s", m.Name, amount, owed), "amount", waive)
					continue
				}
				if err := waive(); err != nil {
					rt.Fatalf("%s waives %s of %s: %v", m.Name, amount, owed, err)
				}
				draws[posted[len(posted)-1].ID], _ = model.debit(m.ID, "2024-06", amount)
			case "reversal":
				var open []ledger.Transaction
				for _, tr := range posted {
					if tr.Kind != ledger.KindReversal && !reversed[tr.ID] {
						open = append(open, tr)
					}
				}
				if len(open) == 0 {
					continue
				}
				orig := rapid.SampledFrom(open).Draw(rt, "reverse")
				date := fmt.Sprintf("2024-%02d-%02d", rapid.IntRange(1, 6).Draw(rt, "month"), rapid.IntRange(1, 28).Draw(rt, "day"))
				reverse := func() error {
					tr, err := db.Reverse(bea, orig.ID, date, "")
					if err == nil {
						posted = append(posted, tr)
						reversed[orig.ID] = true
					}
					return err
				}
				amount := orig.Postings[0].Amount.Abs()
				ok := true
				switch orig.Kind {
				case ledger.KindOpening:
					_, ok = model.debit(orig.MemberID, orig.AccrualMonth(), amount)
				case ledger.KindWaiver:
					// Undoing a waiver restores the debt it took, where it
					// took it from.
					for mo, a := range draws[orig.ID] {
						model.credit(orig.MemberID, mo, a)
					}
				}
				if !ok {
					refusedWrite(fmt.Sprintf("reverse %s (%s owed)", orig.ID, model.owed(orig.MemberID)), "amount", reverse)
					continue
				}
				if err := reverse(); err != nil {
					rt.Fatalf("reverse %s (%s %s) on %s: %v", orig.ID, orig.Kind, amount, date, err)
				}
			case "income", "cost":
				in := ledger.MoneyInput{Month: fmt.Sprintf("2024-%02d", rapid.IntRange(1, 6).Draw(rt, "month"))}
				amount := cents("amount", 500_000)
				in.Amount = &amount
				if op == "cost" {
					in.Account = rapid.SampledFrom([]string{ledger.AccountHosting, ledger.AccountFees}).Draw(rt, "account")
				}
				tr, err := db.RecordMoney(bea, in, op == "cost")
				if err != nil {
					rt.Fatalf("%s %s in %s: %v", op, amount, in.Month, err)
				}
				posted = append(posted, tr)
			}
		}

		// (1) The journal verifies from scratch.
		if n, err := db.VerifyJournal(); err != nil || n != len(posted) {
			rt.Fatalf("VerifyJournal = %d, %v; want %d transactions", n, err, len(posted))
		}
		// (4) Every account, all time and up to a month, is what the
		// transactions say, and all accounts sum to zero per currency.
		var ts []ledger.Transaction
		var all map[string]ledger.Balance
		err := db.View(func(tx *store.Tx) error {
			var err error
			if ts, err = tx.Transactions(); err != nil {
				return err
			}
			for _, month := range []string{"2021-06", "2022-12", "2024-03", ""} {
				bal, err := tx.AccountBalances(month)
				if err != nil {
					return err
				}
				if g, w := balancesText(bal), balancesText(ledger.Balances(upTo(ts, month))); g != w {
					rt.Errorf("AccountBalances(%q):\n%s\nwant\n%s", month, g, w)
				}
				if err := zeroSum(bal); err != nil {
					rt.Errorf("AccountBalances(%q): %v", month, err)
				}
				if month == "" {
					all = bal
				}
			}
			return nil
		})
		if err != nil {
			rt.Fatal(err)
		}
		// (2) and (3): each member's debt agrees everywhere, never negative.
		debt, err := db.Debt(bea)
		if err != nil {
			rt.Fatal(err)
		}
		rows := map[string]store.DebtRow{}
		for _, r := range debt.Members {
			rows[r.MemberID] = r
		}
		total := decimal.Zero
		for _, m := range members {
			var owed decimal.Decimal
			if err := db.View(func(tx *store.Tx) error { owed, err = tx.Owed(m.ID); return err }); err != nil {
				rt.Fatal(err)
			}
			total = total.Add(owed)
			account := all[ledger.DeferredAccount(m.ID)]["GBP"].Neg()
			agingSum := decimal.Zero
			for y, a := range rows[m.ID].Aging {
				if !a.Amount.IsPositive() {
					rt.Errorf("%s: aging %s is %s", m.Name, y, a)
				}
				agingSum = agingSum.Add(a.Amount)
			}
			st, err := db.Statement(bea, m.ID)
			if err != nil {
				rt.Fatal(err)
			}
			switch {
			case owed.IsNegative():
				rt.Errorf("%s: owed %s", m.Name, owed)
			case !owed.Equal(account) || !owed.Equal(agingSum) || !owed.Equal(model.owed(m.ID)):
				rt.Errorf("%s: Owed %s, deferred account %s, debt aging %s, model %s", m.Name, owed, account, agingSum, model.owed(m.ID))
			case agingText(rows[m.ID].Aging) != model.aging(m.ID):
				rt.Errorf("%s: aging %s, model %s", m.Name, agingText(rows[m.ID].Aging), model.aging(m.ID))
			}
			// The statement's running balance agrees too, unless a reversal of
			// the member's own transaction hits the known sign bug
			// (TestStatement_Reversals_ShowNegativeInTheirMonth).
			if !st.Balance.Amount.Equal(owed) && !reversedFor(ts, m.ID) {
				rt.Errorf("%s: statement balance %s, owed %s", m.Name, st.Balance, owed)
			}
		}
		if !debt.Total.Amount.Equal(total) {
			rt.Errorf("debt total %s, members owed %s", debt.Total, total)
		}
		// (3) No stored lot is negative or zero.
		err = db.Bolt().View(func(btx *bolt.Tx) error {
			return btx.Bucket([]byte("debt_lots")).ForEach(func(k, v []byte) error {
				var bal map[string]decimal.Decimal
				if err := json.Unmarshal(v, &bal); err != nil {
					return err
				}
				for c, a := range bal {
					if !a.IsPositive() {
						rt.Errorf("lot %x holds %s %s", k, a, c)
					}
				}
				return nil
			})
		})
		if err != nil {
			rt.Fatal(err)
		}
		// The debt history ends at today's total.
		var ps []store.DebtPoint
		if err := db.View(func(tx *store.Tx) error { ps, err = tx.DebtHistory("2024-06"); return err }); err != nil {
			rt.Fatal(err)
		}
		if len(ps) > 0 && !ps[len(ps)-1].Total.Amount.Equal(debt.Total.Amount) {
			rt.Errorf("debt history ends at %s, debt is %s", ps[len(ps)-1].Total, debt.Total)
		}
	})
}

// reversedFor reports whether the journal holds a reversal of one of
// member's own transactions.
func reversedFor(ts []ledger.Transaction, member string) bool {
	for _, t := range ts {
		if t.Kind == ledger.KindReversal && t.MemberID == member {
			return true
		}
	}
	return false
}
