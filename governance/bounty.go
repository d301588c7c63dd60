package governance

import (
	"fmt"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// BountyState is where a bounty stands.
type BountyState string

// Bounty states. A proposed bounty reserves nothing; approval reserves its
// amount from the fund (open); a member claims it, submits the work, and a
// reviewer who is not the claimant accepts it, which pays it out. Open or
// proposed bounties nobody claimed by their expiry date expire; the board
// may cancel one that is not yet submitted. Expired and cancelled bounties
// release their reservation.
const (
	BountyProposed  BountyState = "proposed"
	BountyOpen      BountyState = "open"
	BountyClaimed   BountyState = "claimed"
	BountySubmitted BountyState = "submitted"
	BountyAccepted  BountyState = "accepted"
	BountyExpired   BountyState = "expired"
	BountyCancelled BountyState = "cancelled"
)

// BountyStates lists every state, in lifecycle order.
var BountyStates = []BountyState{BountyProposed, BountyOpen, BountyClaimed, BountySubmitted, BountyAccepted,
	BountyExpired, BountyCancelled}

// Reserves reports whether a bounty in state s holds part of the fund.
func (s BountyState) Reserves() bool {
	return s == BountyOpen || s == BountyClaimed || s == BountySubmitted
}

// Criterion is one acceptance criterion, ticked when the claimant says it
// is met.
type Criterion struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// Bounty is paid work on a request, funded from the bounty fund.
type Bounty struct {
	ID          string        `json:"id"`
	RequestID   string        `json:"request_id"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Amount      ledger.Money  `json:"amount"`
	Currency    string        `json:"currency"`
	Criteria    []Criterion   `json:"criteria"`
	State       BountyState   `json:"state"`
	ExpiresOn   string        `json:"expires_on"`
	CreatedBy   string        `json:"created_by"`
	ApprovedBy  string        `json:"approved_by,omitempty"`
	ClaimantID  string        `json:"claimant_id,omitempty"`
	ReviewerID  string        `json:"reviewer_id,omitempty"`
	Submission  string        `json:"submission,omitempty"`
	PayoutTx    string        `json:"payout_tx,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	History     []BountyEvent `json:"history"`
}

// BountyEvent records a step of a bounty.
type BountyEvent struct {
	State BountyState `json:"state"`
	By    string      `json:"by"`
	At    time.Time   `json:"at"`
	Note  string      `json:"note,omitempty"`
}

// BountyInput is the body of POST /bounties.
type BountyInput struct {
	RequestID   string           `json:"request_id"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Amount      *decimal.Decimal `json:"amount"`
	Currency    string           `json:"currency"`
	Criteria    []string         `json:"criteria"`
	ExpiresOn   string           `json:"expires_on"`
}

// DefaultBountyDays is how long a bounty stays claimable when its input
// names no expiry date.
const DefaultBountyDays = 90

// NewBounty validates in for a co-op keeping its books in base, on date
// today, and returns the proposed bounty. The store checks the request.
func NewBounty(in BountyInput, base, today string) (Bounty, error) {
	var v ledger.ValidationError
	in.Title = strings.TrimSpace(in.Title)
	checkText(&v, "request_id", in.RequestID, 1, 40)
	checkLine(&v, "title", in.Title, 1, maxTitle)
	checkText(&v, "description", in.Description, 0, maxBody)
	currency := base
	if in.Currency != "" {
		c, err := ledger.ParseCurrency(in.Currency)
		switch {
		case err != nil:
			v.Add("currency", err.Error())
		case c != base:
			v.Add("currency", "the bounty fund is kept in "+base)
		}
	}
	var amount decimal.Decimal
	if in.Amount == nil {
		v.Add("amount", "is required")
	} else if a, err := ledger.ParseAmount(*in.Amount, currency); err != nil {
		v.Add("amount", err.Error())
	} else if !a.IsPositive() {
		v.Add("amount", "must be above zero")
	} else {
		amount = a
	}
	if len(in.Criteria) == 0 {
		v.Add("criteria", "list at least one acceptance criterion")
	}
	if len(in.Criteria) > 50 {
		v.Add("criteria", "at most 50 criteria")
	}
	criteria := make([]Criterion, 0, len(in.Criteria))
	for i, c := range in.Criteria {
		c = strings.TrimSpace(c)
		checkLine(&v, fmt.Sprintf("criteria[%d]", i), c, 1, maxTitle)
		criteria = append(criteria, Criterion{Text: c})
	}
	expires := in.ExpiresOn
	if expires == "" {
		d, _ := ledger.ParseDate(today)
		expires = d.AddDate(0, 0, DefaultBountyDays).Format(ledger.DateLayout)
	} else if _, err := ledger.ParseDate(expires); err != nil {
		v.Add("expires_on", err.Error())
	} else if expires <= today {
		v.Add("expires_on", "must be after today")
	}
	if err := v.Err(); err != nil {
		return Bounty{}, err
	}
	return Bounty{RequestID: in.RequestID, Title: in.Title, Description: in.Description, Amount: ledger.NewMoney(amount, currency),
		Currency: currency, Criteria: criteria, State: BountyProposed, ExpiresOn: expires}, nil
}

// SubmitInput is the body of POST /bounties/{id}/submit: what was done and
// which criteria (by index) the claimant says are met.
type SubmitInput struct {
	Note string `json:"note"`
	Done []int  `json:"done"`
}

// Validate checks the input against the bounty's criteria.
func (in *SubmitInput) Validate(b Bounty) error {
	var v ledger.ValidationError
	in.Note = strings.TrimSpace(in.Note)
	checkText(&v, "note", in.Note, 1, maxBody)
	for i, d := range in.Done {
		if d < 0 || d >= len(b.Criteria) {
			v.Add(fmt.Sprintf("done[%d]", i), fmt.Sprintf("no criterion %d (there are %d, counted from 0)", d, len(b.Criteria)))
		}
	}
	return v.Err()
}

// ReviewInput is the body of accept and reject: the reviewer's note.
type ReviewInput struct {
	Note string `json:"note"`
}

// Validate checks the note.
func (in *ReviewInput) Validate() error {
	var v ledger.ValidationError
	checkText(&v, "note", in.Note, 0, maxNote)
	return v.Err()
}

// Fund is the bounty fund: what the monthly closes put in and payouts took
// out (Balance), what approved bounties hold (Reserved), and what is left
// to approve new ones (Available).
type Fund struct {
	Currency  string       `json:"currency"`
	Balance   ledger.Money `json:"balance"`
	Reserved  ledger.Money `json:"reserved"`
	Available ledger.Money `json:"available"`
}
