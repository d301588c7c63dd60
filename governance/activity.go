package governance

import (
	"fmt"
	"slices"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// ActivityRule is what a member class commits to each year: a number of
// approved hours (of one compensation kind, or of any) and a minimum share
// of the all-hands meetings held.
type ActivityRule struct {
	Class        ledger.Class        `json:"class"`
	Hours        decimal.Decimal     `json:"hours"`
	Compensation ledger.Compensation `json:"compensation,omitempty"`
	Attendance   decimal.Decimal     `json:"attendance"`
}

// Validate checks a rule: a known class, hours 0..2000, attendance a share.
func (r *ActivityRule) Validate() error {
	var v ledger.ValidationError
	if _, err := ledger.ParseClass(string(r.Class)); err != nil {
		v.Add("class", err.Error())
	}
	if r.Hours.IsNegative() || r.Hours.GreaterThan(decimal.NewFromInt(2000)) || !r.Hours.Equal(r.Hours.Round(2)) {
		v.Add("hours", "must be between 0 and 2000, to the hundredth")
	}
	if r.Compensation != "" {
		if _, err := ledger.ParseCompensation(string(r.Compensation)); err != nil {
			v.Add("compensation", err.Error())
		}
	}
	if r.Attendance.IsNegative() || r.Attendance.GreaterThan(decimal.NewFromInt(1)) || !r.Attendance.Equal(r.Attendance.Round(4)) {
		v.Add("attendance", "must be a share between 0 and 1")
	}
	return v.Err()
}

// ActivityStatus is how a member stands against their commitments.
type ActivityStatus string

// During a year a member behind the pace of their commitment is at risk;
// once the year has ended, a member short of it is inactive for that year.
// Neither deletes anybody or touches their balances.
const (
	ActivityOK       ActivityStatus = "ok"
	ActivityAtRisk   ActivityStatus = "at_risk"
	ActivityInactive ActivityStatus = "inactive"
	ActivityNone     ActivityStatus = "no_commitment"
)

// Activity is one member's progress in one year.
type Activity struct {
	MemberID string `json:"member_id"`
	Name     string `json:"name"`
	Year     int    `json:"year"`
	// Hours counted toward the commitment, and the commitment itself for
	// the part of the year the member belongs (Required), and what the
	// pace asks by today (Expected).
	Hours    decimal.Decimal `json:"hours"`
	Required decimal.Decimal `json:"hours_required"`
	Expected decimal.Decimal `json:"hours_expected"`
	// Meetings is the number of all-hands held while they were a member;
	// Attended how many they came to.
	Meetings           int             `json:"meetings"`
	Attended           int             `json:"attended"`
	AttendanceRequired decimal.Decimal `json:"attendance_required"`
	Status             ActivityStatus  `json:"status"`
	Reasons            []string        `json:"reasons"`
}

// Commitment folds the rules of every class a member belongs to into one:
// the largest hours and the largest attendance share. Hours of any kind
// count unless every class with an hours commitment names the same kind.
func Commitment(rules []ActivityRule, classes []ledger.Class) (ActivityRule, bool) {
	var out ActivityRule
	found := false
	kinds := map[ledger.Compensation]bool{}
	for _, r := range rules {
		if !slices.Contains(classes, r.Class) {
			continue
		}
		found = true
		if r.Hours.GreaterThan(out.Hours) {
			out.Hours = r.Hours
		}
		if r.Attendance.GreaterThan(out.Attendance) {
			out.Attendance = r.Attendance
		}
		if r.Hours.IsPositive() {
			kinds[r.Compensation] = true
		}
	}
	if len(kinds) == 1 {
		for k := range kinds {
			out.Compensation = k
		}
	}
	return out, found
}

// Assess measures member m in year against rule, on date today: minutes
// are their approved minutes that year by compensation, held the dates of
// the all-hands meetings that year with whether m attended each. The
// commitment shrinks in proportion for a member who joined or left during
// the year, and the pace (Expected) grows day by day.
func Assess(m ledger.Member, rule ActivityRule, has bool, year int, today string, minutes map[ledger.Compensation]int64, held []MeetingAttendance) Activity {
	a := Activity{MemberID: m.ID, Name: m.Name, Year: year, Status: ActivityNone, Reasons: []string{},
		AttendanceRequired: rule.Attendance}
	var mins int64
	for comp, n := range minutes {
		if rule.Compensation == "" || comp == rule.Compensation {
			mins += n
		}
	}
	a.Hours = decimal.New(mins, 0).Div(decimal.NewFromInt(60)).Round(2)
	first, last := YearBounds(year)
	from, to := first, last
	if m.Joined > from {
		from = m.Joined
	}
	if m.Left != "" && m.Left < to {
		to = m.Left
	}
	for _, h := range held {
		if h.Date >= from && h.Date <= to && h.Date <= today {
			a.Meetings++
			if h.Attended {
				a.Attended++
			}
		}
	}
	if !has || from > to || today < from {
		return a
	}
	yearDays := days(first, last)
	a.Required = rule.Hours.Mul(decimal.NewFromInt(int64(days(from, to)))).Div(decimal.NewFromInt(int64(yearDays))).Round(2)
	final := today > to
	a.Expected = a.Required
	if !final {
		a.Expected = rule.Hours.Mul(decimal.NewFromInt(int64(days(from, today)))).Div(decimal.NewFromInt(int64(yearDays))).Round(2)
	}
	short := false
	if a.Hours.LessThan(a.Expected) {
		short = true
		a.Reasons = append(a.Reasons, fmt.Sprintf("%s of %s hours", a.Hours.StringFixed(2), a.Expected.StringFixed(2)))
	}
	// attended/meetings < required, compared without division.
	if a.Meetings > 0 && decimal.NewFromInt(int64(a.Attended)).LessThan(rule.Attendance.Mul(decimal.NewFromInt(int64(a.Meetings)))) {
		short = true
		a.Reasons = append(a.Reasons, fmt.Sprintf("attended %d of %d all-hands", a.Attended, a.Meetings))
	}
	switch {
	case !short:
		a.Status = ActivityOK
	case final:
		a.Status = ActivityInactive
	default:
		a.Status = ActivityAtRisk
	}
	return a
}

// MeetingAttendance is one held all-hands from one member's side.
type MeetingAttendance struct {
	Date     string
	Attended bool
}

// YearBounds are the first and last days of year (YYYY-MM-DD): the span
// activity is measured over.
func YearBounds(year int) (first, last string) {
	return fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
}

// days counts the days from a to b inclusive (dates as YYYY-MM-DD).
func days(a, b string) int {
	ta, _ := time.Parse(ledger.DateLayout, a)
	tb, _ := time.Parse(ledger.DateLayout, b)
	return int(tb.Sub(ta).Hours()/24) + 1
}
