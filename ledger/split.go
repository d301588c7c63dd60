package ledger

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
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
	ws := make([]decimal.Decimal, 0, len(weights))
	positive := false
	for id, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("split: weight of %s is negative", id)
		}
		ids = append(ids, id)
		ws = append(ws, w)
		positive = positive || w.IsPositive()
	}
	if total.IsZero() {
		out := make(map[string]decimal.Decimal, len(ids))
		for _, id := range ids {
			out[id] = decimal.Zero
		}
		return out, nil
	}
	if !positive {
		return nil, fmt.Errorf("split %s %s: every weight is zero", total, currency)
	}
	// Work in whole minor units, with the remainder kept exact as a
	// fraction (num/sum) so that no rounding decides who gets a unit.
	units := total.Shift(places).IntPart() // exact: total is rounded
	sign := int64(1)
	if units < 0 {
		sign, units = -1, -units
	}
	if out, ok := splitUnits(uint64(units), sign, ids, ws, places); ok {
		return out, nil
	}
	return splitDecimal(units, sign, ids, weights, places), nil
}

// splitDecimal is Split's largest-remainder step in exact decimal
// arithmetic, for weights too large for splitUnits.
func splitDecimal(units, sign int64, ids []string, weights map[string]decimal.Decimal, places int32) map[string]decimal.Decimal {
	ids = slices.Clone(ids)
	sort.Strings(ids)
	unit := decimal.New(1, -places)
	sum := decimal.Zero
	for _, id := range ids {
		sum = sum.Add(weights[id])
	}
	out := make(map[string]decimal.Decimal, len(ids))
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
	return out
}

// splitUnits is Split's largest-remainder step in machine integers, for
// the usual case: every weight scaled to the smallest exponent among them
// fits in a uint64, and so does their sum. units × weight is formed in 128
// bits and divided by the sum exactly, so each floor and remainder is the
// one splitDecimal finds (the remainders only scaled by a power of ten,
// which keeps their order), at a fraction of the cost: the close splits
// payback among every creditor each month, and a projection closes
// hundreds of months. ids (in any order) and ws are the parts and their
// weights; ok is false when the weights do not fit.
func splitUnits(units uint64, sign int64, ids []string, ws []decimal.Decimal, places int32) (map[string]decimal.Decimal, bool) {
	minExp := int32(math.MaxInt32)
	for _, w := range ws {
		if w.IsZero() {
			continue
		}
		if w.NumDigits() > 18 {
			return nil, false
		}
		minExp = min(minExp, w.Exponent())
	}
	type part struct {
		quot, rem uint64
		id        string
	}
	parts := make([]part, len(ids))
	scaled := make([]uint64, len(ids))
	var sum uint64
	for i, w := range ws {
		parts[i].id = ids[i]
		if w.IsZero() {
			continue
		}
		shift := w.Exponent() - minExp
		if shift >= int32(len(pow10)) {
			return nil, false
		}
		hi, v := bits.Mul64(uint64(w.CoefficientInt64()), pow10[shift])
		if hi != 0 {
			return nil, false
		}
		var carry uint64
		if sum, carry = bits.Add64(sum, v, 0); carry != 0 {
			return nil, false
		}
		scaled[i] = v
	}
	if sum == 0 {
		return nil, false
	}
	given := uint64(0)
	for i, v := range scaled {
		hi, lo := bits.Mul64(units, v) // hi < sum, as v ≤ sum
		parts[i].quot, parts[i].rem = bits.Div64(hi, lo, sum)
		given += parts[i].quot
	}
	if left := units - given; left > 0 {
		// Largest remainder first, ties by ascending id: a total order,
		// as ids are distinct. Every remainder is below one unit, so fewer
		// units are left than there are parts, and the first `left` parts
		// in that order get one each: only which parts come first
		// matters, so a selection does instead of a sort.
		selectFirst(parts, int(left), func(a, b part) bool {
			if a.rem != b.rem {
				return a.rem > b.rem
			}
			return a.id < b.id
		})
		for k := uint64(0); k < left; k++ {
			parts[k].quot++
		}
	}
	out := make(map[string]decimal.Decimal, len(parts))
	for _, p := range parts {
		out[p.id] = decimal.New(int64(p.quot)*sign, -places)
	}
	return out, true
}

// pow10 holds the powers of ten that fit in a uint64.
var pow10 = func() [20]uint64 {
	var p [20]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// selectFirst reorders xs so that its first k elements (0 < k < len(xs))
// are the k that come first by less, in no particular order: quickselect,
// in expected linear time.
func selectFirst[T any](xs []T, k int, less func(a, b T) bool) {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// The median of three as pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if less(xs[mid], xs[lo]) {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if less(xs[hi], xs[lo]) {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if less(xs[mid], xs[hi]) {
			xs[mid], xs[hi] = xs[hi], xs[mid]
		}
		pivot := xs[hi]
		store := lo
		for i := lo; i < hi; i++ {
			if less(xs[i], pivot) {
				xs[i], xs[store] = xs[store], xs[i]
				store++
			}
		}
		xs[store], xs[hi] = xs[hi], xs[store]
		// xs[:store] come before the pivot, now at store.
		switch {
		case store == k || store == k-1:
			return
		case store < k:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}
