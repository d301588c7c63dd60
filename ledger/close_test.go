package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
)

func amounts(t *testing.T, m map[string]decimal.Decimal) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.StringFixed(2)
	}
	return out
}

func wantAmounts(t *testing.T, what string, got map[string]decimal.Decimal, want map[string]string) {
	t.Helper()
	g := amounts(t, got)
	if len(g) != len(want) {
		t.Errorf("%s: %v, want %v", what, g, want)
		return
	}
	for k, w := range want {
		if g[k] != w {
			t.Errorf("%s of %s: %s, want %s", what, k, g[k], w)
		}
	}
}

// workedPolicy is DESIGN.md's worked example policy.
var workedPolicy = Policy{BountyShare: dec2("0.10"), Team: []string{"alice", "bob", "carol"}, Split: SplitEarned,
	PaybackShare: dec2("0.50"), PaybackMethod: PaybackProRata}

func dec2(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestClose_WorkedExample is DESIGN.md's worked example, May and June 2022,
// to the penny.
func TestClose_WorkedExample(t *testing.T) {
	debt := map[string]map[string]decimal.Decimal{
		"alice": {"2021-12": dec2("20000.00")}, "bob": {"2021-12": dec2("18000.00")},
		"carol": {"2021-12": dec2("8000.00")}, "dan": {"2021-12": dec2("4000.00")},
	}
	earned := map[string]decimal.Decimal{"alice": dec2("500.00"), "bob": dec2("250.00"), "carol": dec2("120.00"), "dan": dec2("100.00")}
	may, err := Close(CloseInput{Month: "2022-05", Currency: "GBP", Income: dec2("1167.00"), Costs: dec2("467.00"),
		Earned: earned, Debt: debt, Policy: workedPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if may.Margin.StringFixed(2) != "700.00" || may.Bounty.StringFixed(2) != "70.00" || !may.Reserve.IsZero() {
		t.Errorf("May: margin %s bounty %s reserve %s", may.Margin, may.Bounty, may.Reserve)
	}
	wantAmounts(t, "May wages", may.Wages, map[string]string{"alice": "362.07", "bob": "181.03", "carol": "86.90"})
	wantAmounts(t, "May deferred", may.Deferred, map[string]string{"alice": "137.93", "bob": "68.97", "carol": "33.10", "dan": "100.00"})
	wantAmounts(t, "May payback", may.Payback, map[string]string{})

	// Debt now 50,340.00, the May deferrals accruing in May.
	total := decimal.Zero
	for id, d := range may.Deferred {
		debt[id]["2022-05"] = d
	}
	for _, lots := range debt {
		for _, a := range lots {
			total = total.Add(a)
		}
	}
	if total.StringFixed(2) != "50340.00" {
		t.Errorf("debt after May %s, want 50340.00", total)
	}

	delete(earned, "dan")
	june, err := Close(CloseInput{Month: "2022-06", Currency: "GBP", Income: dec2("3501.00"), Costs: dec2("467.00"),
		Earned: earned, Debt: debt, Policy: workedPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if june.Margin.StringFixed(2) != "3034.00" || june.Bounty.StringFixed(2) != "303.40" || june.Reserve.StringFixed(2) != "930.30" {
		t.Errorf("June: margin %s bounty %s reserve %s", june.Margin, june.Bounty, june.Reserve)
	}
	wantAmounts(t, "June wages", june.Wages, map[string]string{"alice": "500.00", "bob": "250.00", "carol": "120.00"})
	wantAmounts(t, "June deferred", june.Deferred, map[string]string{})
	wantAmounts(t, "June payback", june.Payback, map[string]string{"alice": "372.16", "bob": "333.92", "carol": "148.45", "dan": "75.77"})
}

func TestClose_NoMargin_DefersEverything(t *testing.T) {
	for _, costs := range []string{"1000.00", "1200.00"} {
		r, err := Close(CloseInput{Month: "2022-07", Currency: "GBP", Income: dec2("1000.00"), Costs: dec2(costs),
			Earned: map[string]decimal.Decimal{"alice": dec2("500.00")}, Policy: workedPolicy})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Bounty.IsZero() || len(r.Wages) != 0 || len(r.Payback) != 0 || !r.Reserve.IsZero() {
			t.Errorf("costs %s: paid something: %+v", costs, r)
		}
		wantAmounts(t, "deferred", r.Deferred, map[string]string{"alice": "500.00"})
		wantLoss := dec2(costs).Sub(dec2("1000.00"))
		if !r.Loss.Equal(wantLoss) {
			t.Errorf("costs %s: loss %s, want %s", costs, r.Loss, wantLoss)
		}
	}
}

func TestClose_Wages_CapReoffered(t *testing.T) {
	// 300.00 equally among three, but carol earned only 50.00: she gets
	// 50.00 and the 50.00 her cap leaves goes to the other two.
	p := Policy{Team: []string{"alice", "bob", "carol"}, Split: SplitEqual, PaybackMethod: PaybackProRata}
	r, err := Close(CloseInput{Month: "2022-08", Currency: "GBP", Income: dec2("300.00"),
		Earned: map[string]decimal.Decimal{"alice": dec2("500.00"), "bob": dec2("500.00"), "carol": dec2("50.00")}, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	wantAmounts(t, "wages", r.Wages, map[string]string{"alice": "125.00", "bob": "125.00", "carol": "50.00"})
	wantAmounts(t, "deferred", r.Deferred, map[string]string{"alice": "375.00", "bob": "375.00"})
}

func TestClose_Payback_OldestFirst(t *testing.T) {
	// Pool 100.00 (payback_share 1 of a 100.00 margin, no team): the
	// oldest month (2020-12: alice 60.00, bob 20.00) is paid in full, then
	// 20.00 of 2021-12 pro rata to what each has outstanding there (alice
	// 30.00, carol 10.00 → 15.00 and 5.00).
	p := Policy{PaybackShare: one, PaybackMethod: PaybackOldestFirst}
	debt := map[string]map[string]decimal.Decimal{
		"alice": {"2020-12": dec2("60.00"), "2021-12": dec2("30.00")},
		"bob":   {"2020-12": dec2("20.00")},
		"carol": {"2021-12": dec2("10.00")},
	}
	r, err := Close(CloseInput{Month: "2022-09", Currency: "GBP", Income: dec2("100.00"), Debt: debt, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	wantAmounts(t, "payback", r.Payback, map[string]string{"alice": "75.00", "bob": "20.00", "carol": "5.00"})
	if !r.Reserve.IsZero() {
		t.Errorf("reserve %s, want 0", r.Reserve)
	}
}

func TestClose_Payback_EqualCappedAndSurplusToReserve(t *testing.T) {
	// 90.00 equally among three, bob owed only 10.00: bob 10.00, the 20.00
	// left of his share re-offered: alice and carol 40.00 each. Then a
	// pool larger than all debt leaves the surplus in reserve.
	p := Policy{PaybackShare: one, PaybackMethod: PaybackEqual}
	debt := map[string]map[string]decimal.Decimal{
		"alice": {"2021-12": dec2("100.00")}, "bob": {"2021-12": dec2("10.00")}, "carol": {"2021-12": dec2("100.00")},
	}
	r, err := Close(CloseInput{Month: "2022-10", Currency: "GBP", Income: dec2("90.00"), Debt: debt, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	wantAmounts(t, "payback", r.Payback, map[string]string{"alice": "40.00", "bob": "10.00", "carol": "40.00"})
	r, err = Close(CloseInput{Month: "2022-10", Currency: "GBP", Income: dec2("300.00"), Debt: debt, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	wantAmounts(t, "payback", r.Payback, map[string]string{"alice": "100.00", "bob": "10.00", "carol": "100.00"})
	if r.Reserve.StringFixed(2) != "90.00" {
		t.Errorf("reserve %s, want 90.00", r.Reserve)
	}
}
