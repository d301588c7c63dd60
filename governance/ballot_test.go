package governance

import (
	"reflect"
	"strings"
	"testing"
)

// testPoll builds an open poll of kind with n options o1..on (ranked and
// dots) and a dots budget of 10.
func testPoll(kind PollKind, n int) Poll {
	p := Poll{ID: "p1", Kind: kind, State: PollOpen, Options: FixedOptions(kind)}
	if kind == KindRanked || kind == KindDots {
		p.Options = nil
		for i := 1; i <= n; i++ {
			id := "o" + string(rune('0'+i))
			if i >= 10 {
				id = "o1" + string(rune('0'+i-10))
			}
			p.Options = append(p.Options, Option{ID: id, Text: strings.ToUpper(id)})
		}
	}
	if kind == KindYesNo {
		p.Threshold = DefaultThreshold
	}
	if kind == KindDots {
		p.Points = 10
	}
	return p
}

func TestCheckBallot_Accepts(t *testing.T) {
	tests := []struct {
		name string
		kind PollKind
		in   BallotInput
		want Ballot
	}{
		{"yes", KindYesNo, BallotInput{Choice: "yes"}, Ballot{Choice: "yes"}},
		{"no, with empty other fields", KindYesNo, BallotInput{Choice: "no", Ranking: []string{}, Points: map[string]int{}}, Ballot{Choice: "no"}},
		{"abstain on yes_no", KindYesNo, BallotInput{Choice: "abstain"}, Ballot{Choice: "abstain"}},
		{"consent", KindConsent, BallotInput{Choice: "consent"}, Ballot{Choice: "consent"}},
		{"block", KindConsent, BallotInput{Choice: "block"}, Ballot{Choice: "block"}},
		{"full ranking", KindRanked, BallotInput{Ranking: []string{"o3", "o1", "o2"}}, Ballot{Ranking: []string{"o3", "o1", "o2"}}},
		{"one ranked", KindRanked, BallotInput{Ranking: []string{"o2"}}, Ballot{Ranking: []string{"o2"}}},
		{"abstain on ranked", KindRanked, BallotInput{Choice: "abstain"}, Ballot{Choice: "abstain"}},
		{"whole budget", KindDots, BallotInput{Points: map[string]int{"o1": 7, "o3": 3}}, Ballot{Points: map[string]int{"o1": 7, "o3": 3}}},
		{"zero entries dropped", KindDots, BallotInput{Points: map[string]int{"o1": 1, "o2": 0}}, Ballot{Points: map[string]int{"o1": 1}}},
		{"abstain on dots", KindDots, BallotInput{Choice: "abstain", Points: map[string]int{"o1": 0}}, Ballot{Choice: "abstain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckBallot(testPoll(tt.kind, 3), tt.in)
			if err != nil {
				t.Fatalf("CheckBallot: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckBallot_Rejects(t *testing.T) {
	tests := []struct {
		name  string
		kind  PollKind
		in    BallotInput
		field string
	}{
		{"empty yes_no ballot", KindYesNo, BallotInput{}, "choice"},
		{"unknown choice", KindYesNo, BallotInput{Choice: "maybe"}, "choice"},
		{"consent choice on yes_no", KindYesNo, BallotInput{Choice: "consent"}, "choice"},
		{"yes on consent", KindConsent, BallotInput{Choice: "yes"}, "choice"},
		{"empty consent ballot", KindConsent, BallotInput{}, "choice"},
		{"ranking on yes_no", KindYesNo, BallotInput{Choice: "yes", Ranking: []string{"yes"}}, "ranking"},
		{"points on consent", KindConsent, BallotInput{Choice: "block", Points: map[string]int{"block": 1}}, "points"},
		{"empty ranked ballot", KindRanked, BallotInput{}, "ranking"},
		{"unknown option ranked", KindRanked, BallotInput{Ranking: []string{"o1", "o9"}}, "ranking[1]"},
		{"duplicate rank", KindRanked, BallotInput{Ranking: []string{"o2", "o1", "o2"}}, "ranking[2]"},
		{"too long a ranking", KindRanked, BallotInput{Ranking: []string{"o1", "o2", "o3", "o1"}}, "ranking"},
		{"choice on ranked", KindRanked, BallotInput{Choice: "yes"}, "choice"},
		{"abstain with a ranking", KindRanked, BallotInput{Choice: "abstain", Ranking: []string{"o1"}}, "ranking"},
		{"points on ranked", KindRanked, BallotInput{Ranking: []string{"o1"}, Points: map[string]int{"o1": 1}}, "points"},
		{"empty dots ballot", KindDots, BallotInput{}, "points"},
		{"no points spent", KindDots, BallotInput{Points: map[string]int{"o1": 0}}, "points"},
		{"over budget", KindDots, BallotInput{Points: map[string]int{"o1": 6, "o2": 5}}, "points"},
		{"one option over budget", KindDots, BallotInput{Points: map[string]int{"o1": 11}}, "points.o1"},
		{"huge points", KindDots, BallotInput{Points: map[string]int{"o1": 1 << 62, "o2": 1 << 62}}, "points.o1"},
		{"negative points", KindDots, BallotInput{Points: map[string]int{"o1": 5, "o2": -1}}, "points.o2"},
		{"unknown option dotted", KindDots, BallotInput{Points: map[string]int{"o9": 1}}, "points.o9"},
		{"more options than the poll", KindDots, BallotInput{Points: map[string]int{"o1": 1, "o2": 1, "o3": 1, "x": 1}}, "points"},
		{"ranking on dots", KindDots, BallotInput{Points: map[string]int{"o1": 1}, Ranking: []string{"o1"}}, "ranking"},
		{"choice on dots", KindDots, BallotInput{Choice: "o1"}, "choice"},
		{"abstain spending points", KindDots, BallotInput{Choice: "abstain", Points: map[string]int{"o1": 2}}, "points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckBallot(testPoll(tt.kind, 3), tt.in)
			fields := fieldsOf(t, err)
			if _, ok := fields[tt.field]; !ok {
				t.Errorf("fields = %v, want %q", fields, tt.field)
			}
			if tt.name == "huge points" && len(fields) != 2 {
				t.Errorf("fields = %v, want both options over budget", fields)
			}
		})
	}
}
