package schedule_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger/schedule"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/jonboulle/clockwork"
)

// A poll closes at its time through the scheduler's sweep, not at the
// sweep before.
func TestScheduler_Sweep_ClosesDuePolls(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	m := storetest.MustMember(t, db, "Alice", "alice@example.org", nil, nil)
	p, err := gs.OpenPoll(m, governance.PollInput{Title: "Soon", Kind: governance.KindYesNo, ClosesAt: clock.Now().Add(90 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	runs := make(chan schedule.Run, 16)
	s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock,
		Sweeps: []schedule.Sweep{{Name: "close-polls", Every: time.Minute,
			Run: func(context.Context) ([]string, error) { return gs.CloseDuePolls() }}},
		AfterRun: func(r schedule.Run) {
			if r.Job == "close-polls" {
				runs <- r
			}
		}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	s.Start(context.Background())
	if r := next(t, runs); r.Trigger != "start-up" || len(r.Done) != 0 {
		t.Fatalf("start-up sweep: %+v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for minute := 1; minute <= 2; minute++ {
		if err := clock.BlockUntilContext(ctx, 2); err != nil {
			t.Fatalf("the sweep's timer was never set: %v", err)
		}
		clock.Advance(time.Minute)
		r := next(t, runs)
		want := []string(nil)
		if minute == 2 {
			want = []string{p.ID}
		}
		if r.Err != nil || !slices.Equal(r.Done, want) {
			t.Fatalf("sweep at minute %d: %+v, want %v closed", minute, r, want)
		}
	}
	v, _ := gs.Poll(m, p.ID)
	if v.State != governance.PollClosed || !v.ClosedAt.Equal(p.ClosesAt) {
		t.Fatalf("poll %+v", v.Poll)
	}
}

func TestScheduler_Sweep_RecoversPanic(t *testing.T) {
	clock := clockwork.NewFakeClockAt(downUntil)
	db := storetest.OpenDBClock(t, clock.Now)
	runs := make(chan schedule.Run, 16)
	s, err := schedule.New(db, schedule.Config{Hour: 6, Location: london, Clock: clock,
		Sweeps:   []schedule.Sweep{{Name: "boom", Every: time.Hour, Run: func(context.Context) ([]string, error) { panic("boom") }}},
		AfterRun: func(r schedule.Run) { runs <- r }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	if _, err := s.RunSweep(context.Background(), "boom"); err == nil {
		t.Fatal("a panicking sweep reported no error")
	}
	if r := next(t, runs); r.Job != "boom" || r.Err == nil {
		t.Fatalf("run %+v", r)
	}
	if _, err := s.RunSweep(context.Background(), "nothing"); err == nil {
		t.Fatal("an unknown sweep ran")
	}
}
