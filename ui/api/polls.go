package api

import (
	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// ListPolls answers GET /polls?state=open|closed, newest first.
func (h Handlers) ListPolls(c *fiber.Ctx) error {
	ps, err := h.Gov.Polls(governance.PollState(query(c, "state")))
	if err != nil {
		return err
	}
	return c.JSON(ps)
}

// OpenPoll answers POST /polls.
func (h Handlers) OpenPoll(c *fiber.Ctx) error {
	var in governance.PollInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	p, err := h.Gov.OpenPoll(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, p)
}

// GetPoll answers GET /polls/{id}: the poll, and the caller's standing in
// it (eligible, voted, their ballot while it is open).
func (h Handlers) GetPoll(c *fiber.Ctx) error {
	v, err := h.Gov.Poll(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// ballotView answers a cast: the ballot as counted. GET /polls/{id} has
// the rest.
type ballotView struct {
	PollID string             `json:"poll_id"`
	Voted  bool               `json:"voted"`
	Ballot *governance.Ballot `json:"my_ballot"`
}

// CastBallot answers POST /polls/{id}/ballots; a second ballot replaces
// the first while the poll is open.
func (h Handlers) CastBallot(c *fiber.Ctx) error {
	var in governance.BallotInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	v, err := h.Gov.Cast(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return created(c, ballotView{PollID: v.ID, Voted: true, Ballot: v.Mine})
}

// ClosePoll answers POST /polls/{id}/close (author or board, early).
func (h Handlers) ClosePoll(c *fiber.Ctx) error {
	r, err := h.Gov.ClosePoll(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// PollResult answers GET /polls/{id}/result.
func (h Handlers) PollResult(c *fiber.Ctx) error {
	r, err := h.Gov.Result(param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
