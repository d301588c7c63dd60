package ledger

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

// benchScenario is a co-op with creditors members owed debt, each as one
// opening balance (as the books bring it in) and every tenth with a
// second, later lot; a paid team of five of them (25/h, 40 h a month) and
// one off-team member (20/h, 10 h), 1,200.00 a month growing 3% a month,
// 467.00 fixed costs and 0.50 per paying member (169 members today), and
// DESIGN.md's worked policy with the whole team on it.
func benchScenario(creditors, months int) Scenario {
	s := Scenario{Start: "2024-07", Months: months, Currency: "GBP", StartIncome: dec2("1200.00"),
		MonthlyGrowth: dec2("0.03"), FixedCosts: dec2("467.00"), PerMemberCosts: dec2("0.50"), Members: 169,
		Debt:   map[string]map[string]decimal.Decimal{},
		Policy: Policy{BountyShare: dec2("0.10"), Split: SplitEarned, PaybackShare: dec2("0.50"), PaybackMethod: PaybackProRata}}
	for i := 0; i < creditors; i++ {
		id := fmt.Sprintf("m%06d", i+1)
		s.Debt[id] = map[string]decimal.Decimal{"2021-12": decimal.New(int64(100000+i*37), -2)}
		if i%10 == 0 {
			s.Debt[id]["2023-12"] = decimal.New(int64(25000+i*7), -2)
		}
		if i < 5 {
			s.Team = append(s.Team, TeamMember{ID: id, Hours: dec2("40"), Rate: dec2("25")})
			s.Policy.Team = append(s.Policy.Team, id)
		}
	}
	s.Team = append(s.Team, TeamMember{ID: "m000006", Hours: dec2("10"), Rate: dec2("20")})
	return s
}

// BenchmarkProject is a 120-month projection with 1,000 creditors (target
// ≤ 50 ms).
//
//	go test ./ledger -run '^$' -bench 'Project|Solve' -benchtime 10x
func BenchmarkProject(b *testing.B) {
	s := benchScenario(1000, 120)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Project(s)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Months) != 120 {
			b.Fatalf("%d months", len(p.Months))
		}
	}
}

// BenchmarkSolve is the solver on the same scenario: the smallest flat
// income that clears 1,000 creditors' debt within 120 months while paying
// the team (target ≤ 1 s). It reports the whole projections it ran and
// the months it closed in all.
func BenchmarkSolve(b *testing.B) {
	s := benchScenario(1000, 120)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sol, err := Solve(s, 120)
		if err != nil {
			b.Fatal(err)
		}
		if !sol.Income.IsPositive() {
			b.Fatalf("income %s", sol.Income)
		}
		if i == 0 {
			b.ReportMetric(float64(sol.Probes), "projections")
			b.ReportMetric(float64(sol.Closes), "months-closed")
		}
	}
}
