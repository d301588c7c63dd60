package governance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
)

// MeetingRole is a job someone volunteers for at an all-hands.
type MeetingRole string

// The volunteer roles of an all-hands.
const (
	RoleFacilitator MeetingRole = "facilitator"
	RoleNoteTaker   MeetingRole = "note_taker"
	RoleTaskUpdater MeetingRole = "task_updater"
)

// MeetingRoles lists the volunteer roles.
var MeetingRoles = []MeetingRole{RoleFacilitator, RoleNoteTaker, RoleTaskUpdater}

// RSVP answers.
const (
	RSVPYes   = "yes"
	RSVPNo    = "no"
	RSVPMaybe = "maybe"
)

// Meeting is an all-hands: its agenda, who volunteered for what, who said
// they would come and who came, the minutes and the decisions taken.
type Meeting struct {
	ID         string                   `json:"id"`
	Title      string                   `json:"title"`
	Date       string                   `json:"date"`
	Time       string                   `json:"time,omitempty"`
	Place      string                   `json:"place,omitempty"`
	CreatedBy  string                   `json:"created_by"`
	Agenda     []AgendaItem             `json:"agenda"`
	Volunteers map[MeetingRole][]string `json:"volunteers"`
	RSVP       map[string]string        `json:"rsvp"`
	Attendance []string                 `json:"attendance"`
	Minutes    string                   `json:"minutes"`
	Decisions  []Decision               `json:"decisions"`
	CreatedAt  time.Time                `json:"created_at"`
	UpdatedAt  time.Time                `json:"updated_at"`
	// AgendaSeq numbers agenda items, so ids stay unique as items move.
	AgendaSeq int `json:"agenda_seq"`
}

// AgendaItem is one point on the agenda, in the order the meeting takes them.
type AgendaItem struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	AddedBy string `json:"added_by"`
}

// Decision is what the meeting decided on a point, linked to the poll that
// decided it when there was one.
type Decision struct {
	Text   string `json:"text"`
	PollID string `json:"poll_id,omitempty"`
}

// Held reports whether the meeting has taken place by today.
func (m Meeting) Held(today string) bool { return m.Date <= today }

// Volunteered reports whether member volunteered for role.
func (m Meeting) Volunteered(role MeetingRole, member string) bool {
	return slices.Contains(m.Volunteers[role], member)
}

// Attended reports whether member was there.
func (m Meeting) Attended(member string) bool { return slices.Contains(m.Attendance, member) }

// MeetingInput is the body of POST /meetings.
type MeetingInput struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	Time  string `json:"time"`
	Place string `json:"place"`
}

// NewMeeting validates in and returns the meeting to store.
func NewMeeting(in MeetingInput) (Meeting, error) {
	var v ledger.ValidationError
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		in.Title = "All-hands"
	}
	checkLine(&v, "title", in.Title, 1, maxTitle)
	if _, err := ledger.ParseDate(in.Date); err != nil {
		v.Add("date", err.Error())
	}
	if in.Time != "" {
		if _, err := time.Parse("15:04", in.Time); err != nil {
			v.Add("time", "must be HH:MM on a 24-hour clock")
		}
	}
	checkLine(&v, "place", in.Place, 0, maxTitle)
	if err := v.Err(); err != nil {
		return Meeting{}, err
	}
	return Meeting{Title: in.Title, Date: in.Date, Time: in.Time, Place: in.Place, Agenda: []AgendaItem{},
		Volunteers: map[MeetingRole][]string{}, RSVP: map[string]string{}, Attendance: []string{}, Decisions: []Decision{}}, nil
}

// AgendaInput is the body of POST /meetings/{id}/agenda.
type AgendaInput struct {
	Text string `json:"text"`
}

// Validate checks the item's text.
func (in *AgendaInput) Validate() error {
	var v ledger.ValidationError
	in.Text = strings.TrimSpace(in.Text)
	checkLine(&v, "text", in.Text, 1, maxTitle*5)
	return v.Err()
}

// OrderInput is the body of POST /meetings/{id}/agenda/order: every item
// id, in the new order.
type OrderInput struct {
	Items []string `json:"items"`
}

// Apply reorders m's agenda, refusing a list that is not exactly its items.
func (in OrderInput) Apply(m *Meeting) error {
	if len(in.Items) != len(m.Agenda) {
		return ledger.FieldError("items", fmt.Sprintf("list all %d agenda items, each once", len(m.Agenda)))
	}
	byID := map[string]AgendaItem{}
	for _, it := range m.Agenda {
		byID[it.ID] = it
	}
	out := make([]AgendaItem, 0, len(in.Items))
	for i, id := range in.Items {
		it, ok := byID[id]
		if !ok {
			return ledger.FieldError(fmt.Sprintf("items[%d]", i), "unknown or repeated agenda item "+fmt.Sprintf("%q", id))
		}
		delete(byID, id)
		out = append(out, it)
	}
	m.Agenda = out
	return nil
}

// VolunteerInput is the body of POST /meetings/{id}/volunteers: a role to
// take on, or to give up with withdraw.
type VolunteerInput struct {
	Role     MeetingRole `json:"role"`
	Withdraw bool        `json:"withdraw"`
}

// Validate refuses unknown roles.
func (in VolunteerInput) Validate() error {
	if !slices.Contains(MeetingRoles, in.Role) {
		return ledger.FieldError("role", "must be facilitator, note_taker or task_updater")
	}
	return nil
}

// RSVPInput is the body of POST /meetings/{id}/rsvp.
type RSVPInput struct {
	Answer string `json:"answer"`
}

// Validate refuses answers other than yes, no and maybe.
func (in RSVPInput) Validate() error {
	if in.Answer != RSVPYes && in.Answer != RSVPNo && in.Answer != RSVPMaybe {
		return ledger.FieldError("answer", "must be yes, no or maybe")
	}
	return nil
}

// AttendanceInput is the body of POST /meetings/{id}/attendance: the
// members who were there (replacing any earlier list).
type AttendanceInput struct {
	MemberIDs []string `json:"member_ids"`
}

// MinutesInput is the body of POST /meetings/{id}/minutes.
type MinutesInput struct {
	Minutes   string     `json:"minutes"`
	Decisions []Decision `json:"decisions"`
}

// Validate checks the minutes and decisions; the store checks that linked
// polls exist.
func (in *MinutesInput) Validate() error {
	var v ledger.ValidationError
	checkText(&v, "minutes", in.Minutes, 0, maxBody*5)
	if len(in.Decisions) > 100 {
		v.Add("decisions", "at most 100 decisions")
	}
	for i := range in.Decisions {
		in.Decisions[i].Text = strings.TrimSpace(in.Decisions[i].Text)
		checkText(&v, fmt.Sprintf("decisions[%d].text", i), in.Decisions[i].Text, 1, maxNote)
		checkText(&v, fmt.Sprintf("decisions[%d].poll_id", i), in.Decisions[i].PollID, 0, 40)
	}
	return v.Err()
}
