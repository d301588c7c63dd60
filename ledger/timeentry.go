package ledger

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// EntryState is where a time entry is in peer review:
// draft → submitted → approved | rejected.
type EntryState string

// The review states of a time entry.
const (
	StateDraft     EntryState = "draft"
	StateSubmitted EntryState = "submitted"
	StateApproved  EntryState = "approved"
	StateRejected  EntryState = "rejected"
)

// EntryStates lists every state in review order.
var EntryStates = []EntryState{StateDraft, StateSubmitted, StateApproved, StateRejected}

// ParseEntryState accepts only the known state names.
func ParseEntryState(s string) (EntryState, error) {
	for _, st := range EntryStates {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown state %q (want draft, submitted, approved or rejected)", s)
}

// UnmarshalJSON rejects unknown states.
func (s *EntryState) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseEntryState(str)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Compensation says what the co-op owes for an entry: `required` hours are
// valued and then paid or deferred; `contribution` hours count toward the
// member's annual commitment; `volunteer` hours are recorded only.
type Compensation string

// The compensation kinds of DESIGN.md.
const (
	CompRequired     Compensation = "required"
	CompContribution Compensation = "contribution"
	CompVolunteer    Compensation = "volunteer"
)

// ParseCompensation accepts only the known kinds.
func ParseCompensation(s string) (Compensation, error) {
	switch c := Compensation(s); c {
	case CompRequired, CompContribution, CompVolunteer:
		return c, nil
	}
	return "", fmt.Errorf("unknown compensation %q (want required, contribution or volunteer)", s)
}

// UnmarshalJSON rejects unknown kinds.
func (c *Compensation) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseCompensation(str)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MaxDayMinutes is the most a member can log on one day, across entries.
const MaxDayMinutes = 24 * 60

// TimeEntry is hours a member worked on a task in a circle. Duration is kept
// in whole minutes so that sums are exact; Hours is the same duration shown
// as decimal hours.
type TimeEntry struct {
	ID            string       `json:"id"`
	MemberID      string       `json:"member_id"`
	Date          string       `json:"date"`
	Minutes       int          `json:"minutes"`
	Hours         string       `json:"hours"`
	CircleID      string       `json:"circle_id"`
	Task          string       `json:"task"`
	Note          string       `json:"note"`
	Compensation  Compensation `json:"compensation"`
	State         EntryState   `json:"state"`
	Corrects      string       `json:"corrects,omitempty"`
	CreatedBy     string       `json:"created_by,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	SubmittedAt   *time.Time   `json:"submitted_at,omitempty"`
	ReviewedBy    string       `json:"reviewed_by,omitempty"`
	ReviewedAt    *time.Time   `json:"reviewed_at,omitempty"`
	ReviewComment string       `json:"review_comment,omitempty"`
}

// HoursText shows minutes as decimal hours: 150 → "2.5", 80 → "1.33".
// It is minutes/60 rounded to hundredths, half away from zero, without
// trailing zeros, as decimal's DivRound(60, 2).String() writes it, in
// integers (every entry written computes it).
func HoursText(minutes int) string {
	m := int64(minutes)
	neg := m < 0
	if neg {
		m = -m
	}
	r := uint64(m)*100/60 + boolToUint(uint64(m)*100%60 >= 30)
	var buf [24]byte
	b := buf[:0]
	if neg && r != 0 {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, r/100, 10)
	switch frac := r % 100; {
	case frac == 0:
	case frac%10 == 0:
		b = append(b, '.', byte('0'+frac/10))
	default:
		b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return string(b)
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Counts reports whether e still stands toward the member's day total and
// valuation: rejected entries do not.
func (e TimeEntry) Counts() bool { return e.State != StateRejected }

// TimeEntryInput is what a client sends to log hours. Hours may be given as
// decimal hours or as whole minutes, not both.
type TimeEntryInput struct {
	MemberID     string           `json:"member_id"`
	Date         string           `json:"date"`
	Hours        *decimal.Decimal `json:"hours"`
	Minutes      *int64           `json:"minutes"`
	CircleID     string           `json:"circle_id"`
	Task         string           `json:"task"`
	Note         string           `json:"note"`
	Compensation *Compensation    `json:"compensation"`
	Corrects     string           `json:"corrects"`
	// Submit sends the entry for review at once instead of keeping a draft.
	Submit bool `json:"submit"`
}

const (
	maxTaskLen = 200
	maxNoteLen = 2000
)

// Validate trims the text fields, checks every field that needs no other
// record, and returns the duration in minutes. today is the caller's
// calendar date: entries in the future are refused.
func (in *TimeEntryInput) Validate(today string) (minutes int, err error) {
	v := &ValidationError{}
	in.MemberID = strings.TrimSpace(in.MemberID)
	in.Date = strings.TrimSpace(in.Date)
	in.CircleID = strings.TrimSpace(in.CircleID)
	in.Task = strings.TrimSpace(in.Task)
	in.Note = strings.TrimSpace(in.Note)
	in.Corrects = strings.TrimSpace(in.Corrects)

	switch {
	case in.Date == "":
		v.Add("date", "is required")
	default:
		if _, err := ParseDate(in.Date); err != nil {
			v.Add("date", err.Error())
		} else if in.Date > today {
			v.Add("date", "must not be in the future")
		}
	}
	minutes, field, why := entryMinutes(in.Hours, in.Minutes)
	if why != "" {
		v.Add(field, why)
	}
	if in.CircleID == "" {
		v.Add("circle_id", "is required")
	}
	if !validText(in.Task, maxTaskLen) || strings.ContainsAny(in.Task, "\n\t") {
		v.Add("task", fmt.Sprintf("must be at most %d characters on one line", maxTaskLen))
	}
	if !validText(in.Note, maxNoteLen) {
		v.Add("note", fmt.Sprintf("must be at most %d characters of text", maxNoteLen))
	}
	if in.Compensation != nil {
		if _, err := ParseCompensation(string(*in.Compensation)); err != nil {
			v.Add("compensation", err.Error())
		}
	}
	return minutes, v.Err()
}

func entryMinutes(hours *decimal.Decimal, mins *int64) (int, string, string) {
	switch {
	case hours != nil && mins != nil:
		return 0, "hours", "give hours or minutes, not both"
	case mins != nil:
		if *mins <= 0 {
			return 0, "minutes", "must be more than 0"
		}
		if *mins > MaxDayMinutes {
			return 0, "minutes", "must be at most 1440 (24 h)"
		}
		return int(*mins), "", ""
	case hours != nil:
		if err := CheckDecimal(*hours); err != nil {
			return 0, "hours", err.Error()
		}
		if !hours.IsPositive() {
			return 0, "hours", "must be more than 0"
		}
		if hours.GreaterThan(decimal.NewFromInt(24)) {
			return 0, "hours", "must be at most 24"
		}
		m := hours.Mul(decimal.NewFromInt(60)).RoundBank(0).IntPart()
		if m < 1 {
			return 0, "hours", "must be at least one minute (0.02 h)"
		}
		return int(m), "", ""
	}
	return 0, "hours", "is required"
}

// DefaultCompensation is `required` when the member has a rate on the
// entry's date and `volunteer` otherwise (DESIGN.md, Time entries).
func DefaultCompensation(hasRate bool) Compensation {
	if hasRate {
		return CompRequired
	}
	return CompVolunteer
}

// CheckDayTotal enforces that a member's counting entries on one day sum to
// at most 24 h once `adding` minutes are added. sameDay are the member's
// other entries on that date; replaced is the id of an entry the new one
// corrects (it stops counting once the correction stands), or "".
func CheckDayTotal(sameDay []TimeEntry, adding int, replaced string) error {
	counted := 0
	for _, e := range sameDay {
		if e.Counts() && e.ID != replaced {
			counted += e.Minutes
		}
	}
	return CheckDayMinutes(counted, adding)
}

// CheckDayMinutes is CheckDayTotal for a caller that has summed the day's
// counting minutes itself: counted of them stand already, adding more come.
func CheckDayMinutes(counted, adding int) error {
	total := counted + adding
	if total > MaxDayMinutes {
		return FieldError("hours", fmt.Sprintf("would bring this day to %s h; a day holds at most 24 h", HoursText(total)))
	}
	return nil
}

// CanLogFor checks that actor may log hours for member: their own, or
// anyone's for an admin.
func CanLogFor(actor Member, memberID string) error {
	if actor.ID == memberID || actor.IsAdmin() {
		return nil
	}
	return fmt.Errorf("log hours for another member: %w", ErrForbidden)
}

// CanRead checks that actor may see e: its owner, or a member who reviews or
// oversees others.
func CanRead(actor Member, e TimeEntry) error {
	if actor.ID == e.MemberID || actor.CanSeeAll() {
		return nil
	}
	return fmt.Errorf("entry %s: %w", e.ID, ErrForbidden)
}

// CheckCorrection checks that e may be corrected by a new entry of member:
// it must be the member's own and already reviewed (drafts and submitted
// entries are edited or rejected instead).
func CheckCorrection(e TimeEntry, memberID string) error {
	if e.MemberID != memberID {
		return FieldError("corrects", "must be an entry of the same member")
	}
	if e.State != StateApproved && e.State != StateRejected {
		return FieldError("corrects", "must be an approved or rejected entry; edit or withdraw a "+string(e.State)+" one instead")
	}
	return nil
}

// Submit sends a draft for review. Only its owner (or an admin) may.
func (e *TimeEntry) Submit(actor Member, now time.Time) error {
	if actor.ID != e.MemberID && !actor.IsAdmin() {
		return fmt.Errorf("submit entry %s: %w", e.ID, ErrForbidden)
	}
	if e.State != StateDraft {
		return fmt.Errorf("submit entry %s: it is %s, not draft: %w", e.ID, e.State, ErrConflict)
	}
	e.State = StateSubmitted
	t := now.UTC()
	e.SubmittedAt = &t
	return nil
}

// Review approves or rejects a submitted entry. Only ops or board members
// review, never their own entries, and never entries they logged for
// someone else (four eyes on every approved hour).
func (e *TimeEntry) Review(reviewer Member, approve bool, comment string, now time.Time) error {
	if !reviewer.IsReviewer() {
		return fmt.Errorf("review entry %s: only ops or board members review hours: %w", e.ID, ErrForbidden)
	}
	if reviewer.ID == e.MemberID {
		return fmt.Errorf("review entry %s: nobody reviews their own hours: %w", e.ID, ErrForbidden)
	}
	if e.CreatedBy != "" && reviewer.ID == e.CreatedBy {
		return fmt.Errorf("review entry %s: you logged it for %s, so another reviewer must: %w", e.ID, e.MemberID, ErrForbidden)
	}
	comment = strings.TrimSpace(comment)
	if !validText(comment, maxNoteLen) {
		return FieldError("comment", fmt.Sprintf("must be at most %d characters of text", maxNoteLen))
	}
	if e.State != StateSubmitted {
		return fmt.Errorf("review entry %s: it is %s, not submitted: %w", e.ID, e.State, ErrConflict)
	}
	if approve {
		e.State = StateApproved
	} else {
		e.State = StateRejected
	}
	t := now.UTC()
	e.ReviewedBy = reviewer.ID
	e.ReviewedAt = &t
	e.ReviewComment = comment
	return nil
}

// CheckEditable refuses any change to an entry that left draft: approved
// entries are immutable and submitted ones are with a reviewer.
func (e TimeEntry) CheckEditable(actor Member) error {
	if actor.ID != e.MemberID && !actor.IsAdmin() {
		return fmt.Errorf("change entry %s: %w", e.ID, ErrForbidden)
	}
	if e.State != StateDraft {
		return fmt.Errorf("change entry %s: it is %s; only drafts change, a correction is a new entry: %w", e.ID, e.State, ErrConflict)
	}
	return nil
}
