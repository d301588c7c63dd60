package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzTimeEntryInput_Validate checks the rules hold for any date and hours
// text: whatever Validate accepts is a real past-or-today date and lasts
// between one minute and 24 hours.
func FuzzTimeEntryInput_Validate(f *testing.F) {
	f.Add("2024-06-14", "2.5", "tech")
	f.Add("2024-02-30", "24", "x")
	f.Add("2024-06-16", "0.0001", "")
	f.Add("9999-12-31", "1e-5", "c1")
	f.Add("2024-06-14", "23.99999", "c1")
	f.Fuzz(func(t *testing.T, date, hours, circle string) {
		in := TimeEntryInput{Date: date, CircleID: circle}
		if d, err := decimal.NewFromString(hours); err == nil {
			in.Hours = &d
		}
		minutes, err := in.Validate("2024-06-15")
		if err != nil {
			return
		}
		if minutes < 1 || minutes > MaxDayMinutes {
			t.Fatalf("accepted %d minutes from %q", minutes, hours)
		}
		if _, perr := ParseDate(in.Date); perr != nil || in.Date > "2024-06-15" {
			t.Fatalf("accepted date %q", in.Date)
		}
		if in.CircleID == "" {
			t.Fatal("accepted an empty circle")
		}
	})
}

// FuzzParseAmount checks amount parsing for any text and currency: what it
// accepts is exact to the currency's minor unit, within bounds, and prints
// back as the same number.
func FuzzParseAmount(f *testing.F) {
	for _, seed := range []string{"1167.00", "-0.01", "1e12", "1e13", "0.125", "1e999999999", "12345678901234567890", ".5", "-"} {
		f.Add(seed, "GBP")
	}
	f.Add("1000", "JPY")
	f.Add("1.001", "KWD")
	f.Fuzz(func(t *testing.T, text, currency string) {
		d, err := decimal.NewFromString(text)
		if err != nil {
			return
		}
		c, err := ParseCurrency(currency)
		if err != nil {
			return
		}
		a, err := ParseAmount(d, c)
		if err != nil {
			return
		}
		if !IsRounded(a, c) || a.Abs().GreaterThan(decimal.New(1, 12)) {
			t.Fatalf("accepted %s %s", a, c)
		}
		back, err := decimal.NewFromString(FormatAmount(a, c))
		if err != nil || !back.Equal(a) {
			t.Fatalf("%s %s prints as %q", a, c, FormatAmount(a, c))
		}
	})
}
