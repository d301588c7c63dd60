package store_test

import (
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

// A bearer token's member is remembered between requests, and a change to
// any member record, or the passing of their last day, shows at once.
func TestTokenMember_SeesMemberChanges(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	tok, err := db.CreateAPIToken(ledger.System, c.alice.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from memory
		m, err := db.TokenMember(tok)
		if err != nil || m.ID != c.alice.ID || m.Name != c.alice.Name {
			t.Fatalf("token member %+v %v", m, err)
		}
		m.Roles = append(m.Roles[:0], ledger.RoleAdmin) // a caller changing its copy changes nothing stored
	}
	if m, _ := db.TokenMember(tok); m.IsAdmin() != c.alice.IsAdmin() {
		t.Fatalf("a caller's change to its copy leaked into the cache: %+v", m.Roles)
	}
	name := "Alice B."
	if _, err := db.UpdateMember(ledger.System, c.alice.ID, ledger.MemberInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if m, err := db.TokenMember(tok); err != nil || m.Name != name {
		t.Fatalf("after a rename: %+v %v", m, err)
	}
	left := ledger.Today(clock.Now())
	if _, err := db.UpdateMember(ledger.System, c.alice.ID, ledger.MemberInput{Left: &left}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenMember(tok); err != nil {
		t.Fatalf("on her last day: %v", err)
	}
	clock.Advance(24 * time.Hour)
	_, err = db.TokenMember(tok)
	wantIs(t, err, ledger.ErrUnauthenticated)
}
