package store_test

import (
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

func TestSession_IdleExpiry(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	token, _, err := db.CreateSession(c.alice.ID, 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const idle = 2 * time.Hour
	// Used every 90 minutes, the session outlives the idle limit...
	for range 3 {
		clock.Advance(90 * time.Minute)
		if _, _, err := db.ResumeSession(token, idle); err != nil {
			t.Fatalf("used after 90 minutes: %v", err)
		}
	}
	// ...and ends once left alone for the limit.
	clock.Advance(idle - time.Second)
	if _, _, err := db.SessionMember(token); err != nil {
		t.Fatalf("SessionMember has no idle limit: %v", err)
	}
	clock.Advance(time.Second)
	_, _, err = db.ResumeSession(token, idle)
	wantIs(t, err, ledger.ErrUnauthenticated)
}

func TestSession_IdleNeverOutlivesTTL(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	token, _, err := db.CreateSession(c.alice.ID, 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		clock.Advance(30 * time.Minute)
		if _, _, err := db.ResumeSession(token, time.Hour); err != nil {
			t.Fatalf("in use: %v", err)
		}
	}
	clock.Advance(30 * time.Minute)
	_, _, err = db.ResumeSession(token, time.Hour)
	wantIs(t, err, ledger.ErrUnauthenticated)
}

// A busy browser writes at most once a minute: requests within TouchEvery
// of the last one leave the file untouched.
func TestSession_TouchAtMostOnceAMinute(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	token, _, err := db.CreateSession(c.alice.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	before := storetest.Snapshot(t, db)
	for range 5 {
		clock.Advance(10 * time.Second)
		if _, _, err := db.ResumeSession(token, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if storetest.Snapshot(t, db) != before {
		t.Fatal("a resume within a minute of the last wrote to the store")
	}
	clock.Advance(10 * time.Second)
	s, _, err := db.ResumeSession(token, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if storetest.Snapshot(t, db) == before {
		t.Fatal("a resume a minute after the last did not record it")
	}
	if !s.LastSeen.Equal(now) {
		t.Errorf("returned LastSeen %s, want the stored one %s", s.LastSeen, now)
	}
	s, _, _ = db.SessionMember(token)
	if want := now.Add(time.Minute); !s.LastSeen.Equal(want) {
		t.Errorf("LastSeen = %s, want %s", s.LastSeen, want)
	}
}

func TestSession_ReadOnlyForMemberWhoLeft(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Left: s("2024-06-01")}); err != nil {
		t.Fatal(err)
	}
	full, _, err := c.db.OpenSession(c.bob.ID, store.SessionOptions{TTL: time.Hour, Via: store.ViaSSO})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.db.ResumeSession(full, time.Hour)
	wantIs(t, err, ledger.ErrUnauthenticated)

	ro, _, err := c.db.OpenSession(c.bob.ID, store.SessionOptions{TTL: time.Hour, Via: store.ViaSSO, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	sess, m, err := c.db.ResumeSession(ro, time.Hour)
	if err != nil || m.ID != c.bob.ID || !sess.ReadOnly || sess.Via != store.ViaSSO {
		t.Fatalf("read-only session = %+v, %s, %v", sess, m.ID, err)
	}
}
