package ledger

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Decimal inputs arrive from JSON as strings or numbers and decimal parses
// both without loss. A value such as "1e999999999" parses cheaply but would
// make every later comparison expand a billion-digit integer, so inputs are
// bounded before any arithmetic touches them.
const (
	maxDecimalExponent = 18
	maxDecimalBits     = 128
)

// CheckDecimal refuses decimals whose scale or size no real amount, share or
// number of hours has. Call it on every decimal that comes from outside.
func CheckDecimal(d decimal.Decimal) error {
	e := d.Exponent()
	if e > maxDecimalExponent || e < -maxDecimalExponent || d.Coefficient().BitLen() > maxDecimalBits {
		return fmt.Errorf("is out of range")
	}
	return nil
}
