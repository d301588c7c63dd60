package governance

import (
	"math/big"
	"sort"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Result is the count of a poll: final once the poll is closed, a live
// count while it is open.
//
// Turnout is Ballots/Electorate rounded to four places for display; the
// quorum test itself is exact. Totals hold, per option id, the (weighted)
// votes: choices for yes/no and consent polls (abstain included), points
// for dots polls, and first preferences for ranked polls, whose Rounds show
// the runoff. Weighted totals are shares of the co-op's total weight,
// rounded to four places for display only: every comparison is made on
// exact values. Winner is the option the count favours, whether or not the
// quorum is met; Passed says whether the poll carries.
type Result struct {
	State      PollState                  `json:"state"`
	Electorate int                        `json:"electorate"`
	Ballots    int                        `json:"ballots"`
	Turnout    decimal.Decimal            `json:"turnout"`
	QuorumMet  bool                       `json:"quorum_met"`
	Passed     bool                       `json:"passed"`
	Winner     string                     `json:"winner,omitempty"`
	Totals     map[string]decimal.Decimal `json:"totals"`
	Rounds     []Round                    `json:"rounds,omitempty"`
	Tied       []string                   `json:"tied,omitempty"`
}

// Round is one count of an instant runoff: the votes of each option still
// in the race, the option dropped after it (none in the last round), and
// the (weighted) ballots exhausted so far because every option they rank
// has been dropped.
type Round struct {
	Totals     map[string]decimal.Decimal `json:"totals"`
	Eliminated string                     `json:"eliminated,omitempty"`
	Exhausted  decimal.Decimal            `json:"exhausted"`
}

// displayPlaces is how many decimal places turnout and weighted totals
// show.
const displayPlaces = 4

// Tally counts ballots, cast in any order by an electorate of the given
// size, under the rules of DESIGN.md:
//
//   - Quorum: the number of ballots, abstentions included, is at least
//     Quorum × electorate, compared exactly; exactly at quorum is met. An
//     empty electorate never meets a quorum, so nothing passes without
//     voters.
//   - yes_no passes with the quorum met and yes/(yes+no) strictly above
//     the threshold; with no yes and no no votes it does not pass.
//   - consent passes with the quorum met and no block ("lazy consensus":
//     abstentions alone pass). In a weighted poll a block from a voter of
//     weight 0 is shown in the totals but does not block, because the poll
//     gave that voter no say.
//   - ranked is an instant runoff. Each round counts every continuing
//     ballot for its highest-ranked option still in the race. An option
//     holding strictly more than half of those votes wins. Otherwise one
//     option is dropped: the one with the fewest votes (options with none
//     included); among options tied for fewest, their counts are compared
//     round by round from the first, keeping at each round only those with
//     the fewest, until one is left; if they were tied in every round the
//     later-created option (the higher o-number) is dropped. A ballot whose
//     ranked options have all been dropped is exhausted. When no ballot is
//     counting (none cast, only abstentions, or no weight) there is no
//     winner.
//   - dots: the option with the most points wins; a tie at the top has no
//     winner and Tied lists the tied options; if no points were spent,
//     nothing is tied and nothing wins.
//   - ranked and dots polls pass with the quorum met and a winner.
//
// Weights: without them every ballot weighs 1. With them, each class's
// share of the total weight is split equally among the members of that
// class who cast a ballot, abstentions included; a member of several
// classes counts among the voters of each and votes with the largest of
// their weights, so a share is not always used in full; a voter in no
// weighted class weighs 0, and the share of a class with no voters goes
// unused. Totals are therefore shares of the whole, and the rules compare
// them exactly (integers over one common denominator, no rounding).
//
// A ballot that fits no option of the poll (which CheckBallot never
// accepts) counts towards turnout only. Tally is a pure function of its
// arguments and never changes them.
func Tally(p Poll, electorate int, ballots []Ballot) Result {
	r := Result{
		State:      p.State,
		Electorate: electorate,
		Ballots:    len(ballots),
		Turnout:    decimal.Zero,
		Totals:     map[string]decimal.Decimal{},
	}
	if electorate > 0 {
		n := decimal.NewFromInt(int64(len(ballots)))
		e := decimal.NewFromInt(int64(electorate))
		r.Turnout = n.DivRound(e, displayPlaces)
		r.QuorumMet = n.GreaterThanOrEqual(p.Quorum.Mul(e))
	}
	w := weigh(p, ballots)
	switch p.Kind {
	case KindYesNo:
		t := tallyChoices(p, w, ballots, &r)
		yes, no := t[0], t[1]
		both := new(big.Int).Add(yes, no)
		if both.Sign() > 0 {
			th := p.Threshold.Rat()
			// yes/both > num/den  ⇔  yes·den > num·both
			lhs := new(big.Int).Mul(yes, th.Denom())
			rhs := new(big.Int).Mul(th.Num(), both)
			r.Passed = r.QuorumMet && lhs.Cmp(rhs) > 0
		}
	case KindConsent:
		t := tallyChoices(p, w, ballots, &r)
		r.Passed = r.QuorumMet && t[1].Sign() == 0
	case KindRanked:
		tallyRanked(p, w, ballots, &r)
		r.Passed = r.QuorumMet && r.Winner != ""
	case KindDots:
		tallyDots(p, w, ballots, &r)
		r.Passed = r.QuorumMet && r.Winner != ""
	}
	return r
}

// weighing holds the exact weight of each ballot as an integer over one
// common denominator. Ballots fall into a few groups of equal weight (at
// most one per weighted class, plus weight 0), so counting is done in
// plain integers per group, and totals are formed only per option as
// Σ count[g]·unit[g], standing for that sum divided by den.
type weighing struct {
	group []uint8    // each ballot's group; nil when every ballot is in group 0
	unit  []*big.Int // each group's weight, times den
	den   *big.Int
}

// groups is the number of weight groups.
func (w *weighing) groups() int { return len(w.unit) }

// groupOf returns ballot i's group.
func (w *weighing) groupOf(i int) int {
	if w.group == nil {
		return 0
	}
	return int(w.group[i])
}

// total weighs per-group counts into one exact total (over den).
func (w *weighing) total(counts []int64) *big.Int {
	t := new(big.Int)
	var c big.Int
	for g, n := range counts {
		if n != 0 {
			t.Add(t, c.Mul(c.SetInt64(n), w.unit[g]))
		}
	}
	return t
}

// display turns an exact total into a decimal for people to read.
func (w *weighing) display(t *big.Int) decimal.Decimal {
	if w.den.Cmp(big.NewInt(1)) == 0 {
		return decimal.NewFromBigInt(t, 0)
	}
	return decimal.NewFromBigRat(new(big.Rat).SetFrac(t, w.den), displayPlaces)
}

// weigh works out each ballot's weight for poll p.
func weigh(p Poll, ballots []Ballot) *weighing {
	one := big.NewInt(1)
	if len(p.Weights) == 0 {
		return &weighing{unit: []*big.Int{one}, den: one}
	}
	// Number the weighted classes (at most 64; NewPoll allows only the
	// known classes) and mark each ballot with the set it belongs to.
	classes := make([]ledger.Class, 0, len(p.Weights))
	for c := range p.Weights {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool { return classes[i] < classes[j] })
	if len(classes) > 64 {
		classes = classes[:64]
	}
	bit := make(map[ledger.Class]uint64, len(classes))
	for i, c := range classes {
		bit[c] = 1 << i
	}
	masks := make([]uint64, len(ballots))
	voters := make([]int64, len(classes))
	for i, b := range ballots {
		var m uint64
		for _, c := range b.Classes {
			m |= bit[c]
		}
		masks[i] = m
		for k := range classes {
			if m&(1<<k) != 0 {
				voters[k]++
			}
		}
	}
	// Each class's weight per voter: its share over its voters.
	per := make([]*big.Rat, len(classes))
	for k, c := range classes {
		if voters[k] > 0 {
			per[k] = new(big.Rat).Quo(p.Weights[c].Rat(), new(big.Rat).SetInt64(voters[k]))
		} else {
			per[k] = new(big.Rat)
		}
	}
	// Group ballots by weight: the largest weight among their classes.
	var values []*big.Rat
	groupOfMask := map[uint64]uint8{}
	group := make([]uint8, len(ballots))
	for i, m := range masks {
		g, ok := groupOfMask[m]
		if !ok {
			best := new(big.Rat)
			for k := range classes {
				if m&(1<<k) != 0 && per[k].Cmp(best) > 0 {
					best = per[k]
				}
			}
			g = uint8(len(values))
			for j, v := range values {
				if v.Cmp(best) == 0 {
					g = uint8(j)
				}
			}
			if int(g) == len(values) {
				values = append(values, best)
			}
			groupOfMask[m] = g
		}
		group[i] = g
	}
	if len(values) == 0 {
		values = []*big.Rat{new(big.Rat)}
	}
	// One denominator for all: the lcm of the groups' denominators.
	den := big.NewInt(1)
	var gcd big.Int
	for _, v := range values {
		d := v.Denom()
		gcd.GCD(nil, nil, den, d)
		den.Mul(den, new(big.Int).Quo(d, &gcd))
	}
	unit := make([]*big.Int, len(values))
	for g, v := range values {
		u := new(big.Int).Quo(den, v.Denom())
		unit[g] = u.Mul(u, v.Num())
	}
	return &weighing{group: group, unit: unit, den: den}
}

// tallyChoices counts a yes/no or consent poll into r.Totals and returns
// the exact totals of its three fixed options, in their order.
func tallyChoices(p Poll, w *weighing, ballots []Ballot, r *Result) [3]*big.Int {
	opts := FixedOptions(p.Kind)
	G := w.groups()
	counts := make([]int64, 3*G)
	for i, b := range ballots {
		for k, o := range opts {
			if b.Choice == o.ID {
				counts[k*G+w.groupOf(i)]++
			}
		}
	}
	var t [3]*big.Int
	for k, o := range opts {
		t[k] = w.total(counts[k*G : (k+1)*G])
		r.Totals[o.ID] = w.display(t[k])
	}
	return t
}

// tallyDots sums the points per option and finds the one with the most.
func tallyDots(p Poll, w *weighing, ballots []Ballot, r *Result) {
	n, G := len(p.Options), w.groups()
	counts := make([]int64, n*G)
	for i, b := range ballots {
		if b.Abstains() {
			continue
		}
		g := w.groupOf(i)
		for id, pts := range b.Points {
			if k := p.optionIndex(id); k >= 0 && pts > 0 {
				counts[k*G+g] += int64(pts)
			}
		}
	}
	best := new(big.Int)
	var top []int
	for k, o := range p.Options {
		t := w.total(counts[k*G : (k+1)*G])
		r.Totals[o.ID] = w.display(t)
		switch c := t.Cmp(best); {
		case c > 0:
			best, top = t, []int{k}
		case c == 0 && t.Sign() > 0:
			top = append(top, k)
		}
	}
	switch len(top) {
	case 0:
	case 1:
		r.Winner = p.Options[top[0]].ID
	default:
		for _, k := range top {
			r.Tied = append(r.Tied, p.Options[k].ID)
		}
	}
}

// tallyRanked runs the instant runoff. Rankings are turned into option
// indexes once; each round then moves only the ballots of the option just
// dropped, so the whole count costs about one pass over all rankings.
func tallyRanked(p Poll, w *weighing, ballots []Ballot, r *Result) {
	n, G := len(p.Options), w.groups()
	if n == 0 {
		return
	}
	// prefs[start[j]:start[j+1]] is counting ballot j's ranking; pos[j] is
	// its current preference; grp[j] its weight group.
	size := 0
	for _, b := range ballots {
		size += len(b.Ranking)
	}
	prefs := make([]int32, 0, size)
	start := make([]int32, 1, len(ballots)+1)
	grp := make([]uint8, 0, len(ballots))
	for i, b := range ballots {
		if b.Abstains() {
			continue
		}
		from := len(prefs)
		for _, id := range b.Ranking {
			if k := p.optionIndex(id); k >= 0 {
				prefs = append(prefs, int32(k))
			}
		}
		if len(prefs) > from {
			start = append(start, int32(len(prefs)))
			grp = append(grp, uint8(w.groupOf(i)))
		}
	}
	counting := len(grp)
	pos := make([]int32, counting)
	buckets := make([][]int32, n)
	counts := make([]int64, n*G)
	for j := 0; j < counting; j++ {
		pos[j] = start[j]
		k := prefs[start[j]]
		buckets[k] = append(buckets[k], int32(j))
		counts[int(k)*G+int(grp[j])]++
	}

	dropped := make([]bool, n)
	exhausted := make([]int64, G)
	var history [][]*big.Int // per round, per option still in the race
	for {
		totals := make([]*big.Int, n)
		sum := new(big.Int)
		round := Round{Totals: map[string]decimal.Decimal{}, Exhausted: w.display(w.total(exhausted))}
		for k, o := range p.Options {
			if dropped[k] {
				continue
			}
			totals[k] = w.total(counts[k*G : (k+1)*G])
			sum.Add(sum, totals[k])
			round.Totals[o.ID] = w.display(totals[k])
		}
		history = append(history, totals)
		if len(history) == 1 {
			for id, t := range round.Totals {
				r.Totals[id] = t
			}
		}
		if sum.Sign() == 0 {
			r.Rounds = append(r.Rounds, round)
			return
		}
		twice := new(big.Int)
		for k := range p.Options {
			if !dropped[k] && twice.Lsh(totals[k], 1).Cmp(sum) > 0 {
				r.Winner = p.Options[k].ID
				r.Rounds = append(r.Rounds, round)
				return
			}
		}
		e := toDrop(history, dropped)
		round.Eliminated = p.Options[e].ID
		r.Rounds = append(r.Rounds, round)

		dropped[e] = true
		for _, j := range buckets[e] {
			g := int(grp[j])
			q, end := pos[j]+1, start[j+1]
			for q < end && dropped[prefs[q]] {
				q++
			}
			pos[j] = q
			if q == end {
				exhausted[g]++
				continue
			}
			k := prefs[q]
			buckets[k] = append(buckets[k], j)
			counts[int(k)*G+g]++
		}
		buckets[e] = nil
		clear(counts[e*G : (e+1)*G])
	}
}

// toDrop picks the option to drop after the last round of history: the
// fewest votes; among ties, the fewest in the earliest round where the
// tied options differ, narrowing to those still tied at each round; and
// failing that the later-created option.
func toDrop(history [][]*big.Int, dropped []bool) int {
	var tied []int
	for k := range dropped {
		if !dropped[k] {
			tied = append(tied, k)
		}
	}
	fewest := func(round []*big.Int) {
		min := round[tied[0]]
		for _, k := range tied[1:] {
			if round[k].Cmp(min) < 0 {
				min = round[k]
			}
		}
		kept := tied[:0]
		for _, k := range tied {
			if round[k].Cmp(min) == 0 {
				kept = append(kept, k)
			}
		}
		tied = kept
	}
	fewest(history[len(history)-1])
	for _, round := range history {
		if len(tied) == 1 {
			break
		}
		fewest(round)
	}
	return tied[len(tied)-1]
}
