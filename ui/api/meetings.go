package api

import (
	"strconv"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// ListMeetings answers GET /meetings, latest first.
func (h Handlers) ListMeetings(c *fiber.Ctx) error {
	ms, err := h.Gov.Meetings()
	if err != nil {
		return err
	}
	return c.JSON(ms)
}

// CreateMeeting answers POST /meetings.
func (h Handlers) CreateMeeting(c *fiber.Ctx) error {
	var in governance.MeetingInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	m, err := h.Gov.CreateMeeting(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, m)
}

// GetMeeting answers GET /meetings/{id}.
func (h Handlers) GetMeeting(c *fiber.Ctx) error {
	m, err := h.Gov.Meeting(param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// meetingWrite binds the body into in and answers with what call returns.
func meetingWrite[T any](c *fiber.Ctx, call func(ledger.Member, string, T) (governance.Meeting, error)) error {
	var in T
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	m, err := call(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// AddAgendaItem answers POST /meetings/{id}/agenda `{text}`.
func (h Handlers) AddAgendaItem(c *fiber.Ctx) error { return meetingWrite(c, h.Gov.AddAgendaItem) }

// OrderAgenda answers POST /meetings/{id}/agenda/order `{items:[id]}`.
func (h Handlers) OrderAgenda(c *fiber.Ctx) error { return meetingWrite(c, h.Gov.OrderAgenda) }

// Volunteer answers POST /meetings/{id}/volunteers `{role, withdraw}`.
func (h Handlers) Volunteer(c *fiber.Ctx) error { return meetingWrite(c, h.Gov.Volunteer) }

// RSVP answers POST /meetings/{id}/rsvp `{answer: yes|no|maybe}`.
func (h Handlers) RSVP(c *fiber.Ctx) error { return meetingWrite(c, h.Gov.RSVP) }

// RecordAttendance answers POST /meetings/{id}/attendance `{member_ids}`.
func (h Handlers) RecordAttendance(c *fiber.Ctx) error {
	return meetingWrite(c, h.Gov.RecordAttendance)
}

// RecordMinutes answers POST /meetings/{id}/minutes `{minutes, decisions}`.
func (h Handlers) RecordMinutes(c *fiber.Ctx) error { return meetingWrite(c, h.Gov.RecordMinutes) }

// ListActivityRules answers GET /activity/rules.
func (h Handlers) ListActivityRules(c *fiber.Ctx) error {
	rs, err := h.Gov.ActivityRules()
	if err != nil {
		return err
	}
	return c.JSON(rs)
}

// SetActivityRule answers POST /activity/rules `{class, hours,
// compensation, attendance}`.
func (h Handlers) SetActivityRule(c *fiber.Ctx) error {
	var in governance.ActivityRule
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	r, err := h.Gov.SetActivityRule(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, r)
}

// Activity answers GET /activity?year=&status=: every member's progress
// for board and admins, one's own for others. status keeps only
// at_risk, inactive, ok or no_commitment.
func (h Handlers) Activity(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	year := h.DB.Now().Year()
	if s := c.Query("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return ledger.FieldError("year", "must be a year such as 2026")
		}
		year = y
	}
	st := governance.ActivityStatus(query(c, "status"))
	switch st {
	case "", governance.ActivityOK, governance.ActivityAtRisk, governance.ActivityInactive, governance.ActivityNone:
	default:
		// Refused before the year's activity is read.
		return ledger.FieldError("status", "must be ok, at_risk, inactive or no_commitment")
	}
	as, err := h.Gov.Activity(actor, year)
	if err != nil {
		return err
	}
	if st != "" {
		kept := as[:0]
		for _, a := range as {
			if a.Status == st {
				kept = append(kept, a)
			}
		}
		as = kept
	}
	return c.JSON(as)
}
