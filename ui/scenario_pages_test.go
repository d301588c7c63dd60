package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// scenarioCoop is the page-test co-op (newCoop, June 2024) with books to
// project: bea sits on the board; cleo (board) is the paid team at 20/h
// with 10 h approved in May (200.00 earned a month); alice is owed
// 1,000.00 from 2023 and bob 500.00; May's income was 1,000.00 from 100
// members at 10.00 and its costs 400.00. The policy: bounty 10%, split
// earned, payback 50% pro rata.
//
// By hand, each flat month at income I: margin I − 400, bounty 10% of
// it, cleo's 200.00 wages, half the rest paid back. Today's income
// (1,000.00): 600 − 60 − 200 = 340, payback 170.00 a month, so the
// 1,500.00 owed takes 9 months (8 × 170 = 1,360 < 1,500): cleared at the
// end of February 2025. ×10 (10,000.00): 9,600 − 960 − 200 = 8,440,
// payback 4,220.00 ≥ 1,500.00: everyone is paid back in June 2024, the
// first projected month.
type scenarioCoop struct {
	*coop
	bea, cleo ledger.Member
}

func newScenarioCoop(t *testing.T) *scenarioCoop {
	t.Helper()
	k := &scenarioCoop{coop: newCoop(t)}
	k.bea = k.member("Bea", "bea@example.org", ledger.RoleBoard)
	k.cleo = k.member("Cleo", "cleo@example.org", ledger.RoleBoard)
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	if _, err := k.db.AddRate(k.bea, k.cleo.ID, ledger.RateInput{From: "2024-01-01", Hourly: d("20")}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.AddPolicy(k.bea, ledger.PolicyInput{From: "2024-01", BountyShare: d("0.10"), Team: []string{k.cleo.ID},
		Split: ledger.SplitEarned, PaybackShare: d("0.50"), PaybackMethod: ledger.PaybackProRata}); err != nil {
		t.Fatal(err)
	}
	for _, ob := range []struct {
		m            ledger.Member
		asOf, amount string
	}{{k.alice, "2023-12-31", "1000.00"}, {k.bob, "2023-06-30", "500.00"}} {
		if _, err := k.db.AddOpeningBalance(k.bea, ledger.OpeningInput{MemberID: ob.m.ID, AsOf: ob.asOf, Deferred: d(ob.amount)}); err != nil {
			t.Fatalf("opening balance of %s: %v", ob.m.Name, err)
		}
	}
	income := ledger.MoneyInput{Month: "2024-05", Amount: d("1000.00"),
		Tiers: []ledger.Tier{{Name: "standard", Price: decimal.RequireFromString("10"), Subscribers: 100}}}
	if _, err := k.db.RecordMoney(k.bea, income, false); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.RecordMoney(k.bea, ledger.MoneyInput{Month: "2024-05", Amount: d("400.00")}, true); err != nil {
		t.Fatal(err)
	}
	e, err := k.db.LogTime(k.cleo, ledger.TimeEntryInput{Date: "2024-05-20", Hours: d("10"), CircleID: k.tech.ID,
		Compensation: ptr(ledger.CompRequired), Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.ReviewTimeEntry(k.alice, e.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPages_Scenarios(t *testing.T) {
	k := newScenarioCoop(t)
	b := k.session(k.bea)
	_, body := b.get("/scenarios", http.StatusOK)
	noInlineOrExternal(t, "/scenarios", body)
	wantInPage(t, body, "<h1>Scenarios</h1>", `<svg class="chart lines"`, `aria-current="page">Scenarios</a>`,
		"Today&#39;s income", "×2 income", "×3 income", "×10 income",
		`<strong id="scenario-debt">1,500.00 GBP</strong>`, "Clearing all 1,500.00 GBP within 60 months takes ",
		"paying members at today&#39;s 10.00 per member", `role="region" aria-labelledby="payoff-caption" tabindex="0"`,
		// 120 months: the table shows the first month, every 6th and the last.
		`id="scenario-2024-06"`, `id="scenario-2024-11"`, `id="scenario-2034-05"`)
	if strings.Contains(body, ">Custom<") {
		t.Error("a custom scenario without asking for one")
	}
	if strings.Contains(body, `id="scenario-2024-07"`) {
		t.Error("the debt table lists every month of 120")
	}
	// Alice and Bob: ×1 clears them in February 2025 (month 9), ×10 in the
	// first month, by hand (scenarioCoop).
	for _, m := range []ledger.Member{k.alice, k.bob} {
		cells := rowCells(t, body, "payoff-"+m.ID)
		want := []string{m.Name, "Feb 2025 (month 9)", "", "", "Jun 2024 (month 1)"}
		if len(cells) != 5 || cells[0] != want[0] || cells[1] != want[1] || cells[4] != want[4] {
			t.Errorf("payoff of %s = %q, want %q for ×1 and ×10", m.Name, cells, want)
		}
	}
	if cells := rowCells(t, body, "payoff-all"); len(cells) != 5 || cells[1] != "Feb 2025 (month 9)" || cells[4] != "Jun 2024 (month 1)" {
		t.Errorf("all paid back = %q", cells)
	}
	// The debt table: 1,500 − 170 = 1,330.00 after June under today's
	// income, nothing under ×10.
	if cells := rowCells(t, body, "scenario-2024-06"); len(cells) != 5 || cells[1] != "1,330.00" || cells[4] != "0.00" {
		t.Errorf("June's debt row = %q", cells)
	}

	// A custom scenario from the query: 1,500.00 a month growing 5%.
	// Six months: every month in the table, and today's income does not
	// clear the debt within them.
	_, body = b.get("/scenarios?months=6&income=1,500.00&growth=5&solve=12", http.StatusOK)
	wantInPage(t, body, ">Custom<", "Custom (1,500.00 a month, +5% a month)", `value="1,500.00"`, `value="5"`,
		"within 12 months takes", `id="scenario-2024-07"`, `id="scenario-2024-11"`, "not within 6 months")
	if n := strings.Count(body, `<path class="line line-`); n != 5 {
		t.Errorf("%d lines in the chart, want 5", n)
	}
	if cells := rowCells(t, body, "payoff-all"); len(cells) != 6 {
		t.Errorf("all paid back has %d cells, want a label and 5 scenarios", len(cells))
	}
}

func TestPages_Scenarios_BadQuery(t *testing.T) {
	k := newScenarioCoop(t)
	b := k.session(k.bea)
	for _, tc := range []struct{ query, field, want string }{
		{"months=0", "months", "must be a whole number of months from 1 to 600"},
		{"months=999", "months", "must be a whole number of months from 1 to 600"},
		{"income=abc", "income", "must be an amount like 2500.00"},
		{"income=-5", "income", "must not be negative"},
		{"growth=lots", "growth", "must be a percentage"},
		{"growth=-100", "growth", "must be above -100"},
		{"solve=x", "solve", "N must be a whole number"},
		{"growth=1000", "growth", "takes the income above"}, // the store's own limit on the path
	} {
		t.Run(tc.query, func(t *testing.T) {
			before := storetest.Snapshot(t, k.db)
			_, body := b.get("/scenarios?"+tc.query, http.StatusBadRequest)
			wantInPage(t, body, `<p class="alert" role="alert">`, `id="`+tc.field+`-error">`, tc.want, `aria-invalid="true"`,
				// the page still shows the presets
				`<svg class="chart lines"`, "×10 income")
			if strings.Contains(body, ">Custom<") {
				t.Error("a refused custom scenario is drawn")
			}
			if storetest.Snapshot(t, k.db) != before {
				t.Error("a refused query changed the store")
			}
		})
	}
}

func TestPages_Scenarios_Roles(t *testing.T) {
	k := newScenarioCoop(t)
	_, body := k.session(k.max).get("/scenarios", http.StatusForbidden)
	if strings.Contains(body, "<svg") {
		t.Error("a plain member sees the projection")
	}
	if _, body = k.session(k.max).get("/debt", http.StatusOK); strings.Contains(body, `href="/scenarios"`) {
		t.Error("a plain member is offered the Scenarios link")
	}
	k.session(k.alice).get("/scenarios", http.StatusOK) // ops
	k.session(k.ada).get("/scenarios", http.StatusOK)   // admin
}

// Without a policy or any income the books give nothing to project: the
// page says so rather than failing.
func TestPages_Scenarios_EmptyBooks(t *testing.T) {
	k := newCoop(t)
	bea := k.member("Bea", "bea@example.org", ledger.RoleBoard)
	_, body := k.session(bea).get("/scenarios", http.StatusOK)
	wantInPage(t, body, `id="scenario-problem"`, "Record a month&#39;s income first.", "A policy must be in force this month.")
}
