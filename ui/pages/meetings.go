package pages

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// meetingsData is the list of all-hands, latest first, and the form that
// schedules one.
type meetingsData struct {
	Rows        []governance.Meeting
	Today       string
	CanSchedule bool // ops and board schedule meetings
	CanOversee  bool // board and admins see who is at risk
}

// Meetings shows GET /meetings.
func (h *Handlers) Meetings(c *fiber.Ctx) error {
	return h.renderMeetings(c, fiber.StatusOK, Page{})
}

func (h *Handlers) renderMeetings(c *fiber.Ctx, status int, p Page) error {
	actor := web.MustActor(c)
	ms, err := h.cfg.Gov.Meetings()
	if err != nil {
		return err
	}
	d := meetingsData{Rows: ms, Today: ledger.Today(h.db.Now()), CanSchedule: actor.IsReviewer(), CanOversee: actor.IsBoardOrAdmin()}
	p.Title, p.Nav, p.Data = "Meetings", "meetings", d
	return h.render(c, status, "meetings", p)
}

// CreateMeeting handles POST /meetings.
func (h *Handlers) CreateMeeting(c *fiber.Ctx) error {
	in := governance.MeetingInput{Title: form(c, "title"), Date: strings.TrimSpace(form(c, "date")),
		Time: strings.TrimSpace(form(c, "time")), Place: form(c, "place")}
	m, err := h.cfg.Gov.CreateMeeting(web.MustActor(c), in)
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = map[string]string{"title": in.Title, "date": in.Date, "time": in.Time, "place": in.Place}
		return h.renderMeetings(c, status, p)
	}
	return seeOther(c, "/meetings/"+m.ID+"?ok=scheduled")
}

// meetingData is one all-hands: its agenda, volunteers, answers and, for
// those who run it, the attendance and minutes forms.
type meetingData struct {
	M          governance.Meeting
	Held       bool
	Agenda     []agendaRow
	Roles      []volunteerRow
	RSVP       string   // the caller's answer
	Coming     []string // names of those who said yes
	Members    []attendee
	Attended   []string
	Decisions  string // the decisions as the minutes form shows them
	RunsIt     bool
	CanAddItem bool
}

type agendaRow struct {
	governance.AgendaItem
	AddedByName string
	First, Last bool // for the move buttons
}

type volunteerRow struct {
	Role  governance.MeetingRole
	Label string
	Names []string
	Mine  bool
}

type attendee struct {
	ID, Name string
	Present  bool
}

var roleLabels = map[governance.MeetingRole]string{governance.RoleFacilitator: "Facilitator",
	governance.RoleNoteTaker: "Note-taker", governance.RoleTaskUpdater: "Task-updater"}

// Meeting shows GET /meetings/:id.
func (h *Handlers) Meeting(c *fiber.Ctx) error {
	return h.renderMeeting(c, fiber.StatusOK, param(c, "id"), Page{})
}

func (h *Handlers) renderMeeting(c *fiber.Ctx, status int, id string, p Page) error {
	actor := web.MustActor(c)
	m, err := h.cfg.Gov.Meeting(id)
	if err != nil {
		return err
	}
	today := ledger.Today(h.db.Now())
	d := meetingData{M: m, Held: m.Held(today), RSVP: m.RSVP[actor.ID], CanAddItem: m.Date >= today,
		RunsIt: actor.IsReviewer() || actor.IsAdmin() || m.Volunteered(governance.RoleFacilitator, actor.ID) ||
			m.Volunteered(governance.RoleNoteTaker, actor.ID)}
	// Who runs the meeting takes attendance from the whole roster; anyone
	// else sees only the names the meeting mentions.
	var ms []ledger.Member
	names := map[string]string{}
	if d.RunsIt {
		if ms, err = h.db.Members(); err != nil {
			return err
		}
		for _, mb := range ms {
			names[mb.ID] = mb.Name
		}
	} else if names, err = h.names(meetingPeople(m)...); err != nil {
		return err
	}
	for i, it := range m.Agenda {
		d.Agenda = append(d.Agenda, agendaRow{AgendaItem: it, AddedByName: names[it.AddedBy], First: i == 0, Last: i == len(m.Agenda)-1})
	}
	for _, r := range governance.MeetingRoles {
		row := volunteerRow{Role: r, Label: roleLabels[r], Mine: m.Volunteered(r, actor.ID)}
		for _, v := range m.Volunteers[r] {
			row.Names = append(row.Names, names[v])
		}
		d.Roles = append(d.Roles, row)
	}
	for mid, a := range m.RSVP {
		if a == governance.RSVPYes {
			d.Coming = append(d.Coming, names[mid])
		}
	}
	sort.Strings(d.Coming)
	for _, mb := range ms {
		if mb.Active(m.Date) || m.Attended(mb.ID) {
			d.Members = append(d.Members, attendee{ID: mb.ID, Name: mb.Name, Present: m.Attended(mb.ID)})
		}
	}
	for _, a := range m.Attendance {
		d.Attended = append(d.Attended, names[a])
	}
	var dl []string
	for _, dc := range m.Decisions {
		if dc.PollID != "" {
			dl = append(dl, dc.Text+" | "+dc.PollID)
		} else {
			dl = append(dl, dc.Text)
		}
	}
	d.Decisions = strings.Join(dl, "\n")
	p.Title, p.Nav, p.Data = m.Title+" "+m.Date, "meetings", d
	return h.render(c, status, "meeting", p)
}

// meetingPeople lists the ids of the members m names: who added agenda
// items, volunteered, answered or came.
func meetingPeople(m governance.Meeting) []string {
	var ids []string
	for _, it := range m.Agenda {
		ids = append(ids, it.AddedBy)
	}
	for _, vs := range m.Volunteers {
		ids = append(ids, vs...)
	}
	for id := range m.RSVP {
		ids = append(ids, id)
	}
	return append(ids, m.Attendance...)
}

// MeetingAction handles POST /meetings/:id/:action: agenda (text),
// volunteer (role, withdraw), rsvp (answer), attendance (member_ids
// checkboxes) and minutes (minutes, decisions one per line, "text | poll
// id" to link a poll).
func (h *Handlers) MeetingAction(c *fiber.Ctx) error {
	id, action, actor := param(c, "id"), param(c, "action"), web.MustActor(c)
	kept := map[string]string{"form": action}
	var err error
	switch action {
	case "agenda":
		kept["text"] = form(c, "text")
		_, err = h.cfg.Gov.AddAgendaItem(actor, id, governance.AgendaInput{Text: kept["text"]})
	case "volunteer":
		_, err = h.cfg.Gov.Volunteer(actor, id, governance.VolunteerInput{Role: governance.MeetingRole(form(c, "role")),
			Withdraw: form(c, "withdraw") == "true"})
	case "rsvp":
		_, err = h.cfg.Gov.RSVP(actor, id, governance.RSVPInput{Answer: form(c, "answer")})
	case "attendance":
		_, err = h.cfg.Gov.RecordAttendance(actor, id, governance.AttendanceInput{MemberIDs: formValues(c, "member_ids")})
	case "move":
		var m governance.Meeting
		if m, err = h.cfg.Gov.Meeting(id); err != nil {
			return err
		}
		order, ok := moveItem(m.Agenda, form(c, "item"), form(c, "dir"))
		if !ok {
			return fiber.NewError(fiber.StatusBadRequest, "item must be an agenda item and dir up or down")
		}
		_, err = h.cfg.Gov.OrderAgenda(actor, id, governance.OrderInput{Items: order})
	case "minutes":
		kept["minutes"], kept["decisions"] = form(c, "minutes"), form(c, "decisions")
		in := governance.MinutesInput{Minutes: kept["minutes"], Decisions: []governance.Decision{}}
		for _, l := range lines(kept["decisions"]) {
			text, poll, _ := strings.Cut(l, "|")
			in.Decisions = append(in.Decisions, governance.Decision{Text: strings.TrimSpace(text), PollID: strings.TrimSpace(poll)})
		}
		_, err = h.cfg.Gov.RecordMinutes(actor, id, in)
		if fields, ok := formError(err); ok {
			// decisions[3].text → decisions: the form has one box for all.
			for k, why := range fields {
				if strings.HasPrefix(k, "decisions[") {
					n, _ := strconv.Atoi(k[len("decisions["):strings.Index(k, "]")])
					fields["decisions"] = "line " + strconv.Itoa(n+1) + ": " + why
				}
			}
		}
	default:
		return fiber.NewError(fiber.StatusNotFound, "no meeting action "+action)
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = kept
		return h.renderMeeting(c, status, id, p)
	}
	return seeOther(c, "/meetings/"+id+"?ok=meeting-"+action)
}

// SetActivityRule handles POST /activity/rules: a class's commitment of
// hours a year (of one compensation kind, or any) and share of all-hands.
// Board and admins.
func (h *Handlers) SetActivityRule(c *fiber.Ctx) error {
	kept := map[string]string{"class": form(c, "class"), "hours": form(c, "hours"), "compensation": form(c, "compensation"),
		"attendance": form(c, "attendance")}
	rule := governance.ActivityRule{Class: ledger.Class(kept["class"]), Compensation: ledger.Compensation(kept["compensation"])}
	bad := map[string]string{}
	for _, f := range []struct {
		name string
		dst  *decimal.Decimal
		def  string
	}{{"hours", &rule.Hours, "0"}, {"attendance", &rule.Attendance, "0"}} {
		text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kept[f.name]), "%"))
		if text == "" {
			text = f.def
		}
		v, err := decimal.NewFromString(text)
		if err != nil {
			bad[f.name] = "must be a number"
			continue
		}
		if f.name == "attendance" && strings.HasSuffix(strings.TrimSpace(kept[f.name]), "%") {
			v = v.Shift(-2)
		}
		*f.dst = v
	}
	var err error
	if len(bad) > 0 {
		err = &ledger.ValidationError{Fields: bad}
	} else {
		_, err = h.cfg.Gov.SetActivityRule(web.MustActor(c), rule)
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = kept
		return h.renderActivity(c, status, p)
	}
	return seeOther(c, "/activity?ok=rule")
}

// moveItem returns the agenda's item ids with item moved one place up or
// down; ok is false for an unknown item or direction. Moving the first item
// up or the last down leaves the order as it is.
func moveItem(agenda []governance.AgendaItem, item, dir string) (order []string, ok bool) {
	at := -1
	for i, it := range agenda {
		order = append(order, it.ID)
		if it.ID == item {
			at = i
		}
	}
	to := at - 1
	if dir == "down" {
		to = at + 1
	} else if dir != "up" {
		return nil, false
	}
	if at < 0 {
		return nil, false
	}
	if to >= 0 && to < len(order) {
		order[at], order[to] = order[to], order[at]
	}
	return order, true
}

// activityData is the board's view of a year: who is at risk or inactive,
// and everyone's standing.
type activityData struct {
	Year, Prev, Next int
	Concerns         []governance.Activity // at risk or inactive
	Rows             []governance.Activity
	Rules            []governance.ActivityRule
	Classes          []ledger.Class
	Compensations    []ledger.Compensation
}

// ActivityPage shows GET /activity?year=: every member against their
// class's commitment, those at risk or inactive first. Board and admins.
func (h *Handlers) ActivityPage(c *fiber.Ctx) error {
	return h.renderActivity(c, fiber.StatusOK, Page{})
}

func (h *Handlers) renderActivity(c *fiber.Ctx, status int, p Page) error {
	actor := web.MustActor(c)
	if !actor.IsBoardOrAdmin() {
		return fmt.Errorf("the activity of every member is for the board and admins: %w", ledger.ErrForbidden)
	}
	year := h.db.Now().Year()
	if s := query(c, "year"); s != "" {
		if y, err := strconv.Atoi(s); err == nil && y >= 2000 && y <= 9999 {
			year = y
		} else {
			status, p.Error = fiber.StatusBadRequest, "The year in the address must be a year such as 2026; showing this year."
		}
	}
	as, err := h.cfg.Gov.Activity(actor, year)
	if err != nil {
		return err
	}
	rules, err := h.cfg.Gov.ActivityRules()
	if err != nil {
		return err
	}
	d := activityData{Year: year, Prev: year - 1, Next: year + 1, Rows: as, Rules: rules, Classes: ledger.Classes,
		Compensations: []ledger.Compensation{ledger.CompRequired, ledger.CompContribution, ledger.CompVolunteer}}
	for _, a := range as {
		if a.Status == governance.ActivityAtRisk || a.Status == governance.ActivityInactive {
			d.Concerns = append(d.Concerns, a)
		}
	}
	p.Title, p.Nav, p.Data = "Activity "+strconv.Itoa(year), "meetings", d
	return h.render(c, status, "activity", p)
}

// activityBox is the caller's own standing this year, shown on the
// timesheet (the page / leads to).
type activityBox struct {
	governance.Activity
	Committed bool
}

// myActivity assesses the caller this year; nil when their classes commit
// them to nothing.
func (h *Handlers) myActivity(actor ledger.Member) (*activityBox, error) {
	if h.cfg.Gov == nil {
		return nil, nil
	}
	a, committed, err := h.cfg.Gov.OwnActivity(actor, h.db.Now().Year())
	if err != nil || !committed {
		return nil, err
	}
	return &activityBox{Activity: a, Committed: a.Status != governance.ActivityNone}, nil
}
