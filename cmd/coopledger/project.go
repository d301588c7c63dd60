package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/shopspring/decimal"
)

const projectExamples = `  echo '{"monthly_growth":"0.05"}' > grow.json     # +5% a month; the rest from the books
  coopledger project --db coop.db --scenario grow.json
  echo '{"target_multiple":"10","target_month":"2027-12","per_member_costs":"0.40"}' > ten.json
  coopledger project --db coop.db --scenario ten.json
  echo '{}' | coopledger project --db coop.db --scenario - --solve 36
                                                      # what flat income clears the debt in 3 years?`

// projectOptions is what `project` is asked to do.
type projectOptions struct {
	DB       string
	Scenario string
	Solve    int
}

func runProject(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("project", "Run a payback scenario through the monthly close, month by month, and print the table "+
		"(income, costs, margin, bounty, wages, deferred, payback, reserve, debt) with each creditor's payoff month; "+
		"with --solve N, print the smallest flat monthly income that clears all debt within N months while paying the team, "+
		"and the income that pays the team alone, each also in paying members. The scenario is the JSON body of "+
		"POST /api/v1/projections; whatever it leaves out comes from the books. Reads the store file only.", projectExamples, stderr)
	o := projectOptions{}
	fs.StringVar(&o.DB, "db", "./coopledger.db", "store file")
	fs.StringVar(&o.Scenario, "scenario", "", `scenario JSON file ("-" for standard input)`)
	fs.IntVar(&o.Solve, "solve", 0, "solve for the income that clears the debt within this many months")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.Scenario == "" {
		return usageError{errors.New(`--scenario FILE is required (a JSON object; "{}" takes everything from the books)`)}
	}
	if o.Solve < 0 || o.Solve > ledger.MaxProjectionMonths {
		return usageError{fmt.Errorf("--solve must be between 1 and %d months", ledger.MaxProjectionMonths)}
	}
	return project(ctx, o, os.Stdin, stdout)
}

// project reads the scenario and prints the projection or the solution.
func project(_ context.Context, o projectOptions, stdin io.Reader, stdout io.Writer) error {
	var body []byte
	var err error
	if o.Scenario == "-" {
		body, err = io.ReadAll(io.LimitReader(stdin, 16<<20))
	} else {
		body, err = os.ReadFile(o.Scenario)
	}
	if err != nil {
		return err
	}
	var in ledger.ScenarioInput
	if err := web.BindJSON(body, &in); err != nil {
		return usageError{fmt.Errorf("--scenario %s: %w", o.Scenario, err)}
	}
	db, err := store.Open(o.DB, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	names, err := memberNames(db)
	if err != nil {
		return err
	}
	if o.Solve > 0 {
		if in.Months != nil && *in.Months != o.Solve {
			return usageError{fmt.Errorf("--solve %d and the scenario's months %d disagree; give one", o.Solve, *in.Months)}
		}
		in.Months = &o.Solve
		s, sol, err := db.SolveProjection(ledger.System, in)
		if err != nil {
			return describeErr(err)
		}
		writeSolution(stdout, s, sol)
		return nil
	}
	s, p, err := db.Project(ledger.System, in)
	if err != nil {
		return describeErr(err)
	}
	writeProjection(stdout, s, p, names)
	return nil
}

// writeScenario prints the assumptions a projection ran on.
func writeScenario(w io.Writer, s ledger.Scenario) {
	c := s.Currency
	amt := func(d decimal.Decimal) string { return ledger.FormatAmount(d, c) }
	growth := "flat"
	switch {
	case s.TargetMultiple.IsPositive():
		growth = fmt.Sprintf("×%s by %s, flat after", s.TargetMultiple, s.TargetMonth)
	case !s.MonthlyGrowth.IsZero():
		growth = fmt.Sprintf("%s%% a month", s.MonthlyGrowth.Shift(2))
	}
	fmt.Fprintf(w, "Scenario from %s, in %s: income %s (%s); costs %s + %s a paying member (%d today)\n",
		s.Start, c, amt(s.StartIncome), growth, amt(s.FixedCosts), s.PerMemberCosts, s.Members)
	wages := decimal.Zero
	for _, tm := range s.Team {
		wages = wages.Add(ledger.Round(tm.Hours.Mul(tm.Rate), c))
	}
	p := s.Policy
	fmt.Fprintf(w, "Team: %d working, %s a month earned; policy %s: bounty %s, wages split by %s, payback %s %s\n\n",
		len(s.Team), amt(wages), orDash(p.ID), p.BountyShare, p.Split, p.PaybackShare, p.PaybackMethod)
}

func orDash(s string) string {
	if s == "" {
		return "as given"
	}
	return s
}

// writeProjection prints the month-by-month table, then each creditor's
// payoff month.
func writeProjection(w io.Writer, s ledger.Scenario, p ledger.Projection, names map[string]string) {
	c := p.Currency
	amt := func(d decimal.Decimal) string { return ledger.FormatAmount(d, c) }
	writeScenario(w, s)
	rows := make([][]string, 0, len(p.Months))
	for _, m := range p.Months {
		rows = append(rows, []string{m.Month, strconv.FormatInt(m.Members, 10), amt(m.Income), amt(m.Costs), amt(m.Margin), amt(m.Bounty),
			amt(m.Wages), amt(m.Deferred), amt(m.Payback), amt(m.Reserve), amt(m.Debt)})
	}
	writeTable(w, []string{"Month", "Members", "Income", "Costs", "Margin", "Bounty", "Wages", "Deferred", "Payback", "Reserve", "Debt"}, rows, 1)
	fmt.Fprintln(w)
	if p.Cleared != "" {
		fmt.Fprintf(w, "All debt cleared by the end of %s.\n", p.Cleared)
	} else {
		fmt.Fprintf(w, "Debt not cleared within %d months.\n", len(p.Months))
	}
	if len(p.Payoff) == 0 {
		return
	}
	owed := map[string]decimal.Decimal{}
	for id, lots := range s.Debt {
		for _, a := range lots {
			owed[id] = owed[id].Add(a)
		}
	}
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	ids := make([]string, 0, len(p.Payoff))
	for id := range p.Payoff {
		ids = append(ids, id)
	}
	// Paid off soonest first, never last; then by name.
	sort.Slice(ids, func(i, j int) bool {
		a, b := p.Payoff[ids[i]], p.Payoff[ids[j]]
		if (a == "") != (b == "") {
			return b == ""
		}
		if a != b {
			return a < b
		}
		return name(ids[i]) < name(ids[j])
	})
	out := make([][]string, 0, len(ids))
	for _, id := range ids {
		when := p.Payoff[id]
		if when == "" {
			when = "not within the horizon"
		}
		out = append(out, []string{name(id), id, when, amt(owed[id])})
	}
	fmt.Fprintln(w)
	writeTable(w, []string{"Creditor", "ID", "Paid off", "Owed at start"}, out, 3)
}

// writeSolution prints the solver's answers in words.
func writeSolution(w io.Writer, s ledger.Scenario, sol ledger.Solution) {
	c := s.Currency
	amt := func(d decimal.Decimal) string { return ledger.FormatAmount(d, c) }
	writeScenario(w, s)
	debt := decimal.Zero
	for _, lots := range s.Debt {
		for _, a := range lots {
			debt = debt.Add(a)
		}
	}
	members := func(income decimal.Decimal, n int64) string {
		if s.Members <= 0 || !s.StartIncome.IsPositive() {
			return ""
		}
		per := s.StartIncome.DivRound(decimal.NewFromInt(s.Members), ledger.MinorUnits(c))
		return fmt.Sprintf(": %d paying members at %s each (%d today, %s×)", n, amt(per), s.Members,
			income.DivRound(s.StartIncome, 1).StringFixed(1))
	}
	fmt.Fprintf(w, "To clear all %s of debt within %d months while paying the team in full:\n  %s a month%s\n",
		amt(debt), sol.Months, amt(sol.Income), members(sol.Income, sol.MembersNeeded))
	fmt.Fprintf(w, "To pay the team alone (a team of %d, %s a month of wages):\n  %s a month%s\n",
		sol.TeamSize, amt(sol.TeamWages), amt(sol.TeamIncome), members(sol.TeamIncome, sol.TeamMembersNeeded))
}
