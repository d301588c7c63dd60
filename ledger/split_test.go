package ledger

import (
	"sort"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// weights builds a weight map from alternating id, weight pairs.
func weights(kv ...string) map[string]decimal.Decimal {
	m := make(map[string]decimal.Decimal, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = amt(kv[i+1])
	}
	return m
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name     string
		total    string
		currency string
		weights  map[string]decimal.Decimal
		want     map[string]decimal.Decimal // shares, written like weights
	}{
		{
			// DESIGN.md, May 2022: exact 362.0689…, 181.0344…, 86.8965…;
			// floors leave 2p, which go to alice (.896) and carol (.655).
			name: "worked example: May wages split by earned", total: "630.00", currency: "GBP",
			weights: weights("alice", "500", "bob", "250", "carol", "120"),
			want:    weights("alice", "362.07", "bob", "181.03", "carol", "86.90"),
		},
		{
			// DESIGN.md, June 2022: pro rata to balances after May's deferrals.
			name: "worked example: June payback pro rata", total: "930.30", currency: "GBP",
			weights: weights("alice", "20137.93", "bob", "18068.97", "carol", "8033.10", "dan", "4100.00"),
			want:    weights("alice", "372.16", "bob", "333.92", "carol", "148.45", "dan", "75.77"),
		},
		{
			name: "one penny among equals goes to the lowest id", total: "0.01", currency: "GBP",
			weights: weights("b", "1", "a", "1", "c", "1"),
			want:    weights("a", "0.01", "b", "0", "c", "0"),
		},
		{
			name: "two pennies among equals go to the two lowest ids", total: "0.02", currency: "GBP",
			weights: weights("c", "1", "b", "1", "a", "1"),
			want:    weights("a", "0.01", "b", "0.01", "c", "0"),
		},
		{
			name: "ids compare as bytes: upper case sorts first", total: "0.01", currency: "GBP",
			weights: weights("a", "1", "B", "1"),
			want:    weights("a", "0", "B", "0.01"),
		},
		{
			name: "one pound three ways", total: "1.00", currency: "GBP",
			weights: weights("a", "1", "b", "1", "c", "1"),
			want:    weights("a", "0.34", "b", "0.33", "c", "0.33"),
		},
		{
			name: "ten pence four ways", total: "0.10", currency: "GBP",
			weights: weights("d", "2", "c", "2", "b", "2", "a", "2"),
			want:    weights("a", "0.03", "b", "0.03", "c", "0.02", "d", "0.02"),
		},
		{
			// a: 3.33 units, b: 6.67 units; the larger remainder wins over the lower id.
			name: "largest remainder before lowest id", total: "0.10", currency: "GBP",
			weights: weights("a", "1", "b", "2"),
			want:    weights("a", "0.03", "b", "0.07"),
		},
		{
			name: "decimal weights", total: "100.00", currency: "GBP",
			weights: weights("a", "0.1", "b", "0.2"),
			want:    weights("a", "33.33", "b", "66.67"),
		},
		{
			name: "exact split needs no leftover", total: "700.00", currency: "GBP",
			weights: weights("a", "1", "b", "2", "c", "4"),
			want:    weights("a", "100.00", "b", "200.00", "c", "400.00"),
		},
		{
			name: "zero weights get zero", total: "10.00", currency: "GBP",
			weights: weights("a", "0", "b", "1", "c", "3"),
			want:    weights("a", "0", "b", "2.50", "c", "7.50"),
		},
		{
			name: "zero weight gets no leftover even with the lowest id", total: "0.01", currency: "GBP",
			weights: weights("a", "0", "b", "1", "c", "1"),
			want:    weights("a", "0", "b", "0.01", "c", "0"),
		},
		{
			name: "one part takes all", total: "1167.00", currency: "GBP",
			weights: weights("alice", "3"),
			want:    weights("alice", "1167.00"),
		},
		{
			name: "zero total gives zeros", total: "0.00", currency: "GBP",
			weights: weights("a", "1", "b", "2"),
			want:    weights("a", "0", "b", "0"),
		},
		{
			name: "zero total with every weight zero gives zeros", total: "0", currency: "GBP",
			weights: weights("a", "0", "b", "0"),
			want:    weights("a", "0", "b", "0"),
		},
		{
			name: "zero total and no parts", total: "0", currency: "GBP",
			weights: weights(), want: weights(),
		},
		{
			name: "reversal of the May wages", total: "-630.00", currency: "GBP",
			weights: weights("alice", "500", "bob", "250", "carol", "120"),
			want:    weights("alice", "-362.07", "bob", "-181.03", "carol", "-86.90"),
		},
		{
			name: "minus one pound three ways", total: "-1.00", currency: "GBP",
			weights: weights("a", "1", "b", "1", "c", "1"),
			want:    weights("a", "-0.34", "b", "-0.33", "c", "-0.33"),
		},
		{
			name: "minus one penny goes to the lowest id", total: "-0.01", currency: "GBP",
			weights: weights("c", "1", "b", "1", "a", "1"),
			want:    weights("a", "-0.01", "b", "0", "c", "0"),
		},
		{
			name: "yen three ways", total: "100", currency: "JPY",
			weights: weights("a", "1", "b", "1", "c", "1"),
			want:    weights("a", "34", "b", "33", "c", "33"),
		},
		{
			// 1000/7 = 142.857…: six yen left over, all remainders tie.
			name: "yen seven ways", total: "1000", currency: "JPY",
			weights: weights("a", "1", "b", "1", "c", "1", "d", "1", "e", "1", "f", "1", "g", "1"),
			want:    weights("a", "143", "b", "143", "c", "143", "d", "143", "e", "143", "f", "143", "g", "142"),
		},
		{
			name: "negative yen", total: "-100", currency: "JPY",
			weights: weights("a", "1", "b", "2"),
			want:    weights("a", "-33", "b", "-67"),
		},
		{
			name: "dinar three ways", total: "1.000", currency: "KWD",
			weights: weights("a", "1", "b", "1", "c", "1"),
			want:    weights("a", "0.334", "b", "0.333", "c", "0.333"),
		},
		{
			name: "dinar two to one", total: "10.000", currency: "KWD",
			weights: weights("a", "2", "b", "1"),
			want:    weights("a", "6.667", "b", "3.333"),
		},
		{
			name: "total written with trailing zeros", total: "1.0000", currency: "GBP",
			weights: weights("a", "1", "b", "1", "c", "1"),
			want:    weights("a", "0.34", "b", "0.33", "c", "0.33"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(amt(tc.total), tc.weights, tc.currency)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("Split = %v, want %v", got, tc.want)
			}
			sum := decimal.Zero
			for id, w := range tc.want {
				g, ok := got[id]
				if !ok || !g.Equal(w) {
					t.Errorf("share of %s = %s (present: %v), want %s", id, g, ok, w)
				}
				sum = sum.Add(g)
			}
			if !sum.Equal(amt(tc.total)) {
				t.Errorf("shares sum to %s, want %s", sum, tc.total)
			}
		})
	}
}

func TestSplit_Errors(t *testing.T) {
	tests := []struct {
		name     string
		total    string
		currency string
		weights  map[string]decimal.Decimal
	}{
		{"every weight zero", "10.00", "GBP", weights("a", "0", "b", "0")},
		{"every weight zero, negative total", "-10.00", "GBP", weights("a", "0")},
		{"no parts", "10.00", "GBP", weights()},
		{"a negative weight", "10.00", "GBP", weights("a", "1", "b", "-1")},
		{"a negative weight, weights summing to zero", "10.00", "GBP", weights("a", "1", "b", "-1", "c", "0")},
		{"a negative weight with a zero total", "0", "GBP", weights("a", "2", "b", "-1")},
		{"a tenth of a penny", "10.005", "GBP", weights("a", "1")},
		{"a negative total with a tenth of a penny", "-0.001", "GBP", weights("a", "1")},
		{"half a yen", "0.5", "JPY", weights("a", "1")},
		{"four places of dinar", "1.0005", "KWD", weights("a", "1")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(amt(tc.total), tc.weights, tc.currency)
			if err == nil {
				t.Fatalf("Split(%s %s, %v) = %v, want an error", tc.total, tc.currency, tc.weights, got)
			}
		})
	}
}

// The shares must sum to the total for any total a co-op can have.
// Split counts minor units in an int64 (decimal.IntPart), which wraps
// silently above 2^63 units (about 9.2e16 GBP).
func TestSplit_TotalBeyondInt64Units(t *testing.T) {
	total := amt("100000000000000000.00")
	got, err := Split(total, weights("a", "1", "b", "1"), "GBP")
	if err != nil {
		return // refusing is acceptable; a wrong answer is not
	}
	if !got["a"].Add(got["b"]).Equal(total) || !got["a"].Equal(amt("5e16")) {
		t.Errorf("Split(%s) = %v, want 5e16 each", total, got)
	}
}

// splitCase is a random, valid input to Split.
type splitCase struct {
	total    decimal.Decimal
	currency string
	weights  map[string]decimal.Decimal
}

func drawSplitCase(t *rapid.T) splitCase {
	currency := rapid.SampledFrom([]string{"GBP", "JPY", "KWD"}).Draw(t, "currency")
	places := MinorUnits(currency)
	// Up to 1e12 in the currency, as ParseAmount allows, either sign.
	maxUnits := decimal.New(1, 12+places).IntPart()
	total := decimal.New(rapid.Int64Range(-maxUnits, maxUnits).Draw(t, "units"), -places)
	weight := rapid.OneOf(
		rapid.Just(decimal.Zero),
		rapid.Map(rapid.Int64Range(0, 10), decimal.NewFromInt), // small: many ties
		rapid.Custom(func(t *rapid.T) decimal.Decimal {
			return decimal.New(rapid.Int64Range(0, 1e12).Draw(t, "coef"), -rapid.Int32Range(0, 6).Draw(t, "exp"))
		}),
	)
	w := rapid.MapOfN(rapid.StringMatching(`[a-z][a-z0-9]{0,3}`), weight, 1, 12).Draw(t, "weights")
	sum := decimal.Zero
	for _, v := range w {
		sum = sum.Add(v)
	}
	if sum.IsZero() { // at least one positive weight
		ids := sortedKeys(w)
		w[ids[rapid.IntRange(0, len(ids)-1).Draw(t, "positive")]] = decimal.NewFromInt(1)
	}
	return splitCase{total: total, currency: currency, weights: w}
}

func TestSplit_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawSplitCase(t)
		got, err := Split(c.total, c.weights, c.currency)
		if err != nil {
			t.Fatalf("Split(%s %s, %v): %v", c.total, c.currency, c.weights, err)
		}
		unit := decimal.New(1, -MinorUnits(c.currency))
		wsum := decimal.Zero
		for _, w := range c.weights {
			wsum = wsum.Add(w)
		}
		if len(got) != len(c.weights) {
			t.Fatalf("Split returned %d shares for %d parts", len(got), len(c.weights))
		}
		sum := decimal.Zero
		for id, w := range c.weights {
			s, ok := got[id]
			if !ok {
				t.Fatalf("no share for %s", id)
			}
			sum = sum.Add(s)
			if !IsRounded(s, c.currency) {
				t.Fatalf("share of %s = %s, not rounded to %s", id, s, c.currency)
			}
			// |s − total·w/wsum| < unit, kept exact by multiplying through by wsum.
			if s.Mul(wsum).Sub(c.total.Mul(w)).Abs().GreaterThanOrEqual(unit.Mul(wsum)) {
				t.Fatalf("share of %s = %s, a unit or more from %s × %s / %s", id, s, c.total, w, wsum)
			}
			if s.Sign()*c.total.Sign() < 0 {
				t.Fatalf("share of %s = %s has the opposite sign of the total %s", id, s, c.total)
			}
			if w.IsZero() && !s.IsZero() {
				t.Fatalf("share of %s = %s, but its weight is zero", id, s)
			}
		}
		if !sum.Equal(c.total) {
			t.Fatalf("shares sum to %s, want %s", sum, c.total)
		}

		// Map iteration order must not matter: split again, from a map
		// built in another order.
		again := make(map[string]decimal.Decimal, len(c.weights))
		ids := sortedKeys(c.weights)
		for i := len(ids) - 1; i >= 0; i-- {
			again[ids[i]] = c.weights[ids[i]]
		}
		got2, err := Split(c.total, again, c.currency)
		if err != nil {
			t.Fatalf("second Split: %v", err)
		}
		for id, s := range got {
			if !got2[id].Equal(s) {
				t.Fatalf("share of %s = %s, then %s", id, s, got2[id])
			}
		}

		// The reversal splits symmetrically.
		neg, err := Split(c.total.Neg(), c.weights, c.currency)
		if err != nil {
			t.Fatalf("Split of the negated total: %v", err)
		}
		for id, s := range got {
			if !neg[id].Equal(s.Neg()) {
				t.Fatalf("share of %s = %s, of the negated total %s, want %s", id, s, neg[id], s.Neg())
			}
		}
	})
}

// With equal weights the shares differ by at most one unit and the extra
// units go to the lowest ids.
func TestSplit_EqualWeights_LowestIDsFirst(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		currency := rapid.SampledFrom([]string{"GBP", "JPY", "KWD"}).Draw(t, "currency")
		total := decimal.New(rapid.Int64Range(0, 1e6).Draw(t, "units"), -MinorUnits(currency))
		ids := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-z0-9]{1,4}`), 1, 10, rapid.ID[string]).Draw(t, "ids")
		w := map[string]decimal.Decimal{}
		for _, id := range ids {
			w[id] = decimal.NewFromInt(7)
		}
		got, err := Split(total, w, currency)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(ids)
		unit := decimal.New(1, -MinorUnits(currency))
		for i := 1; i < len(ids); i++ {
			prev, cur := got[ids[i-1]], got[ids[i]]
			if cur.GreaterThan(prev) || prev.Sub(cur).GreaterThan(unit) {
				t.Fatalf("shares %v: %s gets %s after %s gets %s", got, ids[i], cur, ids[i-1], prev)
			}
		}
	})
}
