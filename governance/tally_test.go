package governance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Ballot shorthands for the tables below.
func choices(spec ...any) []Ballot {
	var out []Ballot
	for i := 0; i < len(spec); i += 2 {
		for n := 0; n < spec[i].(int); n++ {
			out = append(out, Ballot{Choice: spec[i+1].(string)})
		}
	}
	return out
}

// ranked turns "3 o1>o2" style lines into that many ballots; "abstain"
// stands for an abstention.
func ranked(lines ...string) []Ballot {
	var out []Ballot
	for _, l := range lines {
		var n int
		var prefs string
		for i, r := range l {
			if r == ' ' {
				n = atoi(l[:i])
				prefs = l[i+1:]
				break
			}
		}
		for k := 0; k < n; k++ {
			if prefs == "abstain" {
				out = append(out, Ballot{Choice: ChoiceAbstain})
				continue
			}
			out = append(out, Ballot{Ranking: strings.Split(prefs, ">")})
		}
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func withClasses(b Ballot, cs ...ledger.Class) Ballot { b.Classes = cs; return b }

func checkTotals(t *testing.T, what string, got map[string]decimal.Decimal, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !g.Equal(dec(w)) {
			t.Errorf("%s[%s] = %v, want %s (all: %v)", what, k, g, w, got)
		}
	}
}

func yesNoPoll(quorum, threshold string) Poll {
	p := testPoll(KindYesNo, 0)
	p.Quorum, p.Threshold = dec(quorum), dec(threshold)
	return p
}

func TestTally_YesNo(t *testing.T) {
	tests := []struct {
		name       string
		poll       Poll
		electorate int
		ballots    []Ballot
		turnout    string
		quorumMet  bool
		passed     bool
		totals     map[string]string
	}{
		{"quorum exactly met", yesNoPoll("0.3", "0.5"), 10, choices(2, "yes", 1, "no"),
			"0.3", true, true, map[string]string{"yes": "2", "no": "1", "abstain": "0"}},
		{"quorum just missed", yesNoPoll("0.3", "0.5"), 10, choices(2, "yes"),
			"0.2", false, false, map[string]string{"yes": "2", "no": "0", "abstain": "0"}},
		{"quorum of half of seven needs four", yesNoPoll("0.5", "0.5"), 7, choices(3, "yes"),
			"0.4286", false, false, map[string]string{"yes": "3", "no": "0", "abstain": "0"}},
		{"four of seven meets it", yesNoPoll("0.5", "0.5"), 7, choices(3, "yes", 1, "no"),
			"0.5714", true, true, map[string]string{"yes": "3", "no": "1", "abstain": "0"}},
		{"abstentions count for quorum only", yesNoPoll("0.5", "0.5"), 4, choices(1, "yes", 1, "abstain"),
			"0.5", true, true, map[string]string{"yes": "1", "no": "0", "abstain": "1"}},
		{"threshold exactly met does not pass", yesNoPoll("0", "0.6"), 10, choices(3, "yes", 2, "no"),
			"0.5", true, false, map[string]string{"yes": "3", "no": "2", "abstain": "0"}},
		{"threshold just passed", yesNoPoll("0", "0.6"), 1000, choices(301, "yes", 200, "no"),
			"0.501", true, true, map[string]string{"yes": "301", "no": "200", "abstain": "0"}},
		{"300 to 200 is exactly 0.6", yesNoPoll("0", "0.6"), 1000, choices(300, "yes", 200, "no", 10, "abstain"),
			"0.51", true, false, map[string]string{"yes": "300", "no": "200", "abstain": "10"}},
		{"a tie at one half does not pass", yesNoPoll("0", "0.5"), 4, choices(2, "yes", 2, "no"),
			"1", true, false, map[string]string{"yes": "2", "no": "2", "abstain": "0"}},
		{"only abstentions do not pass", yesNoPoll("0", "0.5"), 4, choices(3, "abstain"),
			"0.75", true, false, map[string]string{"yes": "0", "no": "0", "abstain": "3"}},
		{"threshold 0: one yes is enough", yesNoPoll("0", "0"), 6, choices(1, "yes", 5, "no"),
			"1", true, true, map[string]string{"yes": "1", "no": "5", "abstain": "0"}},
		{"threshold 0: no yes is not", yesNoPoll("0", "0"), 6, choices(5, "no"),
			"0.8333", true, false, map[string]string{"yes": "0", "no": "5", "abstain": "0"}},
		{"no ballots", yesNoPoll("0", "0.5"), 6, nil,
			"0", true, false, map[string]string{"yes": "0", "no": "0", "abstain": "0"}},
		{"empty electorate meets no quorum", yesNoPoll("0", "0.5"), 0, nil,
			"0", false, false, map[string]string{"yes": "0", "no": "0", "abstain": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Tally(tt.poll, tt.electorate, tt.ballots)
			if !r.Turnout.Equal(dec(tt.turnout)) || r.QuorumMet != tt.quorumMet || r.Passed != tt.passed {
				t.Errorf("turnout %s quorum %v passed %v, want %s %v %v", r.Turnout, r.QuorumMet, r.Passed, tt.turnout, tt.quorumMet, tt.passed)
			}
			if r.Ballots != len(tt.ballots) || r.Electorate != tt.electorate || r.State != PollOpen || r.Winner != "" || r.Rounds != nil {
				t.Errorf("result %+v", r)
			}
			checkTotals(t, "totals", r.Totals, tt.totals)
		})
	}
}

func TestTally_Consent(t *testing.T) {
	consent := func(quorum string) Poll { p := testPoll(KindConsent, 0); p.Quorum = dec(quorum); return p }
	weighted := consent("0")
	weighted.Weights = map[ledger.Class]decimal.Decimal{"user": dec("1")}
	tests := []struct {
		name    string
		poll    Poll
		ballots []Ballot
		passed  bool
		totals  map[string]string
	}{
		{"all consent", consent("0.5"), choices(5, "consent"), true, map[string]string{"consent": "5", "block": "0", "abstain": "0"}},
		{"one block stops it", consent("0.5"), choices(4, "consent", 1, "block"), false, map[string]string{"consent": "4", "block": "1", "abstain": "0"}},
		{"abstentions alone pass", consent("0.5"), choices(5, "abstain"), true, map[string]string{"consent": "0", "block": "0", "abstain": "5"}},
		{"quorum missed", consent("0.5"), choices(4, "consent"), false, map[string]string{"consent": "4", "block": "0", "abstain": "0"}},
		{"block of weight 0 does not block", weighted, []Ballot{
			withClasses(Ballot{Choice: "consent"}, "user"), withClasses(Ballot{Choice: "consent"}, "user"),
			withClasses(Ballot{Choice: "block"}, "ops"),
		}, true, map[string]string{"consent": "1", "block": "0", "abstain": "0"}},
		{"weighted block blocks", weighted, []Ballot{
			withClasses(Ballot{Choice: "consent"}, "user"), withClasses(Ballot{Choice: "block"}, "user", "ops"),
			withClasses(Ballot{Choice: "consent"}, "ops"),
		}, false, map[string]string{"consent": "0.5", "block": "0.5", "abstain": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Tally(tt.poll, 9, tt.ballots)
			if r.Passed != tt.passed {
				t.Errorf("passed = %v, want %v", r.Passed, tt.passed)
			}
			checkTotals(t, "totals", r.Totals, tt.totals)
		})
	}
	if r := Tally(consent("0"), 0, nil); r.Passed {
		t.Error("a consent poll with no electorate passed")
	}
}

type wantRound struct {
	totals     map[string]string
	eliminated string
	exhausted  string
}

func TestTally_Ranked(t *testing.T) {
	tests := []struct {
		name    string
		options int
		ballots []Ballot
		winner  string
		rounds  []wantRound
	}{
		{"majority in the first round", 3, ranked("3 o1>o2", "1 o2", "1 o3>o2", "2 abstain"), "o1", []wantRound{
			{map[string]string{"o1": "3", "o2": "1", "o3": "1"}, "", "0"},
		}},
		{"transfers decide", 3, ranked("4 o1>o2", "3 o2>o3", "2 o3>o2"), "o2", []wantRound{
			{map[string]string{"o1": "4", "o2": "3", "o3": "2"}, "o3", "0"},
			{map[string]string{"o1": "4", "o2": "5"}, "", "0"},
		}},
		{"majority of the ballots still counting", 3, ranked("4 o1>o2", "3 o2>o3", "2 o3"), "o1", []wantRound{
			{map[string]string{"o1": "4", "o2": "3", "o3": "2"}, "o3", "0"},
			{map[string]string{"o1": "4", "o2": "3"}, "", "2"},
		}},
		{"an option nobody ranks first goes first", 4, ranked("2 o1", "2 o2>o1", "1 o3>o2"), "o2", []wantRound{
			{map[string]string{"o1": "2", "o2": "2", "o3": "1", "o4": "0"}, "o4", "0"},
			{map[string]string{"o1": "2", "o2": "2", "o3": "1"}, "o3", "0"},
			{map[string]string{"o1": "2", "o2": "3"}, "", "0"},
		}},
		{"zero-vote options tie: the later-created goes", 5, ranked("2 o1", "2 o2", "1 o3>o1"), "o1", []wantRound{
			{map[string]string{"o1": "2", "o2": "2", "o3": "1", "o4": "0", "o5": "0"}, "o5", "0"},
			{map[string]string{"o1": "2", "o2": "2", "o3": "1", "o4": "0"}, "o4", "0"},
			{map[string]string{"o1": "2", "o2": "2", "o3": "1"}, "o3", "0"},
			{map[string]string{"o1": "3", "o2": "2"}, "", "0"},
		}},
		{"ties for fewest settled by the earliest round they differ in", 7, ranked(
			"8 o1", "4 o2", "4 o3", "5 o4", "1 o5>o2", "1 o5>o3", "1 o6>o2", "2 o6>o3", "2 o7>o4", "1 o7>o2", "1 o7>o1"), "o1", []wantRound{
			{map[string]string{"o1": "8", "o2": "4", "o3": "4", "o4": "5", "o5": "2", "o6": "3", "o7": "4"}, "o5", "0"},
			{map[string]string{"o1": "8", "o2": "5", "o3": "5", "o4": "5", "o6": "3", "o7": "4"}, "o6", "0"},
			{map[string]string{"o1": "8", "o2": "6", "o3": "7", "o4": "5", "o7": "4"}, "o7", "0"},
			// o2, o3, o4 tie at 7. Round 1 keeps o2 and o3 (4 < 5), round 2
			// still ties them (5 = 5), round 3 has o2 below o3 (6 < 7): o2
			// goes, although o4 had fewest of all three in round 3.
			{map[string]string{"o1": "9", "o2": "7", "o3": "7", "o4": "7"}, "o2", "0"},
			// o3 and o4 tie at 7; round 1 had o3 at 4 and o4 at 5.
			{map[string]string{"o1": "9", "o3": "7", "o4": "7"}, "o3", "7"},
			{map[string]string{"o1": "9", "o4": "7"}, "", "14"},
		}},
		{"tied in every round: the later-created goes", 3, ranked("2 o1", "2 o2", "2 o3"), "o1", []wantRound{
			{map[string]string{"o1": "2", "o2": "2", "o3": "2"}, "o3", "0"},
			{map[string]string{"o1": "2", "o2": "2"}, "o2", "2"},
			{map[string]string{"o1": "2"}, "", "4"},
		}},
		{"two options split evenly: the earlier-created wins", 2, ranked("2 o2>o1", "2 o1>o2"), "o1", []wantRound{
			{map[string]string{"o1": "2", "o2": "2"}, "o2", "0"},
			{map[string]string{"o1": "4"}, "", "0"},
		}},
		{"no ballots, no winner", 3, nil, "", []wantRound{
			{map[string]string{"o1": "0", "o2": "0", "o3": "0"}, "", "0"},
		}},
		{"only abstentions, no winner", 2, ranked("3 abstain"), "", []wantRound{
			{map[string]string{"o1": "0", "o2": "0"}, "", "0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPoll(KindRanked, tt.options)
			r := Tally(p, 100, tt.ballots)
			if r.Winner != tt.winner || r.Passed != (tt.winner != "") {
				t.Errorf("winner %q passed %v, want %q", r.Winner, r.Passed, tt.winner)
			}
			if len(r.Rounds) != len(tt.rounds) {
				t.Fatalf("%d rounds, want %d: %+v", len(r.Rounds), len(tt.rounds), r.Rounds)
			}
			for i, w := range tt.rounds {
				got := r.Rounds[i]
				checkTotals(t, "round "+string(rune('1'+i)), got.Totals, w.totals)
				if got.Eliminated != w.eliminated || !got.Exhausted.Equal(dec(w.exhausted)) {
					t.Errorf("round %d eliminated %q exhausted %s, want %q %s", i+1, got.Eliminated, got.Exhausted, w.eliminated, w.exhausted)
				}
			}
			checkTotals(t, "totals", r.Totals, tt.rounds[0].totals)
		})
	}
}

func TestTally_Ranked_QuorumMissed(t *testing.T) {
	p := testPoll(KindRanked, 2)
	p.Quorum = dec("0.5")
	r := Tally(p, 10, ranked("4 o1"))
	if r.Winner != "o1" || r.QuorumMet || r.Passed {
		t.Errorf("winner %q quorum %v passed %v, want o1, false, false", r.Winner, r.QuorumMet, r.Passed)
	}
	if r := Tally(p, 10, ranked("4 o1", "1 abstain")); !r.Passed {
		t.Error("five of ten with a winner did not pass a quorum of one half")
	}
}

func TestTally_Dots(t *testing.T) {
	pts := func(m map[string]int) Ballot { return Ballot{Points: m} }
	tests := []struct {
		name    string
		ballots []Ballot
		winner  string
		tied    []string
		totals  map[string]string
	}{
		{"most points wins", []Ballot{pts(map[string]int{"o1": 6, "o2": 4}), pts(map[string]int{"o2": 10}), pts(map[string]int{"o1": 5, "o3": 5}), {Choice: "abstain"}},
			"o2", nil, map[string]string{"o1": "11", "o2": "14", "o3": "5"}},
		{"a tie at the top has no winner", []Ballot{pts(map[string]int{"o1": 5, "o2": 5}), pts(map[string]int{"o1": 3, "o2": 3, "o3": 4})},
			"", []string{"o1", "o2"}, map[string]string{"o1": "8", "o2": "8", "o3": "4"}},
		{"a three-way tie", []Ballot{pts(map[string]int{"o3": 1}), pts(map[string]int{"o1": 1}), pts(map[string]int{"o2": 1})},
			"", []string{"o1", "o2", "o3"}, map[string]string{"o1": "1", "o2": "1", "o3": "1"}},
		{"a tie below the top does not matter", []Ballot{pts(map[string]int{"o1": 2, "o2": 1, "o3": 1})},
			"o1", nil, map[string]string{"o1": "2", "o2": "1", "o3": "1"}},
		{"no points, no winner, no tie", []Ballot{{Choice: "abstain"}},
			"", nil, map[string]string{"o1": "0", "o2": "0", "o3": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Tally(testPoll(KindDots, 3), 10, tt.ballots)
			if r.Winner != tt.winner || !reflect.DeepEqual(r.Tied, tt.tied) || r.Passed != (tt.winner != "") {
				t.Errorf("winner %q tied %v passed %v, want %q %v", r.Winner, r.Tied, r.Passed, tt.winner, tt.tied)
			}
			checkTotals(t, "totals", r.Totals, tt.totals)
		})
	}
}

// TestTally_Weighted works each example out by hand from the rule: a
// class's share is split equally among its members who cast a ballot
// (abstentions included), and a member of two classes votes with the
// larger of their two weights.
func TestTally_Weighted(t *testing.T) {
	w := func(kv ...string) map[ledger.Class]decimal.Decimal {
		m := map[ledger.Class]decimal.Decimal{}
		for i := 0; i < len(kv); i += 2 {
			m[ledger.Class(kv[i])] = dec(kv[i+1])
		}
		return m
	}
	b := func(choice string, cs ...ledger.Class) Ballot { return withClasses(Ballot{Choice: choice}, cs...) }
	r := func(ranking string, cs ...ledger.Class) Ballot {
		return withClasses(Ballot{Ranking: strings.Split(ranking, ">")}, cs...)
	}
	d := func(points map[string]int, cs ...ledger.Class) Ballot {
		return withClasses(Ballot{Points: points}, cs...)
	}
	tests := []struct {
		name      string
		kind      PollKind
		threshold string
		weights   map[ledger.Class]decimal.Decimal
		ballots   []Ballot
		passed    bool
		winner    string
		totals    map[string]string
		rounds    []map[string]string
	}{
		// user voters m1 m2 m3 m5: 0.6/4 = 0.15 each; ops voters m4 m5:
		// 0.4/2 = 0.2 each; m5 holds both and weighs 0.2; m6 is in no
		// weighted class and weighs 0. yes = 0.15+0.15+0.2 = 0.5, no =
		// 0.15+0.2 = 0.35: 0.5/0.85 ≈ 0.588, below 0.6 although four
		// of six people said yes.
		{"member in two classes, voter with no weight", KindYesNo, "0.6", w("user", "0.6", "ops", "0.4"), []Ballot{
			b("yes", "user"), b("yes", "user"), b("no", "user"), b("no", "ops"), b("yes", "user", "ops"), b("yes", "collaborator"),
		}, false, "", map[string]string{"yes": "0.5", "no": "0.35", "abstain": "0"}, nil},
		{"the same at threshold 0.5 passes", KindYesNo, "0.5", w("user", "0.6", "ops", "0.4"), []Ballot{
			b("yes", "user"), b("yes", "user"), b("no", "user"), b("no", "ops"), b("yes", "user", "ops"), b("yes", "collaborator"),
		}, true, "", map[string]string{"yes": "0.5", "no": "0.35", "abstain": "0"}, nil},
		// users 0.6/3 = 0.2 each, ops 0.4/3 = 2/15 each: yes = 0.4 and
		// no = 3 × 2/15 = 0.4 exactly, which does not pass one half.
		{"thirds compared exactly: a tie", KindYesNo, "0.5", w("user", "0.6", "ops", "0.4"), []Ballot{
			b("yes", "user"), b("yes", "user"), b("abstain", "user"), b("no", "ops"), b("no", "ops"), b("no", "ops"),
		}, false, "", map[string]string{"yes": "0.4", "no": "0.4", "abstain": "0.2"}, nil},
		// An ops abstention still takes its third of the ops share: no =
		// 4/15 against yes = 6/15.
		{"abstaining still takes a share", KindYesNo, "0.5", w("user", "0.6", "ops", "0.4"), []Ballot{
			b("yes", "user"), b("yes", "user"), b("abstain", "user"), b("no", "ops"), b("no", "ops"), b("abstain", "ops"),
		}, true, "", map[string]string{"yes": "0.4", "no": "0.2667", "abstain": "0.3333"}, nil},
		// Nobody from collaborator voted: its 0.2 goes unused. users 0.25
		// each, ops 0.3.
		{"a class with no voters", KindYesNo, "0.5", w("user", "0.5", "ops", "0.3", "collaborator", "0.2"), []Ballot{
			b("yes", "user"), b("no", "user"), b("yes", "ops"),
		}, true, "", map[string]string{"yes": "0.55", "no": "0.25", "abstain": "0"}, nil},
		{"all weight in an absent class", KindYesNo, "0", w("collaborator", "1"), []Ballot{
			b("yes", "user"), b("yes", "ops"),
		}, false, "", map[string]string{"yes": "0", "no": "0", "abstain": "0"}, nil},
		// Three users against two ops, but ops hold 0.6: 0.6 > 0.5.
		{"ranked: the weightier class wins", KindRanked, "", w("user", "0.4", "ops", "0.6"), []Ballot{
			r("o1", "user"), r("o1", "user"), r("o1", "user"), r("o2", "ops"), r("o2", "ops"),
		}, true, "o2", map[string]string{"o1": "0.4", "o2": "0.6", "o3": "0"}, []map[string]string{
			{"o1": "0.4", "o2": "0.6", "o3": "0"},
		}},
		// users 1/6 each, the ops voter 1/2. Round 1: o1 1/3, o2 1/2 (not
		// more than half), o3 1/6 goes to o2: 2/3.
		{"ranked: sixths", KindRanked, "", w("user", "0.5", "ops", "0.5"), []Ballot{
			r("o1", "user"), r("o1", "user"), r("o3>o2", "user"), r("o2", "ops"),
		}, true, "o2", map[string]string{"o1": "0.3333", "o2": "0.5", "o3": "0.1667"}, []map[string]string{
			{"o1": "0.3333", "o2": "0.5", "o3": "0.1667"},
			{"o1": "0.3333", "o2": "0.6667"},
		}},
		// users 0.25 each: o1 2.5, o2 2.5 + 4 × 0.5 = 4.5, o3 6 × 0.5 = 3.
		{"dots: points times weight", KindDots, "", w("user", "0.5", "ops", "0.5"), []Ballot{
			d(map[string]int{"o1": 10}, "user"), d(map[string]int{"o2": 10}, "user"), d(map[string]int{"o2": 4, "o3": 6}, "ops"),
		}, true, "o2", map[string]string{"o1": "2.5", "o2": "4.5", "o3": "3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPoll(tt.kind, 3)
			if tt.threshold != "" {
				p.Threshold = dec(tt.threshold)
			}
			p.Weights = tt.weights
			res := Tally(p, 10, tt.ballots)
			if res.Passed != tt.passed || res.Winner != tt.winner {
				t.Errorf("passed %v winner %q, want %v %q", res.Passed, res.Winner, tt.passed, tt.winner)
			}
			checkTotals(t, "totals", res.Totals, tt.totals)
			if len(res.Rounds) != len(tt.rounds) {
				t.Fatalf("%d rounds, want %d", len(res.Rounds), len(tt.rounds))
			}
			for i, want := range tt.rounds {
				checkTotals(t, "round", res.Rounds[i].Totals, want)
			}
			if !res.Turnout.Equal(decimal.New(int64(len(tt.ballots)), -1)) {
				t.Errorf("turnout %s counts people, want %d/10", res.Turnout, len(tt.ballots))
			}
		})
	}
}

func TestTally_KeepsState(t *testing.T) {
	p := testPoll(KindRanked, 2)
	p.State = PollClosed
	ballots := ranked("1 o2>o1", "1 o1")
	before := append([]Ballot{}, ballots...)
	if r := Tally(p, 2, ballots); r.State != PollClosed {
		t.Errorf("state %s", r.State)
	}
	if !reflect.DeepEqual(ballots, before) {
		t.Error("Tally changed its ballots")
	}
}

// A ranked poll counted by instant runoff: nobody holds a majority of the
// nine first preferences, so Bee, with fewest, is dropped and its two
// ballots move to Owl.
func ExampleTally() {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	p, err := NewPoll(PollInput{
		Title: "Which logo?", Kind: KindRanked, Options: []string{"Fox", "Owl", "Bee"},
		Quorum: decimal.RequireFromString("0.5"), ClosesAt: now.Add(72 * time.Hour),
	}, now)
	if err != nil {
		panic(err)
	}
	var ballots []Ballot
	add := func(n int, ranking ...string) {
		for ; n > 0; n-- {
			ballots = append(ballots, Ballot{Ranking: ranking})
		}
	}
	add(4, "o1", "o2")
	add(3, "o2", "o3")
	add(2, "o3", "o2")
	ballots = append(ballots, Ballot{Choice: ChoiceAbstain})

	r := Tally(p, 12, ballots)
	for i, round := range r.Rounds {
		fmt.Printf("round %d: %v, exhausted %s", i+1, round.Totals, round.Exhausted)
		if round.Eliminated != "" {
			fmt.Printf(", %s dropped", round.Eliminated)
		}
		fmt.Println()
	}
	fmt.Println("turnout", r.Turnout, "winner", r.Winner, "passed", r.Passed)
	// Output:
	// round 1: map[o1:4 o2:3 o3:2], exhausted 0, o3 dropped
	// round 2: map[o1:4 o2:5], exhausted 0
	// turnout 0.8333 winner o2 passed true
}
