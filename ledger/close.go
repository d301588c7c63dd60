package ledger

import (
	"fmt"
	"maps"
	"sort"

	"github.com/shopspring/decimal"
)

// CloseInput is everything the monthly close needs, as plain values: the
// same function closes real months and projected ones.
type CloseInput struct {
	Month    string
	Currency string
	Income   decimal.Decimal
	Costs    decimal.Decimal
	// Earned is each member's valued approved hours this month.
	Earned map[string]decimal.Decimal
	// Debt is what the co-op owed each member before this month, by
	// accrual month (YYYY-MM).
	Debt   map[string]map[string]decimal.Decimal
	Policy Policy
}

// CloseResult is the waterfall of one month (DESIGN.md, Monthly close).
// Bounty + wages + payback + reserve = margin when the margin is positive;
// otherwise nothing is paid, all earned is deferred and a negative margin
// is a loss.
type CloseResult struct {
	Month    string                     `json:"month"`
	Currency string                     `json:"currency"`
	Income   decimal.Decimal            `json:"income"`
	Costs    decimal.Decimal            `json:"costs"`
	Margin   decimal.Decimal            `json:"margin"`
	Bounty   decimal.Decimal            `json:"bounty"`
	Earned   map[string]decimal.Decimal `json:"earned"`
	Wages    map[string]decimal.Decimal `json:"wages"`
	Deferred map[string]decimal.Decimal `json:"deferred"`
	Payback  map[string]decimal.Decimal `json:"payback"`
	Reserve  decimal.Decimal            `json:"reserve"`
	Loss     decimal.Decimal            `json:"loss"`
	PolicyID string                     `json:"policy_id,omitempty"`
}

// Close computes the month's waterfall:
//  1. bounty fund: bounty_share × margin, rounded half-even (if margin > 0);
//  2. wages for the paid team from the rest, split by the policy (equal,
//     earned or weights), each capped at their earned, what a cap leaves
//     re-offered to the others still under theirs;
//  3. payback: payback_share × what is left, rounded half-even, split among
//     creditors by the policy's method, never more than a balance;
//  4. the rest, and any payback no balance could take, to reserve.
//
// Whatever of earned is not paid as wages is deferred. Every split uses the
// largest-remainder rule, so the parts sum to the margin exactly.
func Close(in CloseInput) (CloseResult, error) {
	c := in.Currency
	r := CloseResult{
		Month: in.Month, Currency: c, Income: in.Income, Costs: in.Costs,
		Margin: in.Income.Sub(in.Costs), Earned: map[string]decimal.Decimal{},
		Wages: map[string]decimal.Decimal{}, Deferred: map[string]decimal.Decimal{},
		Payback: map[string]decimal.Decimal{}, PolicyID: in.Policy.ID,
	}
	for id, e := range in.Earned {
		if e.IsNegative() || !IsRounded(e, c) {
			return r, fmt.Errorf("close %s: earned of %s must be a non-negative rounded amount", in.Month, id)
		}
		if e.IsPositive() {
			r.Earned[id] = e
		}
	}
	if !IsRounded(r.Margin, c) {
		return r, fmt.Errorf("close %s: income and costs must be rounded to the minor unit", in.Month)
	}
	if !r.Margin.IsPositive() {
		if r.Margin.IsNegative() {
			r.Loss = r.Margin.Neg()
		}
		for id, e := range r.Earned {
			r.Deferred[id] = e
		}
		return r, nil
	}
	p := in.Policy
	r.Bounty = Round(p.BountyShare.Mul(r.Margin), c)
	left := r.Margin.Sub(r.Bounty)

	// 2. Wages, capped at earned, re-offered.
	caps := map[string]decimal.Decimal{}
	weights := map[string]decimal.Decimal{}
	for _, id := range p.Team {
		e := r.Earned[id]
		if !e.IsPositive() {
			continue
		}
		caps[id] = e
		switch p.Split {
		case SplitEqual:
			weights[id] = one
		case SplitWeights:
			weights[id] = p.Weights[id]
		default:
			weights[id] = e
		}
	}
	wages, err := cappedSplit(left, weights, caps, c)
	if err != nil {
		return r, fmt.Errorf("close %s: wages: %w", in.Month, err)
	}
	paid := decimal.Zero
	for id, w := range wages {
		if w.IsPositive() {
			r.Wages[id] = w
			paid = paid.Add(w)
		}
	}
	left = left.Sub(paid)
	for id, e := range r.Earned {
		if d := e.Sub(r.Wages[id]); d.IsPositive() {
			r.Deferred[id] = d
		}
	}

	// 3. Payback, to balances after this month's deferrals.
	pool := Round(p.PaybackShare.Mul(left), c)
	if pool.IsPositive() {
		back, err := payback(pool, in.Debt, r.Deferred, in.Month, p.PaybackMethod, c)
		if err != nil {
			return r, fmt.Errorf("close %s: payback: %w", in.Month, err)
		}
		paid := decimal.Zero
		for id, b := range back {
			if b.IsPositive() {
				paid = paid.Add(b)
			} else {
				delete(back, id)
			}
		}
		r.Payback = back
		left = left.Sub(paid)
	}
	// 4. The rest to reserve.
	r.Reserve = left
	return r, nil
}

// cappedSplit shares total by weight, no part above its cap; what a cap
// leaves over is offered again to the parts still under theirs. The result
// sums to min(total, sum of caps).
func cappedSplit(total decimal.Decimal, weights, caps map[string]decimal.Decimal, currency string) (map[string]decimal.Decimal, error) {
	// Share the caller's weights as they are unless some part cannot take
	// anything; copy them only when a cap removes a part.
	active, owned := weights, false
	for id, w := range weights {
		if !w.IsPositive() || !caps[id].IsPositive() {
			active, owned = make(map[string]decimal.Decimal, len(weights)), true
			for id, w := range weights {
				if w.IsPositive() && caps[id].IsPositive() {
					active[id] = w
				}
			}
			break
		}
	}
	out := map[string]decimal.Decimal{}
	remaining := total
	for remaining.IsPositive() && len(active) > 0 {
		shares, err := Split(remaining, active, currency)
		if err != nil {
			return nil, err
		}
		var capped []string
		for id := range active {
			room := caps[id]
			if given, ok := out[id]; ok {
				room = room.Sub(given)
			}
			if shares[id].GreaterThanOrEqual(room) {
				capped = append(capped, id)
			}
		}
		if len(capped) == 0 {
			if len(out) == 0 {
				return shares, nil // nobody capped: the split as it is
			}
			for id, s := range shares {
				out[id] = out[id].Add(s)
			}
			break
		}
		if !owned {
			active, owned = maps.Clone(active), true
		}
		for _, id := range capped {
			remaining = remaining.Sub(caps[id].Sub(out[id]))
			out[id] = caps[id]
			delete(active, id)
		}
	}
	return out, nil
}

// payback shares pool among creditors, never more than anyone is owed:
// debt is what each was owed by accrual month before this month, deferred
// what this month added (accruing in month).
func payback(pool decimal.Decimal, debt map[string]map[string]decimal.Decimal, deferred map[string]decimal.Decimal,
	month string, method PaybackMethod, currency string) (map[string]decimal.Decimal, error) {
	if method == PaybackOldestFirst {
		return paybackOldestFirst(pool, debt, deferred, month, currency)
	}
	// pro_rata and equal need only each creditor's balance.
	balances := make(map[string]decimal.Decimal, len(debt)+len(deferred))
	for id, lots := range debt {
		var sum decimal.Decimal
		for _, a := range lots {
			if !a.IsPositive() {
				continue
			}
			if sum.IsZero() {
				sum = a // most creditors hold one lot: no addition needed
			} else {
				sum = sum.Add(a)
			}
		}
		if sum.IsPositive() {
			balances[id] = sum
		}
	}
	for id, d := range deferred {
		balances[id] = balances[id].Add(d)
	}
	if method == PaybackEqual {
		weights := make(map[string]decimal.Decimal, len(balances))
		for id := range balances {
			weights[id] = one
		}
		return cappedSplit(pool, weights, balances, currency)
	}
	return cappedSplit(pool, balances, balances, currency)
}

// paybackOldestFirst pays the oldest accrual month first, within a month
// pro rata to what each creditor still has outstanding from it.
func paybackOldestFirst(pool decimal.Decimal, debt map[string]map[string]decimal.Decimal, deferred map[string]decimal.Decimal,
	month, currency string) (map[string]decimal.Decimal, error) {
	byMonth := map[string]map[string]decimal.Decimal{}
	add := func(m, id string, a decimal.Decimal) {
		if !a.IsPositive() {
			return
		}
		if byMonth[m] == nil {
			byMonth[m] = map[string]decimal.Decimal{}
		}
		byMonth[m][id] = byMonth[m][id].Add(a)
	}
	for id, lots := range debt {
		for m, a := range lots {
			add(m, id, a)
		}
	}
	for id, d := range deferred {
		add(month, id, d)
	}
	ordered := make([]string, 0, len(byMonth))
	for m := range byMonth {
		ordered = append(ordered, m)
	}
	sort.Strings(ordered)
	out := map[string]decimal.Decimal{}
	left := pool
	for _, m := range ordered {
		if !left.IsPositive() {
			break
		}
		owed := byMonth[m]
		sum := decimal.Zero
		for _, a := range owed {
			sum = sum.Add(a)
		}
		shares, err := cappedSplit(decimal.Min(left, sum), owed, owed, currency)
		if err != nil {
			return nil, err
		}
		for id, s := range shares {
			out[id] = out[id].Add(s)
			left = left.Sub(s)
		}
	}
	return out, nil
}
