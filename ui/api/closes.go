package api

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// ListPolicies answers GET /policies.
func (h Handlers) ListPolicies(c *fiber.Ctx) error {
	ps, err := h.DB.Policies()
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(ps))
	for i, p := range ps {
		out[i] = policyView(p)
	}
	return c.JSON(out)
}

// AddPolicy answers POST /policies.
func (h Handlers) AddPolicy(c *fiber.Ctx) error {
	var in ledger.PolicyInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	p, err := h.DB.AddPolicy(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, policyView(p))
}

func policyView(p ledger.Policy) fiber.Map {
	weights := map[string]string{}
	for id, w := range p.Weights {
		weights[id] = w.String()
	}
	return fiber.Map{"id": p.ID, "from": p.From, "bounty_share": p.BountyShare.String(), "team": p.Team,
		"split": p.Split, "weights": weights, "payback_share": p.PaybackShare.String(), "payback_method": p.PaybackMethod}
}

// DraftClose answers POST /closes/{month}: compute the month's close as a
// draft (again, if one exists).
func (h Handlers) DraftClose(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	mc, err := h.DB.DraftClose(actor, param(c, "month"))
	if err != nil {
		return err
	}
	return created(c, closeView(actor, mc))
}

// ApproveClose answers POST /closes/{month}/approve: post it to the
// journal and lock the month.
func (h Handlers) ApproveClose(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	mc, err := h.DB.ApproveClose(actor, param(c, "month"))
	if err != nil {
		return err
	}
	return c.JSON(closeView(actor, mc))
}

// GetClose answers GET /closes/{month}.
func (h Handlers) GetClose(c *fiber.Ctx) error {
	month := param(c, "month")
	if _, err := ledger.ParseMonth(month); err != nil {
		return ledger.FieldError("month", err.Error())
	}
	mc, err := h.DB.MonthClose(month)
	if err != nil {
		return err
	}
	return c.JSON(closeView(web.MustActor(c), mc))
}

// closeView is the close as DESIGN.md's API names it, amounts with the
// currency's places. Members who do not oversee others see the month's
// totals and only their own line of the per-member figures.
func closeView(actor ledger.Member, mc store.MonthClose) fiber.Map {
	cur := mc.Currency
	money := func(d decimal.Decimal) ledger.Money { return ledger.NewMoney(d, cur) }
	each := func(m map[string]decimal.Decimal) map[string]ledger.Money {
		out := map[string]ledger.Money{}
		for id, d := range m {
			if actor.CanSeeAll() || id == actor.ID {
				out[id] = money(d)
			}
		}
		return out
	}
	v := fiber.Map{
		"month": mc.Month, "state": mc.State, "currency": cur, "policy_id": mc.PolicyID,
		"income": money(mc.Income), "costs": money(mc.Costs), "margin": money(mc.Margin),
		"bounty": money(mc.Bounty), "earned": each(mc.Earned), "wages": each(mc.Wages),
		"deferred": each(mc.Deferred), "payback": each(mc.Payback), "reserve": money(mc.Reserve),
		"loss": money(mc.Loss), "drafted_at": mc.DraftedAt,
	}
	if mc.State == store.ClosePosted {
		v["approved_by"] = mc.ApprovedBy
		v["posted_at"] = mc.PostedAt
		v["transactions"] = mc.Transactions
	}
	return v
}
