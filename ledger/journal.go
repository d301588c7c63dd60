package ledger

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Posting moves an amount into (positive: debit) or out of (negative:
// credit) an account, as hledger writes it. A liability therefore has a
// negative balance: what the co-op owes a member is minus the balance of
// their Liabilities:Deferred account.
type Posting struct {
	Account  string          `json:"account"`
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

// MarshalJSON writes the amount with the currency's places ("-1167.00").
func (p Posting) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Account  string `json:"account"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}{p.Account, FormatAmount(p.Amount, p.Currency), p.Currency})
}

// TxKind says what a transaction records, so statements can sort
// movements without parsing descriptions.
type TxKind string

// The kinds of journal transaction.
const (
	KindIncome   TxKind = "income"
	KindCost     TxKind = "cost"
	KindOpening  TxKind = "opening"  // historical debt brought in
	KindWages    TxKind = "wages"    // pay from the monthly close
	KindDeferral TxKind = "deferral" // earned but not paid: debt accrues
	KindPayback  TxKind = "payback"  // debt paid back
	KindWaiver   TxKind = "waiver"   // debt a member forgave
	KindBounty   TxKind = "bounty"   // the close's share into the bounty fund
	// KindBountyPayout pays an accepted bounty out of the fund.
	KindBountyPayout TxKind = "bounty_payout"
	KindReserve      TxKind = "reserve"
	KindReversal     TxKind = "reversal"
)

// Transaction is a balanced set of postings. Posted transactions never
// change; a mistake is undone by a reversing transaction.
type Transaction struct {
	ID          string    `json:"id"`
	Date        string    `json:"date"`
	Kind        TxKind    `json:"kind"`
	Description string    `json:"description"`
	Postings    []Posting `json:"postings"`
	// MemberID names the member a wage, deferral, payback, waiver or
	// opening balance concerns.
	MemberID string `json:"member_id,omitempty"`
	// Accrual is the month (YYYY-MM) a debt movement belongs to for aging:
	// the month closed for a deferral, the as-of month for an opening
	// balance. Empty means the month of Date.
	Accrual   string    `json:"accrual,omitempty"`
	Reverses  string    `json:"reverses,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AccrualMonth is the month a debt movement ages from.
func (t Transaction) AccrualMonth() string {
	if t.Accrual != "" {
		return t.Accrual
	}
	return MonthOf(t.Date)
}

// Account roots, as hledger, ledger and beancount know them.
var accountRoots = []string{"Assets", "Liabilities", "Equity", "Income", "Expenses"}

// Accounts the co-op uses (DESIGN.md, Journal).
const (
	AccountBank          = "Assets:Bank"
	AccountBountyFund    = "Assets:BountyFund"
	AccountReserve       = "Assets:Reserve"
	AccountSubscriptions = "Income:Subscriptions"
	AccountOtherIncome   = "Income:Other"
	AccountHosting       = "Expenses:Hosting"
	AccountFees          = "Expenses:Fees"
	AccountWages         = "Expenses:Wages"
	AccountBounties      = "Expenses:Bounties"
	AccountWaived        = "Equity:Waived"
	AccountOpening       = "Equity:Opening"
	deferredPrefix       = "Liabilities:Deferred:"
)

// DeferredAccount is the account of the sweat-equity debt owed to member.
func DeferredAccount(memberID string) string { return deferredPrefix + memberID }

// DeferredMember returns the member whose debt account is account, if it
// is one.
func DeferredMember(account string) (string, bool) {
	id, ok := strings.CutPrefix(account, deferredPrefix)
	return id, ok && id != ""
}

// CheckAccount accepts names like Expenses:Hosting: a known root and
// segments of letters, digits and hyphens, each starting with a letter or
// digit, so every export format can carry them.
func CheckAccount(name string) error {
	segs := strings.Split(name, ":")
	if len(name) > 200 || len(segs) < 2 {
		return fmt.Errorf("must be like Expenses:Hosting (a root and at least one more part)")
	}
	root := false
	for _, r := range accountRoots {
		root = root || segs[0] == r
	}
	if !root {
		return fmt.Errorf("must start with Assets, Liabilities, Equity, Income or Expenses")
	}
	for _, s := range segs[1:] {
		if s == "" {
			return fmt.Errorf("has an empty part")
		}
		for i, c := range s {
			alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
			if !alnum && (c != '-' || i == 0) {
				return fmt.Errorf("part %q may hold only letters, digits and inner hyphens", s)
			}
		}
	}
	return nil
}

// Validate checks a transaction before it posts: a real date, at least two
// postings to valid accounts in known currencies, every amount non-zero and
// exact to the minor unit, and the postings summing to zero per currency.
func (t Transaction) Validate() error {
	v := &ValidationError{}
	if _, err := ParseDate(t.Date); err != nil {
		v.Add("date", err.Error())
	}
	if t.Accrual != "" {
		if _, err := ParseMonth(t.Accrual); err != nil {
			v.Add("accrual", err.Error())
		}
	}
	if !ValidLine(t.Description, 500) {
		v.Add("description", "must be at most 500 characters on one line")
	}
	if len(t.Postings) < 2 {
		v.Add("postings", "a transaction needs at least two postings")
	}
	sums := map[string]decimal.Decimal{}
	for i, p := range t.Postings {
		field := fmt.Sprintf("postings[%d]", i)
		if err := CheckAccount(p.Account); err != nil {
			v.Add(field+".account", err.Error())
		}
		if c, err := ParseCurrency(p.Currency); err != nil || c != p.Currency {
			v.Add(field+".currency", fmt.Sprintf("unknown currency %q", p.Currency))
			continue
		}
		switch {
		case CheckDecimal(p.Amount) != nil:
			// Refused before any arithmetic could expand it.
			v.Add(field+".amount", "is out of range")
			continue
		case p.Amount.IsZero():
			v.Add(field+".amount", "must not be zero")
		case !IsRounded(p.Amount, p.Currency):
			v.Add(field+".amount", "has more decimal places than "+p.Currency+" allows")
		}
		sums[p.Currency] = sums[p.Currency].Add(p.Amount)
	}
	for _, c := range sortedKeys(sums) {
		if !sums[c].IsZero() {
			v.Add("postings", fmt.Sprintf("%s postings sum to %s, not zero", c, sums[c]))
		}
	}
	return v.Err()
}

// Reversal returns the transaction that undoes t: the same postings with
// opposite signs, dated date.
func (t Transaction) Reversal(date, note string) Transaction {
	r := Transaction{Date: date, Kind: KindReversal, MemberID: t.MemberID, Accrual: t.AccrualMonth(),
		Reverses: t.ID, Description: "Reversal of " + t.ID}
	if note != "" {
		r.Description += ": " + note
	}
	for _, p := range t.Postings {
		r.Postings = append(r.Postings, Posting{Account: p.Account, Amount: p.Amount.Neg(), Currency: p.Currency})
	}
	return r
}

// Balance is an amount per currency.
type Balance map[string]decimal.Decimal

// Add adds amount in currency.
func (b Balance) Add(currency string, amount decimal.Decimal) { b[currency] = b[currency].Add(amount) }

// Balances sums every posting per account and currency: the reference the
// stored running balances and the exports are checked against.
func Balances(txs []Transaction) map[string]Balance {
	out := map[string]Balance{}
	for _, t := range txs {
		for _, p := range t.Postings {
			if out[p.Account] == nil {
				out[p.Account] = Balance{}
			}
			out[p.Account].Add(p.Currency, p.Amount)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
