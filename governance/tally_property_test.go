package governance

import (
	"encoding/json"
	"math/big"
	"reflect"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var classSets = [][]ledger.Class{{"user"}, {"ops"}, {"collaborator"}, {"user", "ops"}, {"ops", "collaborator"}, {}}

// drawPoll draws an open poll of any kind, with 2..6 options for ranked
// and dots polls, and weights or not.
func drawPoll(t *rapid.T, kinds ...PollKind) Poll {
	if len(kinds) == 0 {
		kinds = PollKinds
	}
	kind := rapid.SampledFrom(kinds).Draw(t, "kind")
	p := testPoll(kind, rapid.IntRange(2, 6).Draw(t, "options"))
	if kind == KindYesNo {
		p.Threshold = decimal.New(int64(rapid.IntRange(0, 99).Draw(t, "threshold%")), -2)
	}
	if kind == KindDots {
		p.Points = rapid.IntRange(1, 12).Draw(t, "points")
	}
	p.Quorum = decimal.New(int64(rapid.IntRange(0, 10).Draw(t, "quorum/10")), -1)
	if rapid.Bool().Draw(t, "weighted") {
		// Shares in hundredths adding up to 1, some possibly zero.
		a := rapid.IntRange(0, 100).Draw(t, "user%")
		b := rapid.IntRange(0, 100-a).Draw(t, "ops%")
		p.Weights = map[ledger.Class]decimal.Decimal{
			"user": decimal.New(int64(a), -2), "ops": decimal.New(int64(b), -2), "collaborator": decimal.New(int64(100-a-b), -2),
		}
		if rapid.Bool().Draw(t, "drop a class") {
			delete(p.Weights, "collaborator")
		}
	}
	return p
}

// drawBallot draws a ballot CheckBallot accepts for p, with its voter's
// classes.
func drawBallot(p Poll) *rapid.Generator[Ballot] {
	return rapid.Custom(func(t *rapid.T) Ballot {
		var in BallotInput
		switch {
		case p.Kind == KindYesNo || p.Kind == KindConsent:
			in.Choice = rapid.SampledFrom(FixedOptions(p.Kind)).Draw(t, "choice").ID
		case rapid.IntRange(0, 9).Draw(t, "abstain") == 0:
			in.Choice = ChoiceAbstain
		case p.Kind == KindRanked:
			ids := make([]string, len(p.Options))
			for i, o := range p.Options {
				ids[i] = o.ID
			}
			perm := rapid.Permutation(ids).Draw(t, "order")
			in.Ranking = perm[:rapid.IntRange(1, len(perm)).Draw(t, "ranked")]
		case p.Kind == KindDots:
			in.Points = map[string]int{}
			left := p.Points
			for _, o := range p.Options {
				n := rapid.IntRange(0, left).Draw(t, "points")
				in.Points[o.ID] = n
				left -= n
			}
			if left == p.Points {
				in.Points[p.Options[0].ID] = 1
			}
		}
		b, err := CheckBallot(p, in)
		if err != nil {
			t.Fatalf("drew an invalid ballot %+v: %v", in, err)
		}
		b.Classes = rapid.SampledFrom(classSets).Draw(t, "classes")
		return b
	})
}

func resultJSON(t *rapid.T, r Result) string {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTally_Property_OrderDoesNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoll(t)
		ballots := rapid.SliceOfN(drawBallot(p), 0, 40).Draw(t, "ballots")
		shuffled := rapid.Permutation(ballots).Draw(t, "shuffled")
		electorate := len(ballots) + rapid.IntRange(0, 10).Draw(t, "non-voters")
		if a, b := resultJSON(t, Tally(p, electorate, ballots)), resultJSON(t, Tally(p, electorate, shuffled)); a != b {
			t.Fatalf("order changed the result:\n%s\n%s", a, b)
		}
	})
}

func TestTally_Property_FirstChoiceMajorityWins(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoll(t, KindRanked)
		p.Weights = nil
		ballots := rapid.SliceOfN(drawBallot(p), 0, 30).Draw(t, "ballots")
		x := rapid.SampledFrom(p.Options).Draw(t, "favourite").ID
		counting, first := 0, 0
		for _, b := range ballots {
			if !b.Abstains() {
				counting++
				if b.Ranking[0] == x {
					first++
				}
			}
		}
		// Add ballots ranking x first until x holds a strict majority.
		for 2*first <= counting {
			ballots = append(ballots, Ballot{Ranking: []string{x}})
			counting++
			first++
		}
		r := Tally(p, len(ballots), ballots)
		if r.Winner != x || len(r.Rounds) != 1 {
			t.Fatalf("%s was ranked first on %d of %d ballots but the winner is %q after %d rounds", x, first, counting, r.Winner, len(r.Rounds))
		}
	})
}

func TestTally_Property_RoundsAccountForEveryBallot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoll(t, KindRanked)
		p.Weights = nil
		ballots := rapid.SliceOfN(drawBallot(p), 0, 40).Draw(t, "ballots")
		abstained := 0
		for _, b := range ballots {
			if b.Abstains() {
				abstained++
			}
		}
		r := Tally(p, len(ballots), ballots)
		if len(r.Rounds) == 0 || len(r.Rounds) > len(p.Options) {
			t.Fatalf("%d rounds for %d options", len(r.Rounds), len(p.Options))
		}
		dropped := map[string]bool{}
		for i, round := range r.Rounds {
			sum := round.Exhausted.Add(decimal.NewFromInt(int64(abstained)))
			for id, n := range round.Totals {
				if dropped[id] {
					t.Fatalf("round %d counts %s, dropped earlier", i+1, id)
				}
				sum = sum.Add(n)
			}
			if !sum.Equal(decimal.NewFromInt(int64(len(ballots)))) {
				t.Fatalf("round %d: totals + exhausted + abstentions = %s, want %d", i+1, sum, len(ballots))
			}
			if len(round.Totals)+len(dropped) != len(p.Options) {
				t.Fatalf("round %d shows %d options with %d dropped", i+1, len(round.Totals), len(dropped))
			}
			last := i == len(r.Rounds)-1
			if last != (round.Eliminated == "") {
				t.Fatalf("round %d of %d eliminated %q", i+1, len(r.Rounds), round.Eliminated)
			}
			dropped[round.Eliminated] = true
		}
	})
}

func TestTally_Property_TwoOptionsArePlurality(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := testPoll(KindRanked, 2)
		ballots := rapid.SliceOfN(drawBallot(p), 0, 30).Draw(t, "ballots")
		// The same votes as a plurality: one point each to the first choice.
		plurality := testPoll(KindDots, 2)
		plurality.Points = 1
		var firsts []Ballot
		n1, n2 := 0, 0
		for _, b := range ballots {
			if b.Abstains() {
				firsts = append(firsts, b)
				continue
			}
			firsts = append(firsts, Ballot{Points: map[string]int{b.Ranking[0]: 1}})
			if b.Ranking[0] == "o1" {
				n1++
			} else {
				n2++
			}
		}
		r, pr := Tally(p, len(ballots), ballots), Tally(plurality, len(ballots), firsts)
		switch {
		case n1+n2 == 0:
			if r.Winner != "" || pr.Winner != "" {
				t.Fatalf("winners %q %q with no votes", r.Winner, pr.Winner)
			}
		case n1 == n2:
			// A plurality has no winner; the runoff's tie-break drops the
			// later-created option.
			if r.Winner != "o1" || pr.Winner != "" {
				t.Fatalf("tie %d-%d: winners %q and %q", n1, n2, r.Winner, pr.Winner)
			}
		default:
			if r.Winner != pr.Winner {
				t.Fatalf("%d-%d: runoff %q, plurality %q", n1, n2, r.Winner, pr.Winner)
			}
		}
	})
}

// TestTally_Property_MatchesTheRule compares Tally with a direct reading
// of the rules: each ballot's weight as an exact fraction, every runoff
// round counted afresh.
func TestTally_Property_MatchesTheRule(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawPoll(t)
		ballots := rapid.SliceOfN(drawBallot(p), 0, 40).Draw(t, "ballots")
		electorate := len(ballots) + rapid.IntRange(0, 10).Draw(t, "non-voters")
		got := Tally(p, electorate, ballots)
		want := referenceTally(p, electorate, ballots)
		if got.Passed != want.Passed || got.Winner != want.Winner || got.QuorumMet != want.QuorumMet ||
			!reflect.DeepEqual(got.Tied, want.Tied) || len(got.Rounds) != len(want.Rounds) {
			t.Fatalf("got %s\nwant %s", resultJSON(t, got), resultJSON(t, want))
		}
		sameTotals := func(a, b map[string]decimal.Decimal) bool {
			if len(a) != len(b) {
				return false
			}
			for k, v := range a {
				if w, ok := b[k]; !ok || !v.Equal(w) {
					return false
				}
			}
			return true
		}
		ok := sameTotals(got.Totals, want.Totals)
		for i := range got.Rounds {
			ok = ok && sameTotals(got.Rounds[i].Totals, want.Rounds[i].Totals) &&
				got.Rounds[i].Eliminated == want.Rounds[i].Eliminated && got.Rounds[i].Exhausted.Equal(want.Rounds[i].Exhausted)
		}
		if !ok {
			t.Fatalf("got %s\nwant %s", resultJSON(t, got), resultJSON(t, want))
		}
	})
}

// referenceTally is the rule written as plainly as possible, for
// comparison: slow, but every step visible.
func referenceTally(p Poll, electorate int, ballots []Ballot) Result {
	r := Result{Totals: map[string]decimal.Decimal{}}
	show := func(x *big.Rat) decimal.Decimal { return decimal.NewFromBigRat(x, 4) }
	if electorate > 0 {
		need := new(big.Rat).Mul(p.Quorum.Rat(), new(big.Rat).SetInt64(int64(electorate)))
		r.QuorumMet = new(big.Rat).SetInt64(int64(len(ballots))).Cmp(need) >= 0
	}
	// Weights: share / (members of the class who voted), the largest.
	weight := make([]*big.Rat, len(ballots))
	voters := map[ledger.Class]int64{}
	for _, b := range ballots {
		seen := map[ledger.Class]bool{}
		for _, c := range b.Classes {
			if !seen[c] {
				seen[c] = true
				voters[c]++
			}
		}
	}
	for i, b := range ballots {
		if len(p.Weights) == 0 {
			weight[i] = big.NewRat(1, 1)
			continue
		}
		weight[i] = new(big.Rat)
		for _, c := range b.Classes {
			if share, ok := p.Weights[c]; ok {
				w := new(big.Rat).Quo(share.Rat(), new(big.Rat).SetInt64(voters[c]))
				if w.Cmp(weight[i]) > 0 {
					weight[i] = w
				}
			}
		}
	}
	sum := func(pick func(Ballot) (string, int64)) map[string]*big.Rat {
		out := map[string]*big.Rat{}
		for _, o := range p.Options {
			out[o.ID] = new(big.Rat)
		}
		for i, b := range ballots {
			if id, n := pick(b); id != "" {
				out[id].Add(out[id], new(big.Rat).Mul(weight[i], new(big.Rat).SetInt64(n)))
			}
		}
		return out
	}
	switch p.Kind {
	case KindYesNo, KindConsent:
		t := sum(func(b Ballot) (string, int64) { return b.Choice, 1 })
		for id, x := range t {
			r.Totals[id] = show(x)
		}
		if p.Kind == KindConsent {
			r.Passed = r.QuorumMet && t[ChoiceBlock].Sign() == 0
			break
		}
		both := new(big.Rat).Add(t[ChoiceYes], t[ChoiceNo])
		r.Passed = r.QuorumMet && both.Sign() > 0 && new(big.Rat).Quo(t[ChoiceYes], both).Cmp(p.Threshold.Rat()) > 0
	case KindDots:
		t := map[string]*big.Rat{}
		for _, o := range p.Options {
			t[o.ID] = new(big.Rat)
			for i, b := range ballots {
				t[o.ID].Add(t[o.ID], new(big.Rat).Mul(weight[i], new(big.Rat).SetInt64(int64(b.Points[o.ID]))))
			}
			r.Totals[o.ID] = show(t[o.ID])
		}
		best := new(big.Rat)
		for _, x := range t {
			if x.Cmp(best) > 0 {
				best = x
			}
		}
		var top []string
		for _, o := range p.Options {
			if best.Sign() > 0 && t[o.ID].Cmp(best) == 0 {
				top = append(top, o.ID)
			}
		}
		if len(top) == 1 {
			r.Winner = top[0]
		} else if len(top) > 1 {
			r.Tied = top
		}
		r.Passed = r.QuorumMet && r.Winner != ""
	case KindRanked:
		inRace := map[string]bool{}
		for _, o := range p.Options {
			inRace[o.ID] = true
		}
		var history []map[string]*big.Rat
		for {
			t := map[string]*big.Rat{}
			for id := range inRace {
				t[id] = new(big.Rat)
			}
			exhausted, counting := new(big.Rat), new(big.Rat)
			for i, b := range ballots {
				if b.Abstains() {
					continue
				}
				found := false
				for _, id := range b.Ranking {
					if inRace[id] {
						t[id].Add(t[id], weight[i])
						counting.Add(counting, weight[i])
						found = true
						break
					}
				}
				if !found {
					exhausted.Add(exhausted, weight[i])
				}
			}
			history = append(history, t)
			round := Round{Totals: map[string]decimal.Decimal{}, Exhausted: show(exhausted)}
			for id, x := range t {
				round.Totals[id] = show(x)
			}
			if len(history) == 1 {
				r.Totals = round.Totals
			}
			half := new(big.Rat).Quo(counting, big.NewRat(2, 1))
			for id, x := range t {
				if counting.Sign() > 0 && x.Cmp(half) > 0 {
					r.Winner = id
				}
			}
			if r.Winner != "" || counting.Sign() == 0 {
				r.Rounds = append(r.Rounds, round)
				break
			}
			// The fewest now; then narrow round by round from the first;
			// then the later-created.
			var tied []int
			for k, o := range p.Options {
				if inRace[o.ID] {
					tied = append(tied, k)
				}
			}
			narrow := func(h map[string]*big.Rat) {
				var min *big.Rat
				for _, k := range tied {
					if x := h[p.Options[k].ID]; min == nil || x.Cmp(min) < 0 {
						min = x
					}
				}
				var kept []int
				for _, k := range tied {
					if h[p.Options[k].ID].Cmp(min) == 0 {
						kept = append(kept, k)
					}
				}
				tied = kept
			}
			narrow(t)
			for _, h := range history {
				if len(tied) > 1 {
					narrow(h)
				}
			}
			drop := p.Options[tied[len(tied)-1]].ID
			round.Eliminated = drop
			r.Rounds = append(r.Rounds, round)
			delete(inRace, drop)
		}
		r.Passed = r.QuorumMet && r.Winner != ""
	}
	return r
}
