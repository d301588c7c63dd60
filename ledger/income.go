package ledger

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Tier is one membership tier in a month: its price and how many members
// pay it. MRR is the sum over tiers of price × subscribers.
type Tier struct {
	Name        string          `json:"name"`
	Price       decimal.Decimal `json:"price"`
	Subscribers int64           `json:"subscribers"`
}

// MarshalJSON writes the price as a decimal string ("5", "9.5").
func (t Tier) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name        string `json:"name"`
		Price       string `json:"price"`
		Subscribers int64  `json:"subscribers"`
	}{t.Name, t.Price.String(), t.Subscribers})
}

// MoneyInput is what a client sends to record a month's income or cost.
// A currency other than the base one needs Rate, the base-currency value
// of one unit; the journal then holds the converted amount.
type MoneyInput struct {
	Month    string           `json:"month"`
	Account  string           `json:"account"`
	Amount   *decimal.Decimal `json:"amount"`
	Currency string           `json:"currency"`
	Rate     *decimal.Decimal `json:"rate"`
	Note     string           `json:"note"`
	Tiers    []Tier           `json:"tiers"`
}

// Transaction validates in as income (Dr Assets:Bank, Cr Income:…)
// or, with cost set, as a cost (Dr Expenses:…, Cr Assets:Bank), dated the
// first day of its month.
func (in MoneyInput) Transaction(cost bool, base string) (Transaction, error) {
	v := &ValidationError{}
	in.Month = strings.TrimSpace(in.Month)
	if in.Month == "" {
		v.Add("month", "is required")
	} else if _, err := ParseMonth(in.Month); err != nil {
		v.Add("month", err.Error())
	}
	root, def, kind := "Income", AccountSubscriptions, KindIncome
	if cost {
		root, def, kind = "Expenses", AccountHosting, KindCost
	}
	account := strings.TrimSpace(in.Account)
	if account == "" {
		account = def
	}
	if err := CheckAccount(account); err != nil {
		v.Add("account", err.Error())
	} else if !strings.HasPrefix(account, root+":") {
		v.Add("account", "must be an "+root+" account, like "+def)
	}
	currency := base
	if in.Currency != "" {
		c, err := ParseCurrency(in.Currency)
		if err != nil {
			v.Add("currency", err.Error())
		}
		currency = c
	}
	amount := decimal.Zero
	if len(in.Tiers) > 0 {
		if cost {
			v.Add("tiers", "only income has membership tiers")
		}
		mrr, err := checkTiers(in.Tiers)
		if err != nil {
			v.Add("tiers", err.Error())
		}
		amount = mrr
	}
	switch {
	case in.Amount != nil:
		a, err := ParseAmount(*in.Amount, currency)
		switch {
		case err != nil:
			v.Add("amount", err.Error())
		case !a.IsPositive():
			v.Add("amount", "must be more than 0 (record a refund or correction as a reversal)")
		case len(in.Tiers) > 0 && !a.Equal(amount):
			v.Add("amount", fmt.Sprintf("differs from the tiers' total %s", amount))
		default:
			amount = a
		}
	case len(in.Tiers) == 0:
		v.Add("amount", "is required")
	}
	if currency != base {
		switch {
		case in.Rate == nil:
			v.Add("currency", fmt.Sprintf("is not the base currency %s: give \"rate\", the %s value of one %s", base, base, currency))
		case CheckDecimal(*in.Rate) != nil || !in.Rate.IsPositive():
			v.Add("rate", "must be a positive number")
		}
	} else if in.Rate != nil {
		v.Add("rate", "is only for amounts in another currency")
	}
	if !ValidLine(strings.TrimSpace(in.Note), 500) {
		v.Add("note", "must be at most 500 characters on one line")
	}
	if err := v.Err(); err != nil {
		return Transaction{}, err
	}
	desc := strings.TrimSpace(in.Note)
	posted := amount
	if currency != base {
		posted = Round(amount.Mul(*in.Rate), base)
		desc = strings.TrimSpace(fmt.Sprintf("%s (%s %s at %s)", desc, FormatAmount(amount, currency), currency, in.Rate))
		if !posted.IsPositive() {
			return Transaction{}, FieldError("amount", "converts to nothing in "+base)
		}
	}
	if desc == "" {
		desc = fmt.Sprintf("%s %s", strings.TrimPrefix(account, root+":"), in.Month)
	}
	from, to := AccountBank, account
	if !cost {
		from, to = account, AccountBank
	}
	return Transaction{
		Date: in.Month + "-01", Kind: kind, Description: desc,
		Postings: []Posting{
			{Account: to, Amount: posted, Currency: base},
			{Account: from, Amount: posted.Neg(), Currency: base},
		},
	}, nil
}

func checkTiers(tiers []Tier) (decimal.Decimal, error) {
	if len(tiers) > 50 {
		return decimal.Zero, fmt.Errorf("at most 50 tiers")
	}
	total := decimal.Zero
	seen := map[string]bool{}
	for i, t := range tiers {
		name := strings.TrimSpace(t.Name)
		switch {
		case name == "" || !ValidLine(name, 80):
			return decimal.Zero, fmt.Errorf("tier %d needs a name of at most 80 characters", i+1)
		case seen[strings.ToLower(name)]:
			return decimal.Zero, fmt.Errorf("tier %q is listed twice", name)
		case CheckDecimal(t.Price) != nil || t.Price.IsNegative():
			return decimal.Zero, fmt.Errorf("tier %q: price must not be negative", name)
		case t.Subscribers < 0 || t.Subscribers > 10_000_000:
			return decimal.Zero, fmt.Errorf("tier %q: subscribers must be between 0 and 10,000,000", name)
		}
		seen[strings.ToLower(name)] = true
		total = total.Add(t.Price.Mul(decimal.NewFromInt(t.Subscribers)))
	}
	return total, nil
}

// OpeningInput brings historical sweat-equity debt into the books: what
// the co-op owed member as of a date, typically one per member per year.
type OpeningInput struct {
	MemberID string           `json:"member_id"`
	AsOf     string           `json:"as_of"`
	Deferred *decimal.Decimal `json:"deferred"`
	Currency string           `json:"currency"`
	Note     string           `json:"note"`
}

// Transaction validates the opening balance: Dr Equity:Opening, Cr the
// member's deferred account, ageing from the as-of month.
func (in OpeningInput) Transaction(base, today string) (Transaction, error) {
	v := &ValidationError{}
	if strings.TrimSpace(in.MemberID) == "" {
		v.Add("member_id", "is required")
	}
	if _, err := ParseDate(in.AsOf); err != nil {
		v.Add("as_of", err.Error())
	} else if in.AsOf > today {
		v.Add("as_of", "must not be in the future")
	}
	amount := debtAmount(v, "deferred", in.Deferred, in.Currency, in.Note, base)
	if err := v.Err(); err != nil {
		return Transaction{}, err
	}
	desc := strings.TrimSpace(in.Note)
	if desc == "" {
		desc = "Opening balance as of " + in.AsOf
	}
	return Transaction{
		Date: in.AsOf, Kind: KindOpening, MemberID: in.MemberID, Accrual: MonthOf(in.AsOf), Description: desc,
		Postings: []Posting{
			{Account: AccountOpening, Amount: amount, Currency: base},
			{Account: DeferredAccount(in.MemberID), Amount: amount.Neg(), Currency: base},
		},
	}, nil
}

// WaiverInput is a member forgiving part of what the co-op owes them.
type WaiverInput struct {
	Amount   *decimal.Decimal `json:"amount"`
	Currency string           `json:"currency"`
	Note     string           `json:"note"`
}

// Transaction validates the waiver: Dr the member's deferred account,
// Cr Equity:Waived, dated today.
func (in WaiverInput) Transaction(memberID, base, today string) (Transaction, error) {
	v := &ValidationError{}
	amount := debtAmount(v, "amount", in.Amount, in.Currency, in.Note, base)
	if err := v.Err(); err != nil {
		return Transaction{}, err
	}
	desc := "Waived by the member"
	if n := strings.TrimSpace(in.Note); n != "" {
		desc += ": " + n
	}
	return Transaction{
		Date: today, Kind: KindWaiver, MemberID: memberID, Description: desc,
		Postings: []Posting{
			{Account: DeferredAccount(memberID), Amount: amount, Currency: base},
			{Account: AccountWaived, Amount: amount.Neg(), Currency: base},
		},
	}, nil
}

// debtAmount checks the amount, currency and note of a movement of debt
// (an opening balance, a waiver): debt is kept in the base currency, and
// the amount must be positive and exact to its minor unit.
func debtAmount(v *ValidationError, field string, amount *decimal.Decimal, currency, note, base string) decimal.Decimal {
	if currency != "" {
		if c, err := ParseCurrency(currency); err != nil {
			v.Add("currency", err.Error())
		} else if c != base {
			v.Add("currency", "debt is kept in the base currency "+base)
		}
	}
	if !ValidLine(strings.TrimSpace(note), 500) {
		v.Add("note", "must be at most 500 characters on one line")
	}
	switch {
	case amount == nil:
		v.Add(field, "is required")
	default:
		a, err := ParseAmount(*amount, base)
		switch {
		case err != nil:
			v.Add(field, err.Error())
		case !a.IsPositive():
			v.Add(field, "must be more than 0")
		default:
			return a
		}
	}
	return decimal.Zero
}
