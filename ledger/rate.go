package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// Rate is a member's hourly rate from a date on: a schedule is the list of
// a member's rates, each in force until the next one starts.
type Rate struct {
	MemberID string          `json:"member_id"`
	From     string          `json:"from"`
	Hourly   decimal.Decimal `json:"hourly"`
	Currency string          `json:"currency"`
}

// RateInput is what a client sends to add a rate.
type RateInput struct {
	From     string           `json:"from"`
	Hourly   *decimal.Decimal `json:"hourly"`
	Currency string           `json:"currency"`
}

// maxHourly is far above any real hourly rate; it catches typos.
var maxHourly = decimal.NewFromInt(10_000)

// Validate checks the input and returns the rate for member. A rate of
// zero is allowed: it ends paid work from that date (entries default to
// volunteer again).
func (in RateInput) Validate(memberID, base string) (Rate, error) {
	v := &ValidationError{}
	r := Rate{MemberID: memberID, From: strings.TrimSpace(in.From)}
	if r.From == "" {
		v.Add("from", "is required")
	} else if _, err := ParseDate(r.From); err != nil {
		v.Add("from", err.Error())
	}
	r.Currency = base
	if in.Currency != "" {
		c, err := ParseCurrency(in.Currency)
		if err != nil {
			v.Add("currency", err.Error())
		}
		r.Currency = c
	}
	switch {
	case in.Hourly == nil:
		v.Add("hourly", "is required")
	case CheckDecimal(*in.Hourly) != nil:
		v.Add("hourly", "is out of range")
	case in.Hourly.IsNegative():
		v.Add("hourly", "must not be negative")
	case in.Hourly.GreaterThan(maxHourly):
		v.Add("hourly", "must be at most "+maxHourly.String())
	case in.Hourly.Exponent() < -4:
		v.Add("hourly", "has more than 4 decimal places")
	default:
		r.Hourly = *in.Hourly
	}
	return r, v.Err()
}

// RateOn returns the rate in force on date (the latest one starting on or
// before it), and false when there is none or it is zero.
func RateOn(schedule []Rate, date string) (Rate, bool) {
	best := -1
	for i, r := range schedule {
		if r.From <= date && (best < 0 || r.From > schedule[best].From) {
			best = i
		}
	}
	if best < 0 || schedule[best].Hourly.IsZero() {
		return Rate{}, false
	}
	return schedule[best], true
}

// SortRates orders a schedule by start date.
func SortRates(rs []Rate) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].From < rs[j].From })
}

// Value is what an approved `required` entry is worth: hours × the rate in
// force on its date, unrounded (rounding happens once, at posting). Other
// entries, and entries with no rate, are worth nothing.
func Value(e TimeEntry, schedule []Rate) (decimal.Decimal, string) {
	if e.State != StateApproved || e.Compensation != CompRequired {
		return decimal.Zero, ""
	}
	r, ok := RateOn(schedule, e.Date)
	if !ok {
		return decimal.Zero, ""
	}
	return r.Hourly.Mul(decimal.NewFromInt(int64(e.Minutes))).Div(decimal.NewFromInt(60)), r.Currency
}

// Earned sums the value of entries per currency: minutes × rate summed
// exactly, divided by 60 once, rounded half-even once.
func Earned(entries []TimeEntry, schedule []Rate) Balance {
	minuteValue := Balance{}
	for _, e := range entries {
		if e.State != StateApproved || e.Compensation != CompRequired {
			continue
		}
		if r, ok := RateOn(schedule, e.Date); ok {
			minuteValue.Add(r.Currency, r.Hourly.Mul(decimal.NewFromInt(int64(e.Minutes))))
		}
	}
	out := Balance{}
	for c, v := range minuteValue {
		out[c] = Round(v.DivRound(decimal.NewFromInt(60), MinorUnits(c)+8), c)
	}
	return out
}

// CheckCurrency refuses a currency other than the base one when no
// conversion rate is given (DESIGN.md: mixing currencies in one sum is an
// error unless an explicit rate converts them).
func CheckCurrency(currency, base string) error {
	if currency != base {
		return fmt.Errorf("must be the co-op's base currency %s, or give a conversion rate", base)
	}
	return nil
}
