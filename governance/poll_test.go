package governance

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

var pollNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// validInput is a ranked poll input every NewPoll test starts from.
func validInput() PollInput {
	return PollInput{
		Title:    "Which hosting provider next year?",
		Kind:     KindRanked,
		Options:  []string{"Hetzner", "OVH", "Scaleway"},
		ClosesAt: pollNow.Add(7 * 24 * time.Hour),
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var v *ledger.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a *ledger.ValidationError, got %v", err)
	}
	return v.Fields
}

func TestNewPoll_Valid(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*PollInput)
		check func(*testing.T, Poll)
	}{
		{"ranked numbers its options in order", func(in *PollInput) { in.Options = []string{" A ", "B"} }, func(t *testing.T, p Poll) {
			want := []Option{{"o1", "A"}, {"o2", "B"}}
			if !reflect.DeepEqual(p.Options, want) {
				t.Errorf("options = %v, want %v", p.Options, want)
			}
			if !p.Threshold.IsZero() || p.Points != 0 || !p.Quorum.IsZero() {
				t.Errorf("threshold %s points %d quorum %s, want zeros", p.Threshold, p.Points, p.Quorum)
			}
		}},
		{"yes_no gets fixed options and the default threshold", func(in *PollInput) { in.Kind, in.Options = KindYesNo, nil }, func(t *testing.T, p Poll) {
			if got := []string{p.Options[0].ID, p.Options[1].ID, p.Options[2].ID}; !reflect.DeepEqual(got, []string{"yes", "no", "abstain"}) || len(p.Options) != 3 {
				t.Errorf("options = %v", p.Options)
			}
			if !p.Threshold.Equal(dec("0.5")) {
				t.Errorf("threshold = %s, want 0.5", p.Threshold)
			}
		}},
		{"yes_no keeps a given threshold, zero included", func(in *PollInput) { in.Kind, in.Options, in.Threshold = KindYesNo, nil, decp("0") }, func(t *testing.T, p Poll) {
			if !p.Threshold.IsZero() {
				t.Errorf("threshold = %s, want 0", p.Threshold)
			}
		}},
		{"consent gets fixed options", func(in *PollInput) { in.Kind, in.Options = KindConsent, []string{} }, func(t *testing.T, p Poll) {
			if len(p.Options) != 3 || p.Options[0].ID != "consent" || p.Options[1].ID != "block" || p.Options[2].ID != "abstain" {
				t.Errorf("options = %v", p.Options)
			}
		}},
		{"dots keeps its budget", func(in *PollInput) { in.Kind, in.Points = KindDots, 1000 }, func(t *testing.T, p Poll) {
			if p.Points != 1000 {
				t.Errorf("points = %d", p.Points)
			}
		}},
		{"closes_at to the second in UTC, a year ahead at most", func(in *PollInput) {
			in.ClosesAt = pollNow.AddDate(1, 0, 0).In(time.FixedZone("X", 3600)).Add(-time.Hour + 500*time.Millisecond)
		}, func(t *testing.T, p Poll) {
			want := time.Date(2025, 6, 15, 11, 0, 0, 0, time.UTC)
			if !p.ClosesAt.Equal(want) || p.ClosesAt.Location() != time.UTC {
				t.Errorf("closes_at = %v, want %v", p.ClosesAt, want)
			}
			if !p.OpenedAt.Equal(pollNow) || p.State != PollOpen || p.ClosedAt != nil {
				t.Errorf("opened %v state %s closed %v", p.OpenedAt, p.State, p.ClosedAt)
			}
		}},
		{"electorate deduplicated and sorted", func(in *PollInput) {
			in.Electorate = Electorate{Classes: []ledger.Class{"user", "ops", "user"}, Roles: []ledger.Role{"ops", "board", "ops"}}
		}, func(t *testing.T, p Poll) {
			want := Electorate{Classes: []ledger.Class{"ops", "user"}, Roles: []ledger.Role{"board", "ops"}}
			if !reflect.DeepEqual(p.Electorate, want) {
				t.Errorf("electorate = %+v", p.Electorate)
			}
		}},
		{"weights adding up to exactly 1, zero shares allowed", func(in *PollInput) {
			in.Weights = map[ledger.Class]decimal.Decimal{"user": dec("0.5"), "ops": dec("0.50"), "collaborator": dec("0")}
			in.Quorum = dec("1")
		}, func(t *testing.T, p Poll) {
			if len(p.Weights) != 3 || !p.Weights["ops"].Equal(dec("0.5")) {
				t.Errorf("weights = %v", p.Weights)
			}
		}},
		{"fifty options, two hundred characters each", func(in *PollInput) {
			in.Options = nil
			for i := 0; i < 50; i++ {
				in.Options = append(in.Options, strings.Repeat("é", 198)+fmt.Sprintf("%02d", i))
			}
			in.Title = strings.Repeat("t", 200)
		}, func(t *testing.T, p Poll) {
			if len(p.Options) != 50 || p.Options[49].ID != "o50" {
				t.Errorf("got %d options, last %v", len(p.Options), p.Options[len(p.Options)-1].ID)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			p, err := NewPoll(in, pollNow)
			if err != nil {
				t.Fatalf("NewPoll: %v", err)
			}
			tt.check(t, p)
		})
	}
}

func TestNewPoll_Rejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*PollInput)
		field string
	}{
		{"no title", func(in *PollInput) { in.Title = "  " }, "title"},
		{"long title", func(in *PollInput) { in.Title = strings.Repeat("x", 201) }, "title"},
		{"title on two lines", func(in *PollInput) { in.Title = "a\nb" }, "title"},
		{"NUL in title", func(in *PollInput) { in.Title = "a\x00b" }, "title"},
		{"invalid UTF-8 in description", func(in *PollInput) { in.Description = "a\xffb" }, "description"},
		{"long description", func(in *PollInput) { in.Description = strings.Repeat("x", 10001) }, "description"},
		{"no kind", func(in *PollInput) { in.Kind = "" }, "kind"},
		{"unknown kind", func(in *PollInput) { in.Kind = "approval" }, "kind"},
		{"one option", func(in *PollInput) { in.Options = []string{"A"} }, "options"},
		{"51 options", func(in *PollInput) {
			in.Options = make([]string, 51)
			for i := range in.Options {
				in.Options[i] = strings.Repeat("o", i+1)
			}
		}, "options"},
		{"empty option", func(in *PollInput) { in.Options = []string{"A", " ", "C"} }, "options[1]"},
		{"option repeated ignoring case", func(in *PollInput) { in.Options = []string{"A", "B", "b "} }, "options[2]"},
		{"long option", func(in *PollInput) { in.Options = []string{"A", strings.Repeat("x", 201)} }, "options[1]"},
		{"NUL in option", func(in *PollInput) { in.Options = []string{"A", "B\x00"} }, "options[1]"},
		{"options for yes_no", func(in *PollInput) { in.Kind = KindYesNo }, "options"},
		{"options for consent", func(in *PollInput) { in.Kind = KindConsent }, "options"},
		{"negative quorum", func(in *PollInput) { in.Quorum = dec("-0.1") }, "quorum"},
		{"quorum above 1", func(in *PollInput) { in.Quorum = dec("1.0001") }, "quorum"},
		{"quorum out of range", func(in *PollInput) { in.Quorum = dec("1e-40") }, "quorum"},
		{"threshold of 1", func(in *PollInput) { in.Kind, in.Options, in.Threshold = KindYesNo, nil, decp("1") }, "threshold"},
		{"negative threshold", func(in *PollInput) { in.Kind, in.Options, in.Threshold = KindYesNo, nil, decp("-0.5") }, "threshold"},
		{"threshold on a ranked poll", func(in *PollInput) { in.Threshold = decp("0.5") }, "threshold"},
		{"dots without points", func(in *PollInput) { in.Kind = KindDots }, "points"},
		{"dots with negative points", func(in *PollInput) { in.Kind, in.Points = KindDots, -1 }, "points"},
		{"dots over 1000 points", func(in *PollInput) { in.Kind, in.Points = KindDots, 1001 }, "points"},
		{"points on a ranked poll", func(in *PollInput) { in.Points = 10 }, "points"},
		{"no closes_at", func(in *PollInput) { in.ClosesAt = time.Time{} }, "closes_at"},
		{"closes_at now", func(in *PollInput) { in.ClosesAt = pollNow }, "closes_at"},
		{"closes_at within the second", func(in *PollInput) { in.ClosesAt = pollNow.Add(999 * time.Millisecond) }, "closes_at"},
		{"closes_at past", func(in *PollInput) { in.ClosesAt = pollNow.Add(-time.Hour) }, "closes_at"},
		{"closes_at beyond a year", func(in *PollInput) { in.ClosesAt = pollNow.AddDate(1, 0, 1) }, "closes_at"},
		{"unknown electorate class", func(in *PollInput) { in.Electorate.Classes = []ledger.Class{"user", "investor"} }, "electorate.classes"},
		{"unknown electorate role", func(in *PollInput) { in.Electorate.Roles = []ledger.Role{"king"} }, "electorate.roles"},
		{"weights not adding up", func(in *PollInput) {
			in.Weights = map[ledger.Class]decimal.Decimal{"user": dec("0.5"), "ops": dec("0.49")}
		}, "weights"},
		{"weights adding up above 1", func(in *PollInput) {
			in.Weights = map[ledger.Class]decimal.Decimal{"user": dec("0.6"), "ops": dec("0.6")}
		}, "weights"},
		{"weight of an unknown class", func(in *PollInput) {
			in.Weights = map[ledger.Class]decimal.Decimal{"user": dec("1"), "investor": dec("0")}
		}, "weights.investor"},
		{"negative weight", func(in *PollInput) {
			in.Weights = map[ledger.Class]decimal.Decimal{"user": dec("1"), "ops": dec("-0.5")}
		}, "weights.ops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			_, err := NewPoll(in, pollNow)
			fields := fieldsOf(t, err)
			if _, ok := fields[tt.field]; !ok || len(fields) != 1 {
				t.Errorf("fields = %v, want just %q", fields, tt.field)
			}
		})
	}
}

func TestNewPoll_ReportsEveryField(t *testing.T) {
	in := PollInput{Kind: KindDots, Options: []string{"A", "a"}, Quorum: dec("2"), Points: 0}
	_, err := NewPoll(in, pollNow)
	fields := fieldsOf(t, err)
	for _, f := range []string{"title", "options[1]", "quorum", "points", "closes_at"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("no error for %s in %v", f, fields)
		}
	}
}

func TestPollInput_JSON(t *testing.T) {
	body := `{"title":"Budget","kind":"yes_no","quorum":"0.25","threshold":0.66,
		"closes_at":"2024-06-20T18:00:00+02:00","electorate":{"classes":["user"],"roles":[]},
		"weights":{"user":"1"},"secret":true}`
	var in PollInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	p, err := NewPoll(in, pollNow)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"kind":"yes_no"`, `"quorum":"0.25"`, `"threshold":"0.66"`, `"closes_at":"2024-06-20T16:00:00Z"`,
		`"weights":{"user":"1"}`, `"state":"open"`, `"options":[{"id":"yes","text":"Yes"}`, `"secret":true`} {
		if !strings.Contains(string(out), frag) {
			t.Errorf("%s lacks %s", out, frag)
		}
	}
	var back Poll
	if err := json.Unmarshal(out, &back); err != nil || !back.Threshold.Equal(p.Threshold) || back.Kind != p.Kind {
		t.Errorf("round trip: %v %+v", err, back)
	}
	for _, bad := range []string{`{"kind":"approval"}`, `{"kind":""}`} {
		if err := json.Unmarshal([]byte(bad), &in); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	if err := json.Unmarshal([]byte(`{"state":"pending"}`), &back); err == nil {
		t.Error("unknown state decoded")
	}
}

func TestElectorate_Includes(t *testing.T) {
	ann := ledger.Member{ID: "1", Classes: []ledger.Class{"user"}, Roles: []ledger.Role{"member"}, Joined: "2023-01-01"}
	bob := ledger.Member{ID: "2", Classes: []ledger.Class{"ops", "user"}, Roles: []ledger.Role{"ops"}, Joined: "2023-01-01"}
	cy := ledger.Member{ID: "3", Classes: []ledger.Class{"collaborator"}, Roles: []ledger.Role{"board"}, Joined: "2024-07-01"}
	dee := ledger.Member{ID: "4", Classes: []ledger.Class{"user"}, Joined: "2023-01-01", Left: "2024-06-14"}
	tests := []struct {
		name string
		e    Electorate
		want []string
	}{
		{"empty: every active member", Electorate{}, []string{"1", "2"}},
		{"by class", Electorate{Classes: []ledger.Class{"ops"}}, []string{"2"}},
		{"by one of two classes", Electorate{Classes: []ledger.Class{"ops", "user"}}, []string{"1", "2"}},
		{"by role", Electorate{Roles: []ledger.Role{"ops", "board"}}, []string{"2"}},
		{"member role admits all", Electorate{Roles: []ledger.Role{"member"}}, []string{"1", "2"}},
		{"class and role both", Electorate{Classes: []ledger.Class{"user"}, Roles: []ledger.Role{"ops"}}, []string{"2"}},
		{"nobody", Electorate{Classes: []ledger.Class{"collaborator"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, v := range tt.e.Voters([]ledger.Member{cy, bob, dee, ann}, "2024-06-15") {
				got = append(got, v.MemberID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("voters = %v, want %v", got, tt.want)
			}
		})
	}
	if !(Electorate{}).Includes(dee, "2024-06-14") {
		t.Error("a member is still in on the day they leave")
	}
}

func TestPoll_Close(t *testing.T) {
	p, err := NewPoll(validInput(), pollNow)
	if err != nil {
		t.Fatal(err)
	}
	if p.Due(p.ClosesAt.Add(-time.Second)) || !p.Due(p.ClosesAt) {
		t.Error("due before or not at closes_at")
	}
	if err := p.Close(pollNow.Add(time.Hour)); err != nil || p.State != PollClosed || !p.ClosedAt.Equal(pollNow.Add(time.Hour)) {
		t.Fatalf("close: %v %s %v", err, p.State, p.ClosedAt)
	}
	if err := p.Close(pollNow.Add(2 * time.Hour)); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("second close: %v, want ErrConflict", err)
	}
	if p.Due(p.ClosesAt) {
		t.Error("a closed poll is not due")
	}
}
