package ledger_test

import (
	"fmt"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// The worked example of DESIGN.md: May 2022 wages of 630.00 split by
// earned (alice 500, bob 250, carol 120).
func ExampleSplit() {
	shares, _ := ledger.Split(decimal.RequireFromString("630.00"), map[string]decimal.Decimal{
		"alice": decimal.NewFromInt(500), "bob": decimal.NewFromInt(250), "carol": decimal.NewFromInt(120),
	}, "GBP")
	fmt.Println(shares["alice"].StringFixed(2), shares["bob"].StringFixed(2), shares["carol"].StringFixed(2))
	// Output: 362.07 181.03 86.90
}
