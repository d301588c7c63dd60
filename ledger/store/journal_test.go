package store_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// pst is a posting of a decimal string in currency.
func pst(account, amount, currency string) ledger.Posting {
	return ledger.Posting{Account: account, Amount: decimal.RequireFromString(amount), Currency: currency}
}

// txOf is a transaction on date moving amount GBP from one account to
// another (debit to, credit from).
func txOf(date, to, from, amount string) ledger.Transaction {
	return ledger.Transaction{Date: date, Kind: ledger.KindIncome, Description: "test",
		Postings: []ledger.Posting{pst(to, amount, "GBP"), pst(from, "-"+amount, "GBP")}}
}

// postTx posts t as actor in a write of its own.
func postTx(db *store.DB, actor ledger.Member, t ledger.Transaction) (got ledger.Transaction, err error) {
	err = db.Update(func(tx *store.Tx) error { got, err = tx.Post(actor, t); return err })
	return got, err
}

// mustPost posts t and fails the test on an error.
func mustPost(t *testing.T, db *store.DB, actor ledger.Member, tr ledger.Transaction) ledger.Transaction {
	t.Helper()
	got, err := postTx(db, actor, tr)
	if err != nil {
		t.Fatalf("post %+v: %v", tr, err)
	}
	return got
}

// accountBalances reads every account's balance up to month ("" for all).
func accountBalances(t *testing.T, db *store.DB, month string) map[string]ledger.Balance {
	t.Helper()
	var out map[string]ledger.Balance
	err := db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.AccountBalances(month)
		return err
	})
	if err != nil {
		t.Fatalf("AccountBalances(%q): %v", month, err)
	}
	return out
}

// journal reads the whole journal as the system actor.
func journal(t *testing.T, db *store.DB) []ledger.Transaction {
	t.Helper()
	ts, err := db.Transactions(ledger.System)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// balancesText prints balances in a stable order, leaving out zeros, so
// two sets compare as text.
func balancesText(bs map[string]ledger.Balance) string {
	var lines []string
	for account, bal := range bs {
		for c, a := range bal {
			if !a.IsZero() {
				lines = append(lines, fmt.Sprintf("%s %s %s", account, ledger.FormatAmount(a, c), c))
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// upTo keeps the transactions dated in month or before ("" keeps all).
func upTo(ts []ledger.Transaction, month string) []ledger.Transaction {
	var out []ledger.Transaction
	for _, t := range ts {
		if month == "" || ledger.MonthOf(t.Date) <= month {
			out = append(out, t)
		}
	}
	return out
}

// zeroSum checks that all accounts together sum to zero per currency.
func zeroSum(bs map[string]ledger.Balance) error {
	sum := ledger.Balance{}
	for _, bal := range bs {
		for c, a := range bal {
			sum.Add(c, a)
		}
	}
	for c, a := range sum {
		if !a.IsZero() {
			return fmt.Errorf("accounts sum to %s %s, not zero", a, c)
		}
	}
	return nil
}

func TestPost_Invalid_RefusedAndNothingWritten(t *testing.T) {
	c := newCoop(t)
	bank, income := ledger.AccountBank, ledger.AccountSubscriptions
	tests := []struct {
		name  string
		tx    ledger.Transaction
		field string
	}{
		{"does not balance", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "100.00", "GBP"), pst(income, "-99.99", "GBP")}}, "postings"},
		{"balances only across currencies", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "100.00", "GBP"), pst(income, "-100.00", "EUR")}}, "postings"},
		{"one posting", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "0.01", "GBP")}}, "postings"},
		{"a zero posting", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "1.00", "GBP"), pst(income, "-1.00", "GBP"), pst(ledger.AccountFees, "0", "GBP")}}, "postings[2].amount"},
		{"below the minor unit", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "1.005", "GBP"), pst(income, "-1.005", "GBP")}}, "postings[0].amount"},
		{"yen with pence", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "1.5", "JPY"), pst(income, "-1.5", "JPY")}}, "postings[0].amount"},
		{"unknown account root", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst("Cash:Box", "1.00", "GBP"), pst(income, "-1.00", "GBP")}}, "postings[0].account"},
		{"lower-case currency", ledger.Transaction{Date: "2024-06-01", Postings: []ledger.Posting{
			pst(bank, "1.00", "gbp"), pst(income, "-1.00", "gbp")}}, "postings[0].currency"},
		{"no date", ledger.Transaction{Postings: []ledger.Posting{
			pst(bank, "1.00", "GBP"), pst(income, "-1.00", "GBP")}}, "date"},
		{"bad accrual", ledger.Transaction{Date: "2024-06-01", Accrual: "2024-6", Postings: []ledger.Posting{
			pst(bank, "1.00", "GBP"), pst(income, "-1.00", "GBP")}}, "accrual"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := postTx(c.db, c.bea, tc.tx); return err })
			wantField(t, err, tc.field)
		})
	}
	// No refusal consumed an id.
	got := mustPost(t, c.db, c.bea, txOf("2024-06-01", bank, income, "100.00"))
	if got.ID != "t000001" {
		t.Errorf("first posted id = %s, want t000001", got.ID)
	}
}

func TestPost_DeferredAccountOfNoMember_Refused(t *testing.T) {
	c := newCoop(t)
	for _, who := range []string{"m999999", "nobody", c.tech.ID, "m1"} {
		t.Run(who, func(t *testing.T) {
			err := refused(t, c.db, func() error {
				_, err := postTx(c.db, c.bea, txOf("2024-06-01", ledger.AccountOpening, ledger.DeferredAccount(who), "10.00"))
				return err
			})
			wantField(t, err, "postings")
		})
	}
	tr := txOf("2024-06-01", ledger.AccountBank, ledger.AccountOtherIncome, "10.00")
	tr.MemberID, tr.Kind = "bogus", ledger.KindWaiver
	err := refused(t, c.db, func() error { _, err := postTx(c.db, c.bea, tr); return err })
	wantField(t, err, "member_id")
}

// Ids follow posting order; the running balances, read for all time or up
// to a month, equal the sums of the transactions dated up to then, however
// the dates are ordered among the postings.
func TestPost_IDsAndRunningBalances(t *testing.T) {
	c := newCoop(t)
	var posted []ledger.Transaction
	add := func(tr ledger.Transaction, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("post %d: %v", len(posted)+1, err)
		}
		posted = append(posted, tr)
	}
	add(c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-03", Amount: dec("1167.00")}, false))
	add(c.db.RecordMoney(c.ada, ledger.MoneyInput{Month: "2024-03", Account: ledger.AccountFees, Amount: dec("47.00")}, true))
	add(c.db.AddOpeningBalance(c.bea, ledger.OpeningInput{MemberID: c.alice.ID, AsOf: "2021-06-30", Deferred: dec("2000.00")}))
	add(postTx(c.db, c.bea, ledger.Transaction{Date: "2024-04-02", Kind: ledger.KindIncome, Description: "a euro grant",
		Postings: []ledger.Posting{pst(ledger.AccountBank, "10.50", "EUR"), pst(ledger.AccountOtherIncome, "-10.50", "EUR")}}))
	add(c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-04", Amount: dec("1200.00"), Note: "April"}, false))
	add(c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Account: ledger.AccountHosting, Amount: dec("420.00")}, true))
	add(c.db.AddOpeningBalance(c.bea, ledger.OpeningInput{MemberID: c.bob.ID, AsOf: "2020-12-31", Deferred: dec("300.00")}))
	add(c.db.Reverse(c.bea, posted[1].ID, "2024-05-20", "charged twice"))
	add(c.db.Waive(c.alice, c.alice.ID, ledger.WaiverInput{Amount: dec("150.00")}))

	ts := journal(t, c.db)
	if len(ts) != len(posted) {
		t.Fatalf("journal holds %d transactions, want %d", len(ts), len(posted))
	}
	for i, tr := range ts {
		if want := fmt.Sprintf("t%06d", i+1); tr.ID != want || posted[i].ID != want {
			t.Errorf("transaction %d: stored %s, returned %s, want %s", i, tr.ID, posted[i].ID, want)
		}
		if !tr.CreatedAt.Equal(now) || tr.CreatedBy != posted[i].CreatedBy {
			t.Errorf("%s created %v by %q, want %v by %q", tr.ID, tr.CreatedAt, tr.CreatedBy, now, posted[i].CreatedBy)
		}
	}
	if ts[1].CreatedBy != c.ada.ID || ts[8].CreatedBy != c.alice.ID {
		t.Errorf("created by %q and %q, want %s and %s", ts[1].CreatedBy, ts[8].CreatedBy, c.ada.ID, c.alice.ID)
	}
	for _, month := range []string{"2020-11", "2020-12", "2021-06", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2030-01", ""} {
		got := accountBalances(t, c.db, month)
		if g, w := balancesText(got), balancesText(ledger.Balances(upTo(ts, month))); g != w {
			t.Errorf("AccountBalances(%q):\n%s\nwant\n%s", month, g, w)
		}
		if err := zeroSum(got); err != nil {
			t.Errorf("AccountBalances(%q): %v", month, err)
		}
	}
	// Spot checks by hand, for all time.
	all := accountBalances(t, c.db, "")
	for _, ck := range []struct{ account, currency, want string }{
		{ledger.AccountBank, "GBP", "1947.00"}, // 1167 − 47 + 1200 − 420 + 47
		{ledger.AccountBank, "EUR", "10.50"},
		{ledger.AccountFees, "GBP", "0.00"},
		{ledger.DeferredAccount(c.alice.ID), "GBP", "-1850.00"},
		{ledger.DeferredAccount(c.bob.ID), "GBP", "-300.00"},
		{ledger.AccountWaived, "GBP", "-150.00"},
	} {
		if got := ledger.FormatAmount(all[ck.account][ck.currency], ck.currency); got != ck.want {
			t.Errorf("%s = %s %s, want %s", ck.account, got, ck.currency, ck.want)
		}
	}
	if _, err := c.db.VerifyJournal(); err != nil {
		t.Errorf("VerifyJournal: %v", err)
	}
}

func TestPost_LockedMonth_Refused(t *testing.T) {
	c := newCoop(t)
	closeMonth(t, c.db, "2024-05")
	for _, date := range []string{"2024-05-01", "2024-05-31"} {
		err := refused(t, c.db, func() error {
			_, err := postTx(c.db, c.bea, txOf(date, ledger.AccountBank, ledger.AccountOtherIncome, "1.00"))
			return err
		})
		wantField(t, err, "date")
		err = refused(t, c.db, func() error {
			_, err := c.db.AddOpeningBalance(c.bea, ledger.OpeningInput{MemberID: c.alice.ID, AsOf: date, Deferred: dec("1.00")})
			return err
		})
		wantField(t, err, "date")
	}
	err := refused(t, c.db, func() error {
		_, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("1.00")}, false)
		return err
	})
	wantField(t, err, "month")
	// The months either side are open.
	mustPost(t, c.db, c.bea, txOf("2024-04-30", ledger.AccountBank, ledger.AccountOtherIncome, "1.00"))
	mustPost(t, c.db, c.bea, txOf("2024-06-01", ledger.AccountBank, ledger.AccountOtherIncome, "1.00"))
}

func TestReverse_UndoesTheTransaction(t *testing.T) {
	c := newCoop(t)
	orig, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("1167.00")}, false)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.db.Reverse(c.ada, orig.ID, "2024-06-10", "wrong month")
	if err != nil {
		t.Fatalf("Reverse: %v", err)
	}
	if r.ID != "t000002" || r.Kind != ledger.KindReversal || r.Reverses != orig.ID || r.Date != "2024-06-10" ||
		r.Description != "Reversal of t000001: wrong month" || r.Accrual != "2024-05" || r.CreatedBy != c.ada.ID {
		t.Errorf("reversal = %+v", r)
	}
	if len(r.Postings) != len(orig.Postings) {
		t.Fatalf("reversal postings %v, original %v", r.Postings, orig.Postings)
	}
	for i, p := range r.Postings {
		o := orig.Postings[i]
		if p.Account != o.Account || p.Currency != o.Currency || !p.Amount.Equal(o.Amount.Neg()) {
			t.Errorf("reversal posting %d = %+v, want the opposite of %+v", i, p, o)
		}
	}
	if got := accountBalances(t, c.db, "2024-05")[ledger.AccountBank]["GBP"]; got.String() != "1167" {
		t.Errorf("bank at the end of May = %s, want 1167 (the reversal is dated June)", got)
	}
	if got := balancesText(accountBalances(t, c.db, "")); got != "" {
		t.Errorf("balances after the reversal:\n%s\nwant all zero", got)
	}
}

func TestReverse_Refusals(t *testing.T) {
	c := newCoop(t)
	orig, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("100.00")}, false)
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("50.00")}, false)
	if err != nil {
		t.Fatal(err)
	}
	// A bad date refuses the reversal without marking the original reversed.
	err = refused(t, c.db, func() error { _, err := c.db.Reverse(c.bea, orig.ID, "2024-13-01", ""); return err })
	wantField(t, err, "date")
	r, err := c.db.Reverse(c.bea, orig.ID, "2024-06-01", "")
	if err != nil {
		t.Fatalf("Reverse after a refused attempt: %v", err)
	}
	tests := []struct {
		name  string
		actor ledger.Member
		id    string
		want  error
	}{
		{"twice", c.bea, orig.ID, ledger.ErrConflict},
		{"twice, by admin", c.ada, orig.ID, ledger.ErrConflict},
		{"a reversal", c.bea, r.ID, ledger.ErrConflict},
		{"by ops", c.alice, other.ID, ledger.ErrForbidden},
		{"by a plain member", c.max, other.ID, ledger.ErrForbidden},
		{"unknown", c.bea, "t999999", ledger.ErrNotFound},
		{"not a transaction id", c.bea, c.alice.ID, ledger.ErrNotFound},
		{"empty id", c.bea, "", ledger.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.Reverse(tc.actor, tc.id, "2024-06-02", ""); return err })
			wantIs(t, err, tc.want)
		})
	}
}

// A transaction of a closed month can be undone by a reversal dated in an
// open month; the closed month's figures do not move.
func TestReverse_OfClosedMonth_DatedInOpenMonth(t *testing.T) {
	c := newCoop(t)
	orig, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-05", Amount: dec("100.00")}, false)
	if err != nil {
		t.Fatal(err)
	}
	closeMonth(t, c.db, "2024-05")
	may := balancesText(accountBalances(t, c.db, "2024-05"))
	if _, err := c.db.Reverse(c.bea, orig.ID, "2024-06-01", "refund"); err != nil {
		t.Fatalf("reversal dated in June: %v", err)
	}
	if got := balancesText(accountBalances(t, c.db, "2024-05")); got != may {
		t.Errorf("May after the reversal:\n%s\nwant\n%s", got, may)
	}
	if got := balancesText(accountBalances(t, c.db, "")); got != "" {
		t.Errorf("all time after the reversal:\n%s\nwant all zero", got)
	}
}

// DESIGN.md: "A posted month is locked." Post refuses every transaction
// dated in a locked month except a reversal (journal.go: `t.Kind !=
// ledger.KindReversal`), a departure no doc comment explains. A reversal
// dated in a closed month rewrites that month's balances after the close,
// while one dated today undoes the mistake just as well (see
// TestReverse_OfClosedMonth_DatedInOpenMonth).
func TestReverse_DatedInClosedMonth_Refused(t *testing.T) {
	c := newCoop(t)
	orig, err := c.db.RecordMoney(c.bea, ledger.MoneyInput{Month: "2024-06", Amount: dec("100.00")}, false)
	if err != nil {
		t.Fatal(err)
	}
	closeMonth(t, c.db, "2024-05")
	err = refused(t, c.db, func() error { _, err := c.db.Reverse(c.bea, orig.ID, "2024-05-31", ""); return err })
	wantField(t, err, "date")
}
