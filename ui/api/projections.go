package api

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// Project answers POST /projections: the scenario's months, each
// creditor's payoff month and when all debt is cleared. Whatever the body
// leaves out comes from the books (store.ScenarioFromBooks); the answer
// repeats the scenario it ran. It writes nothing, so it answers 200.
func (h Handlers) Project(c *fiber.Ctx) error {
	var in ledger.ScenarioInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	s, p, err := h.DB.Project(web.MustActor(c), in)
	if err != nil {
		return err
	}
	cur := p.Currency
	money := func(d decimal.Decimal) ledger.Money { return ledger.NewMoney(d, cur) }
	months := make([]fiber.Map, len(p.Months))
	for i, m := range p.Months {
		months[i] = fiber.Map{"month": m.Month, "members": m.Members, "income": money(m.Income), "costs": money(m.Costs),
			"margin": money(m.Margin), "bounty": money(m.Bounty), "wages": money(m.Wages), "deferred": money(m.Deferred),
			"payback": money(m.Payback), "reserve": money(m.Reserve), "debt": money(m.Debt)}
	}
	return c.JSON(fiber.Map{"currency": cur, "months": months, "payoff": p.Payoff, "cleared": p.Cleared, "scenario": scenarioView(s)})
}

// SolveProjection answers POST /projections/solve: the smallest flat
// monthly income that clears all debt within `months` while paying the
// team, the income that pays the team alone, and each as the paying
// members it takes at today's revenue per member (null when the scenario
// has no members to measure by).
func (h Handlers) SolveProjection(c *fiber.Ctx) error {
	var in ledger.ScenarioInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	s, sol, err := h.DB.SolveProjection(web.MustActor(c), in)
	if err != nil {
		return err
	}
	cur := s.Currency
	members := func(n int64) any {
		if s.Members <= 0 || !s.StartIncome.IsPositive() {
			return nil
		}
		return n
	}
	return c.JSON(fiber.Map{"currency": cur, "months": sol.Months,
		"income": ledger.NewMoney(sol.Income, cur), "members_needed": members(sol.MembersNeeded),
		"team_size": sol.TeamSize, "team_wages": ledger.NewMoney(sol.TeamWages, cur),
		"team_income": ledger.NewMoney(sol.TeamIncome, cur), "team_members_needed": members(sol.TeamMembersNeeded),
		"scenario": scenarioView(s)})
}

// scenarioView is the scenario a projection ran, as its input reads,
// with the debt summed per member.
func scenarioView(s ledger.Scenario) fiber.Map {
	cur := s.Currency
	team := make([]fiber.Map, len(s.Team))
	for i, tm := range s.Team {
		team[i] = fiber.Map{"member_id": tm.ID, "hours": tm.Hours.String(), "rate": tm.Rate.String()}
	}
	debt := map[string]ledger.Money{}
	for id, lots := range s.Debt {
		total := decimal.Zero
		for _, a := range lots {
			total = total.Add(a)
		}
		debt[id] = ledger.NewMoney(total, cur)
	}
	v := fiber.Map{"start": s.Start, "months": s.Months, "currency": cur, "start_income": ledger.NewMoney(s.StartIncome, cur),
		"monthly_growth": s.MonthlyGrowth.String(), "fixed_costs": ledger.NewMoney(s.FixedCosts, cur),
		"per_member_costs": s.PerMemberCosts.String(), "members": s.Members, "team": team, "debt": debt, "policy": policyView(s.Policy)}
	if s.TargetMultiple.IsPositive() {
		v["target_multiple"], v["target_month"] = s.TargetMultiple.String(), s.TargetMonth
	}
	return v
}
