package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type fixture struct {
	gs              *govstore.Store
	alice, bob, ops ledger.Member
	board           ledger.Member
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := storetest.OpenDB(t, t0)
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{
		gs:    gs,
		alice: storetest.MustMember(t, db, "Alice", "alice@example.org", nil, []ledger.Class{ledger.ClassUser}),
		bob:   storetest.MustMember(t, db, "Bob", "bob@example.org", nil, []ledger.Class{ledger.ClassUser}),
		ops:   storetest.MustMember(t, db, "Olga", "olga@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}),
		board: storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, []ledger.Class{ledger.ClassOps}),
	}
}

func (f fixture) file(t *testing.T, title string) governance.Request {
	t.Helper()
	r, err := f.gs.FileRequest(f.alice, governance.RequestInput{Kind: governance.KindFeature, Title: title})
	if err != nil {
		t.Fatalf("file %q: %v", title, err)
	}
	return r
}

func TestFileRequestValidation(t *testing.T) {
	f := newFixture(t)
	before := storetest.Snapshot(t, f.gs.DB())
	long := make([]byte, 201)
	for i := range long {
		long[i] = 'x'
	}
	cases := []struct {
		name  string
		in    governance.RequestInput
		field string
	}{
		{"unknown kind", governance.RequestInput{Kind: "wish", Title: "x"}, "kind"},
		{"no kind", governance.RequestInput{Title: "x"}, "kind"},
		{"blank title", governance.RequestInput{Kind: governance.KindIncident, Title: "  "}, "title"},
		{"long title", governance.RequestInput{Kind: governance.KindIncident, Title: string(long)}, "title"},
		{"NUL in title", governance.RequestInput{Kind: governance.KindIncident, Title: "a\x00b"}, "title"},
		{"bad UTF-8 body", governance.RequestInput{Kind: governance.KindIncident, Title: "x", Body: "\xff"}, "body"},
		{"unknown circle", governance.RequestInput{Kind: governance.KindIncident, Title: "x", CircleID: "c999999"}, "circle_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.gs.FileRequest(f.alice, c.in)
			var v *ledger.ValidationError
			if !errors.As(err, &v) || v.Fields[c.field] == "" {
				t.Fatalf("want a field error on %s, got %v", c.field, err)
			}
		})
	}
	if after := storetest.Snapshot(t, f.gs.DB()); after != before {
		t.Fatal("refused requests changed the store")
	}
}

func TestVotesCountEachMemberOnce(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Dark mode")
	if _, changed, err := f.gs.Vote(f.bob, r.ID); err != nil || !changed {
		t.Fatalf("first vote: changed=%v err=%v", changed, err)
	}
	got, changed, err := f.gs.Vote(f.bob, r.ID)
	if err != nil || changed || got.Votes != 1 {
		t.Fatalf("second vote by the same member: votes=%d changed=%v err=%v, want 1, false, nil", got.Votes, changed, err)
	}
	if got, _, _ = f.gs.Vote(f.alice, r.ID); got.Votes != 2 {
		t.Fatalf("votes = %d, want 2", got.Votes)
	}
	got, changed, err = f.gs.Unvote(f.bob, r.ID)
	if err != nil || !changed || got.Votes != 1 {
		t.Fatalf("withdraw: votes=%d changed=%v err=%v", got.Votes, changed, err)
	}
	if got, changed, _ = f.gs.Unvote(f.bob, r.ID); changed || got.Votes != 1 {
		t.Fatalf("withdrawing twice: votes=%d changed=%v", got.Votes, changed)
	}
	v, err := f.gs.Request(f.alice, r.ID)
	if err != nil || !v.Voted || v.Votes != 1 {
		t.Fatalf("alice's view: voted=%v votes=%d err=%v", v.Voted, v.Votes, err)
	}
	if _, _, err := f.gs.Vote(f.bob, "r999999"); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("vote on unknown request: %v, want not found", err)
	}
}

func TestConcurrentVotes(t *testing.T) {
	db := storetest.OpenDB(t, t0)
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	var voters []ledger.Member
	for i := range 50 {
		voters = append(voters, storetest.MustMember(t, db, fmt.Sprintf("V%d", i), fmt.Sprintf("v%d@example.org", i), nil, nil))
	}
	r, err := gs.FileRequest(voters[0], governance.RequestInput{Kind: governance.KindIncident, Title: "Outage"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, m := range voters {
		for range 2 { // each member votes twice at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := gs.Vote(m, r.ID); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	v, _ := gs.Request(voters[0], r.ID)
	if v.Votes != len(voters) {
		t.Fatalf("votes = %d, want %d", v.Votes, len(voters))
	}
}

func TestTriageWorkflow(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Export to CSV")
	if _, err := f.gs.Triage(f.alice, r.ID, governance.TriageInput{Status: governance.StatusValidated}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a plain member triaging: %v, want forbidden", err)
	}
	cat := "exports"
	steps := []governance.RequestStatus{governance.StatusValidated, governance.StatusPlanned, governance.StatusInProgress, governance.StatusDone}
	for _, st := range steps {
		in := governance.TriageInput{Status: st}
		if st == governance.StatusValidated {
			in.Category = &cat
		}
		got, err := f.gs.Triage(f.ops, r.ID, in)
		if err != nil || got.Status != st {
			t.Fatalf("move to %s: status=%s err=%v", st, got.Status, err)
		}
	}
	v, _ := f.gs.Request(f.alice, r.ID)
	if v.Category != "exports" || len(v.History) != 5 || v.History[4].By != f.ops.ID || v.History[4].Status != governance.StatusDone {
		t.Fatalf("history or category wrong: %+v", v.Request)
	}
	// Skipping steps is refused, naming the field.
	r2 := f.file(t, "Skip ahead")
	_, err := f.gs.Triage(f.board, r2.ID, governance.TriageInput{Status: governance.StatusDone})
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) || ve.Fields["status"] == "" {
		t.Fatalf("open → done: %v, want a status field error", err)
	}
	// Done requests take no new votes.
	if _, _, err := f.gs.Vote(f.bob, r.ID); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("vote on a done request: %v, want conflict", err)
	}
}

func TestDuplicateMergesVotes(t *testing.T) {
	f := newFixture(t)
	orig := f.file(t, "Dark mode")
	dup := f.file(t, "Night theme")
	for _, m := range []ledger.Member{f.alice, f.bob} {
		if _, _, err := f.gs.Vote(m, orig.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []ledger.Member{f.bob, f.ops} {
		if _, _, err := f.gs.Vote(m, dup.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.gs.Triage(f.ops, dup.ID, governance.TriageInput{Status: governance.StatusDuplicate, DuplicateOf: orig.ID})
	if err != nil || got.DuplicateOf != orig.ID || got.Votes != 0 {
		t.Fatalf("merge: %+v %v", got, err)
	}
	o, _ := f.gs.Request(f.ops, orig.ID)
	// alice, bob (once, though he voted for both) and olga.
	if o.Votes != 3 || !o.Voted {
		t.Fatalf("original has %d votes (ops voted=%v), want 3 and true", o.Votes, o.Voted)
	}
	if _, _, err := f.gs.Vote(f.board, dup.ID); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("vote on a duplicate: %v, want conflict", err)
	}
	// A chain of duplicates is refused: name the original.
	third := f.file(t, "Dim UI")
	_, err = f.gs.Triage(f.ops, third.ID, governance.TriageInput{Status: governance.StatusDuplicate, DuplicateOf: dup.ID})
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) || ve.Fields["duplicate_of"] == "" {
		t.Fatalf("duplicate of a duplicate: %v", err)
	}
	o2, _ := f.gs.Request(f.ops, orig.ID)
	if o2.Votes != 3 {
		t.Fatalf("refused merge changed the original: %d votes", o2.Votes)
	}
	// A duplicate stays merged where it was: it cannot be pointed at
	// another request, though its category may change.
	cat := "design"
	_, err = f.gs.Triage(f.ops, dup.ID, governance.TriageInput{Status: governance.StatusDuplicate, DuplicateOf: third.ID, Category: &cat})
	if !errors.As(err, &ve) || ve.Fields["duplicate_of"] == "" {
		t.Fatalf("re-pointing a duplicate: %v", err)
	}
	got, err = f.gs.Triage(f.ops, dup.ID, governance.TriageInput{Status: governance.StatusDuplicate, Category: &cat})
	if err != nil || got.DuplicateOf != orig.ID || got.Category != "design" {
		t.Fatalf("recategorising a duplicate: %+v %v", got, err)
	}
	if o3, _ := f.gs.Request(f.ops, orig.ID); o3.Votes != 3 {
		t.Fatalf("recategorising the duplicate changed the original's votes: %d", o3.Votes)
	}
}

func TestRequestListSortAndFilter(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "A")
	b := f.file(t, "B")
	inc, err := f.gs.FileRequest(f.bob, governance.RequestInput{Kind: governance.KindIncident, Title: "Down", Category: "Hosting"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []ledger.Member{f.alice, f.bob} {
		f.gs.Vote(m, b.ID)
	}
	f.gs.Vote(f.ops, inc.ID)
	rs, voted, err := f.gs.Requests(f.alice, governance.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rs {
		order = append(order, r.ID)
	}
	if want := fmt.Sprint([]string{b.ID, inc.ID, a.ID}); fmt.Sprint(order) != want {
		t.Fatalf("order %v, want %v (most votes first, then oldest)", order, want)
	}
	if !voted[b.ID] || voted[inc.ID] {
		t.Fatalf("voted = %v", voted)
	}
	rs, _, _ = f.gs.Requests(f.alice, governance.RequestFilter{Kind: governance.KindIncident, Category: "hosting"})
	if len(rs) != 1 || rs[0].ID != inc.ID {
		t.Fatalf("filtered list %+v", rs)
	}
	if _, _, err := f.gs.Requests(f.alice, governance.RequestFilter{Status: "lost"}); err == nil {
		t.Fatal("unknown status filter accepted")
	}
}

func TestComments(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Docs")
	if _, err := f.gs.Comment(f.bob, r.ID, governance.CommentInput{Body: "  "}); err == nil {
		t.Fatal("empty comment accepted")
	}
	for _, body := range []string{"first", "second"} {
		if _, err := f.gs.Comment(f.bob, r.ID, governance.CommentInput{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := f.gs.Request(f.alice, r.ID)
	if len(v.Comments) != 2 || v.Comments[0].Body != "first" || v.Comments[1].AuthorID != f.bob.ID {
		t.Fatalf("comments %+v", v.Comments)
	}
}

// A record answers to the id it was given only, not to other spellings
// of the same number.
func TestIDsAreCanonical(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Dark mode")
	if r.ID != "r000001" {
		t.Fatalf("first request id %q", r.ID)
	}
	for _, id := range []string{"r1", "r0000001", "R000001", "r000001 "} {
		if _, err := f.gs.Request(f.alice, id); !errors.Is(err, ledger.ErrNotFound) {
			t.Errorf("request %q: %v, want not found", id, err)
		}
	}
}
