package ledger

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// maxSplit keeps a total's count of minor units well inside int64.
var maxSplit = decimal.New(1, 15)

// Split divides total among parts in proportion to their weights by the
// largest-remainder method (DESIGN.md, Money): each share is floored to the
// currency's minor unit, then the units left over go one at a time to the
// largest remainders, ties by ascending id. The shares always sum to total
// exactly. Parts with zero weight get zero; total must already be exact to
// the minor unit and weights must not be negative. When every weight is
// zero the total cannot be split and an error says so.
func Split(total decimal.Decimal, weights map[string]decimal.Decimal, currency string) (map[string]decimal.Decimal, error) {
	places := MinorUnits(currency)
	if CheckDecimal(total) != nil || total.Abs().GreaterThan(maxSplit) {
		return nil, fmt.Errorf("split %s %s: total out of range", total, currency)
	}
	if !IsRounded(total, currency) {
		return nil, fmt.Errorf("split %s %s: total has more places than the currency", total, currency)
	}
	ids := make([]string, 0, len(weights))
	sum := decimal.Zero
	for id, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("split: weight of %s is negative", id)
		}
		ids = append(ids, id)
		sum = sum.Add(w)
	}
	sort.Strings(ids)
	out := make(map[string]decimal.Decimal, len(ids))
	if total.IsZero() {
		for _, id := range ids {
			out[id] = decimal.Zero
		}
		return out, nil
	}
	if sum.IsZero() {
		return nil, fmt.Errorf("split %s %s: every weight is zero", total, currency)
	}
	// Work in whole minor units, with the remainder kept exact as a
	// fraction (num/sum) so that no rounding decides who gets a unit.
	unit := decimal.New(1, -places)
	units := total.Div(unit).IntPart() // exact: total is rounded
	sign := int64(1)
	if units < 0 {
		sign, units = -1, -units
	}
	type rem struct {
		id  string
		num decimal.Decimal // remainder × sum
	}
	rems := make([]rem, 0, len(ids))
	given := int64(0)
	totalUnits := decimal.NewFromInt(units)
	for _, id := range ids {
		scaled := totalUnits.Mul(weights[id]) // share in units × sum
		q := scaled.Div(sum).Floor()
		// Guard against the division's own rounding: q·sum ≤ scaled < (q+1)·sum.
		for q.Mul(sum).GreaterThan(scaled) {
			q = q.Sub(decimal.NewFromInt(1))
		}
		for q.Add(decimal.NewFromInt(1)).Mul(sum).LessThanOrEqual(scaled) {
			q = q.Add(decimal.NewFromInt(1))
		}
		out[id] = q
		given += q.IntPart()
		rems = append(rems, rem{id: id, num: scaled.Sub(q.Mul(sum))})
	}
	sort.SliceStable(rems, func(i, j int) bool {
		if c := rems[i].num.Cmp(rems[j].num); c != 0 {
			return c > 0
		}
		return rems[i].id < rems[j].id
	})
	for i := int64(0); i < units-given; i++ {
		r := rems[i%int64(len(rems))]
		out[r.id] = out[r.id].Add(decimal.NewFromInt(1))
	}
	for id, q := range out {
		out[id] = q.Mul(unit).Mul(decimal.NewFromInt(sign))
	}
	return out, nil
}
