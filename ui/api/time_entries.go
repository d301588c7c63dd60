package api

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// ListTimeEntries answers GET /time-entries. By default it lists the
// caller's own entries; member_id=ID lists another member's, member_id=all
// everyone's (reviewers and board); month=YYYY-MM and state=S narrow it and
// limit caps it (at most 1000, newest first; the review queue
// state=submitted&member_id=all is oldest first).
func (h Handlers) ListTimeEntries(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	q := store.EntryQuery{MemberID: query(c, "member_id"), Month: query(c, "month")}
	v := &ledger.ValidationError{}
	switch q.MemberID {
	case "":
		q.MemberID = actor.ID
	case "all":
		q.MemberID = ""
	}
	if q.Month != "" {
		if _, err := ledger.ParseMonth(q.Month); err != nil {
			v.Add("month", err.Error())
		}
	}
	if s := c.Query("state"); s != "" {
		st, err := ledger.ParseEntryState(s)
		if err != nil {
			v.Add("state", err.Error())
		}
		q.State = st
	}
	limit, err := intQuery(c, "limit")
	if err != nil {
		v.Add("limit", "must be a whole number above 0")
	}
	q.Limit = limit
	if err := v.Err(); err != nil {
		return err
	}
	// Read again before anything is committed, the same list is the same
	// bytes: answer from the last time (web.Replies).
	key := "time-entries\x00" + actor.ID + "\x00" + c.OriginalURL()
	if h.Replies.Serve(c, key) {
		return nil
	}
	// The same bytes as c.JSON of the list, from each entry's stored JSON.
	body, err := h.DB.TimeEntriesJSON(make([]byte, 0, 8<<10), actor, q)
	if err != nil {
		return err
	}
	c.Response().SetBodyRaw(body)
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	h.Replies.Keep(c, key)
	return nil
}

// CreateTimeEntry answers POST /time-entries.
func (h Handlers) CreateTimeEntry(c *fiber.Ctx) error {
	var in ledger.TimeEntryInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	// Answered with the entry's JSON as stored: what created(c, e) would
	// send, without encoding it again.
	_, body, err := h.DB.LogTimeJSON(web.MustActor(c), in)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated).Response().SetBodyRaw(body)
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

// GetTimeEntry answers GET /time-entries/{id}.
func (h Handlers) GetTimeEntry(c *fiber.Ctx) error {
	e, err := h.DB.TimeEntry(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// UpdateTimeEntry answers PATCH /time-entries/{id}: drafts only. The body
// is the whole entry, as for create.
func (h Handlers) UpdateTimeEntry(c *fiber.Ctx) error {
	var in ledger.TimeEntryInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	e, err := h.DB.UpdateTimeEntry(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// DeleteTimeEntry answers DELETE /time-entries/{id}: drafts only.
func (h Handlers) DeleteTimeEntry(c *fiber.Ctx) error {
	if err := h.DB.DeleteTimeEntry(web.MustActor(c), param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// SubmitTimeEntry answers POST /time-entries/{id}/submit.
func (h Handlers) SubmitTimeEntry(c *fiber.Ctx) error {
	if err := optionalBody(c, &reviewInput{}); err != nil {
		return err
	}
	e, err := h.DB.SubmitTimeEntry(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// reviewInput is the optional body of approve and reject.
type reviewInput struct {
	Comment string `json:"comment"`
}

// ApproveTimeEntry answers POST /time-entries/{id}/approve.
func (h Handlers) ApproveTimeEntry(c *fiber.Ctx) error { return h.review(c, true) }

// RejectTimeEntry answers POST /time-entries/{id}/reject.
func (h Handlers) RejectTimeEntry(c *fiber.Ctx) error { return h.review(c, false) }

func (h Handlers) review(c *fiber.Ctx, approve bool) error {
	var in reviewInput
	if err := optionalBody(c, &in); err != nil {
		return err
	}
	e, err := h.DB.ReviewTimeEntry(web.MustActor(c), param(c, "id"), approve, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// optionalBody binds a body when one was sent; actions like submit need none.
func optionalBody(c *fiber.Ctx, dst any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return web.BindJSON(c.Body(), dst)
}
