package ui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// TestPages_Close drafts and approves May 2024 through the close page: a
// board member the close does not pay approves; a paid board member is
// refused while another board member exists; plain members see no page.
func TestPages_Close(t *testing.T) {
	k := newCoop(t)
	bea := k.member("Bea", "bea@example.org", ledger.RoleBoard)
	cleo := k.member("Cleo", "cleo@example.org", ledger.RoleBoard)
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	if _, err := k.db.AddRate(bea, cleo.ID, ledger.RateInput{From: "2024-01-01", Hourly: d("20")}); err != nil {
		t.Fatal(err)
	}
	in := ledger.PolicyInput{From: "2024-01", BountyShare: d("0.10"), Team: []string{cleo.ID}, Split: ledger.SplitEarned,
		PaybackShare: d("0.50"), PaybackMethod: ledger.PaybackProRata}
	if _, err := k.db.AddPolicy(bea, in); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.RecordMoney(bea, ledger.MoneyInput{Month: "2024-05", Amount: d("1000.00")}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.RecordMoney(bea, ledger.MoneyInput{Month: "2024-05", Amount: d("400.00")}, true); err != nil {
		t.Fatal(err)
	}
	// Cleo logs 10 h (200.00 earned), approved by alice.
	e, err := k.db.LogTime(cleo, ledger.TimeEntryInput{Date: "2024-05-20", Hours: d("10"), CircleID: k.tech.ID, Compensation: ptr(ledger.CompRequired), Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.ReviewTimeEntry(k.alice, e.ID, true, ""); err != nil {
		t.Fatal(err)
	}

	k.session(k.max).get("/close", http.StatusForbidden)
	b := k.session(bea)
	_, body := b.get("/close", http.StatusOK)
	wantInPage(t, body, "<h1>Monthly close</h1>", `href="/close?month=2024-05"`, "Not drafted yet.", `action="/close/2024-05/draft"`)

	res, _ := b.post("/close/2024-05/draft", url.Values{}, http.StatusSeeOther)
	wantLocation(t, res, "/close?month=2024-05&ok=drafted")
	// Margin 600.00: bounty 60.00; cleo's 200.00 paid in full; 340.00
	// left, nobody is owed, so all of it to reserve.
	_, body = b.get("/close?month=2024-05", http.StatusOK)
	wantInPage(t, body, `id="close-state">draft</span>`, `<td class="num" id="close-margin">600.00</td>`,
		`<td class="num" id="close-bounty">60.00</td>`, `<td class="num" id="close-reserve">340.00</td>`, `id="approve-close"`)

	// Cleo is paid by it and bea is another board member: refused.
	c := k.session(cleo)
	_, body = c.post("/close/2024-05/approve", url.Values{}, http.StatusForbidden)
	wantInPage(t, body, "another board member must approve it", `id="close-state">draft</span>`)
	if isLocked(t, k, "2024-05") {
		t.Fatal("a refused approval locked the month")
	}

	res, _ = b.post("/close/2024-05/approve", url.Values{}, http.StatusSeeOther)
	wantLocation(t, res, "/close?month=2024-05&ok=posted")
	_, body = b.get("/close?month=2024-05&ok=posted", http.StatusOK)
	wantInPage(t, body, `id="close-state">posted</span>`, "Approved by Bea.", "Month approved and posted to the journal.")
	if !isLocked(t, k, "2024-05") {
		t.Error("May is not locked after approval")
	}
	// Approving again is refused, and posts nothing twice.
	b.post("/close/2024-05/approve", url.Values{}, http.StatusConflict)
}

func ptr[T any](v T) *T { return &v }

func isLocked(t *testing.T, k *coop, month string) bool {
	t.Helper()
	var locked bool
	if err := k.db.View(func(tx *store.Tx) error { locked = tx.MonthLocked(month); return nil }); err != nil {
		t.Fatal(err)
	}
	return locked
}
