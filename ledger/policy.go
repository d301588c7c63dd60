package ledger

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// SplitMethod says how the wage pool is shared among the paid team.
type SplitMethod string

// The wage split methods of DESIGN.md.
const (
	SplitEqual   SplitMethod = "equal"
	SplitEarned  SplitMethod = "earned"
	SplitWeights SplitMethod = "weights"
)

// PaybackMethod says how the payback pool is shared among creditors.
type PaybackMethod string

// The payback methods of DESIGN.md.
const (
	PaybackProRata     PaybackMethod = "pro_rata"
	PaybackOldestFirst PaybackMethod = "oldest_first"
	PaybackEqual       PaybackMethod = "equal"
)

// UnmarshalJSON rejects unknown split methods.
func (m *SplitMethod) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch v := SplitMethod(s); v {
	case SplitEqual, SplitEarned, SplitWeights:
		*m = v
		return nil
	}
	return fmt.Errorf("unknown split %q (want equal, earned or weights)", s)
}

// UnmarshalJSON rejects unknown payback methods.
func (m *PaybackMethod) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch v := PaybackMethod(s); v {
	case PaybackProRata, PaybackOldestFirst, PaybackEqual:
		*m = v
		return nil
	}
	return fmt.Errorf("unknown payback_method %q (want pro_rata, oldest_first or equal)", s)
}

// Policy says how a month's gross margin is used, from a month on until
// the next policy starts. Policies are versioned, never edited.
type Policy struct {
	ID            string                     `json:"id"`
	From          string                     `json:"from"`
	BountyShare   decimal.Decimal            `json:"bounty_share"`
	Team          []string                   `json:"team"`
	Split         SplitMethod                `json:"split"`
	Weights       map[string]decimal.Decimal `json:"weights,omitempty"`
	PaybackShare  decimal.Decimal            `json:"payback_share"`
	PaybackMethod PaybackMethod              `json:"payback_method"`
	CreatedBy     string                     `json:"created_by,omitempty"`
}

// PolicyInput is what a client sends to add a policy.
type PolicyInput struct {
	From          string                     `json:"from"`
	BountyShare   *decimal.Decimal           `json:"bounty_share"`
	Team          []string                   `json:"team"`
	Split         SplitMethod                `json:"split"`
	Weights       map[string]decimal.Decimal `json:"weights"`
	PaybackShare  *decimal.Decimal           `json:"payback_share"`
	PaybackMethod PaybackMethod              `json:"payback_method"`
}

var one = decimal.NewFromInt(1)

// Validate checks the input and returns the policy. That team members
// exist is the store's to check.
func (in PolicyInput) Validate() (Policy, error) {
	v := &ValidationError{}
	p := Policy{From: strings.TrimSpace(in.From), Split: in.Split, PaybackMethod: in.PaybackMethod}
	if p.From == "" {
		v.Add("from", "is required")
	} else if _, err := ParseMonth(p.From); err != nil {
		v.Add("from", err.Error())
	}
	share := func(field string, d *decimal.Decimal) decimal.Decimal {
		switch {
		case d == nil:
			v.Add(field, "is required")
		case CheckDecimal(*d) != nil || d.IsNegative() || d.GreaterThan(one):
			v.Add(field, "must be between 0 and 1 (0.10 is 10%)")
		case d.Exponent() < -6:
			v.Add(field, "has more than 6 decimal places")
		default:
			return *d
		}
		return decimal.Zero
	}
	p.BountyShare = share("bounty_share", in.BountyShare)
	p.PaybackShare = share("payback_share", in.PaybackShare)
	if p.Split == "" {
		p.Split = SplitEarned
	}
	if p.PaybackMethod == "" {
		p.PaybackMethod = PaybackProRata
	}
	seen := map[string]bool{}
	for _, id := range in.Team {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			v.Add("team", "lists a member twice or an empty id")
			continue
		}
		seen[id] = true
		p.Team = append(p.Team, id)
	}
	sort.Strings(p.Team)
	if p.Team == nil {
		p.Team = []string{}
	}
	if p.Split == SplitWeights {
		p.Weights = map[string]decimal.Decimal{}
		for _, id := range p.Team {
			w, ok := in.Weights[id]
			switch {
			case !ok:
				v.Add("weights", "needs a weight for every team member ("+id+" has none)")
			case CheckDecimal(w) != nil || !w.IsPositive():
				v.Add("weights", "must be positive ("+id+")")
			default:
				p.Weights[id] = w
			}
		}
		for id := range in.Weights {
			if !seen[id] {
				v.Add("weights", "names "+id+", who is not on the team")
			}
		}
	} else if len(in.Weights) > 0 {
		v.Add("weights", `are only for split "weights"`)
	}
	return p, v.Err()
}

// PolicyFor returns the policy in force for month: the latest starting on
// or before it.
func PolicyFor(policies []Policy, month string) (Policy, bool) {
	best := -1
	for i, p := range policies {
		if p.From <= month && (best < 0 || p.From > policies[best].From) {
			best = i
		}
	}
	if best < 0 {
		return Policy{}, false
	}
	return policies[best], true
}
