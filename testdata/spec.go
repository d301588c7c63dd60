package testdata

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/coopledger/coopledger/ledger"
)

// coopJSON describes the sample co-op: circles, members, the accounts to
// sign in as, and the task names and comments the entry generator picks
// from. Its dates are relative to the load date (see its "note").
//
//go:embed demo/coop.json
var coopJSON []byte

// spec is coop.json decoded. Unknown fields, classes, roles and kinds are
// refused, so a typo in the file fails the load instead of going unseen.
type spec struct {
	Synthetic      bool                `json:"synthetic"`
	Note           string              `json:"note"`
	Circles        []string            `json:"circles"`
	Members        []memberSpec        `json:"members"`
	Accounts       []accountSpec       `json:"accounts"`
	Tasks          map[string][]string `json:"tasks"`
	Notes          []string            `json:"notes"`
	ReviewComments struct {
		Approve []string     `json:"approve"`
		Reject  []rejectSpec `json:"reject"`
	} `json:"review_comments"`
	Books booksSpec `json:"books"`
}

// booksSpec is the demo's money: the debt brought in from the years before
// Coopledger (one opening balance per member per year, years counted back
// from the load date's year), monthly income by membership tier (the
// subscriber counts drift a little from month to month) and monthly costs.
type booksSpec struct {
	Opening []struct {
		Member   string `json:"member"`
		YearsAgo int    `json:"years_ago"`
		Deferred string `json:"deferred"`
	} `json:"opening"`
	Tiers []struct {
		Name        string `json:"name"`
		Price       string `json:"price"`
		Subscribers int64  `json:"subscribers"`
	} `json:"tiers"`
	Costs []struct {
		Account string `json:"account"`
		Amount  string `json:"amount"`
	} `json:"costs"`
	// Policy is the close policy, in force from the first month of the
	// window; its team is the members with "paid_team". Without one the
	// demo's months stay open.
	Policy *policySpec `json:"policy"`
	// CloseApprover is the member (key) who approves every finished
	// month's close: on the board, and paid nothing by a close (not on
	// the team, no rate, owed nothing), as DESIGN.md asks of an approver.
	CloseApprover string `json:"close_approver"`
}

// policySpec is the demo's close policy, shares as decimal strings.
type policySpec struct {
	BountyShare   string               `json:"bounty_share"`
	Split         ledger.SplitMethod   `json:"split"`
	PaybackShare  string               `json:"payback_share"`
	PaybackMethod ledger.PaybackMethod `json:"payback_method"`
}

// memberSpec is one persona. Key is the short name tests and docs use
// ("alice"); dates count calendar months back from the load date so that
// the demo always has recent history.
type memberSpec struct {
	Key             string         `json:"key"`
	Name            string         `json:"name"`
	Email           string         `json:"email"`
	Emails          []string       `json:"emails"`
	Classes         []ledger.Class `json:"classes"`
	Roles           []ledger.Role  `json:"roles"`
	Circles         []string       `json:"circles"` // circle names
	JoinedMonthsAgo int            `json:"joined_months_ago"`
	JoinedDay       int            `json:"joined_day"`
	LeftMonthsAgo   int            `json:"left_months_ago"`
	LeftDay         int            `json:"left_day"`
	// Work makes the member log hours; ops and collaborator members have it.
	Work *workSpec `json:"work"`
	// PaidTeam and Rate describe the persona for the money capability: the
	// rate applies from the day they joined; PaidTeam puts them on the
	// close policy's team (DESIGN.md worked example).
	PaidTeam bool      `json:"paid_team"`
	Rate     *rateSpec `json:"rate"`
}

// workSpec is how much a member works: on how many weekdays out of five,
// and the relative weights of the compensation kinds of their entries.
type workSpec struct {
	DaysPerWeek int `json:"days_per_week"`
	Mix         struct {
		Required     int `json:"required"`
		Contribution int `json:"contribution"`
		Volunteer    int `json:"volunteer"`
	} `json:"mix"`
}

// rateSpec is an hourly rate, amounts as decimal strings.
type rateSpec struct {
	Hourly   string `json:"hourly"`
	Currency string `json:"currency"`
}

// accountSpec names a persona to sign in as and the role it shows off.
type accountSpec struct {
	Member string `json:"member"`
	Role   string `json:"role"`
}

// rejectSpec is a reviewer's reason to reject and what the owner's
// correcting entry changes: "duplicate" (no correction: the other entry
// stands), "circle", "volunteer" or "hours".
type rejectSpec struct {
	Comment string `json:"comment"`
	Fix     string `json:"fix"`
}

// parseSpec decodes and checks coop.json.
func parseSpec() (spec, error) {
	var sp spec
	dec := json.NewDecoder(bytes.NewReader(coopJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return sp, fmt.Errorf("demo/coop.json: %w", err)
	}
	if err := sp.check(); err != nil {
		return sp, fmt.Errorf("demo/coop.json: %w", err)
	}
	return sp, nil
}

// check enforces what the generator relies on, so an edit to the file
// fails with a reason rather than with odd data.
func (sp spec) check() error {
	if !sp.Synthetic || sp.Note == "" {
		return fmt.Errorf(`must be marked "synthetic": true with a "note"`)
	}
	if len(sp.Circles) == 0 {
		return fmt.Errorf("no circles")
	}
	for _, c := range sp.Circles {
		if len(sp.Tasks[c]) == 0 {
			return fmt.Errorf("circle %q has no tasks", c)
		}
	}
	if len(sp.Notes) == 0 || len(sp.ReviewComments.Approve) == 0 || len(sp.ReviewComments.Reject) == 0 {
		return fmt.Errorf("notes and review comments must not be empty")
	}
	for _, r := range sp.ReviewComments.Reject {
		if !slices.Contains([]string{"duplicate", "circle", "volunteer", "hours"}, r.Fix) {
			return fmt.Errorf("reject comment %q: unknown fix %q", r.Comment, r.Fix)
		}
	}
	keys := map[string]memberSpec{}
	for _, m := range sp.Members {
		if m.Key == "" || keys[m.Key].Key != "" {
			return fmt.Errorf("member key %q is empty or repeated", m.Key)
		}
		keys[m.Key] = m
		if m.JoinedMonthsAgo < 1 || m.JoinedDay < 1 || m.JoinedDay > 28 {
			return fmt.Errorf("member %s: joined must be 1 or more months ago, on day 1-28", m.Key)
		}
		if m.LeftMonthsAgo != 0 || m.LeftDay != 0 {
			if m.LeftMonthsAgo < 1 || m.LeftMonthsAgo >= m.JoinedMonthsAgo || m.LeftDay < 1 || m.LeftDay > 28 {
				return fmt.Errorf("member %s: left must be after joined and 1 or more months ago, on day 1-28", m.Key)
			}
		}
		for _, c := range m.Circles {
			if !slices.Contains(sp.Circles, c) {
				return fmt.Errorf("member %s: unknown circle %q", m.Key, c)
			}
		}
		works := slices.Contains(m.Classes, ledger.ClassOps) || slices.Contains(m.Classes, ledger.ClassCollaborator)
		switch {
		case works && m.Work == nil:
			return fmt.Errorf("member %s: ops and collaborator members need a work pattern", m.Key)
		case !works && m.Work != nil:
			return fmt.Errorf("member %s: only ops and collaborator members log hours", m.Key)
		case m.Work != nil && m.LeftMonthsAgo != 0:
			return fmt.Errorf("member %s: a member who left does not log hours", m.Key)
		case m.Work != nil && (m.Work.DaysPerWeek < 1 || m.Work.DaysPerWeek > 5):
			return fmt.Errorf("member %s: days_per_week must be 1-5", m.Key)
		case m.Work != nil && (m.Work.Mix.Required < 0 || m.Work.Mix.Contribution < 0 || m.Work.Mix.Volunteer < 0 ||
			m.Work.Mix.Required+m.Work.Mix.Contribution+m.Work.Mix.Volunteer == 0):
			return fmt.Errorf("member %s: mix weights must be 0 or more and not all 0", m.Key)
		}
	}
	if err := sp.checkCloses(keys); err != nil {
		return err
	}
	for _, a := range sp.Accounts {
		m, ok := keys[a.Member]
		if !ok {
			return fmt.Errorf("account: unknown member %q", a.Member)
		}
		role, err := ledger.ParseRole(a.Role)
		if err != nil || !slices.Contains(append([]ledger.Role{ledger.RoleMember}, m.Roles...), role) {
			return fmt.Errorf("account %s: role %q is not one of theirs", a.Member, a.Role)
		}
		if m.LeftMonthsAgo != 0 {
			return fmt.Errorf("account %s: has left and cannot sign in", a.Member)
		}
	}
	return nil
}

// checkCloses checks the policy and that the close approver is a board
// member whom no close pays: a close pays wages to the team and paybacks
// to members owed something.
func (sp spec) checkCloses(keys map[string]memberSpec) error {
	b := sp.Books
	if b.Policy == nil {
		if b.CloseApprover != "" {
			return fmt.Errorf("books: close_approver without a policy")
		}
		return nil
	}
	if b.Policy.Split == "" || b.Policy.Split == ledger.SplitWeights {
		return fmt.Errorf(`books.policy: split must be "equal" or "earned"`)
	}
	if b.Policy.PaybackMethod == "" {
		return fmt.Errorf("books.policy: payback_method is required")
	}
	team := 0
	for _, m := range sp.Members {
		if m.PaidTeam {
			team++
			if m.Rate == nil {
				return fmt.Errorf("member %s: on the paid team without a rate", m.Key)
			}
		}
	}
	if team == 0 {
		return fmt.Errorf(`books.policy: nobody has "paid_team": true`)
	}
	a, ok := keys[b.CloseApprover]
	switch {
	case !ok:
		return fmt.Errorf("books: close_approver %q is not a member", b.CloseApprover)
	case !slices.Contains(a.Roles, ledger.RoleBoard):
		return fmt.Errorf("books: close_approver %s is not on the board", a.Key)
	case a.PaidTeam || a.Rate != nil || a.LeftMonthsAgo != 0:
		return fmt.Errorf("books: close_approver %s must be a current member with no rate and not on the paid team", a.Key)
	}
	for _, o := range b.Opening {
		if o.Member == a.Key {
			return fmt.Errorf("books: close_approver %s is owed an opening balance, so a close may pay them back", a.Key)
		}
	}
	return nil
}
