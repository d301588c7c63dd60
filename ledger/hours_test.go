package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// hoursTextDecimal is HoursText's definition.
func hoursTextDecimal(minutes int) string {
	return decimal.NewFromInt(int64(minutes)).DivRound(decimal.NewFromInt(60), 2).String()
}

func TestHoursText_AsDecimal(t *testing.T) {
	for m := -3000; m <= 200000; m++ {
		if got, want := HoursText(m), hoursTextDecimal(m); got != want {
			t.Fatalf("HoursText(%d) = %q, want %q", m, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.IntRange(-1<<40, 1<<40).Draw(t, "minutes")
		if got, want := HoursText(m), hoursTextDecimal(m); got != want {
			t.Fatalf("HoursText(%d) = %q, want %q", m, got, want)
		}
	})
}
