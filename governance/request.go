package governance

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
)

// RequestKind says whether a request reports something broken or asks for
// something new.
type RequestKind string

// The request kinds DESIGN.md names.
const (
	KindIncident RequestKind = "incident"
	KindFeature  RequestKind = "feature"
)

// RequestStatus is where a request stands in triage and delivery.
type RequestStatus string

// Request statuses. A request is filed open; ops triage it to validated,
// declined or duplicate; validated work moves planned → in_progress → done.
const (
	StatusOpen       RequestStatus = "open"
	StatusValidated  RequestStatus = "validated"
	StatusDeclined   RequestStatus = "declined"
	StatusDuplicate  RequestStatus = "duplicate"
	StatusPlanned    RequestStatus = "planned"
	StatusInProgress RequestStatus = "in_progress"
	StatusDone       RequestStatus = "done"
)

// RequestStatuses lists every status, in workflow order.
var RequestStatuses = []RequestStatus{StatusOpen, StatusValidated, StatusDeclined, StatusDuplicate,
	StatusPlanned, StatusInProgress, StatusDone}

// transitions is the triage workflow: which statuses each one may move to.
// Declined requests can be reconsidered, done ones reopened, planned work
// unplanned; a duplicate is final because its votes have moved.
var transitions = map[RequestStatus][]RequestStatus{
	StatusOpen:       {StatusValidated, StatusDeclined, StatusDuplicate},
	StatusValidated:  {StatusPlanned, StatusDeclined, StatusDuplicate},
	StatusDeclined:   {StatusValidated},
	StatusDuplicate:  {},
	StatusPlanned:    {StatusInProgress, StatusValidated, StatusDeclined},
	StatusInProgress: {StatusDone, StatusPlanned},
	StatusDone:       {StatusInProgress},
}

// CanMove reports whether the workflow allows from → to.
func CanMove(from, to RequestStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Votable reports whether members may still vote on a request in status s:
// not once it is declined, merged into another or done.
func Votable(s RequestStatus) bool {
	return s != StatusDeclined && s != StatusDuplicate && s != StatusDone
}

// Request is an incident or feature request members vote on.
type Request struct {
	ID          string        `json:"id"`
	Kind        RequestKind   `json:"kind"`
	Title       string        `json:"title"`
	Body        string        `json:"body"`
	Category    string        `json:"category"`
	CircleID    string        `json:"circle_id,omitempty"`
	AuthorID    string        `json:"author_id"`
	Status      RequestStatus `json:"status"`
	DuplicateOf string        `json:"duplicate_of,omitempty"`
	// Votes is the number of members voting for the request now; the store
	// keeps it in step with the votes themselves.
	Votes     int            `json:"votes"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	History   []StatusChange `json:"history"`
}

// StatusChange records who moved a request, when, and why.
type StatusChange struct {
	Status RequestStatus `json:"status"`
	By     string        `json:"by"`
	At     time.Time     `json:"at"`
	Note   string        `json:"note,omitempty"`
}

// Comment is a member's remark on a request.
type Comment struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Field limits, generous for prose and tight for labels.
const (
	maxTitle    = 200
	maxBody     = 20000
	maxCategory = 60
	maxNote     = 2000
)

// RequestInput is the body of POST /requests.
type RequestInput struct {
	Kind     RequestKind `json:"kind"`
	Title    string      `json:"title"`
	Body     string      `json:"body"`
	Category string      `json:"category"`
	CircleID string      `json:"circle_id"`
}

// Validate checks a new request's own fields; the store checks the circle
// exists.
func (in *RequestInput) Validate() error {
	var v ledger.ValidationError
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	if in.Kind != KindIncident && in.Kind != KindFeature {
		v.Add("kind", "must be incident or feature")
	}
	checkLine(&v, "title", in.Title, 1, maxTitle)
	checkText(&v, "body", in.Body, 0, maxBody)
	checkLine(&v, "category", in.Category, 0, maxCategory)
	checkText(&v, "circle_id", in.CircleID, 0, 40)
	return v.Err()
}

// TriageInput is the body of POST /requests/{id}/triage: a new status, and
// optionally a category, the original of a duplicate and a note.
type TriageInput struct {
	Status      RequestStatus `json:"status"`
	Category    *string       `json:"category"`
	DuplicateOf string        `json:"duplicate_of"`
	Note        string        `json:"note"`
}

// Validate checks the input on its own and against the request's current
// status; the store checks that the original exists.
func (in *TriageInput) Validate(r Request) error {
	var v ledger.ValidationError
	known := false
	for _, s := range RequestStatuses {
		known = known || s == in.Status
	}
	switch {
	case !known:
		v.Add("status", "must be one of validated, declined, duplicate, planned, in_progress, done")
	case in.Status != r.Status && !CanMove(r.Status, in.Status):
		v.Add("status", fmt.Sprintf("a request that is %s cannot become %s", r.Status, in.Status))
	}
	if in.Status == StatusDuplicate {
		switch {
		case r.Status == StatusDuplicate && in.DuplicateOf != "" && in.DuplicateOf != r.DuplicateOf:
			v.Add("duplicate_of", "a duplicate stays merged into "+r.DuplicateOf)
		case r.Status == StatusDuplicate:
			// Already merged: only the category may change.
		case in.DuplicateOf == "":
			v.Add("duplicate_of", "name the request this one duplicates")
		case in.DuplicateOf == r.ID:
			v.Add("duplicate_of", "a request cannot duplicate itself")
		}
	} else if in.DuplicateOf != "" {
		v.Add("duplicate_of", "only a duplicate names an original")
	}
	if in.Category != nil {
		*in.Category = strings.TrimSpace(*in.Category)
		checkLine(&v, "category", *in.Category, 0, maxCategory)
	}
	checkText(&v, "duplicate_of", in.DuplicateOf, 0, 40)
	checkText(&v, "note", in.Note, 0, maxNote)
	if in.Status == r.Status && in.Category == nil {
		v.Add("status", "the request is already "+string(r.Status))
	}
	return v.Err()
}

// CommentInput is the body of POST /requests/{id}/comments.
type CommentInput struct {
	Body string `json:"body"`
}

// Validate checks the comment text.
func (in *CommentInput) Validate() error {
	var v ledger.ValidationError
	in.Body = strings.TrimSpace(in.Body)
	checkText(&v, "body", in.Body, 1, maxBody)
	return v.Err()
}

// RequestFilter narrows GET /requests. Empty fields match everything.
type RequestFilter struct {
	Kind     RequestKind
	Status   RequestStatus
	Category string
	CircleID string
}

// Validate refuses unknown kinds and statuses rather than matching nothing.
func (f RequestFilter) Validate() error {
	var v ledger.ValidationError
	if f.Kind != "" && f.Kind != KindIncident && f.Kind != KindFeature {
		v.Add("kind", "must be incident or feature")
	}
	if f.Status != "" {
		known := false
		for _, s := range RequestStatuses {
			known = known || s == f.Status
		}
		if !known {
			v.Add("status", "unknown status "+fmt.Sprintf("%q", f.Status))
		}
	}
	return v.Err()
}

// Match reports whether r passes the filter. Categories compare ignoring
// case, as people type them.
func (f RequestFilter) Match(r Request) bool {
	return (f.Kind == "" || r.Kind == f.Kind) &&
		(f.Status == "" || r.Status == f.Status) &&
		(f.Category == "" || strings.EqualFold(r.Category, f.Category)) &&
		(f.CircleID == "" || r.CircleID == f.CircleID)
}

// checkLine is checkText for labels (titles, categories, criteria,
// places): they are shown on one line and end up in one-line places such
// as a journal description, so line breaks and tabs are refused too.
func checkLine(v *ledger.ValidationError, field, s string, min, max int) {
	if strings.ContainsAny(s, "\n\r\t") {
		v.Add(field, "must be on one line")
		return
	}
	checkText(v, field, s, min, max)
}

// checkText refuses text that is too short or long (in characters), not
// UTF-8, or holds control characters other than newlines and tabs.
func checkText(v *ledger.ValidationError, field, s string, min, max int) {
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8")
		return
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f }) {
		v.Add(field, "must not contain control characters")
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		v.Add(field, "is required")
	case n < min:
		v.Add(field, fmt.Sprintf("must be at least %d characters", min))
	case n > max:
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}
