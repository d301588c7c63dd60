package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	bolt "go.etcd.io/bbolt"
)

type pollFixture struct {
	gs                   *govstore.Store
	clock                *storetest.Clock
	alice, bob, ops, bea ledger.Member
}

func newPollFixture(t *testing.T) pollFixture {
	t.Helper()
	clock := storetest.NewClock(t0)
	db := storetest.OpenDBClock(t, clock.Now)
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return pollFixture{gs: gs, clock: clock,
		alice: storetest.MustMember(t, db, "Alice", "alice@example.org", nil, []ledger.Class{ledger.ClassUser}),
		bob:   storetest.MustMember(t, db, "Bob", "bob@example.org", nil, []ledger.Class{ledger.ClassUser}),
		ops:   storetest.MustMember(t, db, "Olga", "olga@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}),
		bea:   storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, []ledger.Class{ledger.ClassOps}),
	}
}

func (f pollFixture) open(t *testing.T, in governance.PollInput) governance.Poll {
	t.Helper()
	if in.ClosesAt.IsZero() {
		in.ClosesAt = t0.Add(7 * 24 * time.Hour)
	}
	p, err := f.gs.OpenPoll(f.alice, in)
	if err != nil {
		t.Fatalf("open poll: %v", err)
	}
	return p
}

func TestElectorateIsFixedAtOpening(t *testing.T) {
	f := newPollFixture(t)
	p := f.open(t, governance.PollInput{Title: "Ops only", Kind: governance.KindYesNo, Electorate: governance.Electorate{Classes: []ledger.Class{ledger.ClassOps}}})
	if _, err := f.gs.Cast(f.alice, p.ID, governance.BallotInput{Choice: "yes"}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a member outside the electorate: %v, want forbidden", err)
	}
	late := storetest.MustMember(t, f.gs.DB(), "Lee", "lee@example.org", nil, []ledger.Class{ledger.ClassOps})
	if _, err := f.gs.Cast(late, p.ID, governance.BallotInput{Choice: "yes"}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a member who joined after opening: %v, want forbidden", err)
	}
	if _, err := f.gs.Cast(f.ops, p.ID, governance.BallotInput{Choice: "yes"}); err != nil {
		t.Fatal(err)
	}
}

func TestBadBallotsWriteNothing(t *testing.T) {
	f := newPollFixture(t)
	ranked := f.open(t, governance.PollInput{Title: "Pick", Kind: governance.KindRanked, Options: []string{"A", "B", "C"}})
	dots := f.open(t, governance.PollInput{Title: "Spread", Kind: governance.KindDots, Options: []string{"A", "B"}, Points: 5})
	before := storetest.Snapshot(t, f.gs.DB())
	cases := []struct {
		poll  string
		in    governance.BallotInput
		field string
	}{
		{ranked.ID, governance.BallotInput{Ranking: []string{"o1", "o9"}}, "ranking[1]"},
		{ranked.ID, governance.BallotInput{Ranking: []string{"o1", "o1"}}, "ranking[1]"},
		{ranked.ID, governance.BallotInput{Choice: "yes"}, "choice"},
		{dots.ID, governance.BallotInput{Points: map[string]int{"o1": 4, "o2": 2}}, "points"},
		{dots.ID, governance.BallotInput{Points: map[string]int{"o1": -1}}, "points.o1"},
	}
	for _, c := range cases {
		if _, err := f.gs.Cast(f.bob, c.poll, c.in); !hasField(err, c.field) {
			t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
		}
	}
	if storetest.Snapshot(t, f.gs.DB()) != before {
		t.Fatal("refused ballots changed the store")
	}
}

func TestBallotsChangeUntilCloseThenResultIsFixed(t *testing.T) {
	f := newPollFixture(t)
	p := f.open(t, governance.PollInput{Title: "Adopt", Kind: governance.KindYesNo})
	f.gs.Cast(f.alice, p.ID, governance.BallotInput{Choice: "no"})
	f.gs.Cast(f.alice, p.ID, governance.BallotInput{Choice: "yes"}) // changed her mind
	f.gs.Cast(f.bob, p.ID, governance.BallotInput{Choice: "yes"})
	v, _ := f.gs.Poll(f.alice, p.ID)
	if !v.Voted || v.Ballots != 2 || v.Mine == nil || v.Mine.Choice != "yes" {
		t.Fatalf("alice's view %+v", v)
	}
	if _, err := f.gs.ClosePoll(f.bob, p.ID); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a member closing another's poll: %v", err)
	}
	// Scheduler: nothing due yet; then the time comes.
	if ids, _ := f.gs.CloseDuePolls(); len(ids) != 0 {
		t.Fatalf("closed early: %v", ids)
	}
	f.clock.Advance(7 * 24 * time.Hour)
	if _, err := f.gs.Cast(f.ops, p.ID, governance.BallotInput{Choice: "no"}); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("a ballot at the closing time: %v, want conflict", err)
	}
	ids, err := f.gs.CloseDuePolls()
	if err != nil || len(ids) != 1 {
		t.Fatalf("close due: %v %v", ids, err)
	}
	r, _ := f.gs.Result(p.ID)
	// 2 yes of 4 voters: turnout 0.5, yes share 1 > 0.5.
	if r.State != governance.PollClosed || r.Ballots != 2 || r.Electorate != 4 || !r.Passed {
		t.Fatalf("result %+v", r)
	}
	got, _ := f.gs.Poll(f.alice, p.ID)
	if got.ClosedAt == nil || !got.ClosedAt.Equal(p.ClosesAt) {
		t.Fatalf("closed at %v, want its closing time %v", got.ClosedAt, p.ClosesAt)
	}
	if _, err := f.gs.ClosePoll(f.bea, p.ID); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("closing twice: %v", err)
	}
	again, _ := f.gs.Result(p.ID)
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Fatalf("the result changed after close:\n%s\n%s", a, b)
	}
}

func TestSecretBallotsCannotBeLinkedAfterClose(t *testing.T) {
	f := newPollFixture(t)
	p := f.open(t, governance.PollInput{Title: "Secret", Kind: governance.KindYesNo, Secret: true})
	f.gs.Cast(f.alice, p.ID, governance.BallotInput{Choice: "no"})
	f.gs.Cast(f.bob, p.ID, governance.BallotInput{Choice: "yes"})
	f.gs.Cast(f.alice, p.ID, governance.BallotInput{Choice: "yes"})
	live, _ := f.gs.Result(p.ID)
	if live.Ballots != 2 || len(live.Totals) != 0 {
		t.Fatalf("a secret poll shows counts while open: %+v", live)
	}
	r, err := f.gs.ClosePoll(f.bea, p.ID)
	if err != nil || r.Totals["yes"].IntPart() != 2 {
		t.Fatalf("close: %+v %v", r, err)
	}
	// Nothing in the file ties a ballot to a member now, and the audit log
	// never held a secret ballot's content.
	err = f.gs.DB().View(func(tx *lstore.Tx) error {
		for _, name := range []string{"gov_ballots", "gov_poll_keys"} {
			err := tx.Bolt().Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				if name == "gov_poll_keys" {
					t.Errorf("a poll key survived the close")
				}
				for _, m := range []ledger.Member{f.alice, f.bob} {
					if strings.Contains(string(k), m.ID) {
						t.Errorf("ballot key %q names %s", k, m.ID)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return tx.Bolt().Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			if strings.Contains(string(v), `"poll.ballot"`) && strings.Contains(string(v), `"choice"`) {
				t.Errorf("the audit log holds a secret ballot: %s", v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.gs.Poll(f.alice, p.ID)
	if !v.Voted || v.Mine != nil {
		t.Fatalf("after close a secret voter is known to have voted, not how: %+v", v)
	}
}

func TestResultClosesAPollPastItsTime(t *testing.T) {
	f := newPollFixture(t)
	p := f.open(t, governance.PollInput{Title: "Soon", Kind: governance.KindConsent, ClosesAt: t0.Add(time.Hour)})
	f.gs.Cast(f.bob, p.ID, governance.BallotInput{Choice: "block"})
	f.clock.Advance(2 * time.Hour)
	r, err := f.gs.Result(p.ID)
	if err != nil || r.State != governance.PollClosed || r.Passed {
		t.Fatalf("result %+v %v", r, err)
	}
}

// The sweeps commit nothing while nothing is due.
func TestSweepsWriteOnlyWhenDue(t *testing.T) {
	f := newPollFixture(t)
	f.open(t, governance.PollInput{Title: "Later", Kind: governance.KindYesNo})
	txid := func() int {
		var id int
		f.gs.DB().Bolt().View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
		return id
	}
	before := txid()
	for _, sweep := range []func() ([]string, error){f.gs.CloseDuePolls, f.gs.ExpireBounties} {
		if done, err := sweep(); err != nil || len(done) != 0 {
			t.Fatalf("sweep with nothing due: %v %v", done, err)
		}
	}
	if after := txid(); after != before {
		t.Fatalf("the sweeps committed %d transactions with nothing due", after-before)
	}
}
