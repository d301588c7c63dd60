package governance_test

import (
	"strings"
	"testing"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestAssessActivity(t *testing.T) {
	rule := governance.ActivityRule{Class: ledger.ClassOps, Hours: d("40"), Attendance: d("0.5")}
	old := ledger.Member{ID: "m1", Joined: "2020-01-01"}
	fourHeld := func(attended int) []governance.MeetingAttendance {
		var out []governance.MeetingAttendance
		for i, date := range []string{"2026-01-15", "2026-03-15", "2026-05-15", "2026-06-15"} {
			out = append(out, governance.MeetingAttendance{Date: date, Attended: i < attended})
		}
		return out
	}
	cases := []struct {
		name     string
		m        ledger.Member
		today    string
		minutes  int64
		attended int
		status   governance.ActivityStatus
		expected string
		required string
	}{
		// 2 July is day 183 of 365: the pace asks 40 × 183 / 365 = 20.054… h.
		{"behind the pace mid-year", old, "2026-07-02", 20 * 60, 2, governance.ActivityAtRisk, "20.05", "40.00"},
		{"on the pace mid-year", old, "2026-07-02", 20*60 + 3, 2, governance.ActivityOK, "20.05", "40.00"},
		{"hours fine, too few all-hands", old, "2026-07-02", 30 * 60, 1, governance.ActivityAtRisk, "20.05", "40.00"},
		{"short at year end is inactive", old, "2027-01-05", 40*60 - 1, 4, governance.ActivityInactive, "40.00", "40.00"},
		{"met at year end", old, "2027-01-05", 40 * 60, 2, governance.ActivityOK, "40.00", "40.00"},
		// Joined 1 July: 184 of 365 days, 40 × 184 / 365 = 20.164… h, and
		// none of the four meetings (all before July) counts.
		{"joined mid-year", ledger.Member{ID: "m2", Joined: "2026-07-01"}, "2027-01-01", 20*60 + 10, 0, governance.ActivityOK, "20.16", "20.16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := governance.Assess(c.m, rule, true, 2026, c.today, map[ledger.Compensation]int64{ledger.CompContribution: c.minutes}, fourHeld(c.attended))
			if a.Status != c.status || a.Expected.StringFixed(2) != c.expected || a.Required.StringFixed(2) != c.required {
				t.Fatalf("status %s expected %s required %s (%v), want %s %s %s", a.Status, a.Expected.StringFixed(2),
					a.Required.StringFixed(2), a.Reasons, c.status, c.expected, c.required)
			}
			if c.status != governance.ActivityOK && len(a.Reasons) == 0 {
				t.Fatal("a member short of a commitment gets no reason")
			}
		})
	}
}

func TestAssessCountsOnlyTheCommittedKind(t *testing.T) {
	rule := governance.ActivityRule{Class: ledger.ClassOps, Hours: d("10"), Compensation: ledger.CompContribution}
	a := governance.Assess(ledger.Member{ID: "m1"}, rule, true, 2026, "2027-01-02",
		map[ledger.Compensation]int64{ledger.CompRequired: 600, ledger.CompContribution: 540}, nil)
	if !a.Hours.Equal(d("9")) || a.Status != governance.ActivityInactive || !strings.Contains(strings.Join(a.Reasons, ";"), "9.00 of 10.00") {
		t.Fatalf("%+v", a)
	}
}

func TestCommitmentTakesTheLargest(t *testing.T) {
	rules := []governance.ActivityRule{
		{Class: ledger.ClassOps, Hours: d("40"), Compensation: ledger.CompContribution, Attendance: d("0.25")},
		{Class: ledger.ClassUser, Hours: d("0"), Attendance: d("0.5")},
		{Class: ledger.ClassCollaborator, Hours: d("100")},
	}
	got, ok := governance.Commitment(rules, []ledger.Class{ledger.ClassOps, ledger.ClassUser})
	if !ok || !got.Hours.Equal(d("40")) || !got.Attendance.Equal(d("0.5")) || got.Compensation != ledger.CompContribution {
		t.Fatalf("%+v", got)
	}
	if _, ok := governance.Commitment(rules, nil); ok {
		t.Fatal("a member in no class has a commitment")
	}
	// Trailing zeros are the same share; a fifth decimal place is refused.
	zeros := governance.ActivityRule{Class: ledger.ClassUser, Hours: d("40.500"), Attendance: d("0.2500000000000000")}
	if err := zeros.Validate(); err != nil {
		t.Fatalf("trailing zeros refused: %v", err)
	}
	fine := governance.ActivityRule{Class: ledger.ClassUser, Hours: d("1.001"), Attendance: d("0.12345")}
	if err := fine.Validate(); err == nil || !strings.Contains(err.Error(), "hours:") || !strings.Contains(err.Error(), "attendance:") {
		t.Fatalf("too many places: %v", err)
	}
	r := governance.ActivityRule{Class: "guild", Hours: d("-1"), Attendance: d("1.5")}
	err := r.Validate()
	for _, f := range []string{"class", "hours", "attendance"} {
		if err == nil || !strings.Contains(err.Error(), f+":") {
			t.Errorf("validation does not name %s: %v", f, err)
		}
	}
}

// Labels are one line wherever they are typed: titles, categories,
// criteria, places, agenda items, poll options.
func TestLabelsAreOneLine(t *testing.T) {
	amt := d("5")
	errs := map[string]error{
		"request title": (&governance.RequestInput{Kind: governance.KindFeature, Title: "a\nb"}).Validate(),
		"category":      (&governance.RequestInput{Kind: governance.KindFeature, Title: "a", Category: "x\ty"}).Validate(),
		"criteria[0]": func() error {
			_, err := governance.NewBounty(governance.BountyInput{RequestID: "r000001", Title: "a", Amount: &amt, Criteria: []string{"one\r\ntwo"}}, "GBP", "2026-01-01")
			return err
		}(),
		"place": func() error {
			_, err := governance.NewMeeting(governance.MeetingInput{Date: "2026-01-01", Place: "Hall\nRoom 2"})
			return err
		}(),
		"agenda text": (&governance.AgendaInput{Text: "first\nsecond"}).Validate(),
	}
	for what, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "must be on one line") {
			t.Errorf("%s with a line break: %v", what, err)
		}
	}
	// Prose keeps its line breaks.
	if err := (&governance.RequestInput{Kind: governance.KindFeature, Title: "a", Body: "line one\nline two"}).Validate(); err != nil {
		t.Errorf("a body with a line break: %v", err)
	}
}
