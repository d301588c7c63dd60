package governance

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/coopledger/coopledger/ledger"
)

// FuzzCheckBallot feeds any JSON body to CheckBallot for a poll of each
// kind: it never panics, refuses with field errors only, and whatever it
// accepts is a ballot of that kind which it accepts again unchanged and
// which Tally counts.
func FuzzCheckBallot(f *testing.F) {
	for _, seed := range []string{
		`{"choice":"yes"}`, `{"choice":"block"}`, `{"choice":"abstain"}`, `{}`, `{"choice":""}`,
		`{"ranking":["o2","o1","o5"]}`, `{"ranking":["o1","o1"]}`, `{"ranking":["o9"]}`, `{"ranking":[]}`,
		`{"points":{"o1":7,"o3":3}}`, `{"points":{"o1":-1,"o2":11}}`, `{"points":{"o1":0}}`, `{"points":{"":1}}`,
		`{"choice":"abstain","ranking":["o1"],"points":{"o1":1}}`, `{"points":{"o1":9223372036854775807,"o2":1}}`,
		`{"ranking":["o1","o2","o3","o4","o5","o1"]}`, `{"choice":"yes","points":{}}`,
	} {
		f.Add([]byte(seed))
	}
	polls := []Poll{testPoll(KindYesNo, 0), testPoll(KindConsent, 0), testPoll(KindRanked, 5), testPoll(KindDots, 5)}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in BallotInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		for _, p := range polls {
			b, err := CheckBallot(p, in)
			if err != nil {
				var v *ledger.ValidationError
				if !errors.As(err, &v) || len(v.Fields) == 0 {
					t.Fatalf("%s: refused without field errors: %v", p.Kind, err)
				}
				for field := range v.Fields {
					if !ledger.ValidLine(field, 60) {
						t.Fatalf("%s: field name %q is not fit to show", p.Kind, field)
					}
				}
				continue
			}
			checkAccepted(t, p, b)
			again, err := CheckBallot(p, BallotInput{Choice: b.Choice, Ranking: b.Ranking, Points: b.Points})
			if err != nil || !reflect.DeepEqual(again, b) {
				t.Fatalf("%s: accepted %+v but not on a second look: %+v, %v", p.Kind, b, again, err)
			}
			if r := Tally(p, 1, []Ballot{b}); r.Ballots != 1 || !r.QuorumMet {
				t.Fatalf("%s: tally of one ballot %+v", p.Kind, r)
			}
		}
	})
}

// checkAccepted asserts what every accepted ballot of p's kind looks like.
func checkAccepted(t *testing.T, p Poll, b Ballot) {
	t.Helper()
	if b.Classes != nil {
		t.Fatalf("%s: classes set by CheckBallot", p.Kind)
	}
	if b.Abstains() {
		if b.Ranking != nil || b.Points != nil {
			t.Fatalf("%s: an abstention with votes: %+v", p.Kind, b)
		}
		return
	}
	switch p.Kind {
	case KindYesNo, KindConsent:
		if _, ok := p.Option(b.Choice); !ok || b.Ranking != nil || b.Points != nil {
			t.Fatalf("%s: accepted %+v", p.Kind, b)
		}
	case KindRanked:
		seen := map[string]bool{}
		for _, id := range b.Ranking {
			if _, ok := p.Option(id); !ok || seen[id] {
				t.Fatalf("ranked: accepted %v", b.Ranking)
			}
			seen[id] = true
		}
		if len(b.Ranking) == 0 || b.Choice != "" || b.Points != nil {
			t.Fatalf("ranked: accepted %+v", b)
		}
	case KindDots:
		sum := 0
		for id, n := range b.Points {
			if _, ok := p.Option(id); !ok || n <= 0 {
				t.Fatalf("dots: accepted %v", b.Points)
			}
			sum += n
		}
		if sum < 1 || sum > p.Points || b.Choice != "" || b.Ranking != nil {
			t.Fatalf("dots: accepted %+v", b)
		}
	}
}
