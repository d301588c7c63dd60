package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// moneyCoop is the page-test co-op (newCoop) with books: bea sits on the
// board; alice (ops) has a rate of 25/h from 2024-01-01, an opening
// balance of 1,000.00 as of 2022-12-31, 4 h approved in May 2024 of
// which May's close paid 60.00 and deferred 40.00, and 2.5 h approved in
// June; bob (ops) has an opening balance of 500.00 as of 2023-06-30.
//
// By hand: alice earned 4 × 25 = 100.00 in May and 2.5 × 25 = 62.50 in
// June, and is owed 1,000.00 + 40.00 = 1,040.00, aged 1,000.00 from 2022
// and 40.00 from 2024. The co-op owes 1,540.00 in all.
type moneyCoop struct {
	*coop
	bea ledger.Member
}

func newMoneyCoop(t *testing.T) *moneyCoop {
	t.Helper()
	k := &moneyCoop{coop: newCoop(t)}
	k.bea = k.member("Bea", "bea@example.org", ledger.RoleBoard)
	hourly := decimal.RequireFromString("25")
	if _, err := k.db.AddRate(k.bea, k.alice.ID, ledger.RateInput{From: "2024-01-01", Hourly: &hourly}); err != nil {
		t.Fatalf("add rate: %v", err)
	}
	for _, ob := range []struct {
		m      ledger.Member
		asOf   string
		amount string
	}{{k.alice, "2022-12-31", "1000.00"}, {k.bob, "2023-06-30", "500.00"}} {
		d := decimal.RequireFromString(ob.amount)
		if _, err := k.db.AddOpeningBalance(k.bea, ledger.OpeningInput{MemberID: ob.m.ID, AsOf: ob.asOf, Deferred: &d}); err != nil {
			t.Fatalf("opening balance of %s: %v", ob.m.Name, err)
		}
	}
	k.approved(k.alice, "2024-05-20", "4")
	k.approved(k.alice, "2024-06-14", "2.5")
	// The monthly close is not built yet: post what May's close would
	// have, as the close will, straight into the journal.
	err := k.db.Update(func(tx *store.Tx) error {
		for _, tr := range []ledger.Transaction{
			{Date: "2024-05-31", Kind: ledger.KindWages, MemberID: k.alice.ID, Description: "May wages", Postings: []ledger.Posting{
				{Account: ledger.AccountWages, Amount: decimal.RequireFromString("60.00"), Currency: "GBP"},
				{Account: ledger.AccountBank, Amount: decimal.RequireFromString("-60.00"), Currency: "GBP"}}},
			{Date: "2024-05-31", Kind: ledger.KindDeferral, MemberID: k.alice.ID, Accrual: "2024-05", Description: "May deferred", Postings: []ledger.Posting{
				{Account: ledger.AccountWages, Amount: decimal.RequireFromString("40.00"), Currency: "GBP"},
				{Account: ledger.DeferredAccount(k.alice.ID), Amount: decimal.RequireFromString("-40.00"), Currency: "GBP"}}},
		} {
			if _, err := tx.Post(k.bea, tr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("post May's close: %v", err)
	}
	return k
}

// approved logs hours for m on date, and has bob (or alice, for bob's)
// approve them.
func (k *moneyCoop) approved(m ledger.Member, date, hours string) {
	k.t.Helper()
	h := decimal.RequireFromString(hours)
	e, err := k.db.LogTime(m, ledger.TimeEntryInput{Date: date, Hours: &h, CircleID: k.tech.ID, Task: "on call", Submit: true})
	if err != nil {
		k.t.Fatalf("log %s h for %s: %v", hours, m.Name, err)
	}
	reviewer := k.bob
	if m.ID == k.bob.ID {
		reviewer = k.alice
	}
	if _, err := k.db.ReviewTimeEntry(reviewer, e.ID, true, ""); err != nil {
		k.t.Fatalf("approve: %v", err)
	}
}

// session signs m in straight through the store, as the sign-in form
// would, and returns a browser carrying the cookie and its CSRF token.
func (k *coop) session(m ledger.Member) *browser {
	k.t.Helper()
	tok, s, err := k.db.CreateSession(m.ID, time.Hour)
	if err != nil {
		k.t.Fatalf("create session for %s: %v", m.Name, err)
	}
	return &browser{k: k, session: tok, csrf: s.CSRF}
}

// rowCells returns the cell texts of the table row with id, tags removed.
func rowCells(t *testing.T, body, id string) []string {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr[^>]*id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil {
		t.Fatalf("no row %q in the page", id)
	}
	var out []string
	for _, c := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(row[1], -1) {
		out = append(out, strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(c[1], "")), " "))
	}
	return out
}

func wantRow(t *testing.T, body, id string, want ...string) {
	t.Helper()
	if got := rowCells(t, body, id); strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("row %s = %q\nwant      %q", id, got, want)
	}
}

func TestPages_Statement_Own(t *testing.T) {
	k := newMoneyCoop(t)
	alice := k.session(k.alice)
	_, body := alice.get("/statement", http.StatusOK)
	wantInPage(t, body, "<h1>Your statement</h1>", `<strong id="statement-balance">1,040.00 GBP</strong>`,
		`<a href="/statement" aria-current="page">Statement</a>`, `<svg class="chart bars"`, `role="img"`,
		`aria-labelledby="statement-chart-title statement-chart-desc"`,
		`<title id="statement-chart-title">Earned, paid and deferred by month (GBP)</title>`,
		`<title>Earned, May 2024: 100.00 GBP</title>`, `<title>Deferred, May 2024: 40.00 GBP</title>`,
		`action="/statement/waive"`, `name="_csrf" value="`+alice.csrf+`"`)
	//                                    month           hours  earned    paid     deferred opening     paid back waived  balance
	wantRow(t, body, "month-2022-12", "December 2022", "0", "0.00", "0.00", "0.00", "1,000.00", "0.00", "0.00", "1,000.00")
	wantRow(t, body, "month-2024-05", "May 2024", "4", "100.00", "60.00", "40.00", "0.00", "0.00", "0.00", "1,040.00")
	wantRow(t, body, "month-2024-06", "June 2024", "2.5", "62.50", "0.00", "0.00", "0.00", "0.00", "0.00", "1,040.00")
	wantRow(t, body, "statement-total", "Total", "6.5", "162.50", "60.00", "40.00", "1,000.00", "0.00", "0.00", "1,040.00")
	if n := strings.Count(body, `<rect class="bar `); n != 9 {
		t.Errorf("%d bars, want 3 months × earned, paid, deferred", n)
	}
	noInlineOrExternal(t, "/statement", body)

	// A member with nothing yet gets words instead of a chart, and no form.
	_, body = k.session(k.max).get("/statement", http.StatusOK)
	wantInPage(t, body, `<strong id="statement-balance">0.00 GBP</strong>`, `<p class="chart-empty" id="statement-chart">No data yet</p>`)
	if strings.Contains(body, "<svg") || strings.Contains(body, `action="/statement/waive"`) {
		t.Errorf("an empty statement draws a chart or offers a waiver")
	}
}

func TestPages_Statement_OthersNeedARole(t *testing.T) {
	k := newMoneyCoop(t)
	path := "/members/" + k.alice.ID + "/statement"
	_, body := k.session(k.max).get(path, http.StatusForbidden)
	wantInPage(t, body, "Your role does not allow this")
	if strings.Contains(body, "1,040.00") {
		t.Errorf("the refusal shows alice's balance")
	}
	for _, m := range []ledger.Member{k.bea, k.bob, k.ada} {
		_, body = k.session(m).get(path, http.StatusOK)
		wantInPage(t, body, "<h1>Statement of Alice</h1>", `<strong id="statement-balance">1,040.00 GBP</strong>`, "<svg")
		if strings.Contains(body, `action="/statement/waive"`) || strings.Contains(body, `aria-current="page"`) {
			t.Errorf("%s sees a waiver form or a current nav item on alice's statement", m.Name)
		}
	}
	// Her own, by its long address, is the same as /statement.
	_, body = k.session(k.alice).get(path, http.StatusOK)
	wantInPage(t, body, "<h1>Your statement</h1>", `action="/statement/waive"`)
	k.session(k.bea).get("/members/m999999/statement", http.StatusNotFound)
}

func TestPages_Debt(t *testing.T) {
	k := newMoneyCoop(t)
	_, body := k.session(k.bea).get("/debt", http.StatusOK)
	wantInPage(t, body, `<strong id="debt-total">1,540.00 GBP</strong>`, `<a href="/debt" aria-current="page">Debt</a>`,
		`<th scope="col" class="num">2022</th><th scope="col" class="num">2023</th><th scope="col" class="num">2024</th>`,
		`<a href="/members/`+k.alice.ID+`/statement">Alice</a>`, `<svg class="chart line"`,
		`aria-labelledby="debt-chart-title debt-chart-desc"`, `<title>Total owed, May 2024: 1,540.00 GBP</title>`)
	//                                         member  balance     2022        2023      2024
	wantRow(t, body, "debt-"+k.alice.ID, "Alice", "1,040.00", "1,000.00", "—", "40.00")
	wantRow(t, body, "debt-"+k.bob.ID, "Bob", "500.00", "—", "500.00", "—")
	wantRow(t, body, "aging-total", "Total", "1,540.00", "1,000.00", "500.00", "40.00")
	// The history table: every month from the first debt to this one.
	for month, total := range map[string]string{"December 2022": "1,000.00", "May 2023": "1,000.00",
		"June 2023": "1,500.00", "May 2024": "1,540.00", "June 2024": "1,540.00"} {
		wantInPage(t, body, `>`+month+`</time></th><td class="num">`+total+`</td>`)
	}
	if n := strings.Count(body, `<time datetime="20`); n != 19 {
		t.Errorf("%d months in the history, want December 2022 to June 2024: 19", n)
	}
	noInlineOrExternal(t, "/debt", body)

	// A plain member who is owed nothing: the total, and no one's line.
	_, body = k.session(k.max).get("/debt", http.StatusOK)
	wantInPage(t, body, `<strong id="debt-total">1,540.00 GBP</strong>`, "The co-op owes you nothing.", `<svg class="chart line"`)
	for _, leak := range []string{"Alice", "Bob", "1,040.00", `id="aging-total"`} {
		if strings.Contains(body, leak) {
			t.Errorf("a plain member's debt page shows %q", leak)
		}
	}

	// A member owed something sees their own line but no total line,
	// which the rows they see would not add up to.
	bob, err := k.db.UpdateMember(ledger.System, k.bob.ID, ledger.MemberInput{Roles: &[]ledger.Role{ledger.RoleMember}})
	if err != nil || bob.CanSeeAll() {
		t.Fatalf("make bob a plain member: %+v (%v)", bob.Roles, err)
	}
	_, body = k.session(bob).get("/debt", http.StatusOK)
	wantRow(t, body, "debt-"+k.bob.ID, "Bob (you)", "500.00", "500.00")
	if strings.Contains(body, "Alice") || strings.Contains(body, `id="aging-total"`) {
		t.Errorf("bob sees alice's line or a total line")
	}
}

func TestPages_Debt_Empty(t *testing.T) {
	k := newCoop(t)
	b := (&moneyCoop{coop: k}).session(k.ada)
	_, body := b.get("/debt", http.StatusOK)
	wantInPage(t, body, `<strong id="debt-total">0.00 GBP</strong>`, "Nobody is owed anything.",
		`<p class="chart-empty" id="debt-chart">No debt recorded yet</p>`)
}

func TestPages_Waive(t *testing.T) {
	k := newMoneyCoop(t)
	alice := k.session(k.alice)

	tests := []struct {
		name string
		form url.Values
		want []string
	}{
		{name: "more than is owed", form: url.Values{"amount": {"1040.01"}, "note": {"all of it"}},
			want: []string{`<span class="field-error" id="amount-error">is more than the 1040.00 GBP owed to you</span>`,
				`value="1040.01"`, `value="all of it"`}},
		{name: "not an amount", form: url.Values{"amount": {"a lot"}},
			want: []string{`id="amount-error">must be an amount like 250.00</span>`, `value="a lot"`}},
		{name: "a decimal comma", form: url.Values{"amount": {"12,50"}},
			want: []string{`id="amount-error">must be an amount like 250.00</span>`}},
		{name: "nothing", form: url.Values{"amount": {""}}, want: []string{`id="amount-error">is required</span>`}},
		{name: "zero", form: url.Values{"amount": {"0"}}, want: []string{`id="amount-error">must be more than 0</span>`}},
		{name: "fractions of a penny", form: url.Values{"amount": {"1.005"}},
			want: []string{`id="amount-error">has more than 2 decimal places for GBP</span>`}},
		{name: "a note over two lines and no amount", form: url.Values{"amount": {"x"}, "note": {"one\ntwo"}},
			want: []string{`id="amount-error">must be an amount like 250.00</span>`,
				`id="note-error">must be at most 500 characters on one line</span>`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Snapshot(t, k.db)
			_, body := alice.post("/statement/waive", tc.form, http.StatusBadRequest)
			wantInPage(t, body, append(tc.want, "Some fields need attention", `aria-invalid="true"`,
				`<strong id="statement-balance">1,040.00 GBP</strong>`)...)
			if storetest.Snapshot(t, k.db) != before {
				t.Errorf("a refused waiver changed the store")
			}
		})
	}

	t.Run("without the CSRF token", func(t *testing.T) {
		before := storetest.Snapshot(t, k.db)
		alice.post("/statement/waive", url.Values{"amount": {"100.00"}, "_csrf": {""}}, http.StatusForbidden)
		if storetest.Snapshot(t, k.db) != before {
			t.Errorf("a forged waiver changed the store")
		}
	})

	res, _ := alice.post("/statement/waive", url.Values{"amount": {"1,000.00"}, "note": {"for the server fund"}}, http.StatusSeeOther)
	wantLocation(t, res, "/statement?ok=waived")
	_, body := alice.get("/statement?ok=waived", http.StatusOK)
	wantInPage(t, body, "Waiver recorded: the co-op owes you that much less.", `<strong id="statement-balance">40.00 GBP</strong>`)
	wantRow(t, body, "month-2024-06", "June 2024", "2.5", "62.50", "0.00", "0.00", "0.00", "0.00", "1,000.00", "40.00")
	d, err := k.db.Debt(k.bea)
	if err != nil || !d.Total.Amount.Equal(decimal.RequireFromString("540.00")) {
		t.Fatalf("debt after the waiver = %v (%v), want 540.00", d.Total, err)
	}
	_, body = k.session(k.bea).get("/debt", http.StatusOK)
	wantInPage(t, body, `<strong id="debt-total">540.00 GBP</strong>`)
	// Waived debt comes off the oldest first: nothing is left from 2022.
	wantInPage(t, body, `<th scope="col" class="num">2023</th><th scope="col" class="num">2024</th></tr>`)
	wantRow(t, body, "debt-"+k.alice.ID, "Alice", "40.00", "—", "40.00")
}

// noInlineOrExternal keeps a page to the CSP: no inline scripts or styles
// and no URL but its own (the charts included).
func noInlineOrExternal(t *testing.T, path, body string) {
	t.Helper()
	bad := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|https?://`)
	if loc := bad.FindString(body); loc != "" {
		t.Errorf("%s contains %q", path, loc)
	}
}
