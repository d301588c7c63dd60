package pages

import (
	"errors"
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/chart"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// The scenario page's defaults: a ten-year horizon and the solver's "clear
// all debt within five years".
const (
	scenarioMonths = 120
	solveMonths    = 60
)

// scenarioPresets are the flat incomes the page always projects, as
// multiples of today's income.
var scenarioPresets = []struct {
	name     string
	multiple int64
}{{"Today's income", 1}, {"×2 income", 2}, {"×3 income", 3}, {"×10 income", 10}}

// scenariosData is the board's scenario page: today's income and three
// multiples of it (and, when asked, a custom path) projected month by
// month through the close, the debt of each over time as a chart and a
// table, each creditor's payoff month per scenario, and what flat income
// clears all debt within N months.
type scenariosData struct {
	Currency   string
	Start      string // the first projected month, YYYY-MM
	StartLabel string
	Months     int
	Today      string // today's monthly income, as the books give it
	Debt       string // owed today
	Owed       bool
	// Problem says why the books give no scenario to project (no policy,
	// no income recorded); nothing else is shown then.
	Problem    string
	Solve      string // the solver's answer as a sentence
	SolveTeam  string // the income that pays the team alone
	SolveError string
	SolveN     int
	Series     []scenarioSeries
	Chart      template.HTML
	Every      int // the table shows every Every-th month (and the first and last)
	Rows       []scenarioRow
	Payoff     []payoffRow
	Cleared    []payoffCell
}

// scenarioSeries is one projected scenario: its name, CSS class (its
// colour in the chart), monthly income path and how it ends.
type scenarioSeries struct {
	Name, Class, Income, Growth string
	projection                  ledger.Projection
}

// scenarioRow is one month of the debt table: the total owed at its end
// under each scenario.
type scenarioRow struct {
	Month, Label string
	Debts        []string
}

// payoffRow is one creditor's payoff month under each scenario.
type payoffRow struct {
	MemberID, Name string
	Cells          []payoffCell
}

// payoffCell is a payoff month ("Mar 2027", the N-th projected month),
// or Text when there is none.
type payoffCell struct {
	Month, Label string
	N            int
	Text         string
}

// Scenarios shows GET /scenarios to ops, board and admin (the store
// refuses anyone else: 403). Query parameters, all optional: months (the
// horizon, 1..600, default 120), income and growth (a custom scenario's
// start income and monthly growth in per cent; either shows it), solve
// (the N of "clear all debt within N months", default 60). A bad value is
// answered 400 with the page drawn from the defaults in its place.
func (h *Handlers) Scenarios(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	kept := map[string]string{}
	for _, k := range []string{"months", "income", "growth", "solve"} {
		kept[k] = strings.TrimSpace(query(c, k))
	}
	v := &ledger.ValidationError{}
	months := monthsField(v, "months", kept["months"], scenarioMonths, "the horizon")
	solveN := monthsField(v, "solve", kept["solve"], solveMonths, "N")
	custom := kept["income"] != "" || kept["growth"] != ""
	var customIncome *decimal.Decimal
	customGrowth := decimal.Zero
	if s := kept["income"]; s != "" {
		if d, ok := parseAmountText(s); !ok {
			v.Add("income", "must be an amount like 2500.00")
		} else if d.IsNegative() {
			v.Add("income", "must not be negative")
		} else {
			customIncome = &d
		}
	}
	if s := kept["growth"]; s != "" {
		g, err := decimal.NewFromString(strings.TrimSuffix(s, "%"))
		switch {
		case err != nil:
			v.Add("growth", "must be a percentage like 5 or -2.5")
		case !g.GreaterThan(decimal.NewFromInt(-100)) || g.GreaterThan(decimal.NewFromInt(1000)):
			v.Add("growth", "must be above -100 and at most 1000 (per cent a month)")
		case !g.Equal(g.Truncate(6)):
			v.Add("growth", "has more than 6 decimal places")
		default:
			customGrowth = g.Shift(-2)
		}
	}
	if v.Fields["income"] != "" || v.Fields["growth"] != "" {
		custom = false
	}

	zero := decimal.Zero
	base, first, err := h.db.Project(actor, ledger.ScenarioInput{Months: &months, MonthlyGrowth: &zero})
	d := scenariosData{Currency: base.Currency, Months: months, SolveN: solveN}
	p := Page{Title: "Scenarios", Nav: "scenarios", Form: kept, Fields: v.Fields}
	status := fiber.StatusOK
	if len(v.Fields) > 0 {
		status, p.Error = fiber.StatusBadRequest, "Some values need attention: see the messages next to them. "+
			"The page shows the defaults in their place."
	}
	if err != nil {
		ve, ok := asValidation(err)
		if !ok {
			return err // 403 for members, through the normal error path
		}
		d.Problem = "The books do not give a scenario to project yet: " + fieldList(ve) + "."
		if _, noPolicy := ve.Fields["policy"]; noPolicy {
			d.Problem += " A policy must be in force this month."
		}
		if _, noIncome := ve.Fields["start_income"]; noIncome {
			d.Problem += " Record a month's income first."
		}
		p.Data = d
		return h.render(c, status, "scenarios", p)
	}
	cur := base.Currency
	amt := func(x decimal.Decimal) string { return money(ledger.NewMoney(x, cur)) }
	d.Start, d.Today = base.Start, amt(base.StartIncome)
	if t, err := ledger.ParseMonth(base.Start); err == nil {
		d.StartLabel = monthLabel(t)
	}
	owed := decimal.Zero
	for _, lots := range base.Debt {
		for _, a := range lots {
			owed = owed.Add(a)
		}
	}
	d.Debt, d.Owed = amt(owed), owed.IsPositive()

	// Every other scenario runs on the same books as the first: its start,
	// costs, team, debt and policy are given, so the store reads nothing
	// more and all of them start from the same debt.
	like := func(income decimal.Decimal, growth decimal.Decimal, n int) ledger.ScenarioInput {
		members := base.Members
		if base.StartIncome.IsPositive() && members > 0 {
			members = income.Mul(decimal.NewFromInt(members)).DivRound(base.StartIncome, 0).IntPart()
		}
		team := make([]ledger.TeamMemberInput, len(base.Team))
		for i, tm := range base.Team {
			team[i] = ledger.TeamMemberInput{MemberID: tm.ID, Hours: &tm.Hours, Rate: &tm.Rate}
		}
		pol := base.Policy
		return ledger.ScenarioInput{Start: base.Start, Months: &n, Currency: cur, StartIncome: &income, MonthlyGrowth: &growth,
			FixedCosts: &base.FixedCosts, Members: &members, Team: team, Debt: base.Debt,
			Policy: &ledger.PolicyInput{From: pol.From, BountyShare: &pol.BountyShare, Team: pol.Team, Split: pol.Split,
				Weights: pol.Weights, PaybackShare: &pol.PaybackShare, PaybackMethod: pol.PaybackMethod}}
	}
	for i, pr := range scenarioPresets {
		income := base.StartIncome.Mul(decimal.NewFromInt(pr.multiple))
		proj := first
		if i > 0 {
			if _, proj, err = h.db.Project(actor, like(income, zero, months)); err != nil {
				return fmt.Errorf("scenario %s: %w", pr.name, err)
			}
		}
		d.Series = append(d.Series, scenarioSeries{Name: pr.name, Income: amt(income), Growth: "flat", projection: proj})
	}
	if custom {
		income := base.StartIncome
		if customIncome != nil {
			income = *customIncome
		}
		_, proj, err := h.db.Project(actor, like(income, customGrowth, months))
		if ve, ok := asValidation(err); ok {
			// The store's own limits (an income path above its maximum, too
			// many places for the currency): shown by the field they concern.
			names := map[string]string{"start_income": "income", "monthly_growth": "growth", "months": "months"}
			var other []string
			for f, why := range ve.Fields {
				if n, ok := names[f]; ok {
					v.Add(n, why)
				} else {
					other = append(other, strings.ReplaceAll(f, "_", " ")+" "+why)
				}
			}
			sort.Strings(other)
			p.Fields = v.Fields
			status, p.Error = fiber.StatusBadRequest, "The custom scenario could not be projected: see the messages next to its fields."
			if len(other) > 0 {
				p.Error = "The custom scenario could not be projected: " + strings.Join(other, "; ") + "."
			}
		} else if err != nil {
			return fmt.Errorf("custom scenario: %w", err)
		} else {
			growth := "flat"
			if !customGrowth.IsZero() {
				growth = fmt.Sprintf("%s%% a month", customGrowth.Shift(2).String())
				if customGrowth.IsPositive() {
					growth = "+" + growth
				}
			}
			d.Series = append(d.Series, scenarioSeries{Name: "Custom", Income: amt(income), Growth: growth, projection: proj})
		}
	}
	for i := range d.Series {
		d.Series[i].Class = "line-" + strconv.Itoa(i+1)
	}

	if err := h.solveSentence(actor, &d, base, like(base.StartIncome, zero, solveN), owed); err != nil {
		return err
	}
	if err := h.scenarioTables(&d, months); err != nil {
		return err
	}
	p.Data = d
	return h.render(c, status, "scenarios", p)
}

// monthsField reads a month count between 1 and MaxProjectionMonths, def
// when empty; a bad one is reported and def used.
func monthsField(v *ledger.ValidationError, field, s string, def int, what string) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > ledger.MaxProjectionMonths {
		v.Add(field, fmt.Sprintf("%s must be a whole number of months from 1 to %d", what, ledger.MaxProjectionMonths))
		return def
	}
	return n
}

// fieldList is a validation error's fields and reasons in one line.
func fieldList(ve *ledger.ValidationError) string {
	keys := make([]string, 0, len(ve.Fields))
	for k := range ve.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strings.ReplaceAll(k, "_", " ") + " " + ve.Fields[k]
	}
	return strings.Join(parts, "; ")
}

// solveSentence asks the solver for the smallest flat income that clears
// all debt within d.SolveN months while paying the team, and writes the
// answer as the sentence above the chart.
func (h *Handlers) solveSentence(actor ledger.Member, d *scenariosData, base ledger.Scenario, in ledger.ScenarioInput, owed decimal.Decimal) error {
	s, sol, err := h.db.SolveProjection(actor, in)
	if ve, ok := asValidation(err); ok {
		d.SolveError = "No income clears the debt on these books: " + fieldList(ve) + "."
		return nil
	} else if err != nil {
		return fmt.Errorf("solve: %w", err)
	}
	cur := s.Currency
	amt := func(x decimal.Decimal) string { return money(ledger.NewMoney(x, cur)) + " " + cur }
	var b strings.Builder
	if owed.IsPositive() {
		fmt.Fprintf(&b, "Clearing all %s within %d months takes %s a month", amt(owed), sol.Months, amt(sol.Income))
	} else {
		fmt.Fprintf(&b, "Nothing is owed today; paying the team in full for the next %d months takes %s a month", sol.Months, amt(sol.Income))
	}
	today := base.StartIncome
	switch {
	case base.Members > 0 && today.IsPositive():
		per := ledger.Round(today.DivRound(decimal.NewFromInt(base.Members), 8), cur)
		fmt.Fprintf(&b, " — about %d paying members at today's %s per member, %s× today", sol.MembersNeeded,
			money(ledger.NewMoney(per, cur)), sol.Income.DivRound(today, 1).StringFixed(1))
	case today.IsPositive():
		fmt.Fprintf(&b, " — %s× today's %s", sol.Income.DivRound(today, 1).StringFixed(1), amt(today))
	}
	b.WriteString(".")
	d.Solve = b.String()
	if sol.TeamIncome.IsPositive() {
		d.SolveTeam = fmt.Sprintf("Paying the team alone (%s of wages a month) takes %s a month.", amt(sol.TeamWages), amt(sol.TeamIncome))
	}
	return nil
}

// scenarioTables builds the chart, the debt table (every month of a short
// horizon, every 6th or 12th of a long one, always the first and last)
// and the payoff table from the projections.
func (h *Handlers) scenarioTables(d *scenariosData, months int) error {
	if len(d.Series) == 0 {
		return nil
	}
	cur := d.Currency
	amt := func(x decimal.Decimal) string { return money(ledger.NewMoney(x, cur)) }
	ref := d.Series[0].projection.Months
	labels := make([]string, len(ref))
	for i, m := range ref {
		t, err := ledger.ParseMonth(m.Month)
		if err != nil {
			return fmt.Errorf("projection: %w", err)
		}
		labels[i] = t.Format("Jan 2006")
	}
	d.Every = 1
	switch {
	case len(ref) > 120:
		d.Every = 12
	case len(ref) > 24:
		d.Every = 6
	}
	series := make([]chart.LineSeries, len(d.Series))
	var ends []string
	for k, s := range d.Series {
		series[k] = chart.LineSeries{Name: s.Name, Class: s.Class}
		for _, m := range s.projection.Months {
			series[k].Values = append(series[k].Values, m.Debt)
		}
		end := "still owes " + amt(lastDebt(s.projection)) + " at the end"
		if s.projection.Cleared != "" {
			end = "clears all debt by " + monthText(s.projection.Cleared)
		}
		ends = append(ends, fmt.Sprintf("%s (%s a month, %s) %s", s.Name, s.Income, s.Growth, end))
	}
	desc := "No months projected."
	if len(labels) > 0 {
		desc = fmt.Sprintf("Lines of the total the co-op would owe its members in %s at the end of each month from %s to %s, one per scenario: %s. "+
			"The table beside lists the same figures.", cur, labels[0], labels[len(labels)-1], strings.Join(ends, "; "))
	}
	d.Chart = chart.Lines(series, labels, chart.Options{ID: "scenario-chart", Title: "Total debt over time by scenario (" + cur + ")",
		Desc: desc, Format: chartFormat(cur), Empty: "No months projected", LabelStep: 12})
	for i, m := range ref {
		if i != 0 && (i+1)%d.Every != 0 && i != len(ref)-1 {
			continue
		}
		row := scenarioRow{Month: m.Month, Label: labels[i]}
		for _, s := range d.Series {
			cell := "—"
			if i < len(s.projection.Months) {
				cell = amt(s.projection.Months[i].Debt)
			}
			row.Debts = append(row.Debts, cell)
		}
		d.Rows = append(d.Rows, row)
	}

	ids := map[string]bool{}
	for _, s := range d.Series {
		for id := range s.projection.Payoff {
			ids[id] = true
		}
	}
	never := fmt.Sprintf("not within %d months", months)
	cell := func(month string) payoffCell {
		t, err := ledger.ParseMonth(month)
		start, err2 := ledger.ParseMonth(d.Start)
		if err != nil || err2 != nil {
			return payoffCell{Text: month}
		}
		n := (t.Year()-start.Year())*12 + int(t.Month()) - int(start.Month()) + 1
		return payoffCell{Month: month, Label: t.Format("Jan 2006"), N: n}
	}
	for id := range ids {
		name := id
		if m, err := h.db.Member(id); err == nil {
			name = m.Name
		} else if !errors.Is(err, ledger.ErrNotFound) {
			return err
		}
		row := payoffRow{MemberID: id, Name: name}
		for _, s := range d.Series {
			month, creditor := s.projection.Payoff[id]
			switch {
			case !creditor:
				row.Cells = append(row.Cells, payoffCell{Text: "never owed"})
			case month == "":
				row.Cells = append(row.Cells, payoffCell{Text: never})
			default:
				row.Cells = append(row.Cells, cell(month))
			}
		}
		d.Payoff = append(d.Payoff, row)
	}
	sort.Slice(d.Payoff, func(i, j int) bool {
		if d.Payoff[i].Name != d.Payoff[j].Name {
			return d.Payoff[i].Name < d.Payoff[j].Name
		}
		return d.Payoff[i].MemberID < d.Payoff[j].MemberID
	})
	for _, s := range d.Series {
		switch {
		case !d.Owed && s.projection.Cleared == d.Start:
			d.Cleared = append(d.Cleared, payoffCell{Text: "nothing owed"})
		case s.projection.Cleared == "":
			d.Cleared = append(d.Cleared, payoffCell{Text: never})
		default:
			d.Cleared = append(d.Cleared, cell(s.projection.Cleared))
		}
	}
	return nil
}

func lastDebt(p ledger.Projection) decimal.Decimal {
	if len(p.Months) == 0 {
		return decimal.Zero
	}
	return p.Months[len(p.Months)-1].Debt
}

// monthText is YYYY-MM as "Mar 2027".
func monthText(month string) string {
	if t, err := ledger.ParseMonth(month); err == nil {
		return t.Format("Jan 2006")
	}
	return month
}
