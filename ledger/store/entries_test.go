package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// now is the fixed clock of every store test: today is 2024-06-15.
var now = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// coop is a small co-op on a fresh store: two circles and five members,
// created in this order (seven audit events).
type coop struct {
	db    *store.DB
	tech  ledger.Circle
	ops   ledger.Circle
	ada   ledger.Member // admin
	alice ledger.Member // ops
	bob   ledger.Member // ops
	bea   ledger.Member // board
	max   ledger.Member // plain member
}

// seedEvents is the number of audit events newCoop writes.
const seedEvents = 7

func newCoop(t *testing.T) *coop {
	t.Helper()
	db := storetest.OpenDB(t, now)
	return seedCoop(t, db)
}

func seedCoop(t *testing.T, db *store.DB) *coop {
	t.Helper()
	c := &coop{db: db}
	c.tech = storetest.MustCircle(t, db, "Tech")
	c.ops = storetest.MustCircle(t, db, "Operations")
	c.ada = storetest.MustMember(t, db, "Ada", "ada@example.org", []ledger.Role{ledger.RoleAdmin}, nil)
	c.alice = storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps})
	c.bob = storetest.MustMember(t, db, "Bob", "bob@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps})
	c.bea = storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, []ledger.Class{ledger.ClassUser})
	c.max = storetest.MustMember(t, db, "Max", "max@example.org", nil, []ledger.Class{ledger.ClassUser})
	return c
}

func hrs(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// in is an entry input for member on date in the Tech circle.
func (c *coop) in(member ledger.Member, date, hours string) ledger.TimeEntryInput {
	return ledger.TimeEntryInput{MemberID: member.ID, Date: date, Hours: hrs(hours), CircleID: c.tech.ID, Task: "work"}
}

// log records hours for member as member and fails the test on an error.
func (c *coop) log(t *testing.T, member ledger.Member, date, hours string) ledger.TimeEntry {
	t.Helper()
	e, err := c.db.LogTime(member, c.in(member, date, hours))
	if err != nil {
		t.Fatalf("log %s h on %s for %s: %v", hours, date, member.Name, err)
	}
	return e
}

// submit sends an entry for review as its owner.
func (c *coop) submit(t *testing.T, owner ledger.Member, e ledger.TimeEntry) ledger.TimeEntry {
	t.Helper()
	e, err := c.db.SubmitTimeEntry(owner, e.ID)
	if err != nil {
		t.Fatalf("submit %s: %v", e.ID, err)
	}
	return e
}

// review approves or rejects as Bea (board), who logs no hours in these tests.
func (c *coop) review(t *testing.T, e ledger.TimeEntry, approve bool) ledger.TimeEntry {
	t.Helper()
	e, err := c.db.ReviewTimeEntry(c.bea, e.ID, approve, "")
	if err != nil {
		t.Fatalf("review %s: %v", e.ID, err)
	}
	return e
}

// approved logs, submits and approves an entry for member.
func (c *coop) approved(t *testing.T, member ledger.Member, date, hours string) ledger.TimeEntry {
	t.Helper()
	return c.review(t, c.submit(t, member, c.log(t, member, date, hours)), true)
}

// refused runs a write that must fail and checks that it left the file
// exactly as it was. It returns the error for further checks.
func refused(t *testing.T, db *store.DB, write func() error) error {
	t.Helper()
	before := storetest.Snapshot(t, db)
	err := write()
	if err == nil {
		t.Fatalf("write succeeded, want it refused")
	}
	if after := storetest.Snapshot(t, db); after != before {
		t.Errorf("refused write (%v) changed the store", err)
	}
	return err
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

// wantField checks that err is a *ledger.ValidationError about field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want a *ledger.ValidationError about %q", err, err, field)
	}
	if _, ok := ve.Fields[field]; !ok {
		t.Fatalf("fields = %v, want %q among them", ve.Fields, field)
	}
}

func ids(es []ledger.TimeEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func sameIDs(t *testing.T, what string, got []ledger.TimeEntry, want ...ledger.TimeEntry) {
	t.Helper()
	g, w := fmt.Sprint(ids(got)), fmt.Sprint(ids(want))
	if g != w {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

func TestLogTime_HappyPath_Draft(t *testing.T) {
	c := newCoop(t)
	in := ledger.TimeEntryInput{Date: "2024-06-14", Hours: hrs("2.5"), CircleID: c.tech.ID,
		Task: "  Rotate the TLS keys ", Note: "with Bob"}
	e, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatalf("LogTime: %v", err)
	}
	if e.ID == "" {
		t.Errorf("id is empty")
	}
	checks := []struct{ name, got, want string }{
		{"member", e.MemberID, c.alice.ID},
		{"date", e.Date, "2024-06-14"},
		{"hours", e.Hours, "2.5"},
		{"minutes", fmt.Sprint(e.Minutes), "150"},
		{"circle", e.CircleID, c.tech.ID},
		{"task", e.Task, "Rotate the TLS keys"},
		{"note", e.Note, "with Bob"},
		{"state", string(e.State), "draft"},
		{"compensation", string(e.Compensation), "volunteer"},
		{"created by", e.CreatedBy, ""},
		{"corrects", e.Corrects, ""},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if !e.CreatedAt.Equal(now) {
		t.Errorf("created at = %v, want %v", e.CreatedAt, now)
	}
	if e.SubmittedAt != nil {
		t.Errorf("a draft has a submitted time %v", e.SubmittedAt)
	}

	got, err := c.db.TimeEntry(c.alice, e.ID)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if got.Minutes != 150 || got.State != ledger.StateDraft || got.Task != "Rotate the TLS keys" || !got.CreatedAt.Equal(now) {
		t.Errorf("read back %+v, want what LogTime returned", got)
	}
}

func TestLogTime_CompensationGiven_Kept(t *testing.T) {
	c := newCoop(t)
	in := c.in(c.alice, "2024-06-14", "1")
	comp := ledger.CompContribution
	in.Compensation = &comp
	e, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatalf("LogTime: %v", err)
	}
	if e.Compensation != ledger.CompContribution {
		t.Errorf("compensation = %s, want contribution", e.Compensation)
	}
}

func TestLogTime_Minutes(t *testing.T) {
	c := newCoop(t)
	in := c.in(c.alice, "2024-06-14", "1")
	in.Hours = nil
	m := int64(80)
	in.Minutes = &m
	e, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatalf("LogTime: %v", err)
	}
	if e.Minutes != 80 || e.Hours != "1.33" {
		t.Errorf("minutes, hours = %d, %q; want 80, \"1.33\"", e.Minutes, e.Hours)
	}
}

func TestLogTime_SubmitAtOnce(t *testing.T) {
	c := newCoop(t)
	in := c.in(c.alice, "2024-06-14", "3")
	in.Submit = true
	e, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatalf("LogTime: %v", err)
	}
	if e.State != ledger.StateSubmitted || e.SubmittedAt == nil || !e.SubmittedAt.Equal(now) {
		t.Errorf("state %s submitted at %v, want submitted at %v", e.State, e.SubmittedAt, now)
	}
	queue, err := c.db.TimeEntries(c.bob, store.EntryQuery{State: ledger.StateSubmitted})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "review queue", queue, e)
}

func TestLogTime_ForAnotherMember_Forbidden(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.bob, c.bea, c.max} {
		err := refused(t, c.db, func() error {
			_, err := c.db.LogTime(actor, c.in(c.alice, "2024-06-14", "1"))
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
	}
}

func TestLogTime_AdminForAnother_Allowed(t *testing.T) {
	c := newCoop(t)
	e, err := c.db.LogTime(c.ada, c.in(c.alice, "2024-06-14", "1"))
	if err != nil {
		t.Fatalf("LogTime: %v", err)
	}
	if e.MemberID != c.alice.ID || e.CreatedBy != c.ada.ID {
		t.Errorf("member %s created by %q, want %s created by %s", e.MemberID, e.CreatedBy, c.alice.ID, c.ada.ID)
	}
	got, err := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "alice's entries", got, e)
}

func TestLogTime_UnknownMember_Refused(t *testing.T) {
	c := newCoop(t)
	err := refused(t, c.db, func() error {
		_, err := c.db.LogTime(c.ada, c.in(ledger.Member{ID: "m999999"}, "2024-06-14", "1"))
		return err
	})
	wantField(t, err, "member_id")
}

func TestLogTime_DayOver24h_Refused(t *testing.T) {
	c := newCoop(t)
	c.approved(t, c.alice, "2024-06-14", "10")
	c.submit(t, c.alice, c.log(t, c.alice, "2024-06-14", "8"))
	c.log(t, c.alice, "2024-06-14", "5.5")
	c.log(t, c.alice, "2024-06-14", "0.5") // 10 + 8 + 5.5 + 0.5 = 24 h exactly

	err := refused(t, c.db, func() error {
		in := c.in(c.alice, "2024-06-14", "1")
		in.Hours = nil
		one := int64(1)
		in.Minutes = &one
		_, err := c.db.LogTime(c.alice, in)
		return err
	})
	wantField(t, err, "hours")

	// The day is full for Alice only, and only on that day.
	c.log(t, c.bob, "2024-06-14", "24")
	c.log(t, c.alice, "2024-06-13", "24")
	c.log(t, c.alice, "2024-06-15", "24")
}

func TestLogTime_RejectedEntryFreesTheDay(t *testing.T) {
	c := newCoop(t)
	e := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-14", "20"))
	refused(t, c.db, func() error {
		_, err := c.db.LogTime(c.alice, c.in(c.alice, "2024-06-14", "5"))
		return err
	})
	c.review(t, e, false)
	c.log(t, c.alice, "2024-06-14", "24")
}

func TestUpdateTimeEntry_DayTotal_OwnOldHoursDoNotCount(t *testing.T) {
	c := newCoop(t)
	c.log(t, c.alice, "2024-06-14", "4")
	e := c.log(t, c.alice, "2024-06-14", "10")
	in := c.in(c.alice, "2024-06-14", "20") // 4 + 20 = 24: the old 10 h go
	got, err := c.db.UpdateTimeEntry(c.alice, e.ID, in)
	if err != nil {
		t.Fatalf("UpdateTimeEntry: %v", err)
	}
	if got.Minutes != 1200 {
		t.Errorf("minutes = %d, want 1200", got.Minutes)
	}
	err = refused(t, c.db, func() error {
		_, err := c.db.UpdateTimeEntry(c.alice, e.ID, c.in(c.alice, "2024-06-14", "20.02"))
		return err
	})
	wantField(t, err, "hours")
}

func TestLogTime_FutureDate_Refused(t *testing.T) {
	c := newCoop(t)
	for _, date := range []string{"2024-06-16", "2025-01-01"} {
		err := refused(t, c.db, func() error {
			_, err := c.db.LogTime(c.alice, c.in(c.alice, date, "1"))
			return err
		})
		wantField(t, err, "date")
	}
	c.log(t, c.alice, "2024-06-15", "1") // today is fine
}

func TestLogTime_UnknownCircle_Refused(t *testing.T) {
	c := newCoop(t)
	for _, circle := range []string{"c999999", "Tech", c.alice.ID, ""} {
		err := refused(t, c.db, func() error {
			in := c.in(c.alice, "2024-06-14", "1")
			in.CircleID = circle
			_, err := c.db.LogTime(c.alice, in)
			return err
		})
		wantField(t, err, "circle_id")
	}
}

func TestLogTime_OutsideMembership_Refused(t *testing.T) {
	c := newCoop(t)
	name, email, joined, left := "Jo", "jo@example.org", "2024-03-01", "2024-05-31"
	jo, err := c.db.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined, Left: &left})
	if err != nil {
		t.Fatal(err)
	}
	for _, date := range []string{"2024-02-29", "2023-12-31", "2024-06-01"} {
		err := refused(t, c.db, func() error {
			_, err := c.db.LogTime(jo, c.in(jo, date, "1"))
			return err
		})
		wantField(t, err, "date")
	}
	c.log(t, jo, "2024-03-01", "1") // the day joined
	c.log(t, jo, "2024-05-31", "1") // the day left
}

// closeMonth marks a month as posted. The monthly close that does so for
// real is not written yet, so the test writes its bucket directly.
func closeMonth(t *testing.T, db *store.DB, month string) {
	t.Helper()
	err := db.Bolt().Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("locked_months")).Put([]byte(month), []byte("close-1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *store.Tx) error {
		if !tx.MonthLocked(month) {
			t.Fatalf("MonthLocked(%s) = false after closing it", month)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLogTime_ClosedMonth_Refused(t *testing.T) {
	c := newCoop(t)
	draft := c.log(t, c.alice, "2024-05-30", "1")
	pending := c.submit(t, c.alice, c.log(t, c.alice, "2024-05-31", "1"))
	closeMonth(t, c.db, "2024-05")

	err := refused(t, c.db, func() error {
		_, err := c.db.LogTime(c.alice, c.in(c.alice, "2024-05-31", "1"))
		return err
	})
	wantField(t, err, "date")
	err = refused(t, c.db, func() error {
		_, err := c.db.ReviewTimeEntry(c.bob, pending.ID, true, "")
		return err
	})
	wantIs(t, err, ledger.ErrConflict)
	// A draft in the closed month cannot be moved into an open one either.
	refused(t, c.db, func() error {
		_, err := c.db.UpdateTimeEntry(c.alice, draft.ID, c.in(c.alice, "2024-06-01", "1"))
		return err
	})
	c.log(t, c.alice, "2024-06-01", "1")
	c.log(t, c.alice, "2024-04-30", "1")
}

func TestReview_ApproveByAnotherOpsMember(t *testing.T) {
	c := newCoop(t)
	e := c.log(t, c.alice, "2024-06-14", "2")
	e = c.submit(t, c.alice, e)
	if e.State != ledger.StateSubmitted {
		t.Fatalf("state = %s, want submitted", e.State)
	}
	got, err := c.db.ReviewTimeEntry(c.bob, e.ID, true, " looks right ")
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if got.State != ledger.StateApproved || got.ReviewedBy != c.bob.ID || got.ReviewComment != "looks right" {
		t.Errorf("after approval: state %s, by %q, comment %q", got.State, got.ReviewedBy, got.ReviewComment)
	}
	if got.ReviewedAt == nil || !got.ReviewedAt.Equal(now) {
		t.Errorf("reviewed at = %v, want %v", got.ReviewedAt, now)
	}
	stored, err := c.db.TimeEntry(c.alice, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != ledger.StateApproved {
		t.Errorf("stored state = %s, want approved", stored.State)
	}
	queue, err := c.db.TimeEntries(c.bob, store.EntryQuery{State: ledger.StateSubmitted})
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 0 {
		t.Errorf("review queue = %v after approval, want empty", ids(queue))
	}
}

func TestReview_Refusals(t *testing.T) {
	c := newCoop(t)
	draft := c.log(t, c.alice, "2024-06-10", "1")
	pending := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-11", "1"))
	done := c.approved(t, c.alice, "2024-06-12", "1")
	tests := []struct {
		name     string
		reviewer ledger.Member
		entry    ledger.TimeEntry
		approve  bool
		want     error
	}{
		{name: "self review", reviewer: c.alice, entry: pending, approve: true, want: ledger.ErrForbidden},
		{name: "plain member", reviewer: c.max, entry: pending, approve: true, want: ledger.ErrForbidden},
		{name: "admin is not a reviewer", reviewer: c.ada, entry: pending, approve: true, want: ledger.ErrForbidden},
		{name: "a draft", reviewer: c.bob, entry: draft, approve: true, want: ledger.ErrConflict},
		{name: "approve twice", reviewer: c.bob, entry: done, approve: true, want: ledger.ErrConflict},
		{name: "reject an approved entry", reviewer: c.bea, entry: done, want: ledger.ErrConflict},
		{name: "unknown entry", reviewer: c.bob, entry: ledger.TimeEntry{ID: "e999999"}, approve: true, want: ledger.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error {
				_, err := c.db.ReviewTimeEntry(tc.reviewer, tc.entry.ID, tc.approve, "")
				return err
			})
			wantIs(t, err, tc.want)
		})
	}
}

func TestSubmit_Refusals(t *testing.T) {
	c := newCoop(t)
	draft := c.log(t, c.alice, "2024-06-10", "1")
	pending := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-11", "1"))
	for _, actor := range []ledger.Member{c.bob, c.bea, c.max} {
		err := refused(t, c.db, func() error { _, err := c.db.SubmitTimeEntry(actor, draft.ID); return err })
		wantIs(t, err, ledger.ErrForbidden)
	}
	err := refused(t, c.db, func() error { _, err := c.db.SubmitTimeEntry(c.alice, pending.ID); return err })
	wantIs(t, err, ledger.ErrConflict)
}

func TestUpdateTimeEntry_Draft_Changes(t *testing.T) {
	c := newCoop(t)
	e := c.log(t, c.alice, "2024-05-20", "1")
	in := c.in(c.alice, "2024-06-03", "1.5")
	in.CircleID, in.Task = c.ops.ID, "Payroll"
	got, err := c.db.UpdateTimeEntry(c.alice, e.ID, in)
	if err != nil {
		t.Fatalf("UpdateTimeEntry: %v", err)
	}
	if got.ID != e.ID || got.Date != "2024-06-03" || got.Minutes != 90 || got.Hours != "1.5" || got.CircleID != c.ops.ID || got.Task != "Payroll" {
		t.Errorf("updated entry = %+v", got)
	}
	may, _ := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-05"})
	june, _ := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-06"})
	sameIDs(t, "May after moving the entry", may)
	sameIDs(t, "June after moving the entry", june, e)
}

func TestUpdateDelete_PastDraft_Conflict(t *testing.T) {
	c := newCoop(t)
	pending := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-11", "1"))
	done := c.approved(t, c.alice, "2024-06-12", "1")
	rejected := c.review(t, c.submit(t, c.alice, c.log(t, c.alice, "2024-06-13", "1")), false)
	for _, e := range []ledger.TimeEntry{pending, done, rejected} {
		for _, actor := range []ledger.Member{c.alice, c.ada} {
			t.Run(string(e.State)+" by "+actor.Name, func(t *testing.T) {
				err := refused(t, c.db, func() error {
					_, err := c.db.UpdateTimeEntry(actor, e.ID, c.in(c.alice, e.Date, "2"))
					return err
				})
				wantIs(t, err, ledger.ErrConflict)
				err = refused(t, c.db, func() error { return c.db.DeleteTimeEntry(actor, e.ID) })
				wantIs(t, err, ledger.ErrConflict)
			})
		}
	}
}

func TestUpdateDelete_OthersDraft_Forbidden(t *testing.T) {
	c := newCoop(t)
	e := c.log(t, c.alice, "2024-06-11", "1")
	for _, actor := range []ledger.Member{c.bob, c.bea, c.max} {
		err := refused(t, c.db, func() error {
			_, err := c.db.UpdateTimeEntry(actor, e.ID, c.in(c.alice, e.Date, "2"))
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
		err = refused(t, c.db, func() error { return c.db.DeleteTimeEntry(actor, e.ID) })
		wantIs(t, err, ledger.ErrForbidden)
	}
	err := refused(t, c.db, func() error {
		_, err := c.db.UpdateTimeEntry(c.alice, e.ID, c.in(c.bob, e.Date, "2"))
		return err
	})
	wantField(t, err, "member_id")
}

func TestDeleteTimeEntry_Draft_Gone(t *testing.T) {
	c := newCoop(t)
	keep := c.log(t, c.alice, "2024-06-10", "1")
	gone := c.log(t, c.alice, "2024-06-10", "23")
	if err := c.db.DeleteTimeEntry(c.alice, gone.ID); err != nil {
		t.Fatalf("DeleteTimeEntry: %v", err)
	}
	_, err := c.db.TimeEntry(c.alice, gone.ID)
	wantIs(t, err, ledger.ErrNotFound)
	list, _ := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID})
	sameIDs(t, "entries after delete", list, keep)
	all, _ := c.db.TimeEntries(c.bea, store.EntryQuery{Month: "2024-06"})
	sameIDs(t, "June across members after delete", all, keep)
	c.log(t, c.alice, "2024-06-10", "23") // its hours no longer count
	err = refused(t, c.db, func() error { return c.db.DeleteTimeEntry(c.alice, gone.ID) })
	wantIs(t, err, ledger.ErrNotFound)
}

func TestCorrection_OfApprovedEntry_Allowed(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "20")
	// 22 h on the same day fits because the correction replaces the 20 h.
	in := c.in(c.alice, "2024-06-10", "22")
	in.Corrects = orig.ID
	fix, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatalf("correction: %v", err)
	}
	if fix.Corrects != orig.ID || fix.State != ledger.StateDraft || fix.ID == orig.ID {
		t.Errorf("correction = %+v, want a new draft correcting %s", fix, orig.ID)
	}
	still, _ := c.db.TimeEntry(c.alice, orig.ID)
	if still.State != ledger.StateApproved || still.Minutes != 1200 {
		t.Errorf("corrected entry changed: %+v", still)
	}
	// The correction goes through review like any entry.
	fix = c.review(t, c.submit(t, c.alice, fix), true)
	if fix.State != ledger.StateApproved {
		t.Errorf("state = %s, want approved", fix.State)
	}
}

func TestCorrection_OfRejectedEntry_Allowed(t *testing.T) {
	c := newCoop(t)
	orig := c.review(t, c.submit(t, c.alice, c.log(t, c.alice, "2024-06-10", "3")), false)
	in := c.in(c.alice, "2024-06-10", "2")
	in.Corrects = orig.ID
	if _, err := c.db.LogTime(c.alice, in); err != nil {
		t.Fatalf("correcting a rejected entry: %v", err)
	}
}

func TestCorrection_SecondWhileFirstStands_Refused(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "2")
	in := c.in(c.alice, "2024-06-10", "3")
	in.Corrects = orig.ID
	first, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	second := c.in(c.alice, "2024-06-10", "4")
	second.Corrects = orig.ID
	// Refused while the first is a draft, submitted or approved.
	for step := 0; step < 3; step++ {
		err := refused(t, c.db, func() error { _, err := c.db.LogTime(c.alice, second); return err })
		wantField(t, err, "corrects")
		switch step {
		case 0:
			first = c.submit(t, c.alice, first)
		case 1:
			first = c.review(t, first, true)
		}
	}
}

func TestCorrection_FirstRejected_SecondAllowed(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "2")
	in := c.in(c.alice, "2024-06-10", "3")
	in.Corrects = orig.ID
	first, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	c.review(t, c.submit(t, c.alice, first), false)
	in.Hours = hrs("4")
	if _, err := c.db.LogTime(c.alice, in); err != nil {
		t.Fatalf("second correction after the first was rejected: %v", err)
	}
}

func TestCorrection_FirstDeleted_SecondAllowed(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "2")
	in := c.in(c.alice, "2024-06-10", "3")
	in.Corrects = orig.ID
	first, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.DeleteTimeEntry(c.alice, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.LogTime(c.alice, in); err != nil {
		t.Fatalf("correction after the first was withdrawn: %v", err)
	}
}

func TestCorrection_Refusals(t *testing.T) {
	c := newCoop(t)
	bobs := c.approved(t, c.bob, "2024-06-10", "2")
	draft := c.log(t, c.alice, "2024-06-10", "1")
	pending := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-11", "1"))
	tests := []struct {
		name     string
		actor    ledger.Member
		member   ledger.Member
		corrects string
	}{
		{name: "another member's entry", actor: c.alice, member: c.alice, corrects: bobs.ID},
		{name: "another member's entry, by admin", actor: c.ada, member: c.alice, corrects: bobs.ID},
		{name: "a draft", actor: c.alice, member: c.alice, corrects: draft.ID},
		{name: "a submitted entry", actor: c.alice, member: c.alice, corrects: pending.ID},
		{name: "an unknown entry", actor: c.alice, member: c.alice, corrects: "e999999"},
		{name: "not an entry id", actor: c.alice, member: c.alice, corrects: c.alice.ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error {
				in := c.in(tc.member, "2024-06-12", "1")
				in.Corrects = tc.corrects
				_, err := c.db.LogTime(tc.actor, in)
				return err
			})
			wantField(t, err, "corrects")
		})
	}
}

// A correction replaces the entry it corrects. Once it stands, the
// corrected entry must stop counting toward the day total (CheckDayTotal's
// doc: "it stops counting once the correction stands"), for later entries
// as much as for the correction itself.
func TestLogTime_AfterCorrection_CorrectedEntryStopsCounting(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "20")
	in := c.in(c.alice, "2024-06-10", "4")
	in.Corrects = orig.ID
	fix, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	c.review(t, c.submit(t, c.alice, fix), true)
	// Standing on 2024-06-10: the 4 h correction only. 8 h more makes 12 h.
	if _, err := c.db.LogTime(c.alice, c.in(c.alice, "2024-06-10", "8")); err != nil {
		t.Fatalf("8 h beside a 4 h correction of a 20 h entry: %v", err)
	}
}

func TestUpdateTimeEntry_CorrectionDraft_CorrectedEntryDoesNotCount(t *testing.T) {
	c := newCoop(t)
	orig := c.approved(t, c.alice, "2024-06-10", "20")
	in := c.in(c.alice, "2024-06-10", "4")
	in.Corrects = orig.ID
	fix, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Hours = hrs("22") // what LogTime would accept for a new correction
	if _, err := c.db.UpdateTimeEntry(c.alice, fix.ID, in); err != nil {
		t.Fatalf("changing the draft correction to 22 h: %v", err)
	}
}

func TestTimeEntries_MemberMonth_NewestFirst(t *testing.T) {
	c := newCoop(t)
	c.log(t, c.alice, "2024-04-30", "1")
	may01 := c.log(t, c.alice, "2024-05-01", "1")
	may20a := c.log(t, c.alice, "2024-05-20", "1")
	may31 := c.log(t, c.alice, "2024-05-31", "1")
	may20b := c.log(t, c.alice, "2024-05-20", "1")
	jun01 := c.log(t, c.alice, "2024-06-01", "1")
	c.log(t, c.bob, "2024-05-10", "1")
	c.log(t, c.bob, "2024-05-31", "1")

	got, err := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-05"})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "Alice's May", got, may31, may20b, may20a, may01)

	got, _ = c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-05", Limit: 2})
	sameIDs(t, "Alice's May, two", got, may31, may20b)

	got, _ = c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-03"})
	sameIDs(t, "Alice's March", got)

	got, _ = c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-06"})
	sameIDs(t, "Alice's June", got, jun01)

	got, _ = c.db.TimeEntries(c.bea, store.EntryQuery{MemberID: c.max.ID})
	sameIDs(t, "Max's entries", got)

	got, _ = c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID})
	if len(got) != 6 {
		t.Errorf("all of Alice's entries = %d, want 6", len(got))
	}
	for _, e := range got {
		if e.MemberID != c.alice.ID {
			t.Errorf("Alice's list holds %s of %s", e.ID, e.MemberID)
		}
	}
}

func TestTimeEntries_AllMembersByMonth_NewestFirst(t *testing.T) {
	c := newCoop(t)
	a := c.log(t, c.alice, "2024-05-03", "1")
	b := c.log(t, c.bob, "2024-05-02", "1")
	c.log(t, c.bob, "2024-06-02", "1")
	d := c.log(t, c.alice, "2024-05-30", "1")
	got, err := c.db.TimeEntries(c.bea, store.EntryQuery{Month: "2024-05"})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "May across members", got, d, a, b)
}

func TestTimeEntries_ReviewQueue_OldestFirst(t *testing.T) {
	c := newCoop(t)
	first := c.submit(t, c.alice, c.log(t, c.alice, "2024-06-01", "1"))
	c.log(t, c.alice, "2024-06-02", "1") // a draft: not in the queue
	second := c.submit(t, c.bob, c.log(t, c.bob, "2024-06-03", "1"))
	c.approved(t, c.bob, "2024-06-04", "1")
	third := c.submit(t, c.max, c.log(t, c.max, "2024-06-05", "1"))
	c.review(t, c.submit(t, c.max, c.log(t, c.max, "2024-06-06", "1")), false)

	got, err := c.db.TimeEntries(c.alice, store.EntryQuery{State: ledger.StateSubmitted})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "review queue", got, first, second, third)
	got, _ = c.db.TimeEntries(c.bea, store.EntryQuery{State: ledger.StateSubmitted, Limit: 2})
	sameIDs(t, "review queue, two", got, first, second)
}

func TestTimeEntries_PlainMemberReadsOthers_Forbidden(t *testing.T) {
	c := newCoop(t)
	e := c.log(t, c.alice, "2024-06-01", "1")
	own := c.log(t, c.max, "2024-06-01", "1")
	for _, q := range []store.EntryQuery{
		{MemberID: c.alice.ID},
		{},
		{State: ledger.StateSubmitted},
		{Month: "2024-06"},
	} {
		_, err := c.db.TimeEntries(c.max, q)
		wantIs(t, err, ledger.ErrForbidden)
	}
	_, err := c.db.TimeEntry(c.max, e.ID)
	wantIs(t, err, ledger.ErrForbidden)
	got, err := c.db.TimeEntries(c.max, store.EntryQuery{MemberID: c.max.ID})
	if err != nil {
		t.Fatalf("own entries: %v", err)
	}
	sameIDs(t, "Max's own entries", got, own)
	for _, reader := range []ledger.Member{c.bob, c.bea, c.ada} {
		if _, err := c.db.TimeEntry(reader, e.ID); err != nil {
			t.Errorf("%s reads Alice's entry: %v", reader.Name, err)
		}
	}
}

// Writers that arrive together share one commit (db.Write → bbolt Batch).
// Each of 32 members logs three days at the same moment, and also tries one
// entry that overfills a day: bbolt takes a failing writer out of its batch
// and retries the rest, so every good entry must land exactly once, under
// the right member, no refused one may land, and the audit chain must hold.
func TestLogTime_Concurrent_GroupCommit(t *testing.T) {
	const writers, perWriter = 32, 3
	db := storetest.OpenDB(t, now)
	circle := storetest.MustCircle(t, db, "Tech")
	members := make([]ledger.Member, writers)
	for i := range members {
		members[i] = storetest.MustMember(t, db, fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.org", i), nil, nil)
	}
	dates := [perWriter]string{"2024-06-12", "2024-06-13", "2024-06-14"}

	start := make(chan struct{})
	errs := make(chan error, writers*perWriter)
	var wg sync.WaitGroup
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i, d := range dates {
				_, err := db.LogTime(m, ledger.TimeEntryInput{Date: d, Hours: hrs("7.5"), CircleID: circle.ID, Task: m.Name})
				if err != nil {
					errs <- fmt.Errorf("%s on %s: %w", m.Name, d, err)
				}
				if i == 1 {
					// 7.5 h + 16.6 h = 24.1 h on the first date: refused.
					_, err := db.LogTime(m, ledger.TimeEntryInput{Date: dates[0], Hours: hrs("16.6"), CircleID: circle.ID, Task: "too much"})
					var ve *ledger.ValidationError
					if !errors.As(err, &ve) || ve.Fields["hours"] == "" {
						errs <- fmt.Errorf("%s overfilling %s: got %v, want a refusal about hours", m.Name, dates[0], err)
					}
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	seen := map[string]bool{}
	for _, m := range members {
		got, err := db.TimeEntries(m, store.EntryQuery{MemberID: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != perWriter {
			t.Errorf("%s has %d entries, want %d", m.Name, len(got), perWriter)
			continue
		}
		for i, e := range got {
			if want := dates[perWriter-1-i]; e.Date != want || e.MemberID != m.ID || e.Task != m.Name || e.Minutes != 450 {
				t.Errorf("%s entry %d = %s %s %q %d min, want %s %s %q 450 min", m.Name, i, e.MemberID, e.Date, e.Task, e.Minutes, m.ID, want, m.Name)
			}
			if seen[e.ID] {
				t.Errorf("entry id %s appears twice", e.ID)
			}
			seen[e.ID] = true
		}
	}
	all, err := db.TimeEntries(ledger.System, store.EntryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*perWriter {
		t.Errorf("store holds %d entries, want %d", len(all), writers*perWriter)
	}
	n, err := db.VerifyAudit()
	if err != nil {
		t.Fatalf("audit chain after concurrent writes: %v", err)
	}
	if want := 1 + writers + writers*perWriter; n != want {
		t.Errorf("audit events = %d, want %d", n, want)
	}
}

// Roles, classes and compensation kinds are typed enums that reject unknown
// text on decode. JSON input is safe, but a Go caller (CLI, import, demo
// loader) can hand the store a value that was never parsed. The store then
// writes a record it cannot read back: every later list that meets it fails.
func TestLogTime_UnknownCompensation_Refused(t *testing.T) {
	c := newCoop(t)
	in := c.in(c.alice, "2024-06-14", "1")
	paid := ledger.Compensation("paid")
	in.Compensation = &paid
	err := refused(t, c.db, func() error { _, err := c.db.LogTime(c.alice, in); return err })
	wantField(t, err, "compensation")
	if _, err := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID}); err != nil {
		t.Errorf("listing after the refusal: %v", err)
	}
}

// An admin who is also a reviewer may log hours for a member, but another
// reviewer must approve them: four eyes on every approved hour.
func TestReviewTimeEntry_LoggedByReviewer_Forbidden(t *testing.T) {
	c := newCoop(t)
	roles := []ledger.Role{ledger.RoleAdmin, ledger.RoleOps}
	adaOps, err := c.db.UpdateMember(c.ada, c.ada.ID, ledger.MemberInput{Roles: &roles})
	if err != nil {
		t.Fatal(err)
	}
	in := c.in(c.alice, "2024-06-14", "3")
	in.Submit = true
	e, err := c.db.LogTime(adaOps, in)
	if err != nil {
		t.Fatal(err)
	}
	err = refused(t, c.db, func() error { _, err := c.db.ReviewTimeEntry(adaOps, e.ID, true, ""); return err })
	wantIs(t, err, ledger.ErrForbidden)
	if _, err := c.db.ReviewTimeEntry(c.bob, e.ID, true, ""); err != nil {
		t.Fatalf("another reviewer approves: %v", err)
	}
}

func TestTimeEntries_MalformedMonth_Refused(t *testing.T) {
	c := newCoop(t)
	for _, month := range []string{"2024", "2024-5", "June"} {
		_, err := c.db.TimeEntries(c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: month})
		wantField(t, err, "month")
	}
}
