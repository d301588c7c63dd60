package pages

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// reviewData is the review queue: other members' submitted entries, oldest
// first.
type reviewData struct {
	Rows []entryRow
	// CanReview is false for a caller who may read the queue (an admin)
	// but not act on it; the domain refuses their approvals anyway.
	CanReview bool
	// Own counts the caller's own submitted entries, which wait for
	// someone else.
	Own int
}

// ReviewQueue shows GET /review. Reading every member's submitted entries
// needs a reviewer or overseer: the store refuses plain members (403).
func (h *Handlers) ReviewQueue(c *fiber.Ctx) error {
	return h.renderReview(c, fiber.StatusOK, Page{})
}

// Review handles POST /review/:id: the Approve or Reject button of one
// entry, with an optional comment.
func (h *Handlers) Review(c *fiber.Ctx) error {
	id, comment := param(c, "id"), form(c, "comment")
	var approve bool
	switch form(c, "action") {
	case "approve":
		approve = true
	case "reject":
	default:
		return ledger.FieldError("action", "must be approve or reject")
	}
	_, err := h.db.ReviewTimeEntry(web.MustActor(c), id, approve, comment)
	if fields, ok := formError(err); ok {
		return h.renderReview(c, fiber.StatusBadRequest, Page{Error: invalid, Fields: fields,
			Form: map[string]string{"entry": id, "comment": comment}})
	}
	if err != nil {
		return err
	}
	if approve {
		return seeOther(c, "/review?ok=approved")
	}
	return seeOther(c, "/review?ok=rejected")
}

func (h *Handlers) renderReview(c *fiber.Ctx, status int, p Page) error {
	actor := web.MustActor(c)
	var entries []ledger.TimeEntry
	var members, circles map[string]string
	err := h.db.View(func(tx *store.Tx) error {
		var err error
		if entries, err = tx.TimeEntries(actor, store.EntryQuery{State: ledger.StateSubmitted}); err != nil {
			return err
		}
		if members, err = memberNames(tx, entries); err != nil {
			return err
		}
		cs, err := tx.Circles()
		circles = circleNames(cs)
		return err
	})
	if err != nil {
		return err
	}
	d := reviewData{CanReview: actor.IsReviewer()}
	for _, e := range entries {
		if e.MemberID == actor.ID {
			d.Own++
			continue
		}
		d.Rows = append(d.Rows, entryRow{TimeEntry: e, CircleName: circles[e.CircleID], MemberName: members[e.MemberID]})
	}
	p.Title, p.Nav, p.Data = "Review", "review", d
	return h.render(c, status, "review", p)
}
