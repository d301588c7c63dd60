package api

import (
	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// ListBounties answers GET /bounties?state=, newest first.
func (h Handlers) ListBounties(c *fiber.Ctx) error {
	state := governance.BountyState(query(c, "state"))
	bs, _, err := h.Gov.Bounties(state)
	if err != nil {
		return err
	}
	return c.JSON(bs)
}

// BountyFund answers GET /bounties/fund: balance, reserved, available.
func (h Handlers) BountyFund(c *fiber.Ctx) error {
	f, err := h.Gov.Fund()
	if err != nil {
		return err
	}
	return c.JSON(f)
}

// CreateBounty answers POST /bounties.
func (h Handlers) CreateBounty(c *fiber.Ctx) error {
	var in governance.BountyInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	b, err := h.Gov.CreateBounty(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, b)
}

// GetBounty answers GET /bounties/{id}.
func (h Handlers) GetBounty(c *fiber.Ctx) error {
	b, err := h.Gov.Bounty(param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// ApproveBounty answers POST /bounties/{id}/approve (board).
func (h Handlers) ApproveBounty(c *fiber.Ctx) error {
	b, err := h.Gov.ApproveBounty(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// ClaimBounty answers POST /bounties/{id}/claim.
func (h Handlers) ClaimBounty(c *fiber.Ctx) error {
	b, err := h.Gov.ClaimBounty(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// SubmitBounty answers POST /bounties/{id}/submit `{note, done:[i]}`.
func (h Handlers) SubmitBounty(c *fiber.Ctx) error {
	var in governance.SubmitInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	b, err := h.Gov.SubmitBounty(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// reviewBounty answers accept, reject and cancel: the optional `{note}`,
// the store's act on the bounty in the path, the bounty as it now is.
func reviewBounty(c *fiber.Ctx, act func(ledger.Member, string, governance.ReviewInput) (governance.Bounty, error)) error {
	var in governance.ReviewInput
	if err := optionalBody(c, &in); err != nil {
		return err
	}
	b, err := act(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// AcceptBounty answers POST /bounties/{id}/accept: pays the claimant.
func (h Handlers) AcceptBounty(c *fiber.Ctx) error { return reviewBounty(c, h.Gov.AcceptBounty) }

// RejectBounty answers POST /bounties/{id}/reject: back to the claimant.
func (h Handlers) RejectBounty(c *fiber.Ctx) error { return reviewBounty(c, h.Gov.RejectBounty) }

// CancelBounty answers POST /bounties/{id}/cancel (board).
func (h Handlers) CancelBounty(c *fiber.Ctx) error { return reviewBounty(c, h.Gov.CancelBounty) }
