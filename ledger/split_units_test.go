package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// splitUnits (machine integers) must give exactly what splitDecimal (exact
// decimals) gives, for every input it accepts; and it must accept the
// weights the close uses.
func TestSplit_UnitsMatchDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawSplitCase(t)
		if rapid.Bool().Draw(t, "huge weight") {
			// Beyond a uint64 once scaled: splitUnits must decline.
			ids := sortedKeys(c.weights)
			c.weights[ids[0]] = decimal.New(rapid.Int64Range(1, 1e18).Draw(t, "big"), rapid.Int32Range(1, 12).Draw(t, "bigexp"))
		}
		places := MinorUnits(c.currency)
		units := c.total.Shift(places).IntPart()
		if units == 0 {
			return
		}
		sign := int64(1)
		if units < 0 {
			sign, units = -1, -units
		}
		ids := sortedKeys(c.weights)
		want := splitDecimal(units, sign, ids, c.weights, places)
		// splitUnits takes the parts in any order: give them reversed.
		rev := make([]string, 0, len(ids))
		ws := make([]decimal.Decimal, 0, len(ids))
		for i := len(ids) - 1; i >= 0; i-- {
			rev = append(rev, ids[i])
			ws = append(ws, c.weights[ids[i]])
		}
		got, ok := splitUnits(uint64(units), sign, rev, ws, places)
		if !ok {
			return
		}
		for _, id := range ids {
			if !got[id].Equal(want[id]) {
				t.Fatalf("share of %s: units %s, decimal %s (total %s, weights %v)", id, got[id], want[id], c.total, c.weights)
			}
		}
	})
	// The close's weights (earned and balances in pence, 1 for equal) fit.
	for _, w := range []map[string]decimal.Decimal{
		weights("a", "1", "b", "1"),
		weights("a", "20137.93", "b", "18068.97", "c", "0"),
		weights("a", "0.125", "b", "3"),
	} {
		ids := sortedKeys(w)
		ws := make([]decimal.Decimal, len(ids))
		for i, id := range ids {
			ws[i] = w[id]
		}
		if _, ok := splitUnits(12345, 1, ids, ws, 2); !ok {
			t.Errorf("splitUnits declined %v", w)
		}
	}
}
