package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

func TestMeetingAgendaVolunteersAttendance(t *testing.T) {
	f := newFixture(t)
	if _, err := f.gs.CreateMeeting(f.alice, governance.MeetingInput{Date: "2026-03-20"}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a member scheduling: %v", err)
	}
	if _, err := f.gs.CreateMeeting(f.board, governance.MeetingInput{Date: "2026-02-30"}); !hasField(err, "date") {
		t.Fatalf("a bad date: %v", err)
	}
	m, err := f.gs.CreateMeeting(f.board, governance.MeetingInput{Date: "2026-03-10", Time: "18:00"})
	if err != nil || m.Title != "All-hands" {
		t.Fatalf("create: %+v %v", m, err)
	}
	for _, text := range []string{"Budget", "Hosting", "AOB"} {
		if m, err = f.gs.AddAgendaItem(f.alice, m.ID, governance.AgendaInput{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.gs.OrderAgenda(f.alice, m.ID, governance.OrderInput{Items: []string{"a3", "a1", "a2"}}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a member ordering the agenda: %v", err)
	}
	if m, err = f.gs.Volunteer(f.bob, m.ID, governance.VolunteerInput{Role: governance.RoleFacilitator}); err != nil {
		t.Fatal(err)
	}
	// The facilitator may now order the agenda.
	if _, err := f.gs.OrderAgenda(f.bob, m.ID, governance.OrderInput{Items: []string{"a3", "a1"}}); !hasField(err, "items") {
		t.Fatalf("an order missing an item: %v", err)
	}
	if _, err := f.gs.OrderAgenda(f.bob, m.ID, governance.OrderInput{Items: []string{"a3", "a1", "a1"}}); !hasField(err, "items[2]") {
		t.Fatalf("an order repeating an item: %v", err)
	}
	if m, err = f.gs.OrderAgenda(f.bob, m.ID, governance.OrderInput{Items: []string{"a2", "a3", "a1"}}); err != nil || m.Agenda[0].Text != "Hosting" {
		t.Fatalf("order: %+v %v", m.Agenda, err)
	}
	if _, err := f.gs.Volunteer(f.bob, m.ID, governance.VolunteerInput{Role: "chair"}); !hasField(err, "role") {
		t.Fatalf("unknown role: %v", err)
	}
	if m, err = f.gs.RSVP(f.alice, m.ID, governance.RSVPInput{Answer: "yes"}); err != nil || m.RSVP[f.alice.ID] != "yes" {
		t.Fatalf("rsvp: %v", err)
	}
	if _, err := f.gs.RecordAttendance(f.bob, m.ID, governance.AttendanceInput{MemberIDs: []string{f.alice.ID, "m999999"}}); !hasField(err, "member_ids[1]") {
		t.Fatalf("attendance with an unknown member: %v", err)
	}
	if m, err = f.gs.RecordAttendance(f.bob, m.ID, governance.AttendanceInput{MemberIDs: []string{f.alice.ID, f.bob.ID, f.alice.ID}}); err != nil || len(m.Attendance) != 2 {
		t.Fatalf("attendance: %v %v", m.Attendance, err)
	}
	if _, err := f.gs.RecordMinutes(f.bob, m.ID, governance.MinutesInput{Minutes: "ok", Decisions: []governance.Decision{{Text: "x", PollID: "po999999"}}}); !hasField(err, "decisions[0].poll_id") {
		t.Fatalf("decision linked to an unknown poll: %v", err)
	}
	if m, err = f.gs.RecordMinutes(f.bob, m.ID, governance.MinutesInput{Minutes: "We met.", Decisions: []governance.Decision{{Text: "Move hosting"}}}); err != nil || m.Minutes != "We met." {
		t.Fatalf("minutes: %v", err)
	}
	// Withdrawing takes away the facilitator's say.
	f.gs.Volunteer(f.bob, m.ID, governance.VolunteerInput{Role: governance.RoleFacilitator, Withdraw: true})
	if _, err := f.gs.RecordMinutes(f.bob, m.ID, governance.MinutesInput{Minutes: "changed"}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("minutes after withdrawing: %v", err)
	}
}

func TestFutureMeetingTakesNoAttendance(t *testing.T) {
	f := newFixture(t)
	m, _ := f.gs.CreateMeeting(f.board, governance.MeetingInput{Date: "2026-04-01"})
	if _, err := f.gs.RecordAttendance(f.board, m.ID, governance.AttendanceInput{MemberIDs: []string{f.alice.ID}}); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("attendance before the day: %v", err)
	}
}

func TestActivityFromHoursAndAttendance(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC))
	db := storetest.OpenDBClock(t, clock.Now)
	gs, _ := govstore.New(db)
	board := storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, []ledger.Class{ledger.ClassOps})
	ops := storetest.MustMember(t, db, "Olga", "olga@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps})
	user := storetest.MustMember(t, db, "Uma", "uma@example.org", nil, []ledger.Class{ledger.ClassUser})
	tech := storetest.MustCircle(t, db, "tech")
	if _, err := gs.SetActivityRule(ops, governance.ActivityRule{Class: ledger.ClassOps, Hours: decimal.NewFromInt(40)}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("ops setting rules: %v", err)
	}
	for _, r := range []governance.ActivityRule{
		{Class: ledger.ClassOps, Hours: decimal.NewFromInt(40), Compensation: ledger.CompContribution, Attendance: decimal.RequireFromString("0.5")},
		{Class: ledger.ClassUser, Attendance: decimal.RequireFromString("0.5")},
	} {
		if _, err := gs.SetActivityRule(board, r); err != nil {
			t.Fatal(err)
		}
	}
	// Olga logs 21 h of contribution (approved by Bea); the pace on 2 July
	// asks 20.05 h. Bea logs none.
	mins := int64(21 * 60)
	contribution := ledger.CompContribution
	e, err := db.LogTime(ops, ledger.TimeEntryInput{Date: "2026-06-01", Minutes: &mins, CircleID: tech.ID, Task: "infra",
		Compensation: &contribution, Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviewTimeEntry(board, e.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	// Two all-hands held; Olga and Bea came to both, Uma to neither.
	for _, date := range []string{"2026-02-01", "2026-05-01"} {
		m, _ := gs.CreateMeeting(board, governance.MeetingInput{Date: date})
		if _, err := gs.RecordAttendance(board, m.ID, governance.AttendanceInput{MemberIDs: []string{ops.ID, board.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := gs.Activity(board, 2026)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]governance.ActivityStatus{}
	for _, a := range all {
		got[a.MemberID] = a.Status
	}
	want := map[string]governance.ActivityStatus{ops.ID: governance.ActivityOK, board.ID: governance.ActivityAtRisk, user.ID: governance.ActivityAtRisk}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
	// Olga alone (as her dashboard asks) reads her own range of the index
	// and finds the same 21 h as the board's view of everyone.
	self := ops
	self.Roles = nil
	mine, err := gs.Activity(self, 2026)
	if err != nil || len(mine) != 1 || !mine[0].Hours.Equal(decimal.NewFromInt(21)) || mine[0].Status != governance.ActivityOK {
		t.Fatalf("olga's own activity: %+v %v", mine, err)
	}
	for _, a := range all {
		if a.MemberID == ops.ID && !a.Hours.Equal(mine[0].Hours) {
			t.Fatalf("board sees %s h for olga, she sees %s", a.Hours, mine[0].Hours)
		}
	}
	if a, committed, err := gs.OwnActivity(ops, 2026); err != nil || !committed || !a.Hours.Equal(decimal.NewFromInt(21)) {
		t.Fatalf("olga's dashboard: %+v %v %v", a, committed, err)
	}
	own, _ := gs.Activity(user, 2026)
	if len(own) != 1 || own[0].MemberID != user.ID || own[0].Meetings != 2 || own[0].Attended != 0 {
		t.Fatalf("a member sees only their own activity: %+v", own)
	}
	// After the year Bea and Uma are inactive, still members, balances kept.
	clock.Advance(200 * 24 * time.Hour)
	all, _ = gs.Activity(board, 2026)
	for _, a := range all {
		if a.MemberID != ops.ID && a.Status != governance.ActivityInactive {
			t.Errorf("%s after the year: %s, want inactive", a.MemberID, a.Status)
		}
	}
	if _, err := db.Member(user.ID); err != nil {
		t.Fatalf("an inactive member was removed: %v", err)
	}
	collab := storetest.MustMember(t, db, "Cole", "cole@example.org", nil, []ledger.Class{ledger.ClassCollaborator})
	if _, committed, err := gs.OwnActivity(collab, 2026); err != nil || committed {
		t.Fatalf("a class without a rule shows a commitment: %v %v", committed, err)
	}
}
