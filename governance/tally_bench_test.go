package governance

import (
	"math/rand/v2"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// benchRanked makes n ranked ballots over 10 options: each ranks 1 to 10
// options in random order, with a bias so that the count runs several
// rounds, and about one in twenty abstains. Voters hold one or two
// classes, for the weighted variant.
func benchRanked(n int) (Poll, []Ballot) {
	p := testPoll(KindRanked, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	classSets := [][]ledger.Class{{"user"}, {"user"}, {"user"}, {"ops"}, {"collaborator"}, {"user", "ops"}}
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = p.Options[i].ID
	}
	ballots := make([]Ballot, n)
	for i := range ballots {
		classes := classSets[rng.IntN(len(classSets))]
		if rng.IntN(20) == 0 {
			ballots[i] = Ballot{Choice: ChoiceAbstain, Classes: classes}
			continue
		}
		perm := rng.Perm(10)
		// Lower-numbered options are a little more popular first choices.
		if j := rng.IntN(3); perm[0] > j {
			for k := range perm {
				if perm[k] == j {
					perm[0], perm[k] = perm[k], perm[0]
				}
			}
		}
		ranking := make([]string, 1+rng.IntN(10))
		for k := range ranking {
			ranking[k] = ids[perm[k]]
		}
		ballots[i] = Ballot{Ranking: ranking, Classes: classes}
	}
	return p, ballots
}

// BenchmarkTallyRanked100k counts 100,000 ranked ballots over 10 options;
// the budget is 500 ms a count, weighted or not.
func BenchmarkTallyRanked100k(b *testing.B) {
	p, ballots := benchRanked(100_000)
	b.Run("unweighted", func(b *testing.B) {
		var r Result
		for b.Loop() {
			r = Tally(p, 120_000, ballots)
		}
		b.ReportMetric(float64(len(r.Rounds)), "rounds")
	})
	b.Run("weighted", func(b *testing.B) {
		p := p
		p.Weights = map[ledger.Class]decimal.Decimal{"user": dec("0.5"), "ops": dec("0.3"), "collaborator": dec("0.2")}
		var r Result
		for b.Loop() {
			r = Tally(p, 120_000, ballots)
		}
		b.ReportMetric(float64(len(r.Rounds)), "rounds")
	})
}
