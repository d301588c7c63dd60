package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// DefaultProjectionMonths is a projection's horizon when none is given:
// ten years.
const DefaultProjectionMonths = 120

// CurrentDebt is what the co-op owes today, by member and accrual month,
// in the base currency: every outstanding debt lot.
func (tx *Tx) CurrentDebt() (map[string]map[string]decimal.Decimal, error) {
	base := tx.BaseCurrency()
	out := map[string]map[string]decimal.Decimal{}
	err := tx.tx.Bucket(bucketDebtLots).ForEach(func(k, v []byte) error {
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return err
		}
		if a := bal[base]; a.IsPositive() {
			id := formatID(prefixMember, fromU64(k[:8]))
			if out[id] == nil {
				out[id] = map[string]decimal.Decimal{}
			}
			out[id][string(k[8:])] = a
		}
		return nil
	})
	return out, err
}

// CurrentDebt reads the debt by member and accrual month.
func (db *DB) CurrentDebt() (d map[string]map[string]decimal.Decimal, err error) {
	err = db.View(func(tx *Tx) error { d, err = tx.CurrentDebt(); return err })
	return d, err
}

// canProject is who may run projections: board, admin and ops, who see
// every member's debt. A projection writes nothing.
func canProject(actor ledger.Member) bool { return actor.CanSeeAll() }

// ScenarioFromBooks fills what in leaves out from the books, so that a
// board member can ask "what if income grows 5% a month?" and nothing
// else:
//   - start: the current month; months (projections only): 120;
//   - currency: the base currency (another one is refused: the debt and
//     rates are in the base currency);
//   - start_income, members and fixed_costs: the last month before start
//     with income recorded: its income, its paying subscribers (from the
//     tiers recorded with it) and its costs;
//   - policy: the one in force in start;
//   - team: everyone with approved `required` hours in the month before
//     start, plus the policy's team, each with those hours and their rate
//     in force on start's first day;
//   - debt: CurrentDebt.
//
// Each field is filled on its own; a field given is kept as given.
//
// policyID is the id of the policy taken from the books, "" when in gave
// one.
func (tx *Tx) ScenarioFromBooks(in ledger.ScenarioInput, solve bool) (_ ledger.ScenarioInput, policyID string, err error) {
	base := tx.BaseCurrency()
	in.Start = strings.TrimSpace(in.Start)
	if in.Start == "" {
		in.Start = ledger.MonthOf(ledger.Today(tx.now))
	}
	start, err := ledger.ParseMonth(in.Start)
	if err != nil {
		return in, "", ledger.FieldError("start", err.Error())
	}
	if in.Months == nil && !solve {
		n := DefaultProjectionMonths
		in.Months = &n
	}
	if c := strings.TrimSpace(in.Currency); c == "" {
		in.Currency = base
	} else if err := ledger.CheckCurrency(strings.ToUpper(c), base); err != nil {
		return in, "", ledger.FieldError("currency", err.Error())
	}
	if in.StartIncome == nil || in.Members == nil || in.FixedCosts == nil {
		report, err := tx.IncomeReport()
		if err != nil {
			return in, "", err
		}
		for i := len(report) - 1; i >= 0; i-- {
			r := report[i]
			if r.Month >= in.Start || !r.Income.Amount.IsPositive() {
				continue
			}
			if in.StartIncome == nil {
				in.StartIncome = &r.Income.Amount
			}
			if in.Members == nil && r.Subscribers > 0 {
				in.Members = &r.Subscribers
			}
			if in.FixedCosts == nil {
				in.FixedCosts = &r.Costs.Amount
			}
			break
		}
	}
	if in.Policy == nil {
		policies, err := tx.Policies()
		if err != nil {
			return in, "", err
		}
		if p, ok := ledger.PolicyFor(policies, in.Start); ok {
			policyID = p.ID
			in.Policy = &ledger.PolicyInput{From: p.From, BountyShare: &p.BountyShare, Team: p.Team, Split: p.Split,
				Weights: p.Weights, PaybackShare: &p.PaybackShare, PaybackMethod: p.PaybackMethod}
		}
	}
	if in.Team == nil {
		var paid []string
		if in.Policy != nil {
			paid = in.Policy.Team
		}
		prev := start.AddDate(0, -1, 0).Format(ledger.MonthLayout)
		if in.Team, err = tx.teamFromBooks(prev, in.Start+"-01", paid); err != nil {
			return in, "", err
		}
	}
	if in.Debt == nil {
		if in.Debt, err = tx.CurrentDebt(); err != nil {
			return in, "", err
		}
	}
	return in, policyID, nil
}

// teamFromBooks lists everyone with approved `required` hours in month,
// and everyone in paid, with those hours and their rate on date. An entry
// replaced by an approved correction counts as the correction, as in the
// close.
func (tx *Tx) teamFromBooks(month, date string, paid []string) ([]ledger.TeamMemberInput, error) {
	minutes := map[string]int64{}
	for _, id := range paid {
		minutes[id] += 0
	}
	// The same approved `required` hours the close of month counts.
	approved, err := tx.approvedRequired(month)
	if err != nil {
		return nil, err
	}
	for id, es := range approved {
		for _, e := range es {
			minutes[id] += int64(e.Minutes)
		}
	}
	ids := make([]string, 0, len(minutes))
	for id := range minutes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	base := tx.BaseCurrency()
	out := make([]ledger.TeamMemberInput, 0, len(ids))
	for _, id := range ids {
		rate := decimal.Zero
		if rates, err := tx.Rates(id); err == nil {
			if r, ok := ledger.RateOn(rates, date); ok && r.Currency == base {
				rate = r.Hourly
			}
		}
		hours := decimal.NewFromInt(minutes[id]).DivRound(decimal.NewFromInt(60), 4)
		out = append(out, ledger.TeamMemberInput{MemberID: id, Hours: &hours, Rate: &rate})
	}
	return out, nil
}

// scenario reads what the books supply and validates the result.
func (db *DB) scenario(actor ledger.Member, in ledger.ScenarioInput, solve bool) (ledger.Scenario, error) {
	what := "projection"
	if solve {
		what = "solve projection"
	}
	if !canProject(actor) {
		return ledger.Scenario{}, fmt.Errorf("%s: board, admin and ops run projections: %w", what, ledger.ErrForbidden)
	}
	var policyID string
	err := db.View(func(tx *Tx) (err error) { in, policyID, err = tx.ScenarioFromBooks(in, solve); return err })
	if err != nil {
		return ledger.Scenario{}, err
	}
	s, err := in.Scenario(solve)
	s.Policy.ID = policyID
	return s, err
}

// Project runs a scenario, its gaps filled from the books (see
// ScenarioFromBooks), through the close month by month. Board, admin and
// ops; it writes nothing. It returns the scenario it ran with the table.
func (db *DB) Project(actor ledger.Member, in ledger.ScenarioInput) (ledger.Scenario, ledger.Projection, error) {
	s, err := db.scenario(actor, in, false)
	if err != nil {
		return s, ledger.Projection{}, err
	}
	p, err := ledger.Project(s)
	return s, p, err
}

// SolveProjection answers the board's question for a scenario, its gaps
// filled from the books: the smallest flat income that clears the debt in
// in.Months months while paying the team (ledger.Solve). Board, admin and
// ops; it writes nothing.
func (db *DB) SolveProjection(actor ledger.Member, in ledger.ScenarioInput) (ledger.Scenario, ledger.Solution, error) {
	s, err := db.scenario(actor, in, true)
	if err != nil {
		return s, ledger.Solution{}, err
	}
	sol, err := ledger.Solve(s, s.Months)
	return s, sol, err
}
