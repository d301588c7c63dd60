package ledger

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var propertyIDs = []string{"a", "b", "c", "d", "e", "f", "g", "h"}

// drawShare is a share 0..1 with up to 6 places, often exactly 0 or 1.
func drawShare(t *rapid.T, label string) decimal.Decimal {
	return rapid.OneOf(
		rapid.Just(decimal.Zero), rapid.Just(one),
		rapid.Custom(func(t *rapid.T) decimal.Decimal {
			return decimal.New(rapid.Int64Range(0, 1e6).Draw(t, "millionths"), -6)
		}),
	).Draw(t, label)
}

// drawAmount is an amount in currency of up to maxUnits minor units, often
// zero or tiny.
func drawAmount(t *rapid.T, currency string, maxUnits int64, label string) decimal.Decimal {
	u := rapid.OneOf(rapid.Just(int64(0)), rapid.Int64Range(1, 10), rapid.Int64Range(0, maxUnits)).Draw(t, label)
	return decimal.New(u, -MinorUnits(currency))
}

func drawPolicy(t *rapid.T) Policy {
	p := Policy{BountyShare: drawShare(t, "bounty_share"), PaybackShare: drawShare(t, "payback_share"),
		Split:         rapid.SampledFrom([]SplitMethod{SplitEqual, SplitEarned, SplitWeights}).Draw(t, "split"),
		PaybackMethod: rapid.SampledFrom([]PaybackMethod{PaybackProRata, PaybackOldestFirst, PaybackEqual}).Draw(t, "payback_method"),
		Team:          []string{}}
	for _, id := range propertyIDs {
		if rapid.Bool().Draw(t, "on team "+id) {
			p.Team = append(p.Team, id)
		}
	}
	if p.Split == SplitWeights {
		p.Weights = map[string]decimal.Decimal{}
		for _, id := range p.Team {
			p.Weights[id] = decimal.New(rapid.Int64Range(1, 1000).Draw(t, "weight "+id), -rapid.Int32Range(0, 2).Draw(t, "weight places"))
		}
	}
	return p
}

// drawCloseInput is a random month: some members earning (on the team or
// not), debt lots in earlier months, income and costs either way round.
func drawCloseInput(t *rapid.T) CloseInput {
	c := rapid.SampledFrom([]string{"GBP", "GBP", "JPY", "KWD"}).Draw(t, "currency")
	in := CloseInput{Month: "2026-01", Currency: c, Policy: drawPolicy(t),
		Earned: map[string]decimal.Decimal{}, Debt: map[string]map[string]decimal.Decimal{}}
	for _, id := range propertyIDs {
		if rapid.Bool().Draw(t, "earns "+id) {
			in.Earned[id] = drawAmount(t, c, 1e7, "earned "+id)
		}
		for n := rapid.IntRange(0, 3).Draw(t, "lots "+id); n > 0; n-- {
			month := fmt.Sprintf("%d-%02d", rapid.IntRange(2020, 2025).Draw(t, "year"), rapid.IntRange(1, 12).Draw(t, "month"))
			if in.Debt[id] == nil {
				in.Debt[id] = map[string]decimal.Decimal{}
			}
			in.Debt[id][month] = drawAmount(t, c, 1e8, "lot "+id)
		}
	}
	in.Income = drawAmount(t, c, 1e8, "income")
	in.Costs = drawAmount(t, c, 1e8, "costs")
	return in
}

func total(m map[string]decimal.Decimal) decimal.Decimal {
	s := decimal.Zero
	for _, a := range m {
		s = s.Add(a)
	}
	return s
}

// TestClose_Properties: for any policy, earned, debt, income and costs the
// waterfall's parts sum exactly to the margin, nobody is paid more than
// they earned or are owed, wages and deferred make up earned, and nothing
// is negative.
func TestClose_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawCloseInput(t)
		c := in.Currency
		r, err := Close(in)
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
		if !r.Margin.Equal(in.Income.Sub(in.Costs)) {
			t.Fatalf("margin %s, want %s − %s", r.Margin, in.Income, in.Costs)
		}
		all := []decimal.Decimal{r.Bounty, r.Reserve, r.Loss}
		for _, m := range []map[string]decimal.Decimal{r.Wages, r.Deferred, r.Payback} {
			for _, a := range m {
				all = append(all, a)
			}
		}
		for _, a := range all {
			if a.IsNegative() || !IsRounded(a, c) {
				t.Fatalf("amount %s is negative or not rounded to %s: %+v", a, c, r)
			}
		}
		onTeam := map[string]bool{}
		for _, id := range in.Policy.Team {
			onTeam[id] = true
		}
		for id, e := range in.Earned {
			if r.Wages[id].GreaterThan(e) {
				t.Fatalf("wages of %s %s above earned %s", id, r.Wages[id], e)
			}
			if !r.Wages[id].Add(r.Deferred[id]).Equal(e) {
				t.Fatalf("%s: wages %s + deferred %s ≠ earned %s", id, r.Wages[id], r.Deferred[id], e)
			}
		}
		for id := range r.Wages {
			if !onTeam[id] {
				t.Fatalf("%s, not on the team, was paid wages", id)
			}
		}
		balances := map[string]decimal.Decimal{}
		for id, lots := range in.Debt {
			balances[id] = total(lots)
		}
		for id, d := range r.Deferred {
			balances[id] = balances[id].Add(d)
		}
		for id, b := range r.Payback {
			if b.GreaterThan(balances[id]) {
				t.Fatalf("payback of %s %s above their balance %s", id, b, balances[id])
			}
		}
		wages, payback := total(r.Wages), total(r.Payback)
		if !sumAmounts(r.Wages, c).Equal(wages) || !sumAmounts(r.Payback, c).Equal(payback) || !sumAmounts(r.Deferred, c).Equal(total(r.Deferred)) {
			t.Fatalf("sumAmounts disagrees with decimal sums: %+v", r)
		}
		if !r.Margin.IsPositive() {
			if !r.Bounty.IsZero() || !wages.IsZero() || !payback.IsZero() || !r.Reserve.IsZero() {
				t.Fatalf("margin %s but something was paid: %+v", r.Margin, r)
			}
			if !total(r.Deferred).Equal(total(in.Earned)) || !r.Loss.Equal(r.Margin.Neg()) {
				t.Fatalf("margin %s: deferred %s of earned %s, loss %s", r.Margin, total(r.Deferred), total(in.Earned), r.Loss)
			}
			return
		}
		if sum := r.Bounty.Add(wages).Add(payback).Add(r.Reserve); !sum.Equal(r.Margin) {
			t.Fatalf("bounty %s + wages %s + payback %s + reserve %s = %s, want margin %s", r.Bounty, wages, payback, r.Reserve, sum, r.Margin)
		}
		if !r.Bounty.Equal(Round(in.Policy.BountyShare.Mul(r.Margin), c)) {
			t.Fatalf("bounty %s, want %s × %s rounded", r.Bounty, in.Policy.BountyShare, r.Margin)
		}
		// Wages take all that is left or all the team earned; payback all
		// of its pool or all that is owed.
		teamEarned := decimal.Zero
		for id, e := range in.Earned {
			if onTeam[id] {
				teamEarned = teamEarned.Add(e)
			}
		}
		left := r.Margin.Sub(r.Bounty)
		if !wages.Equal(decimal.Min(left, teamEarned)) {
			t.Fatalf("wages %s, want min(%s left, %s earned by the team)", wages, left, teamEarned)
		}
		pool := Round(in.Policy.PaybackShare.Mul(left.Sub(wages)), c)
		if !payback.Equal(decimal.Min(pool, total(balances))) {
			t.Fatalf("payback %s, want min(pool %s, owed %s)", payback, pool, total(balances))
		}
		// Posting the close moves the debt by exactly deferred − payback.
		debt := CopyDebt(in.Debt)
		before := decimal.Zero
		for _, lots := range debt {
			before = before.Add(total(lots))
		}
		if err := ApplyClose(debt, r); err != nil {
			t.Fatalf("ApplyClose: %v", err)
		}
		after := decimal.Zero
		for id, lots := range debt {
			for m, a := range lots {
				if !a.IsPositive() {
					t.Fatalf("lot %s %s of %s left at %s", id, m, c, a)
				}
			}
			after = after.Add(total(lots))
		}
		if want := before.Add(total(r.Deferred)).Sub(payback); !after.Equal(want) {
			t.Fatalf("debt after posting %s, want %s", after, want)
		}
	})
}

// TestProject_FirstMonthIsTheClose_Property: for any scenario, the first
// projected month is ledger.Close of the inputs built by hand from it.
func TestProject_FirstMonthIsTheClose_Property(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawCloseInput(t)
		c := in.Currency
		s := Scenario{Start: in.Month, Months: rapid.IntRange(1, 3).Draw(t, "months"), Currency: c,
			StartIncome: in.Income, MonthlyGrowth: decimal.New(rapid.Int64Range(-50, 100).Draw(t, "growth %"), -2),
			FixedCosts: in.Costs, Debt: in.Debt, Policy: in.Policy}
		earned := map[string]decimal.Decimal{}
		for id, e := range in.Earned {
			// hours × rate, rounded, as the projection values them.
			hours := decimal.New(rapid.Int64Range(0, 744*4).Draw(t, "quarter hours "+id), 0).Div(decimal.NewFromInt(4))
			rate := decimal.New(e.Shift(MinorUnits(c)).IntPart()%10000, -2)
			s.Team = append(s.Team, TeamMember{ID: id, Hours: hours, Rate: rate})
			if v := Round(hours.Mul(rate), c); v.IsPositive() {
				earned[id] = v
			}
		}
		in.Earned = earned
		want, err := Close(in)
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
		var got CloseResult
		if err := ProjectEach(s, func(pm ProjectedMonth) bool { got = pm.Result; return false }); err != nil {
			t.Fatalf("ProjectEach: %v", err)
		}
		if !sameJSON(got, want) {
			t.Fatalf("first month\n got %+v\nwant %+v", got, want)
		}
	})
}
