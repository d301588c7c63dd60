package store_test

import (
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

// Purging deletes the sessions and links that could no longer sign anyone
// in, and only those.
func TestPurgeExpired(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	const idle = 2 * time.Hour
	short, _, err := db.CreateSession(c.alice.ID, time.Hour) // ends at +1 h
	if err != nil {
		t.Fatal(err)
	}
	unused, _, _ := db.CreateSession(c.alice.ID, 12*time.Hour) // idle from the start
	busy, _, _ := db.CreateSession(c.bob.ID, 12*time.Hour)
	var link string
	db.Update(func(tx *store.Tx) error {
		link, err = tx.CreateLoginLink(ledger.System, c.bob.ID, 30*time.Minute)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.PurgeExpired(idle); err != nil || n != 0 {
		t.Fatalf("purge at once: %d %v, want nothing", n, err)
	}
	clock.Advance(90 * time.Minute)
	if _, _, err := db.ResumeSession(busy, idle); err != nil {
		t.Fatal(err)
	}
	clock.Advance(45 * time.Minute) // +2h15: short ended, unused idle, link expired; busy used 45 min ago
	n, err := db.PurgeExpired(idle)
	if err != nil || n != 3 {
		t.Fatalf("purged %d (%v), want 3: two sessions and the link", n, err)
	}
	if _, _, err := db.ResumeSession(busy, idle); err != nil {
		t.Fatalf("a live session was purged: %v", err)
	}
	for _, tok := range []string{short, unused} {
		_, _, err := db.SessionMember(tok)
		wantIs(t, err, ledger.ErrUnauthenticated)
	}
	if _, _, err := db.RedeemLoginLink(link, time.Hour); err == nil {
		t.Fatal("an expired link still signs in")
	}
	if _, err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// With nothing ended, the hourly purge commits nothing.
func TestPurgeExpired_NothingEndedCommitsNothing(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	if _, _, err := db.CreateSession(c.alice.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Generation()
	n, err := db.PurgeExpired(2 * time.Hour)
	if err != nil || n != 0 {
		t.Fatalf("purge with nothing ended = %d, %v", n, err)
	}
	if after, _ := db.Generation(); after != before {
		t.Errorf("a purge that deleted nothing committed (generation %d to %d)", before, after)
	}
}
