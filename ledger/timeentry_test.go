package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// today is the caller's calendar date in every pure test.
const today = "2024-06-15"

// dec parses s; "1eN" with a huge N is built directly, since the decimal
// package refuses to parse exponents beyond 10,000.
func dec(s string) *decimal.Decimal {
	var d decimal.Decimal
	switch s {
	case "1e999999999":
		d = decimal.New(1, 999999999)
	case "1e-999999999":
		d = decimal.New(1, -999999999)
	default:
		d = decimal.RequireFromString(s)
	}
	return &d
}

func i64(n int64) *int64 { return &n }

// validEntry is an input every rule accepts: 2.5 h yesterday in circle c000001.
func validEntry() TimeEntryInput {
	return TimeEntryInput{Date: "2024-06-14", Hours: dec("2.5"), CircleID: "c000001", Task: "Fix the backup job"}
}

// fieldsOf returns the field map of a *ValidationError, failing the test
// when err is something else.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want a *ValidationError", err, err)
	}
	return ve.Fields
}

// wantFields checks that err is a *ValidationError naming exactly fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	got := fieldsOf(t, err)
	for _, f := range fields {
		if _, ok := got[f]; !ok {
			t.Errorf("fields = %v, want %q among them", got, f)
		}
	}
	if len(got) != len(fields) {
		t.Errorf("fields = %v, want exactly %v", got, fields)
	}
}

func TestTimeEntryInput_Validate_Duration(t *testing.T) {
	tests := []struct {
		name    string
		hours   string // "" means not sent
		minutes *int64
		want    int    // minutes when valid
		field   string // the refused field, "" when valid
	}{
		{name: "decimal hours", hours: "2.5", want: 150},
		{name: "whole hours", hours: "8", want: 480},
		{name: "exactly 24 h", hours: "24", want: 1440},
		{name: "24 h with trailing zeros", hours: "24.000", want: 1440},
		{name: "thirds round to the nearest minute", hours: "1.33", want: 80},
		{name: "just under 24 h rounds up to 24 h", hours: "23.999", want: 1440},
		{name: "one hundredth of an hour is a minute", hours: "0.01", want: 1},
		{name: "half a minute past 7 rounds to even 8", hours: "0.125", want: 8},
		{name: "half a minute past 22 rounds to even 22", hours: "0.375", want: 22},
		{name: "minutes", minutes: i64(90), want: 90},
		{name: "one minute", minutes: i64(1), want: 1},
		{name: "1440 minutes", minutes: i64(1440), want: 1440},
		{name: "zero hours", hours: "0", field: "hours"},
		{name: "negative hours", hours: "-1", field: "hours"},
		{name: "just over 24 h", hours: "24.01", field: "hours"},
		{name: "25 h", hours: "25", field: "hours"},
		{name: "under half a minute", hours: "0.008", field: "hours"},
		{name: "zero minutes", minutes: i64(0), field: "minutes"},
		{name: "negative minutes", minutes: i64(-30), field: "minutes"},
		{name: "1441 minutes", minutes: i64(1441), field: "minutes"},
		{name: "hours and minutes both", hours: "1", minutes: i64(60), field: "hours"},
		{name: "neither hours nor minutes", field: "hours"},
		{name: "huge exponent", hours: "1e999999999", field: "hours"},
		{name: "tiny exponent", hours: "1e-999999999", field: "hours"},
		{name: "more precision than any duration", hours: "1.0000000000000000001", field: "hours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validEntry()
			in.Hours = nil
			if tc.hours != "" {
				in.Hours = dec(tc.hours)
			}
			in.Minutes = tc.minutes
			got, err := in.Validate(today)
			if tc.field != "" {
				wantFields(t, err, tc.field)
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got != tc.want {
				t.Errorf("minutes = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTimeEntryInput_Validate_Fields(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TimeEntryInput)
		field  string // "" means valid
	}{
		{name: "valid", change: func(*TimeEntryInput) {}},
		{name: "today is not the future", change: func(in *TimeEntryInput) { in.Date = today }},
		{name: "date is trimmed", change: func(in *TimeEntryInput) { in.Date = " 2024-06-14 " }},
		{name: "leap day", change: func(in *TimeEntryInput) { in.Date = "2024-02-29" }},
		{name: "tomorrow", change: func(in *TimeEntryInput) { in.Date = "2024-06-16" }, field: "date"},
		{name: "next year", change: func(in *TimeEntryInput) { in.Date = "2025-01-01" }, field: "date"},
		{name: "missing date", change: func(in *TimeEntryInput) { in.Date = "" }, field: "date"},
		{name: "blank date", change: func(in *TimeEntryInput) { in.Date = "   " }, field: "date"},
		{name: "day first", change: func(in *TimeEntryInput) { in.Date = "14/06/2024" }, field: "date"},
		{name: "no dashes", change: func(in *TimeEntryInput) { in.Date = "20240614" }, field: "date"},
		{name: "single digit month", change: func(in *TimeEntryInput) { in.Date = "2024-6-14" }, field: "date"},
		{name: "with a time", change: func(in *TimeEntryInput) { in.Date = "2024-06-14T10:00:00Z" }, field: "date"},
		{name: "month 13", change: func(in *TimeEntryInput) { in.Date = "2024-13-01" }, field: "date"},
		{name: "not a leap year", change: func(in *TimeEntryInput) { in.Date = "2023-02-29" }, field: "date"},
		{name: "before 1900", change: func(in *TimeEntryInput) { in.Date = "1899-12-31" }, field: "date"},
		{name: "a month only", change: func(in *TimeEntryInput) { in.Date = "2024-06" }, field: "date"},
		{name: "missing circle", change: func(in *TimeEntryInput) { in.CircleID = "" }, field: "circle_id"},
		{name: "blank circle", change: func(in *TimeEntryInput) { in.CircleID = "  " }, field: "circle_id"},
		{name: "empty task is allowed", change: func(in *TimeEntryInput) { in.Task = "" }},
		{name: "task of 200 characters", change: func(in *TimeEntryInput) { in.Task = strings.Repeat("é", 200) }},
		{name: "task of 201 characters", change: func(in *TimeEntryInput) { in.Task = strings.Repeat("é", 201) }, field: "task"},
		{name: "task with a newline", change: func(in *TimeEntryInput) { in.Task = "first\nsecond" }, field: "task"},
		{name: "task with a tab", change: func(in *TimeEntryInput) { in.Task = "first\tsecond" }, field: "task"},
		{name: "task with a NUL byte", change: func(in *TimeEntryInput) { in.Task = "fix\x00it" }, field: "task"},
		{name: "task with invalid UTF-8", change: func(in *TimeEntryInput) { in.Task = "fix\xffit" }, field: "task"},
		{name: "note may span lines", change: func(in *TimeEntryInput) { in.Note = "line one\nline two" }},
		{name: "note with a NUL byte", change: func(in *TimeEntryInput) { in.Note = "a\x00b" }, field: "note"},
		{name: "note of 2001 characters", change: func(in *TimeEntryInput) { in.Note = strings.Repeat("n", 2001) }, field: "note"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validEntry()
			tc.change(&in)
			_, err := in.Validate(today)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantFields(t, err, tc.field)
		})
	}
}

func TestTimeEntryInput_Validate_CollectsEveryField(t *testing.T) {
	in := TimeEntryInput{Date: "2024-06-16", Task: "a\nb"}
	_, err := in.Validate(today)
	wantFields(t, err, "date", "hours", "circle_id", "task")
}

func TestTimeEntryInput_Validate_Trims(t *testing.T) {
	in := validEntry()
	in.MemberID, in.CircleID, in.Task, in.Note, in.Corrects = " m000001 ", "\tc000001\n", "  Fix it  ", " note ", " e000001 "
	if _, err := in.Validate(today); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	got := []string{in.MemberID, in.CircleID, in.Task, in.Note, in.Corrects}
	want := []string{"m000001", "c000001", "Fix it", "note", "e000001"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// JSON is how hostile input arrives: a number with a huge exponent parses
// cheaply but must be refused, by the decoder or by Validate, before any
// arithmetic expands it into a number with thousands of digits.
func TestTimeEntryInput_Validate_HugeExponentFromJSONIsQuick(t *testing.T) {
	for _, hours := range []string{
		`1e999999999`, `"1e999999999"`, `"-1e999999999"`, `1e-999999999`,
		`1e10000`, `"1e10000"`, `1e-10000`, `2.5e9999`, `1e19`,
		`"12345678901234567890123456789012345678901234567890"`,
	} {
		t.Run(hours, func(t *testing.T) {
			body := `{"date":"2024-06-14","circle_id":"c1","hours":` + hours + `}`
			start := time.Now()
			var in TimeEntryInput
			if err := json.Unmarshal([]byte(body), &in); err == nil {
				_, err = in.Validate(today)
				wantFields(t, err, "hours")
			}
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("refusing took %v, want well under 100 ms", d)
			}
		})
	}
}

func TestTimeEntryInput_JSON_UnknownCompensationRefused(t *testing.T) {
	var in TimeEntryInput
	if err := json.Unmarshal([]byte(`{"compensation":"paid"}`), &in); err == nil {
		t.Fatalf("decoding compensation \"paid\" succeeded, want an error")
	}
	if err := json.Unmarshal([]byte(`{"compensation":"contribution"}`), &in); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if in.Compensation == nil || *in.Compensation != CompContribution {
		t.Errorf("compensation = %v, want contribution", in.Compensation)
	}
}

func TestHoursText(t *testing.T) {
	tests := []struct {
		minutes int
		want    string
	}{
		{150, "2.5"}, {80, "1.33"}, {60, "1"}, {1, "0.02"}, {10, "0.17"},
		{45, "0.75"}, {20, "0.33"}, {1440, "24"}, {0, "0"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.minutes), func(t *testing.T) {
			if got := HoursText(tc.minutes); got != tc.want {
				t.Errorf("HoursText(%d) = %q, want %q", tc.minutes, got, tc.want)
			}
		})
	}
}

func ExampleHoursText() {
	fmt.Println(HoursText(150))
	fmt.Println(HoursText(80))
	fmt.Println(HoursText(1440))
	// Output:
	// 2.5
	// 1.33
	// 24
}

func entry(id string, minutes int, state EntryState) TimeEntry {
	return TimeEntry{ID: id, MemberID: "m000001", Date: "2024-06-14", Minutes: minutes, State: state}
}

func TestCheckDayTotal(t *testing.T) {
	tests := []struct {
		name     string
		sameDay  []TimeEntry
		adding   int
		replaced string
		ok       bool
	}{
		{name: "empty day, 24 h", adding: 1440, ok: true},
		{name: "empty day, 24 h and a minute", adding: 1441},
		{name: "adds up to exactly 24 h", sameDay: []TimeEntry{entry("e1", 600, StateApproved), entry("e2", 240, StateDraft)}, adding: 600, ok: true},
		{name: "one minute over", sameDay: []TimeEntry{entry("e1", 600, StateApproved), entry("e2", 240, StateSubmitted)}, adding: 601},
		{name: "rejected entries do not count", sameDay: []TimeEntry{entry("e1", 1440, StateRejected)}, adding: 1440, ok: true},
		{name: "drafts count", sameDay: []TimeEntry{entry("e1", 1000, StateDraft)}, adding: 441},
		{name: "the replaced entry does not count", sameDay: []TimeEntry{entry("e1", 1200, StateApproved), entry("e2", 60, StateApproved)}, adding: 1380, replaced: "e1", ok: true},
		{name: "others still count beside a replaced one", sameDay: []TimeEntry{entry("e1", 1200, StateApproved), entry("e2", 60, StateApproved)}, adding: 1381, replaced: "e1"},
		{name: "replacing an unknown id changes nothing", sameDay: []TimeEntry{entry("e1", 1200, StateApproved)}, adding: 241, replaced: "e9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDayTotal(tc.sameDay, tc.adding, tc.replaced)
			if tc.ok {
				if err != nil {
					t.Fatalf("CheckDayTotal: %v", err)
				}
				return
			}
			wantFields(t, err, "hours")
		})
	}
}

var (
	now    = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	owner  = Member{ID: "m000001", Name: "Olu", Roles: []Role{RoleOps}}
	peer   = Member{ID: "m000002", Name: "Pat", Roles: []Role{RoleOps}}
	boardM = Member{ID: "m000003", Name: "Bea", Roles: []Role{RoleBoard}}
	plain  = Member{ID: "m000004", Name: "Max", Roles: []Role{RoleMember}}
	admin  = Member{ID: "m000005", Name: "Ada", Roles: []Role{RoleAdmin}}
)

func TestTimeEntry_Submit(t *testing.T) {
	tests := []struct {
		name  string
		actor Member
		state EntryState
		want  error // nil when allowed
	}{
		{name: "owner submits a draft", actor: owner, state: StateDraft},
		{name: "admin submits for the owner", actor: admin, state: StateDraft},
		{name: "a peer may not", actor: peer, state: StateDraft, want: ErrForbidden},
		{name: "board may not", actor: boardM, state: StateDraft, want: ErrForbidden},
		{name: "system actor is an admin", actor: System, state: StateDraft},
		{name: "already submitted", actor: owner, state: StateSubmitted, want: ErrConflict},
		{name: "approved", actor: owner, state: StateApproved, want: ErrConflict},
		{name: "rejected", actor: owner, state: StateRejected, want: ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := entry("e000001", 60, tc.state)
			err := e.Submit(tc.actor, now)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("Submit = %v, want %v", err, tc.want)
				}
				if e.State != tc.state || e.SubmittedAt != nil {
					t.Errorf("refused Submit changed the entry: state %s, submitted at %v", e.State, e.SubmittedAt)
				}
				return
			}
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if e.State != StateSubmitted {
				t.Errorf("state = %s, want submitted", e.State)
			}
			if e.SubmittedAt == nil || !e.SubmittedAt.Equal(now) {
				t.Errorf("submitted at = %v, want %v", e.SubmittedAt, now)
			}
		})
	}
}

func TestTimeEntry_Review(t *testing.T) {
	tests := []struct {
		name     string
		reviewer Member
		state    EntryState
		approve  bool
		comment  string
		want     error  // sentinel, nil when allowed
		field    string // validation field, when refused for one
		after    EntryState
	}{
		{name: "ops peer approves", reviewer: peer, state: StateSubmitted, approve: true, after: StateApproved},
		{name: "board rejects", reviewer: boardM, state: StateSubmitted, comment: " too many hours ", after: StateRejected},
		{name: "own entry", reviewer: owner, state: StateSubmitted, approve: true, want: ErrForbidden},
		{name: "plain member", reviewer: plain, state: StateSubmitted, approve: true, want: ErrForbidden},
		{name: "admin is not a reviewer", reviewer: admin, state: StateSubmitted, approve: true, want: ErrForbidden},
		{name: "system is not a reviewer", reviewer: System, state: StateSubmitted, approve: true, want: ErrForbidden},
		{name: "a draft", reviewer: peer, state: StateDraft, approve: true, want: ErrConflict},
		{name: "approve twice", reviewer: peer, state: StateApproved, approve: true, want: ErrConflict},
		{name: "reject an approved one", reviewer: peer, state: StateApproved, want: ErrConflict},
		{name: "review a rejected one", reviewer: boardM, state: StateRejected, approve: true, want: ErrConflict},
		{name: "comment with NUL", reviewer: peer, state: StateSubmitted, approve: true, comment: "ok\x00", field: "comment"},
		{name: "comment too long", reviewer: peer, state: StateSubmitted, comment: strings.Repeat("x", 2001), field: "comment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := entry("e000001", 60, tc.state)
			err := e.Review(tc.reviewer, tc.approve, tc.comment, now)
			if tc.want != nil || tc.field != "" {
				if tc.field != "" {
					wantFields(t, err, tc.field)
				} else if !errors.Is(err, tc.want) {
					t.Fatalf("Review = %v, want %v", err, tc.want)
				}
				if e.State != tc.state || e.ReviewedBy != "" || e.ReviewedAt != nil {
					t.Errorf("refused Review changed the entry: %+v", e)
				}
				return
			}
			if err != nil {
				t.Fatalf("Review: %v", err)
			}
			if e.State != tc.after {
				t.Errorf("state = %s, want %s", e.State, tc.after)
			}
			if e.ReviewedBy != tc.reviewer.ID {
				t.Errorf("reviewed by = %q, want %q", e.ReviewedBy, tc.reviewer.ID)
			}
			if e.ReviewedAt == nil || !e.ReviewedAt.Equal(now) {
				t.Errorf("reviewed at = %v, want %v", e.ReviewedAt, now)
			}
			if want := strings.TrimSpace(tc.comment); e.ReviewComment != want {
				t.Errorf("comment = %q, want %q", e.ReviewComment, want)
			}
		})
	}
}

// The full life of an entry: the second approval of the same entry is a
// conflict, not a silent success.
func TestTimeEntry_ApproveTwice_Conflict(t *testing.T) {
	e := entry("e000001", 60, StateDraft)
	if err := e.Submit(owner, now); err != nil {
		t.Fatal(err)
	}
	if err := e.Review(peer, true, "", now); err != nil {
		t.Fatal(err)
	}
	if err := e.Review(boardM, true, "", now.Add(time.Hour)); !errors.Is(err, ErrConflict) {
		t.Fatalf("second approval = %v, want ErrConflict", err)
	}
	if e.ReviewedBy != peer.ID {
		t.Errorf("reviewed by = %q after refused second approval, want %q", e.ReviewedBy, peer.ID)
	}
}

func TestTimeEntry_CheckEditable(t *testing.T) {
	tests := []struct {
		name  string
		actor Member
		state EntryState
		want  error
	}{
		{name: "owner edits a draft", actor: owner, state: StateDraft},
		{name: "admin edits a draft", actor: admin, state: StateDraft},
		{name: "peer may not", actor: peer, state: StateDraft, want: ErrForbidden},
		{name: "board may not", actor: boardM, state: StateDraft, want: ErrForbidden},
		{name: "submitted", actor: owner, state: StateSubmitted, want: ErrConflict},
		{name: "approved", actor: owner, state: StateApproved, want: ErrConflict},
		{name: "approved, even for admin", actor: admin, state: StateApproved, want: ErrConflict},
		{name: "rejected", actor: owner, state: StateRejected, want: ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := entry("e000001", 60, tc.state).CheckEditable(tc.actor)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckEditable: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("CheckEditable = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCheckCorrection(t *testing.T) {
	tests := []struct {
		name   string
		state  EntryState
		member string
		ok     bool
	}{
		{name: "own approved entry", state: StateApproved, member: "m000001", ok: true},
		{name: "own rejected entry", state: StateRejected, member: "m000001", ok: true},
		{name: "own draft", state: StateDraft, member: "m000001"},
		{name: "own submitted entry", state: StateSubmitted, member: "m000001"},
		{name: "another member's approved entry", state: StateApproved, member: "m000002"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCorrection(entry("e000001", 60, tc.state), tc.member)
			if tc.ok {
				if err != nil {
					t.Fatalf("CheckCorrection: %v", err)
				}
				return
			}
			wantFields(t, err, "corrects")
		})
	}
}

func TestCanLogFor(t *testing.T) {
	if err := CanLogFor(owner, owner.ID); err != nil {
		t.Errorf("own hours: %v", err)
	}
	if err := CanLogFor(admin, owner.ID); err != nil {
		t.Errorf("admin for another: %v", err)
	}
	for _, actor := range []Member{peer, boardM, plain} {
		if err := CanLogFor(actor, owner.ID); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s for another = %v, want ErrForbidden", actor.Name, err)
		}
	}
}

func TestCanRead(t *testing.T) {
	e := entry("e000001", 60, StateDraft)
	for _, actor := range []Member{owner, peer, boardM, admin} {
		if err := CanRead(actor, e); err != nil {
			t.Errorf("%s reads: %v", actor.Name, err)
		}
	}
	if err := CanRead(plain, e); !errors.Is(err, ErrForbidden) {
		t.Errorf("plain member reads another's entry = %v, want ErrForbidden", err)
	}
}

func TestDefaultCompensation(t *testing.T) {
	if got := DefaultCompensation(true); got != CompRequired {
		t.Errorf("with a rate = %s, want required", got)
	}
	if got := DefaultCompensation(false); got != CompVolunteer {
		t.Errorf("without a rate = %s, want volunteer", got)
	}
}

func TestParseEntryState(t *testing.T) {
	for _, s := range []string{"draft", "submitted", "approved", "rejected"} {
		got, err := ParseEntryState(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseEntryState(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Draft", "APPROVED", " draft", "pending", "closed"} {
		t.Run(s, func(t *testing.T) {
			if got, err := ParseEntryState(s); err == nil {
				t.Errorf("ParseEntryState(%q) = %q, want an error", s, got)
			}
			var st EntryState
			if err := json.Unmarshal([]byte(fmt.Sprintf("%q", s)), &st); err == nil {
				t.Errorf("decoding %q = %q, want an error", s, st)
			}
		})
	}
}

func TestParseCompensation(t *testing.T) {
	for _, s := range []string{"required", "contribution", "volunteer"} {
		got, err := ParseCompensation(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseCompensation(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Required", "paid", "volunteer ", "none"} {
		t.Run(s, func(t *testing.T) {
			if got, err := ParseCompensation(s); err == nil {
				t.Errorf("ParseCompensation(%q) = %q, want an error", s, got)
			}
			var c Compensation
			if err := json.Unmarshal([]byte(fmt.Sprintf("%q", s)), &c); err == nil {
				t.Errorf("decoding %q = %q, want an error", s, c)
			}
		})
	}
}
