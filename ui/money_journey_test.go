package ui_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// TestJourney_BoardReadsTheDebt: a board member signs in, opens the debt
// page from the menu, and sees the total and the chart of it drawn, in the
// colours app.css gives it (the CSP allows no inline styles).
func TestJourney_BoardReadsTheDebt(t *testing.T) {
	bea := newBrowserUser(t, 30*time.Second)

	db := storetest.OpenDB(t, time.Now())
	board := storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil)
	alice := storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps})
	if err := db.SetPassword(ledger.System, board.ID, pagePassword); err != nil {
		t.Fatal(err)
	}
	for _, ob := range []struct{ asOf, amount string }{{"2023-12-31", "1000.00"}, {"2024-06-30", "234.56"}} {
		d := decimal.RequireFromString(ob.amount)
		if _, err := db.AddOpeningBalance(board, ledger.OpeningInput{MemberID: alice.ID, AsOf: ob.asOf, Deferred: &d}); err != nil {
			t.Fatal(err)
		}
	}
	base := serveApp(t, db)

	browserSignIn(t, bea, base, "bea@example.org", false)
	err := chromedp.Do(bea,
		chromedp.Click(chromedp.CSS(`nav a[href="/debt"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart.line`)),
		chromedp.WaitVisible(chromedp.ID("debt-total")),
	)
	if err != nil {
		t.Fatalf("open the debt page: %v", err)
	}
	if got := browserText(t, bea, "#debt-total"); got != "1,234.56 GBP" {
		t.Errorf("total = %q, want 1,234.56 GBP", got)
	}
	if got := browserText(t, bea, "#debt-"+alice.ID+` td[data-label="Balance"]`); got != "1,234.56" {
		t.Errorf("alice's balance = %q, want 1,234.56", got)
	}
	box, err := chromedp.Run(bea, chromedp.Evaluate[[]float64](
		`(() => { const r = document.querySelector('svg.chart.line').getBoundingClientRect(); return [r.width, r.height]; })()`))
	if err != nil || len(box) != 2 || box[0] < 200 || box[1] < 80 {
		t.Errorf("the chart's box is %v (%v), want a visible chart", box, err)
	}
	stroke, err := chromedp.Run(bea, chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector('svg.chart path.line')).stroke`))
	if err != nil || stroke != "rgb(213, 94, 0)" {
		t.Errorf("debt line stroke = %q (%v): is app.css styling the chart?", stroke, err)
	}
	name, err := chromedp.Run(bea, chromedp.Evaluate[string](
		`document.getElementById(document.querySelector('svg.chart.line').getAttribute('aria-labelledby').split(' ')[0]).textContent`))
	if err != nil || name != "Total debt over time (GBP)" {
		t.Errorf("the chart is labelled %q (%v)", name, err)
	}
}
