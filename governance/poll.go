package governance

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// PollKind is how a poll asks and counts.
type PollKind string

// The poll kinds DESIGN.md names.
const (
	// KindYesNo asks yes, no or abstain; it passes when the quorum is met
	// and yes/(yes+no) is strictly above the threshold.
	KindYesNo PollKind = "yes_no"
	// KindConsent asks consent, block or abstain; it passes when the quorum
	// is met and nobody blocks.
	KindConsent PollKind = "consent"
	// KindRanked asks for a ranking of the options and counts it by instant
	// runoff.
	KindRanked PollKind = "ranked"
	// KindDots gives each voter a budget of points to spread over the
	// options; the option with the most points wins.
	KindDots PollKind = "dots"
)

// PollKinds lists every poll kind.
var PollKinds = []PollKind{KindYesNo, KindConsent, KindRanked, KindDots}

// ParsePollKind accepts only the known kinds, so a typo never becomes a
// silent zero value.
func ParsePollKind(s string) (PollKind, error) {
	for _, k := range PollKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("must be yes_no, consent, ranked or dots")
}

// UnmarshalJSON rejects unknown kinds.
func (k *PollKind) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParsePollKind(s)
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// PollState is whether a poll still takes ballots.
type PollState string

// Poll states. A poll opens when it is created and closes at its time (or
// earlier, by its author or the board); its result never changes after.
const (
	PollOpen   PollState = "open"
	PollClosed PollState = "closed"
)

// UnmarshalJSON rejects unknown states.
func (s *PollState) UnmarshalJSON(b []byte) error {
	var t string
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	switch PollState(t) {
	case PollOpen, PollClosed:
		*s = PollState(t)
		return nil
	}
	return fmt.Errorf("unknown poll state %q (want open or closed)", t)
}

// Option is one thing a poll's voters choose among. Ranked and dots polls
// number their options o1, o2, ... in the order given, and that order is
// the creation order the ranked tie-break falls back on. Yes/no and consent
// polls have fixed options whose ids are their choices.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// The fixed choices of yes/no and consent polls. Abstain counts towards
// turnout and nothing else.
const (
	ChoiceYes     = "yes"
	ChoiceNo      = "no"
	ChoiceAbstain = "abstain"
	ChoiceConsent = "consent"
	ChoiceBlock   = "block"
)

// FixedOptions returns the options of a yes/no or consent poll, and nil for
// kinds whose options the author writes.
func FixedOptions(k PollKind) []Option {
	switch k {
	case KindYesNo:
		return []Option{{ChoiceYes, "Yes"}, {ChoiceNo, "No"}, {ChoiceAbstain, "Abstain"}}
	case KindConsent:
		return []Option{{ChoiceConsent, "Consent"}, {ChoiceBlock, "Block"}, {ChoiceAbstain, "Abstain"}}
	}
	return nil
}

// Electorate says who may vote in a poll: active members holding one of
// Classes (when any are listed) and one of Roles (when any are listed). The
// empty electorate is every active member.
type Electorate struct {
	Classes []ledger.Class `json:"classes"`
	Roles   []ledger.Role  `json:"roles"`
}

// Includes reports whether m belongs to the electorate on date today
// (YYYY-MM-DD). Every member holds the member role, so listing it admits
// every active member whatever their other roles.
func (e Electorate) Includes(m ledger.Member, today string) bool {
	if !m.Active(today) {
		return false
	}
	if len(e.Classes) > 0 {
		found := false
		for _, c := range e.Classes {
			for _, have := range m.Classes {
				found = found || c == have
			}
		}
		if !found {
			return false
		}
	}
	if len(e.Roles) > 0 {
		found := false
		for _, r := range e.Roles {
			found = found || m.HasRole(r)
		}
		if !found {
			return false
		}
	}
	return true
}

// Voters fixes the electorate among members on date today: one Voter per
// included member, in member id order. The store calls it when a poll
// opens and keeps the list beside the poll, so joining or leaving later
// changes nothing.
func (e Electorate) Voters(members []ledger.Member, today string) []Voter {
	out := []Voter{}
	for _, m := range members {
		if e.Includes(m, today) {
			out = append(out, Voter{MemberID: m.ID, Classes: append([]ledger.Class{}, m.Classes...)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MemberID < out[j].MemberID })
	return out
}

// Voter is a member of a poll's electorate, with the classes they held
// when it opened; a ballot carries those classes for weighting.
type Voter struct {
	MemberID string         `json:"member_id"`
	Classes  []ledger.Class `json:"classes"`
}

// Poll is a question put to an electorate.
//
// Quorum is the share of the electorate (0..1) that must cast a ballot,
// abstentions included. Threshold is the share of yes among yes and no that
// a yes/no poll must exceed (zero for other kinds). Points is each voter's
// budget in a dots poll. Weights, when set, give each member class a share
// of the total weight (see Tally). A secret poll shows no count while open
// and never says who voted how; the store enforces that.
type Poll struct {
	ID          string                           `json:"id"`
	Title       string                           `json:"title"`
	Description string                           `json:"description"`
	Kind        PollKind                         `json:"kind"`
	Options     []Option                         `json:"options"`
	Quorum      decimal.Decimal                  `json:"quorum"`
	Threshold   decimal.Decimal                  `json:"threshold"`
	Points      int                              `json:"points,omitempty"`
	OpenedAt    time.Time                        `json:"opened_at"`
	ClosesAt    time.Time                        `json:"closes_at"`
	ClosedAt    *time.Time                       `json:"closed_at,omitempty"`
	Electorate  Electorate                       `json:"electorate"`
	Weights     map[ledger.Class]decimal.Decimal `json:"weights,omitempty"`
	Secret      bool                             `json:"secret"`
	AuthorID    string                           `json:"author_id"`
	State       PollState                        `json:"state"`
}

// Option returns the option with id, and whether the poll has it.
func (p Poll) Option(id string) (Option, bool) {
	if i := p.optionIndex(id); i >= 0 {
		return p.Options[i], true
	}
	return Option{}, false
}

// Due reports whether an open poll has reached its closing time at now.
func (p Poll) Due(now time.Time) bool {
	return p.State == PollOpen && !now.Before(p.ClosesAt)
}

// Close marks the poll closed at now. Closing a closed poll is refused
// with ledger.ErrConflict rather than silently ignored.
func (p *Poll) Close(now time.Time) error {
	if p.State != PollOpen {
		return fmt.Errorf("poll %s is already closed: %w", p.ID, ledger.ErrConflict)
	}
	at := now.UTC()
	p.State, p.ClosedAt = PollClosed, &at
	return nil
}

// optionIndex finds an option by id: directly for the o1, o2, ... ids
// NewPoll gives, and by search otherwise. It returns -1 when absent.
func (p Poll) optionIndex(id string) int {
	if len(id) >= 2 && len(id) <= 4 && id[0] == 'o' && id[1] != '0' {
		if n, err := strconv.Atoi(id[1:]); err == nil && n >= 1 && n <= len(p.Options) && p.Options[n-1].ID == id {
			return n - 1
		}
	}
	for i, o := range p.Options {
		if o.ID == id {
			return i
		}
	}
	return -1
}

// PollInput is the body of POST /polls.
type PollInput struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Kind        PollKind `json:"kind"`
	// Options are the texts of a ranked or dots poll's options; yes/no and
	// consent polls have fixed options and take none.
	Options []string `json:"options"`
	// Quorum is 0..1 and defaults to 0.
	Quorum decimal.Decimal `json:"quorum"`
	// Threshold is for yes/no polls only: 0 up to but not including 1,
	// default 0.5 when absent (a simple majority). A threshold of 1 is
	// refused because no count can exceed it.
	Threshold *decimal.Decimal `json:"threshold"`
	// Points is the per-voter budget of a dots poll: 1..1000.
	Points     int        `json:"points"`
	ClosesAt   time.Time  `json:"closes_at"`
	Electorate Electorate `json:"electorate"`
	// Weights optionally give known member classes shares of the total
	// weight; each share is 0..1 and they add up to exactly 1.
	Weights map[ledger.Class]decimal.Decimal `json:"weights"`
	Secret  bool                             `json:"secret"`
}

// Poll limits.
const (
	maxPollDescription = 10000
	minPollOptions     = 2
	maxPollOptions     = 50
	maxPollPoints      = 1000
)

// DefaultThreshold is a yes/no poll's threshold when its input names none:
// more yes than no.
var DefaultThreshold = decimal.RequireFromString("0.5")

// NewPoll validates in against now and returns the open poll. The store
// gives it its id, author and voters. Every problem is reported at once,
// as one *ledger.ValidationError keyed by JSON field name.
//
// Text is trimmed first; the title and option texts must fit on one line.
// closes_at is kept in UTC to the second and must fall after now and at
// most a year ahead.
func NewPoll(in PollInput, now time.Time) (Poll, error) {
	var v ledger.ValidationError
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	checkLine(&v, "title", in.Title, 1, maxTitle)
	checkText(&v, "description", in.Description, 0, maxPollDescription)

	kind, err := ParsePollKind(string(in.Kind))
	if err != nil {
		v.Add("kind", err.Error())
	}
	options := FixedOptions(kind)
	switch kind {
	case KindYesNo, KindConsent:
		if len(in.Options) > 0 {
			v.Add("options", fmt.Sprintf("a %s poll has the fixed options %s, %s and %s", kind, options[0].ID, options[1].ID, options[2].ID))
		}
	case KindRanked, KindDots:
		options = checkOptions(&v, in.Options)
	}

	checkShare(&v, "quorum", in.Quorum)
	threshold := decimal.Zero
	if kind == KindYesNo {
		threshold = DefaultThreshold
		if in.Threshold != nil {
			threshold = *in.Threshold
			if checkShare(&v, "threshold", threshold) && threshold.Equal(decimal.NewFromInt(1)) {
				v.Add("threshold", "must be below 1: a poll passes with a share of yes strictly above its threshold")
			}
		}
	} else if in.Threshold != nil && kind != "" {
		v.Add("threshold", "only yes_no polls have a threshold")
	}
	points := 0
	if kind == KindDots {
		if in.Points < 1 || in.Points > maxPollPoints {
			v.Add("points", fmt.Sprintf("must be a whole number of points from 1 to %d", maxPollPoints))
		}
		points = in.Points
	} else if in.Points != 0 && kind != "" {
		v.Add("points", "only dots polls have points")
	}

	closes := in.ClosesAt.UTC().Truncate(time.Second)
	switch {
	case in.ClosesAt.IsZero():
		v.Add("closes_at", "is required")
	case !closes.After(now):
		v.Add("closes_at", "must be in the future")
	case closes.After(now.AddDate(1, 0, 0)):
		v.Add("closes_at", "must be at most a year ahead")
	}

	electorate := Electorate{Classes: []ledger.Class{}, Roles: []ledger.Role{}}
	for _, c := range in.Electorate.Classes {
		if _, err := ledger.ParseClass(string(c)); err != nil {
			v.Add("electorate.classes", err.Error())
		}
	}
	electorate.Classes = ledger.UniqueSorted(in.Electorate.Classes)
	for _, r := range in.Electorate.Roles {
		if _, err := ledger.ParseRole(string(r)); err != nil {
			v.Add("electorate.roles", err.Error())
		}
	}
	electorate.Roles = ledger.UniqueSorted(in.Electorate.Roles)

	weights := checkWeights(&v, in.Weights)

	if err := v.Err(); err != nil {
		return Poll{}, err
	}
	return Poll{
		Title: in.Title, Description: in.Description, Kind: kind, Options: options,
		Quorum: in.Quorum, Threshold: threshold, Points: points,
		OpenedAt: now.UTC(), ClosesAt: closes,
		Electorate: electorate, Weights: weights, Secret: in.Secret,
		State: PollOpen,
	}, nil
}

// checkOptions validates the texts of a ranked or dots poll and numbers
// them o1, o2, ... Texts must differ ignoring case, since voters cannot
// tell "Blue" from "blue" apart on a ballot.
func checkOptions(v *ledger.ValidationError, texts []string) []Option {
	if len(texts) < minPollOptions || len(texts) > maxPollOptions {
		v.Add("options", fmt.Sprintf("list from %d to %d options", minPollOptions, maxPollOptions))
		if len(texts) > maxPollOptions {
			return nil
		}
	}
	out := make([]Option, 0, len(texts))
	seen := map[string]int{}
	for i, t := range texts {
		field := fmt.Sprintf("options[%d]", i)
		t = strings.TrimSpace(t)
		checkLine(v, field, t, 1, maxTitle)
		key := strings.ToLower(t)
		if j, ok := seen[key]; ok && t != "" {
			v.Add(field, fmt.Sprintf("repeats options[%d]", j))
		}
		seen[key] = i
		out = append(out, Option{ID: "o" + strconv.Itoa(i+1), Text: t})
	}
	return out
}

// checkShare refuses a decimal outside 0..1 and reports whether it was fine.
func checkShare(v *ledger.ValidationError, field string, d decimal.Decimal) bool {
	if err := ledger.CheckDecimal(d); err != nil {
		v.Add(field, err.Error())
		return false
	}
	if d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1)) {
		v.Add(field, "must be a share from 0 to 1")
		return false
	}
	return true
}

// checkWeights validates multistakeholder weights: known classes, shares
// 0..1 adding up to exactly 1. It returns nil for no weights.
func checkWeights(v *ledger.ValidationError, in map[ledger.Class]decimal.Decimal) map[ledger.Class]decimal.Decimal {
	if len(in) == 0 {
		return nil
	}
	if len(in) > len(ledger.Classes) {
		v.Add("weights", "there are only the member classes user, ops and collaborator")
		return nil
	}
	out := make(map[ledger.Class]decimal.Decimal, len(in))
	sum := decimal.Zero
	ok := true
	for c, share := range in {
		field := "weights"
		if ledger.ValidLine(string(c), 40) {
			field = "weights." + string(c)
		}
		if _, err := ledger.ParseClass(string(c)); err != nil {
			v.Add(field, err.Error())
			ok = false
			continue
		}
		if !checkShare(v, field, share) {
			ok = false
			continue
		}
		out[c] = share
		sum = sum.Add(share)
	}
	if ok && !sum.Equal(decimal.NewFromInt(1)) {
		v.Add("weights", "the shares must add up to 1; they add up to "+sum.String())
	}
	return out
}
