package schedule_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/schedule"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/jonboulle/clockwork"
	"github.com/shopspring/decimal"
)

var london = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// downUntil is when the server comes back: it was down since before
// January 2024, so January, February and March were never drafted.
var downUntil = time.Date(2024, time.April, 10, 9, 0, 0, 0, london)

// people are the co-op of these tests: alice is on the paid team, bea and
// cy are board members the close pays nothing.
type people struct{ alice, bea, cy ledger.Member }

// seed gives the store a policy from January 2024, and income, a cost and
// ten approved hours of alice's in each month from January to March.
func seed(t *testing.T, db *store.DB) people {
	t.Helper()
	p := people{
		alice: storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil),
		bea:   storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil),
		cy:    storetest.MustMember(t, db, "Cy", "cy@example.org", []ledger.Role{ledger.RoleBoard}, nil),
	}
	tech := storetest.MustCircle(t, db, "tech")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.AddRate(ledger.System, p.alice.ID, ledger.RateInput{From: "2020-01-01", Hourly: dec("25")}))
	must(db.AddPolicy(ledger.System, ledger.PolicyInput{From: "2024-01", BountyShare: dec("0.10"), Team: []string{p.alice.ID},
		Split: ledger.SplitEarned, PaybackShare: dec("0.50"), PaybackMethod: ledger.PaybackProRata}))
	for _, month := range []string{"2024-01", "2024-02", "2024-03"} {
		addMonth(t, db, p, tech.ID, month)
	}
	return p
}

// addMonth records 1,000.00 income, a 300.00 cost and ten approved hours
// of alice's in month.
func addMonth(t *testing.T, db *store.DB, p people, circleID, month string) {
	t.Helper()
	if _, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: month, Amount: dec("1000.00")}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: month, Amount: dec("300.00")}, true); err != nil {
		t.Fatal(err)
	}
	comp := ledger.CompRequired
	e, err := db.LogTime(p.alice, ledger.TimeEntryInput{MemberID: p.alice.ID, Date: month + "-05", Hours: dec("10"),
		CircleID: circleID, Compensation: &comp, Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviewTimeEntry(p.bea, e.ID, true, ""); err != nil {
		t.Fatal(err)
	}
}

func dec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

// start builds a scheduler on the fake clock, drafting at 06:00 London
// time, whose runs are sent on the returned channel; it is stopped when
// the test ends.
func start(t *testing.T, db *store.DB, clock clockwork.Clock) (*schedule.Scheduler, <-chan schedule.Run) {
	t.Helper()
	runs := make(chan schedule.Run, 16)
	s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock,
		AfterRun: func(r schedule.Run) { runs <- r }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s, runs
}

// next waits for the next run (bounded, so a broken scheduler fails the
// test rather than hanging it).
func next(t *testing.T, runs <-chan schedule.Run) schedule.Run {
	t.Helper()
	select {
	case r := <-runs:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no run of the scheduler")
		return schedule.Run{}
	}
}

func states(t *testing.T, db *store.DB, months ...string) []string {
	t.Helper()
	var out []string
	for _, m := range months {
		mc, err := db.MonthClose(m)
		switch {
		case errors.Is(err, ledger.ErrNotFound):
			out = append(out, "none")
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, mc.State)
		}
	}
	return out
}

// Three months down means three drafts at start-up, and a second start
// drafts (and writes) nothing.
func TestScheduler_Start_DraftsMonthsMissedWhileDown(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	p := seed(t, db)

	s, runs := start(t, db, clock)
	s.Start(context.Background())
	r := next(t, runs)
	if r.Trigger != "start-up" || r.Err != nil || !slices.Equal(r.Months, []string{"2024-01", "2024-02", "2024-03"}) {
		t.Fatalf("start-up run: %+v, want the three months drafted", r)
	}
	if !r.At.Equal(downUntil) || r.At.Location() != london {
		t.Errorf("run at %v, want %v in London", r.At, downUntil)
	}
	if got := states(t, db, "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"); !slices.Equal(got, []string{"none", "draft", "draft", "draft", "none"}) {
		t.Errorf("closes Dec-Apr: %v", got)
	}
	mar, err := db.MonthClose("2024-03")
	if err != nil {
		t.Fatal(err)
	}
	// 1,000 - 300 = 700; bounty 70; alice earned 250 and is paid it in
	// full; payback 0 (nobody is owed); reserve 380. Drafted by the system.
	if mar.Margin.StringFixed(2) != "700.00" || mar.Bounty.StringFixed(2) != "70.00" || mar.Wages[p.alice.ID].StringFixed(2) != "250.00" ||
		len(mar.Payback) != 0 || mar.Reserve.StringFixed(2) != "380.00" || mar.DraftedBy != "" {
		t.Errorf("March draft: %+v by %q", mar.CloseResult, mar.DraftedBy)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	before := storetest.Snapshot(t, db)
	s2, runs2 := start(t, db, clock)
	s2.Start(context.Background())
	if r := next(t, runs2); len(r.Months) != 0 || r.Err != nil {
		t.Errorf("second start-up: %+v, want nothing drafted", r)
	}
	if storetest.Snapshot(t, db) != before {
		t.Error("a second start-up wrote to the store")
	}
}

// The monthly job drafts the month that just ended on the 1st at the
// configured hour in the configured zone.
func TestScheduler_Monthly_DraftsOnTheFirstAtTheHour(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	p := seed(t, db)
	s, runs := start(t, db, clock)
	s.Start(context.Background())
	if r := next(t, runs); len(r.Months) != 3 {
		t.Fatalf("start-up run: %+v", r)
	}
	cs, err := db.Circles()
	if err != nil {
		t.Fatal(err)
	}
	addMonth(t, db, p, cs[0].ID, "2024-04")

	// 1 May is in British Summer Time: 06:00 there is 05:00 UTC.
	due := time.Date(2024, time.May, 1, 6, 0, 0, 0, london)
	if nr, err := s.NextRun(); err != nil || !nr.Equal(due) {
		t.Fatalf("next run %v (%v), want %v", nr, err, due)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("the job's timer was never set: %v", err)
	}
	clock.Advance(due.Sub(clock.Now()))
	r := next(t, runs)
	if r.Trigger != "schedule" || r.Err != nil || !slices.Equal(r.Months, []string{"2024-04"}) || !r.At.Equal(due) {
		t.Fatalf("scheduled run: %+v, want April drafted at %v", r, due)
	}
	if got := states(t, db, "2024-04", "2024-05"); !slices.Equal(got, []string{"draft", "none"}) {
		t.Errorf("closes Apr-May: %v", got)
	}
	if nr, err := s.NextRun(); err != nil || !nr.Equal(time.Date(2024, time.June, 1, 6, 0, 0, 0, london)) {
		t.Errorf("then next run %v (%v), want 1 June 06:00 London", nr, err)
	}
}

// Two approvals of the same month at once: one posts, the other is
// refused, and the journal holds the close once.
func TestScheduler_TwoApprovalsAtOnce_PostOnce(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	p := seed(t, db)
	s, _ := start(t, db, clock)
	if _, err := s.RunNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	errs := make([]error, 2)
	closes := make([]store.MonthClose, 2)
	for i, board := range []ledger.Member{p.bea, p.cy} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			closes[i], errs[i] = db.ApproveClose(board, "2024-01")
		}()
	}
	close(gate)
	wg.Wait()
	ok := 0
	var posted store.MonthClose
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			posted = closes[i]
		case !errors.Is(err, ledger.ErrConflict):
			t.Errorf("approval %d: %v, want success or ErrConflict", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d approvals succeeded (%v), want exactly 1", ok, errs)
	}
	checkPostedOnce(t, db, posted, "2024-01")
}

// checkPostedOnce checks that month is posted and that the journal holds
// its wages and deferrals once, as the posted close lists them.
func checkPostedOnce(t *testing.T, db *store.DB, posted store.MonthClose, month string) {
	t.Helper()
	if posted.State != store.ClosePosted || len(posted.Transactions) == 0 {
		t.Fatalf("%s: %+v, want posted with transactions", month, posted)
	}
	txs, err := db.Transactions(ledger.System)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, a := range posted.Wages {
		if a.IsPositive() {
			want++
		}
	}
	for _, a := range posted.Deferred {
		if a.IsPositive() {
			want++
		}
	}
	got, fromClose := 0, 0
	for _, tx := range txs {
		if ledger.MonthOf(tx.Date) == month && (tx.Kind == ledger.KindWages || tx.Kind == ledger.KindDeferral) {
			got++
		}
		if slices.Contains(posted.Transactions, tx.ID) {
			fromClose++
		}
	}
	if want == 0 || got != want {
		t.Errorf("%s: %d wage and deferral transactions in the journal, want %d", month, got, want)
	}
	if fromClose != len(posted.Transactions) {
		t.Errorf("%s: the journal holds %d of the close's %d transactions", month, fromClose, len(posted.Transactions))
	}
	if _, err := db.VerifyJournal(); err != nil {
		t.Errorf("journal: %v", err)
	}
}

// A restart between drafting and approval: the draft survives, the
// approval posts once, a second approval is refused, and a scheduler on a
// store reopened on the same file drafts nothing for the posted month.
func TestScheduler_RestartMidClose_PostsOnce(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	path := filepath.Join(t.TempDir(), "coop.db")
	db := storetest.OpenPath(t, path, clock.Now)
	p := seed(t, db)
	s, _ := start(t, db, clock)
	s.Start(context.Background())
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = storetest.OpenPath(t, path, clock.Now)
	if got := states(t, db, "2024-01", "2024-02", "2024-03"); !slices.Equal(got, []string{"draft", "draft", "draft"}) {
		t.Fatalf("after the restart: %v", got)
	}
	posted, err := db.ApproveClose(p.bea, "2024-01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApproveClose(p.cy, "2024-01"); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("second approval: %v, want ErrConflict", err)
	}
	checkPostedOnce(t, db, posted, "2024-01")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = storetest.OpenPath(t, path, clock.Now)
	before := storetest.Snapshot(t, db)
	s, _ = start(t, db, clock)
	months, err := s.RunNow(context.Background())
	if err != nil || len(months) != 0 {
		t.Errorf("run on the reopened store: %v %v, want nothing drafted", months, err)
	}
	if storetest.Snapshot(t, db) != before {
		t.Error("the run wrote to the store")
	}
	again, err := db.MonthClose("2024-01")
	if err != nil || again.State != store.ClosePosted || !slices.Equal(again.Transactions, posted.Transactions) {
		t.Errorf("January after the restart: %+v %v", again, err)
	}
	checkPostedOnce(t, db, again, "2024-01")
}

// Runs started at once, by hand or by the schedule, go one at a time: the
// months are drafted once between them.
func TestScheduler_RunNow_OneAtATime(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	seed(t, db)
	s, runs := start(t, db, clock)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			if _, err := s.RunNow(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	close(gate)
	wg.Wait()
	var all []string
	for range 4 {
		all = append(all, next(t, runs).Months...)
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{"2024-01", "2024-02", "2024-03"}) {
		t.Errorf("four runs at once drafted %v, want each month once", all)
	}
}

// A panic in a run is recovered, logged and reported; the next run works.
func TestScheduler_Run_RecoversPanic(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	var boom atomic.Bool
	db := storetest.OpenDBClock(t, func() time.Time {
		if boom.Load() {
			panic("clock on fire")
		}
		return clock.Now()
	})
	seed(t, db)
	var log syncBuffer
	runs := make(chan schedule.Run, 4)
	s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock,
		AfterRun: func(r schedule.Run) { runs <- r }}, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	boom.Store(true)
	_, err = s.RunNow(context.Background())
	boom.Store(false)
	if err == nil || !strings.Contains(err.Error(), "clock on fire") {
		t.Fatalf("run: %v, want the recovered panic", err)
	}
	if r := next(t, runs); r.Err == nil || len(r.Months) != 0 {
		t.Errorf("reported run: %+v", r)
	}
	months, err := s.RunNow(context.Background())
	if err != nil || len(months) != 3 {
		t.Errorf("run after the panic: %v %v", months, err)
	}
	out := log.String()
	for _, want := range []string{`level=ERROR msg="job panicked"`, `panic="clock on fire"`, "stack=", "schedule_test.go",
		`level=INFO msg="drafted due closes" component=scheduler job=draft-due-closes trigger="by hand" months="[2024-01 2024-02 2024-03]" duration=`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// syncBuffer is a log sink safe to write from the scheduler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A month that cannot be drafted (no policy in force) is reported; later
// months are still drafted.
func TestScheduler_NoPolicyYet_ReportsAndDraftsTheRest(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	seed(t, db)
	// December has income but no policy covers it.
	if _, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: "2023-12", Amount: dec("10.00")}, false); err != nil {
		t.Fatal(err)
	}
	s, _ := start(t, db, clock)
	months, err := s.RunNow(context.Background())
	if !errors.Is(err, ledger.ErrConflict) || !strings.Contains(err.Error(), "2023-12") {
		t.Errorf("err %v, want a conflict naming 2023-12", err)
	}
	if !slices.Equal(months, []string{"2024-01", "2024-02", "2024-03"}) {
		t.Errorf("drafted %v", months)
	}
}

// An hour and zone at which the month has not ended on the store's clock
// is refused, naming the first hour that works.
func TestScheduler_New_HourBeforeTheStoresMonthEnds(t *testing.T) {
	utc := time.Date(2024, time.April, 10, 9, 0, 0, 0, time.UTC)
	db := storetest.OpenDB(t, utc)
	clock := clockwork.NewFakeClockAt(utc)
	for _, c := range []struct {
		zone string
		hour int
		want string // "" for accepted
	}{
		{"UTC", 0, ""},
		{"Europe/London", 6, ""},
		{"Europe/London", 0, "use hour 1 or later"}, // 00:00 BST is 23:00 UTC the day before
		{"Asia/Tokyo", 6, "use hour 9 or later"},
		{"Asia/Tokyo", 9, ""},
		{"America/New_York", 0, ""}, // already the 1st, 04:00 or 05:00 UTC
		{"UTC", 24, "must be 0-23"},
		{"UTC", -1, "must be 0-23"},
	} {
		_, err := schedule.New(db, schedule.Config{Hour: c.hour, Location: mustZone(c.zone), Clock: clock}, nil)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %d: %v", c.zone, c.hour, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %d: %v, want %q", c.zone, c.hour, err, c.want)
		}
	}
}

// The daily backup: advancing the clock past 03:00 London time writes one
// backup (named in UTC) that opens and verifies, and only the newest
// BackupKeep backups stay; other files in the folder are left alone.
func TestScheduler_DailyBackup_WritesOneAndKeepsTheNewest(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	seed(t, db)
	dir := t.TempDir()
	old := []string{"coopledger-20240401-020000.db", "coopledger-20240402-020000.db", "coopledger-20240403-020000.db"}
	for _, name := range append([]string{"README.txt"}, old...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runs := make(chan schedule.Run, 16)
	s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock,
		BackupDir: dir, BackupKeep: 3, BackupHour: 3,
		AfterRun: func(r schedule.Run) { runs <- r }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	s.Start(context.Background())
	if r := next(t, runs); r.Job != schedule.JobDraftCloses {
		t.Fatalf("start-up run: %+v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for day, want := range []struct {
		at   time.Time
		left []string
	}{
		{time.Date(2024, time.April, 11, 3, 0, 0, 0, london),
			[]string{old[1], old[2], "coopledger-20240411-020100.db"}},
		{time.Date(2024, time.April, 12, 3, 0, 0, 0, london),
			[]string{old[2], "coopledger-20240411-020100.db", "coopledger-20240412-020100.db"}},
	} {
		if nb, err := s.NextBackup(); err != nil || !nb.Equal(want.at) {
			t.Fatalf("day %d: next backup %v (%v), want %v", day, nb, err, want.at)
		}
		// Two timers: the monthly draft's and the daily backup's.
		if err := clock.BlockUntilContext(ctx, 2); err != nil {
			t.Fatalf("the jobs' timers were never set: %v", err)
		}
		// A minute past the hour: the run's now, and so the backup's name
		// (in UTC: 02:01 while London is on summer time).
		clock.Advance(want.at.Sub(clock.Now()) + time.Minute)
		r := next(t, runs)
		if r.Job != schedule.JobBackup || r.Trigger != "schedule" || r.Err != nil || !r.At.Equal(want.at.Add(time.Minute)) {
			t.Fatalf("day %d: run %+v, want a backup at %v", day, r, want.at.Add(time.Minute))
		}
		if wantPath := filepath.Join(dir, want.left[2]); r.Path != wantPath {
			t.Errorf("day %d: wrote %s, want %s", day, r.Path, wantPath)
		}
		var got []string
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			got = append(got, e.Name())
		}
		if want := append([]string{"README.txt"}, want.left...); !slices.Equal(got, want) {
			t.Errorf("day %d: folder holds %v, want %v", day, got, want)
		}
	}
	b, err := store.Open(filepath.Join(dir, "coopledger-20240412-020100.db"), store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if r := b.Verify(); !r.OK() || r.Transactions == 0 {
		t.Errorf("the backup does not verify: %+v", r)
	}
	select {
	case r := <-runs:
		t.Errorf("an extra run: %+v", r)
	default:
	}
}

// Backup settings that cannot work are refused at start.
func TestScheduler_New_BackupSettings(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir        string
		keep, hour int
		want       string // "" for accepted
	}{
		{"", 0, 99, ""}, // off: the rest is not looked at
		{dir, 7, 3, ""},
		{dir, 0, 3, "keep 0"},
		{dir, 7, 24, "must be 0-23"},
		{filepath.Join(dir, "missing"), 7, 3, "no such file"},
		{file, 7, 3, "not a folder"},
	} {
		s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock, BackupDir: c.dir, BackupKeep: c.keep, BackupHour: c.hour}, nil)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c, err, c.want)
		}
		if s != nil {
			_ = s.Stop()
		}
	}
}
