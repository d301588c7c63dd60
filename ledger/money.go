package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// DefaultCurrency is the co-op's base currency unless configured otherwise.
const DefaultCurrency = "GBP"

// minorUnits maps the ISO 4217 codes Coopledger accepts to the number of
// decimal places of their minor unit. A code not listed is refused rather
// than guessed, so a typo never becomes a new currency.
var minorUnits = map[string]int32{
	"AUD": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2, "DKK": 2,
	"EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0,
	"JPY": 0, "KRW": 0, "MXN": 2, "NOK": 2, "NZD": 2, "PLN": 2, "RON": 2, "SEK": 2,
	"SGD": 2, "TRY": 2, "USD": 2, "ZAR": 2, "KWD": 3, "BHD": 3,
}

// Currencies lists the accepted codes in order.
func Currencies() []string {
	out := make([]string, 0, len(minorUnits))
	for c := range minorUnits {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ParseCurrency accepts a known ISO 4217 code, in any case.
func ParseCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := minorUnits[c]; !ok {
		return "", fmt.Errorf("unknown currency %q (want an ISO 4217 code such as GBP, EUR or USD)", s)
	}
	return c, nil
}

// MinorUnits is the number of decimal places of a currency's minor unit
// (2 for GBP: pence). Unknown codes get 2; callers parse codes first.
func MinorUnits(currency string) int32 {
	if n, ok := minorUnits[currency]; ok {
		return n
	}
	return 2
}

// Round rounds a single value to the currency's minor unit, half to even
// (DESIGN.md, Money): 0.125 GBP → 0.12, 0.135 GBP → 0.14.
func Round(d decimal.Decimal, currency string) decimal.Decimal {
	return d.RoundBank(MinorUnits(currency))
}

// IsRounded reports whether d has no digits below the currency's minor unit.
func IsRounded(d decimal.Decimal, currency string) bool {
	return d.Equal(d.Truncate(MinorUnits(currency)))
}

// FormatAmount prints d with exactly the currency's minor-unit places,
// rounding half-even like Round if d has more.
func FormatAmount(d decimal.Decimal, currency string) string {
	return Round(d, currency).StringFixed(MinorUnits(currency))
}

// ParseAmount checks an amount that came from outside: bounded, at most
// the currency's minor-unit places (an amount with more is a mistake, not
// something to round silently) and at most 1e12.
func ParseAmount(d decimal.Decimal, currency string) (decimal.Decimal, error) {
	if err := CheckDecimal(d); err != nil {
		return decimal.Zero, err
	}
	if d.Abs().GreaterThan(maxAmount) {
		return decimal.Zero, fmt.Errorf("must be at most %s", maxAmount)
	}
	if !IsRounded(d, currency) {
		return decimal.Zero, fmt.Errorf("has more than %d decimal places for %s", MinorUnits(currency), currency)
	}
	return d, nil
}

var maxAmount = decimal.New(1, 12)

// Money is an amount that reads and prints as a decimal string with its
// currency's minor-unit places ("870.00", never "870"), as the API
// promises.
type Money struct {
	Amount   decimal.Decimal
	Currency string
}

// NewMoney pairs an amount with its currency.
func NewMoney(d decimal.Decimal, currency string) Money { return Money{Amount: d, Currency: currency} }

// String is the amount with its places, without the currency code.
func (m Money) String() string { return FormatAmount(m.Amount, m.Currency) }

// MarshalJSON writes the amount as a fixed-places string.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.String() + `"`), nil }

// UnmarshalJSON reads a string or a number; the currency comes from the
// surrounding record.
func (m *Money) UnmarshalJSON(b []byte) error { return m.Amount.UnmarshalJSON(b) }
