package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MaxProjectionMonths bounds a projection's horizon (and the solver's N):
// fifty years.
const MaxProjectionMonths = 600

// maxTeamHours is more hours than a month has.
var maxTeamHours = decimal.NewFromInt(744)

// TeamMember is one member who works in every projected month: hours a
// month at an hourly rate. Earned each month is hours × rate, rounded
// half-even to the minor unit, like a real month's approved hours.
type TeamMember struct {
	ID    string          `json:"member_id"`
	Hours decimal.Decimal `json:"hours"`
	Rate  decimal.Decimal `json:"rate"`
}

// Scenario is a board's "what if" (DESIGN.md, Projections): an income path,
// costs, who works how much at what rate, the debt owed today and the
// close policy. Project runs it month by month through Close, the same
// code that closes real months.
//
// Income starts at StartIncome in the Start month and then either grows by
// MonthlyGrowth a month, compounding (0.05 = +5% a month; zero keeps it
// flat), or, with TargetMultiple, grows geometrically to StartIncome ×
// TargetMultiple in TargetMonth and stays there. Each month's income is
// rounded half-even to the minor unit; the growth itself compounds on the
// unrounded path.
//
// Costs each month are FixedCosts + PerMemberCosts × the month's paying
// members, rounded half-even. Paying members are projected from today's
// revenue per member (StartIncome / Members): a month's members are its
// income divided by that, rounded half-even to a whole member, so a
// month earning twice today's income has twice today's members. With no
// Members (or no StartIncome) the count stays at Members and
// PerMemberCosts must be zero.
type Scenario struct {
	Start          string
	Months         int
	Currency       string
	StartIncome    decimal.Decimal
	MonthlyGrowth  decimal.Decimal
	TargetMultiple decimal.Decimal // zero: not used
	TargetMonth    string
	FixedCosts     decimal.Decimal
	PerMemberCosts decimal.Decimal
	Members        int64
	Team           []TeamMember
	// Debt is what is owed before Start, by member and accrual month.
	Debt   map[string]map[string]decimal.Decimal
	Policy Policy
	// TeamSize, TeamRate and TeamHours are the solver's "K members at
	// rate R for H hours a month"; with TeamSize zero the solver's team
	// answer is for the policy team's own wage bill in Team.
	TeamSize  int
	TeamRate  decimal.Decimal
	TeamHours decimal.Decimal
}

// ProjectionMonth is one row of a projection. Wages, Deferred and Payback
// are totals over members; Debt is the total owed at the month's end.
type ProjectionMonth struct {
	Month    string
	Members  int64
	Income   decimal.Decimal
	Costs    decimal.Decimal
	Margin   decimal.Decimal
	Bounty   decimal.Decimal
	Wages    decimal.Decimal
	Deferred decimal.Decimal
	Payback  decimal.Decimal
	Reserve  decimal.Decimal
	Debt     decimal.Decimal
}

// Projection is a scenario's month-by-month table. Payoff holds every
// creditor (owed something at any month's end or before Start) and the
// month at whose end their debt reached zero for good, "" when it does not
// within the horizon: a member whose debt is paid off and later grows
// again (deferred again) is not paid off. Cleared is the same for the
// whole debt.
type Projection struct {
	Currency string
	Months   []ProjectionMonth
	Payoff   map[string]string
	Cleared  string
}

// ProjectedMonth is what ProjectEach hands over for each month: the close's
// input and result, the month's paying members, its wages, deferred and
// payback totals and the total debt at the month's end. Input.Debt is the
// debt before the month and is only valid during the call.
type ProjectedMonth struct {
	Input    CloseInput
	Result   CloseResult
	Members  int64
	Wages    decimal.Decimal
	Deferred decimal.Decimal
	Payback  decimal.Decimal
	Debt     decimal.Decimal
}

// Validate checks a scenario, naming fields by their JSON names
// (ScenarioInput).
func (s Scenario) Validate() error {
	v := &ValidationError{}
	s.validate(v)
	return v.Err()
}

func (s Scenario) validate(v *ValidationError) {
	start, err := ParseMonth(s.Start)
	if err != nil {
		v.Add("start", err.Error())
	}
	if s.Months < 1 || s.Months > MaxProjectionMonths {
		v.Add("months", fmt.Sprintf("must be between 1 and %d", MaxProjectionMonths))
	}
	if _, err := ParseCurrency(s.Currency); err != nil || s.Currency != strings.ToUpper(s.Currency) {
		v.Add("currency", "must be an ISO 4217 code such as GBP")
	}
	c := s.Currency
	amount := func(field string, d decimal.Decimal) {
		if _, err := ParseAmount(d, c); err != nil {
			v.Add(field, err.Error())
		} else if d.IsNegative() {
			v.Add(field, "must not be negative")
		}
	}
	amount("start_income", s.StartIncome)
	amount("fixed_costs", s.FixedCosts)
	switch {
	case CheckDecimal(s.PerMemberCosts) != nil || s.PerMemberCosts.IsNegative() || s.PerMemberCosts.GreaterThan(maxAmount):
		v.Add("per_member_costs", "must be a non-negative amount")
	case morePlaces(s.PerMemberCosts, 6):
		v.Add("per_member_costs", "has more than 6 decimal places")
	case s.PerMemberCosts.IsPositive() && (s.Members <= 0 || !s.StartIncome.IsPositive()):
		v.Add("per_member_costs", "needs members and a start_income above 0, to project the paying members")
	}
	if s.Members < 0 || s.Members > 1_000_000_000 {
		v.Add("members", "must be between 0 and 1000000000")
	}
	minusOne := decimal.NewFromInt(-1)
	switch g := s.MonthlyGrowth; {
	case CheckDecimal(g) != nil || !g.GreaterThan(minusOne) || g.GreaterThan(decimal.NewFromInt(10)):
		v.Add("monthly_growth", "must be above -1 and at most 10 (0.05 is +5% a month)")
	case morePlaces(g, 8):
		v.Add("monthly_growth", "has more than 8 decimal places")
	}
	if !s.TargetMultiple.IsZero() || s.TargetMonth != "" {
		if !s.MonthlyGrowth.IsZero() {
			v.Add("monthly_growth", "give monthly_growth or target_multiple with target_month, not both")
		}
		switch m := s.TargetMultiple; {
		case CheckDecimal(m) != nil || !m.IsPositive() || m.GreaterThan(decimal.NewFromInt(1_000_000)):
			v.Add("target_multiple", "must be above 0 and at most 1000000 (10 is ten times start_income)")
		case morePlaces(m, 8):
			v.Add("target_multiple", "has more than 8 decimal places")
		}
		if t, err := ParseMonth(s.TargetMonth); err != nil {
			v.Add("target_month", err.Error())
		} else if !t.After(start) {
			v.Add("target_month", "must be after start")
		} else if monthsBetween(start, t) > MaxProjectionMonths {
			v.Add("target_month", fmt.Sprintf("must be at most %d months after start", MaxProjectionMonths))
		}
	}
	seen := map[string]bool{}
	for i, tm := range s.Team {
		at := fmt.Sprintf("team[%d]", i)
		switch {
		case strings.TrimSpace(tm.ID) == "":
			v.Add(at+".member_id", "is required")
		case seen[tm.ID]:
			v.Add(at+".member_id", tm.ID+" is listed twice")
		}
		seen[tm.ID] = true
		if CheckDecimal(tm.Hours) != nil || tm.Hours.IsNegative() || tm.Hours.GreaterThan(maxTeamHours) || morePlaces(tm.Hours, 4) {
			v.Add(at+".hours", "must be between 0 and 744 hours a month, with at most 4 decimal places")
		}
		if CheckDecimal(tm.Rate) != nil || tm.Rate.IsNegative() || tm.Rate.GreaterThan(maxHourly) || morePlaces(tm.Rate, 4) {
			v.Add(at+".rate", "must be between 0 and "+maxHourly.String()+", with at most 4 decimal places")
		}
	}
	for _, id := range sortedKeys(s.Debt) {
		for _, month := range sortedKeys(s.Debt[id]) {
			a := s.Debt[id][month]
			if _, err := ParseMonth(month); err != nil {
				v.Add("debt", fmt.Sprintf("%s: accrual month %q %s", id, month, err))
			} else if month > s.Start && s.Start != "" {
				v.Add("debt", fmt.Sprintf("%s: accrual month %s is after start", id, month))
			} else if _, err := ParseAmount(a, c); err != nil || a.IsNegative() {
				v.Add("debt", fmt.Sprintf("%s %s: must be a non-negative amount with at most %d decimal places", id, month, MinorUnits(c)))
			}
		}
	}
	p := s.Policy
	share := func(field string, d decimal.Decimal) {
		if CheckDecimal(d) != nil || d.IsNegative() || d.GreaterThan(one) {
			v.Add(field, "must be between 0 and 1 (0.10 is 10%)")
		}
	}
	share("policy.bounty_share", p.BountyShare)
	share("policy.payback_share", p.PaybackShare)
	switch p.Split {
	case SplitEqual, SplitEarned:
	case SplitWeights:
		for _, id := range p.Team {
			if !p.Weights[id].IsPositive() {
				v.Add("policy.weights", "needs a positive weight for every team member ("+id+" has none)")
			}
		}
	default:
		v.Add("policy.split", "must be equal, earned or weights")
	}
	switch p.PaybackMethod {
	case PaybackProRata, PaybackOldestFirst, PaybackEqual:
	default:
		v.Add("policy.payback_method", "must be pro_rata, oldest_first or equal")
	}
	if s.TeamSize < 0 || s.TeamSize > 1_000_000 {
		v.Add("team_size", "must be between 0 and 1000000")
	}
	if s.TeamSize > 0 {
		if CheckDecimal(s.TeamRate) != nil || !s.TeamRate.IsPositive() || s.TeamRate.GreaterThan(maxHourly) || morePlaces(s.TeamRate, 4) {
			v.Add("team_rate", "must be above 0 and at most "+maxHourly.String()+", with at most 4 decimal places")
		}
		if CheckDecimal(s.TeamHours) != nil || !s.TeamHours.IsPositive() || s.TeamHours.GreaterThan(maxTeamHours) || morePlaces(s.TeamHours, 4) {
			v.Add("team_hours", "must be above 0 and at most 744 hours a month, with at most 4 decimal places")
		}
	}
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// AddMonths returns the month n months after month (YYYY-MM).
func AddMonths(month string, n int) string {
	t, err := ParseMonth(month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format(MonthLayout)
}

// incomePrecision is how many places the unrounded income path keeps.
const incomePrecision = 20

// Incomes returns the income of each projected month, rounded half-even to
// the minor unit (see Scenario). An income above 1e12 is refused, naming
// the growth field that led there.
func (s Scenario) Incomes() ([]decimal.Decimal, error) {
	out := make([]decimal.Decimal, s.Months)
	x := s.StartIncome
	growth, field := one.Add(s.MonthlyGrowth), "monthly_growth"
	target := -1
	if s.TargetMultiple.IsPositive() {
		start, _ := ParseMonth(s.Start)
		end, err := ParseMonth(s.TargetMonth)
		if err != nil {
			return nil, FieldError("target_month", err.Error())
		}
		target, field = monthsBetween(start, end), "target_multiple"
		growth, err = s.TargetMultiple.RootRound(int64(target), incomePrecision+4)
		if err != nil {
			return nil, FieldError("target_multiple", err.Error())
		}
	}
	for k := range out {
		switch {
		case k == 0:
		case target >= 0 && k == target:
			x = s.StartIncome.Mul(s.TargetMultiple) // exactly the target
		case target >= 0 && k > target:
			// flat after the target month
		default:
			x = x.Mul(growth).Round(incomePrecision)
		}
		out[k] = Round(x, s.Currency)
		if out[k].GreaterThan(maxAmount) {
			return nil, FieldError(field, "takes the income above "+maxAmount.String()+" by "+AddMonths(s.Start, k))
		}
	}
	return out, nil
}

// memberModel projects paying members from income: today's members per
// today's income.
type memberModel struct{ members, income decimal.Decimal }

func (s Scenario) memberModel() memberModel {
	return memberModel{members: decimal.NewFromInt(s.Members), income: s.StartIncome}
}

// at is the paying members at income: income × members / today's income,
// rounded half-even to a whole member (today's count when unknown).
func (m memberModel) at(income decimal.Decimal) int64 {
	if !m.income.IsPositive() || !m.members.IsPositive() {
		return m.members.IntPart()
	}
	return ratRound(income.Mul(m.members).Rat(), m.income.Rat(), false)
}

// needed is how many paying members at today's revenue per member bring
// income: rounded up. Zero when there are no members to measure by.
func (m memberModel) needed(income decimal.Decimal) int64 {
	if !m.income.IsPositive() || !m.members.IsPositive() {
		return 0
	}
	return ratRound(income.Mul(m.members).Rat(), m.income.Rat(), true)
}

// ratRound divides exactly and rounds to an integer: up when ceil, else
// half-even.
func ratRound(num, den *big.Rat, ceil bool) int64 {
	q := new(big.Rat).Quo(num, den)
	n, r := new(big.Int).QuoRem(q.Num(), q.Denom(), new(big.Int))
	if r.Sign() == 0 {
		return n.Int64()
	}
	if ceil {
		return n.Int64() + 1 // q > 0 here
	}
	switch new(big.Int).Mul(r, big.NewInt(2)).Cmp(q.Denom()) {
	case 1:
		n.Add(n, big.NewInt(1))
	case 0:
		if n.Bit(0) == 1 {
			n.Add(n, big.NewInt(1))
		}
	}
	return n.Int64()
}

// costsAt is the month's costs at a number of paying members.
func (s Scenario) costsAt(members int64) decimal.Decimal {
	return Round(s.FixedCosts.Add(s.PerMemberCosts.Mul(decimal.NewFromInt(members))), s.Currency)
}

// earned is each team member's earned in a month, zero ones left out.
func (s Scenario) earned() map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(s.Team))
	for _, tm := range s.Team {
		if e := Round(tm.Hours.Mul(tm.Rate), s.Currency); e.IsPositive() {
			out[tm.ID] = out[tm.ID].Add(e)
		}
	}
	return out
}

// CopyDebt returns a deep copy of debt without its zero lots.
func CopyDebt(debt map[string]map[string]decimal.Decimal) map[string]map[string]decimal.Decimal {
	out := make(map[string]map[string]decimal.Decimal, len(debt))
	for id, lots := range debt {
		for m, a := range lots {
			if a.IsPositive() {
				if out[id] == nil {
					out[id] = make(map[string]decimal.Decimal, len(lots))
				}
				out[id][m] = a
			}
		}
	}
	return out
}

// ApplyClose changes debt (by member and accrual month, changed in place)
// as posting the close r changes the store's debt lots: each deferral adds
// to the lot of r.Month; each payback takes from the lot of r.Month first
// (a payback is dated in the month closed, and that is its accrual month),
// then from the oldest lots, first in first out. Emptied lots and members
// are removed. This is the rule of the store's moveDebt, as a plain
// function; a payback above what a member is owed is an error.
func ApplyClose(debt map[string]map[string]decimal.Decimal, r CloseResult) error {
	for id, d := range r.Deferred {
		if !d.IsPositive() {
			continue
		}
		lots := debt[id]
		if lots == nil {
			lots = map[string]decimal.Decimal{}
			debt[id] = lots
		}
		if a, ok := lots[r.Month]; ok {
			d = d.Add(a)
		}
		lots[r.Month] = d
	}
	for id, b := range r.Payback {
		if !b.IsPositive() {
			continue
		}
		lots := debt[id]
		left := b
		from := r.Month
		if _, ok := lots[from]; !ok {
			from = oldestLot(lots)
		}
		for from != "" {
			have := lots[from]
			if have.GreaterThan(left) {
				lots[from] = have.Sub(left)
				left = decimal.Zero
				break
			}
			delete(lots, from)
			if left = left.Sub(have); !left.IsPositive() {
				break
			}
			from = oldestLot(lots)
		}
		if left.IsPositive() {
			return fmt.Errorf("close %s: payback of %s is more than the %s owed", r.Month, id, b.Sub(left))
		}
		if len(lots) == 0 {
			delete(debt, id)
		}
	}
	return nil
}

// oldestLot is the earliest accrual month in lots, "" when none.
func oldestLot(lots map[string]decimal.Decimal) string {
	oldest := ""
	for m := range lots {
		if oldest == "" || m < oldest {
			oldest = m
		}
	}
	return oldest
}

// sumAmounts adds amounts of a currency: in whole minor units when they
// fit an int64 (the usual case, and no allocation per amount), else with
// decimals.
func sumAmounts(m map[string]decimal.Decimal, currency string) decimal.Decimal {
	places := MinorUnits(currency)
	var units int64
	for _, a := range m {
		shift := a.Exponent() + places
		if shift < 0 || shift >= int32(len(pow10)) || a.NumDigits() > 15 || pow10[shift] > 1e3 {
			return sumDecimals(m)
		}
		units += a.CoefficientInt64() * int64(pow10[shift])
		if units > 1e17 || units < -1e17 {
			return sumDecimals(m)
		}
	}
	return decimal.New(units, -places)
}

func sumDecimals(m map[string]decimal.Decimal) decimal.Decimal {
	t := decimal.Zero
	for _, a := range m {
		t = t.Add(a)
	}
	return t
}

// ProjectEach runs the scenario month by month: it builds each month's
// CloseInput (income, costs, earned, the debt carried from the month
// before, the policy), closes it with Close, carries the debt on with
// ApplyClose and hands the month to each, stopping early when each
// returns false.
func ProjectEach(s Scenario, each func(ProjectedMonth) bool) error {
	if err := s.Validate(); err != nil {
		return err
	}
	incomes, err := s.Incomes()
	if err != nil {
		return err
	}
	_, err = s.run(incomes, s.memberModel(), each)
	return err
}

// run is ProjectEach on a given income path and member model (the solver
// keeps today's revenue per member while it tries other incomes).
func (s Scenario) run(incomes []decimal.Decimal, mm memberModel, each func(ProjectedMonth) bool) (map[string]map[string]decimal.Decimal, error) {
	debt := CopyDebt(s.Debt)
	total := decimal.Zero
	for _, lots := range debt {
		for _, a := range lots {
			total = total.Add(a)
		}
	}
	earned := s.earned()
	month := s.Start
	for k, income := range incomes {
		if k > 0 {
			month = AddMonths(month, 1)
		}
		members := mm.at(income)
		in := CloseInput{Month: month, Currency: s.Currency, Income: income, Costs: s.costsAt(members),
			Earned: earned, Debt: debt, Policy: s.Policy}
		r, err := Close(in)
		if err != nil {
			return debt, err
		}
		pm := ProjectedMonth{Input: in, Result: r, Members: members, Wages: sumAmounts(r.Wages, s.Currency),
			Deferred: sumAmounts(r.Deferred, s.Currency), Payback: sumAmounts(r.Payback, s.Currency)}
		total = total.Add(pm.Deferred).Sub(pm.Payback)
		pm.Debt = total
		if !each(pm) {
			return debt, nil
		}
		if err := ApplyClose(debt, r); err != nil {
			return debt, err
		}
		if s.Policy.PaybackMethod != PaybackOldestFirst {
			collapseLots(debt, month, r.Deferred)
		}
	}
	return debt, nil
}

// collapseLots keeps one lot per member (filed under month): pro rata and
// equal payback share by balance, so the projection need not carry a lot
// per month of history, which made every month's close cost more than
// the last. Only a deferral adds a lot, so only the members deferred this
// month can have more than one.
func collapseLots(debt map[string]map[string]decimal.Decimal, month string, deferred map[string]decimal.Decimal) {
	for id := range deferred {
		lots := debt[id]
		if len(lots) <= 1 {
			continue
		}
		sum := decimal.Zero
		for _, a := range lots {
			sum = sum.Add(a)
		}
		debt[id] = map[string]decimal.Decimal{month: sum}
	}
}

// Project runs the scenario and tabulates it (see Projection).
func Project(s Scenario) (Projection, error) {
	p := Projection{Currency: s.Currency, Months: make([]ProjectionMonth, 0, s.Months), Payoff: map[string]string{}}
	if err := s.Validate(); err != nil {
		return p, err
	}
	incomes, err := s.Incomes()
	if err != nil {
		return p, err
	}
	for id, lots := range CopyDebt(s.Debt) {
		if len(lots) > 0 {
			p.Payoff[id] = ""
		}
	}
	// settle records, once month r is posted and debt carried past it,
	// who it paid off (owed before, owed nothing now) and who it left
	// owed again. Anyone owed at a month's start has payoff "".
	settle := func(r *CloseResult, debt map[string]map[string]decimal.Decimal) {
		if r == nil {
			return
		}
		for id := range r.Payback {
			if _, owed := debt[id]; !owed {
				if was, creditor := p.Payoff[id]; creditor && was == "" {
					p.Payoff[id] = r.Month
				}
			}
		}
		for id := range r.Deferred {
			if _, owed := debt[id]; owed {
				p.Payoff[id] = ""
			}
		}
	}
	var last *CloseResult
	debt, err := s.run(incomes, s.memberModel(), func(pm ProjectedMonth) bool {
		settle(last, pm.Input.Debt) // the debt before this month is the debt after the last
		r := pm.Result
		p.Months = append(p.Months, ProjectionMonth{Month: r.Month, Members: pm.Members, Income: r.Income, Costs: r.Costs,
			Margin: r.Margin, Bounty: r.Bounty, Wages: pm.Wages, Deferred: pm.Deferred, Payback: pm.Payback, Reserve: r.Reserve, Debt: pm.Debt})
		switch {
		case pm.Debt.IsPositive():
			p.Cleared = ""
		case p.Cleared == "":
			p.Cleared = r.Month
		}
		last = &pm.Result
		return true
	})
	if err != nil {
		return p, err
	}
	settle(last, debt)
	return p, nil
}

// Solution is the solver's answer to the board's question: the smallest
// constant monthly income that pays the team in full every month and
// clears all debt by the end of month Months, and the income at which the
// team alone is paid in full; each also as the paying members it takes at
// today's revenue per member (zero when the scenario gives no members).
type Solution struct {
	Months            int
	Income            decimal.Decimal
	MembersNeeded     int64
	TeamSize          int
	TeamWages         decimal.Decimal
	TeamIncome        decimal.Decimal
	TeamMembersNeeded int64
	// Probes is how many whole projections the search ran, Closes how
	// many months it closed in all.
	Probes int
	Closes int
}

// Solve finds the smallest constant monthly income (to the minor unit)
// such that, from Start on, nobody on the policy's team is ever deferred
// and all debt is zero at the end of month `months`. Each probe is a
// projection at that flat income (the scenario's growth is ignored) run
// through Close; costs follow the scenario, with paying members projected
// from today's revenue per member. The search starts from the analytic
// estimate (the margin that pays the team and, at payback_share, the debt
// in N equal instalments), brackets the answer around it and bisects the
// bracket to the minor unit, so income − one minor unit does not clear: a
// handful of projections, not forty. When per-member costs make the
// margin fall at some income steps the answer is the boundary the search
// finds, which is then not necessarily the only one.
//
// The team answer is IncomeForWages for TeamSize × round(TeamRate ×
// TeamHours) when TeamSize is given, else for the wage bill of the
// policy's team in Team.
func Solve(s Scenario, months int) (Solution, error) {
	s.Months = months
	v := &ValidationError{}
	s.validate(v)
	if err := v.Err(); err != nil {
		return Solution{}, err
	}
	c := s.Currency
	places := MinorUnits(c)
	flat := s
	flat.MonthlyGrowth, flat.TargetMultiple, flat.TargetMonth = decimal.Zero, decimal.Zero, ""
	mm := s.memberModel()
	onTeam := make(map[string]bool, len(s.Policy.Team))
	for _, id := range s.Policy.Team {
		onTeam[id] = true
	}
	wages, offTeam := decimal.Zero, decimal.Zero
	for id, e := range s.earned() {
		if onTeam[id] {
			wages = wages.Add(e)
		} else {
			offTeam = offTeam.Add(e)
		}
	}
	debt := offTeam.Mul(decimal.NewFromInt(int64(months)))
	for _, lots := range s.Debt {
		for _, a := range lots {
			if a.IsPositive() {
				debt = debt.Add(a)
			}
		}
	}
	incomes := make([]decimal.Decimal, months)
	sol := Solution{Months: months}
	// run closes the first n months at a flat income and reports whether
	// nobody on the team was deferred, and the last month closed.
	run := func(units int64, n int, stop func(ProjectedMonth) bool) (paid bool, last ProjectedMonth, err error) {
		income := decimal.New(units, -places)
		for k := range incomes[:n] {
			incomes[k] = income
		}
		paid = true
		_, err = flat.run(incomes[:n], mm, func(pm ProjectedMonth) bool {
			sol.Closes++
			last = pm
			for id := range pm.Result.Deferred {
				if onTeam[id] {
					paid = false
					return false
				}
			}
			return !stop(pm)
		})
		return paid, last, err
	}
	// clears is the solver's question, asked of the whole projection: is
	// the team paid every month and the debt zero at the end of the last?
	clears := func(units int64) (bool, error) {
		sol.Probes++
		paid, last, err := run(units, months, func(pm ProjectedMonth) bool {
			// With the team paid and nobody else earning, nothing is
			// deferred again: cleared once is cleared for good.
			return pm.Debt.IsZero() && offTeam.IsZero()
		})
		return paid && last.Debt.IsZero(), err
	}
	if ok, err := clears(0); err != nil || ok {
		return sol, err
	}
	// Why no income may do: the shares leave nothing for the team or the
	// debt, or costs grow faster than income.
	b, p := s.Policy.BountyShare, s.Policy.PaybackShare
	if b.GreaterThanOrEqual(one) {
		return sol, FieldError("policy.bounty_share", "is 1: the whole margin goes to bounties, so no income pays the team or the debt")
	}
	if debt.IsPositive() && !p.IsPositive() {
		return sol, FieldError("policy.payback_share", "is 0: no income pays the debt back")
	}
	rest := one.Sub(b)
	margin := wages.DivRound(rest, places+4)
	if debt.IsPositive() {
		margin = margin.Add(debt.DivRound(decimal.NewFromInt(int64(months)).Mul(p).Mul(rest), places+4))
	}
	estimate, err := s.incomeForMargin(margin, mm, true)
	if err != nil {
		return sol, err
	}
	limit := maxAmount.Shift(places).IntPart()
	guess := min(max(estimate.Shift(places).Ceil().IntPart(), 1), limit)

	// At a flat income every month closes alike until the debt is gone:
	// the same wages, the same payback pool, and each month pays back the
	// whole pool or all that is left, whatever the payback method. So the
	// debt clears within N months exactly when the team is paid and the
	// pool is at least the debt to clear (today's and the off-team
	// deferrals to come) over N, rounded up; or the first month clears it
	// all. That takes closing one month, not N: find its boundary, then
	// confirm it with two whole projections. Should they disagree (they
	// do not, unless the model above misses something), search with
	// whole projections.
	mu := decimal.New(1, -places)
	need := debt.Div(mu).Ceil().Div(decimal.NewFromInt(int64(months))).Ceil().Mul(mu)
	quick := func(units int64) (bool, error) {
		paid, first, err := run(units, 1, func(ProjectedMonth) bool { return true })
		return paid && (first.Payback.GreaterThanOrEqual(need) || first.Debt.IsZero()), err
	}
	lo, hi := int64(0), guess // quick(0) is false: clears(0) is
	for {
		ok, err := quick(hi)
		if err != nil {
			return sol, err
		}
		if ok {
			break
		}
		if hi >= limit {
			return sol, FieldError("months", fmt.Sprintf("no income up to %s a month clears the debt within %d months", maxAmount, months))
		}
		lo, hi = hi, min(hi*2, limit)
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := quick(mid)
		if err != nil {
			return sol, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	confirmed, err := clears(hi)
	if err == nil && confirmed && hi > 1 {
		var below bool
		below, err = clears(hi - 1)
		confirmed = !below
	}
	if err != nil {
		return sol, err
	}
	if !confirmed {
		if hi, err = solveByProjection(clears, hi, limit, months); err != nil {
			return sol, err
		}
	}
	sol.Income = decimal.New(hi, -places)
	sol.MembersNeeded = mm.needed(sol.Income)

	sol.TeamSize, sol.TeamWages = len(s.Policy.Team), wages
	if s.TeamSize > 0 {
		sol.TeamSize = s.TeamSize
		sol.TeamWages = Round(s.TeamRate.Mul(s.TeamHours), c).Mul(decimal.NewFromInt(int64(s.TeamSize)))
	}
	teamMargin, err := MarginForWages(sol.TeamWages, b, c)
	if err != nil {
		return sol, err
	}
	if sol.TeamIncome, err = s.incomeForMargin(teamMargin, mm, false); err != nil {
		return sol, err
	}
	sol.TeamMembersNeeded = mm.needed(sol.TeamIncome)
	return sol, nil
}

// solveByProjection is Solve's search with a whole projection per probe:
// from guess it brackets the smallest income that clears, widening the
// step fourfold each time, then bisects the bracket (lo never clears, hi
// always does; clears(0) is false).
func solveByProjection(clears func(int64) (bool, error), guess, limit int64, months int) (int64, error) {
	lo, hi := int64(0), int64(0)
	ok, err := clears(guess)
	if err != nil {
		return 0, err
	}
	if ok {
		hi = guess
		for step := int64(1); hi > 1; step *= 4 {
			next := max(hi-step, 0)
			if next == 0 {
				break
			}
			ok, err := clears(next)
			if err != nil {
				return 0, err
			}
			if !ok {
				lo = next
				break
			}
			hi = next
		}
	} else {
		lo = guess
		for step := int64(1); ; step *= 4 {
			if lo >= limit {
				return 0, FieldError("months", fmt.Sprintf("no income up to %s a month clears the debt within %d months", maxAmount, months))
			}
			next := min(lo+step, limit)
			ok, err := clears(next)
			if err != nil {
				return 0, err
			}
			if ok {
				hi = next
				break
			}
			lo = next
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := clears(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// incomeForMargin is the smallest income (to the minor unit) whose margin
// after the scenario's costs at that income is at least margin. With
// per-member costs the members grow with income, so it is found by
// bisection; estimate asks only for the continuous answer, rounded up.
func (s Scenario) incomeForMargin(margin decimal.Decimal, mm memberModel, estimate bool) (decimal.Decimal, error) {
	c := s.Currency
	places := MinorUnits(c)
	if !s.PerMemberCosts.IsPositive() {
		return margin.Add(s.costsAt(mm.at(decimal.Zero))).RoundCeil(places), nil
	}
	// income − fixed − pmc × income × members / start_income ≥ margin
	keep := one.Sub(s.PerMemberCosts.Mul(mm.members).DivRound(mm.income, places+12))
	if !keep.IsPositive() {
		return decimal.Zero, FieldError("per_member_costs", "is at least the revenue per member (start_income / members): more income never leaves more margin")
	}
	guess := margin.Add(s.FixedCosts).DivRound(keep, places+4).RoundCeil(places)
	if estimate {
		return guess, nil
	}
	covers := func(units int64) bool {
		income := decimal.New(units, -places)
		return income.Sub(s.costsAt(mm.at(income))).GreaterThanOrEqual(margin)
	}
	limit := maxAmount.Shift(places).IntPart()
	hi := guess.Shift(places).IntPart() + 1
	for !covers(hi) {
		if hi >= limit {
			return decimal.Zero, FieldError("per_member_costs", "leave no income up to "+maxAmount.String()+" that pays the team")
		}
		hi = min(hi*2, limit)
	}
	lo := int64(-1)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if covers(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return decimal.New(hi, -places), nil
}

// MarginForWages is the smallest margin (to the minor unit) that pays
// wages in full after the bounty fund takes its share: margin −
// round(bounty_share × margin) ≥ wages. Analytically wages / (1 −
// bounty_share), rounded up, then nudged by a minor unit for the bounty's
// half-even rounding.
func MarginForWages(wages, bountyShare decimal.Decimal, currency string) (decimal.Decimal, error) {
	if !wages.IsPositive() {
		return decimal.Zero, nil
	}
	if bountyShare.GreaterThanOrEqual(one) {
		return decimal.Zero, FieldError("policy.bounty_share", "is 1: the whole margin goes to bounties, so no income pays the team")
	}
	places := MinorUnits(currency)
	unit := decimal.New(1, -places)
	m := wages.DivRound(one.Sub(bountyShare), places+12).RoundCeil(places)
	covers := func(m decimal.Decimal) bool {
		return m.Sub(Round(bountyShare.Mul(m), currency)).GreaterThanOrEqual(wages)
	}
	for !covers(m) {
		m = m.Add(unit)
	}
	for covers(m.Sub(unit)) {
		m = m.Sub(unit)
	}
	return m, nil
}

// IncomeForTeam is the monthly income at which k members working hours a
// month at rate are paid in full: their wages k × round(rate × hours)
// need the margin MarginForWages, and income is that margin plus costs.
func IncomeForTeam(k int, rate, hours, costs decimal.Decimal, p Policy, currency string) (decimal.Decimal, error) {
	wages := Round(rate.Mul(hours), currency).Mul(decimal.NewFromInt(int64(k)))
	m, err := MarginForWages(wages, p.BountyShare, currency)
	if err != nil {
		return m, err
	}
	return m.Add(costs), nil
}

// TeamMemberInput is one team member of a ScenarioInput.
type TeamMemberInput struct {
	MemberID string           `json:"member_id"`
	Hours    *decimal.Decimal `json:"hours"`
	Rate     *decimal.Decimal `json:"rate"`
}

// ScenarioInput is a scenario as a client sends it (POST /projections,
// POST /projections/solve, `coopledger project --scenario`). A nil field
// was not given: the store fills start, months (projections only),
// currency, start_income, members, fixed_costs, team, debt and policy
// from the books before Scenario validates it. team_size, team_rate and
// team_hours are for the solver only. A policy's from may be left out and
// its team defaults to the scenario's team.
type ScenarioInput struct {
	Start          string                                `json:"start"`
	Months         *int                                  `json:"months"`
	Currency       string                                `json:"currency"`
	StartIncome    *decimal.Decimal                      `json:"start_income"`
	MonthlyGrowth  *decimal.Decimal                      `json:"monthly_growth"`
	TargetMultiple *decimal.Decimal                      `json:"target_multiple"`
	TargetMonth    string                                `json:"target_month"`
	FixedCosts     *decimal.Decimal                      `json:"fixed_costs"`
	PerMemberCosts *decimal.Decimal                      `json:"per_member_costs"`
	Members        *int64                                `json:"members"`
	Team           []TeamMemberInput                     `json:"team"`
	Debt           map[string]map[string]decimal.Decimal `json:"debt"`
	Policy         *PolicyInput                          `json:"policy"`
	TeamSize       *int                                  `json:"team_size"`
	TeamRate       *decimal.Decimal                      `json:"team_rate"`
	TeamHours      *decimal.Decimal                      `json:"team_hours"`
}

// Scenario validates the input and returns the scenario, naming every
// bad field. solve allows team_size, team_rate and team_hours.
func (in ScenarioInput) Scenario(solve bool) (Scenario, error) {
	v := &ValidationError{}
	s := Scenario{Start: strings.TrimSpace(in.Start), Currency: strings.ToUpper(strings.TrimSpace(in.Currency)),
		TargetMonth: strings.TrimSpace(in.TargetMonth)}
	if s.Start == "" {
		v.Add("start", "is required")
	}
	if in.Months == nil {
		v.Add("months", "is required")
	} else {
		s.Months = *in.Months
	}
	if s.Currency == "" {
		s.Currency = DefaultCurrency
	}
	need := func(field string, d *decimal.Decimal) decimal.Decimal {
		if d == nil {
			v.Add(field, "is required")
			return decimal.Zero
		}
		return *d
	}
	opt := func(d *decimal.Decimal) decimal.Decimal {
		if d == nil {
			return decimal.Zero
		}
		return *d
	}
	s.StartIncome = need("start_income", in.StartIncome)
	s.MonthlyGrowth, s.TargetMultiple = opt(in.MonthlyGrowth), opt(in.TargetMultiple)
	if in.TargetMultiple != nil && s.TargetMonth == "" {
		v.Add("target_month", "is required with target_multiple")
	}
	if in.TargetMultiple == nil && s.TargetMonth != "" {
		v.Add("target_multiple", "is required with target_month")
	}
	s.FixedCosts, s.PerMemberCosts = opt(in.FixedCosts), opt(in.PerMemberCosts)
	if in.Members != nil {
		s.Members = *in.Members
	}
	s.Team = make([]TeamMember, 0, len(in.Team))
	for i, tm := range in.Team {
		at := fmt.Sprintf("team[%d]", i)
		s.Team = append(s.Team, TeamMember{ID: strings.TrimSpace(tm.MemberID), Hours: need(at+".hours", tm.Hours), Rate: need(at+".rate", tm.Rate)})
	}
	s.Debt = CopyDebt(in.Debt)
	for id, lots := range in.Debt { // CopyDebt drops negative lots; Validate must see them
		for m, a := range lots {
			if a.IsNegative() {
				if s.Debt[id] == nil {
					s.Debt[id] = map[string]decimal.Decimal{}
				}
				s.Debt[id][m] = a
			}
		}
	}
	if in.Policy == nil {
		v.Add("policy", "is required")
		s.Policy = Policy{Split: SplitEarned, PaybackMethod: PaybackProRata}
	} else {
		pin := *in.Policy
		if strings.TrimSpace(pin.From) == "" {
			pin.From = s.Start
			if _, err := ParseMonth(pin.From); err != nil {
				pin.From = "2000-01" // start is reported on its own
			}
		}
		if pin.Team == nil {
			for _, tm := range s.Team {
				pin.Team = append(pin.Team, tm.ID)
			}
		}
		p, err := pin.Validate()
		var pv *ValidationError
		if errors.As(err, &pv) {
			for f, why := range pv.Fields {
				v.Add("policy."+f, why)
			}
		} else if err != nil {
			v.Add("policy", err.Error())
		}
		s.Policy = p
	}
	if solve {
		if in.TeamSize != nil || in.TeamRate != nil || in.TeamHours != nil {
			if in.TeamSize == nil {
				v.Add("team_size", "is required with team_rate and team_hours")
			} else {
				s.TeamSize = *in.TeamSize
			}
			s.TeamRate, s.TeamHours = need("team_rate", in.TeamRate), need("team_hours", in.TeamHours)
		}
	} else {
		for field, given := range map[string]bool{"team_size": in.TeamSize != nil, "team_rate": in.TeamRate != nil, "team_hours": in.TeamHours != nil} {
			if given {
				v.Add(field, "is only for POST /projections/solve")
			}
		}
	}
	s.validate(v)
	return s, v.Err()
}

// morePlaces reports whether d has digits beyond n decimal places, by
// value (0E-16 has none).
func morePlaces(d decimal.Decimal, n int32) bool { return !d.Equal(d.Truncate(n)) }
