package store_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

const password = "correct horse battery"

func TestAuthenticate(t *testing.T) {
	c := newCoop(t)
	if err := c.db.SetPassword(c.alice, c.alice.ID, password); err != nil {
		t.Fatalf("own password: %v", err)
	}
	if err := c.db.SetPassword(c.ada, c.bob.ID, password); err != nil {
		t.Fatalf("admin sets a password: %v", err)
	}
	if _, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Left: s("2024-06-14")}); err != nil {
		t.Fatal(err)
	}

	m, err := c.db.Authenticate(" ALICE@example.org", password)
	if err != nil || m.ID != c.alice.ID {
		t.Fatalf("Authenticate = %s, %v; want %s", m.ID, err, c.alice.ID)
	}
	tests := []struct{ name, email, password string }{
		{"wrong password", "alice@example.org", "correct horse battery!"},
		{"empty password", "alice@example.org", ""},
		{"unknown email", "carol@example.org", password},
		{"member without a password", "max@example.org", ""},
		{"member who left", "bob@example.org", password},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.db.Authenticate(tc.email, tc.password)
			wantIs(t, err, ledger.ErrUnauthenticated)
			if m.ID != "" {
				t.Errorf("refused sign-in returned member %s", m.ID)
			}
		})
	}
}

func TestSetPassword_Refusals(t *testing.T) {
	c := newCoop(t)
	err := refused(t, c.db, func() error { return c.db.SetPassword(c.alice, c.alice.ID, "short") })
	wantField(t, err, "password")
	err = refused(t, c.db, func() error { return c.db.SetPassword(c.alice, c.alice.ID, "ten chars\x00!") })
	wantField(t, err, "password")
	err = refused(t, c.db, func() error { return c.db.SetPassword(c.bea, c.alice.ID, password) })
	wantIs(t, err, ledger.ErrForbidden)
	err = refused(t, c.db, func() error { return c.db.SetPassword(c.ada, "m999999", password) })
	wantIs(t, err, ledger.ErrNotFound)
}

func TestSession_CreateResolveDelete(t *testing.T) {
	c := newCoop(t)
	token, sess, err := c.db.CreateSession(c.alice.ID, time.Hour)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if token == "" || sess.CSRF == "" || sess.MemberID != c.alice.ID || !sess.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("session = %+v, token %q", sess, token)
	}
	got, m, err := c.db.SessionMember(token)
	if err != nil || m.ID != c.alice.ID || got.CSRF != sess.CSRF {
		t.Fatalf("SessionMember = %+v, %s, %v", got, m.ID, err)
	}
	other, _, err := c.db.CreateSession(c.alice.ID, time.Hour)
	if err != nil || other == token {
		t.Fatalf("second session %q, %v: want a new token", other, err)
	}

	if err := c.db.DeleteSession(token); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, _, err = c.db.SessionMember(token)
	wantIs(t, err, ledger.ErrUnauthenticated)
	if _, _, err := c.db.SessionMember(other); err != nil {
		t.Errorf("signing one browser out ended another session: %v", err)
	}
	for _, bad := range []string{"", "s_", token + "x", strings.ToUpper(other)} {
		_, _, err := c.db.SessionMember(bad)
		wantIs(t, err, ledger.ErrUnauthenticated)
	}
	_, _, err = refused2(t, c, func() (string, store.Session, error) { return c.db.CreateSession("m999999", time.Hour) })
	wantIs(t, err, ledger.ErrNotFound)
}

func refused2(t *testing.T, c *coop, fn func() (string, store.Session, error)) (string, store.Session, error) {
	t.Helper()
	var tok string
	var sess store.Session
	err := refused(t, c.db, func() error {
		var err error
		tok, sess, err = fn()
		return err
	})
	return tok, sess, err
}

func TestSession_Expired_Unauthenticated(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	token, _, err := db.CreateSession(c.alice.ID, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2*time.Hour - time.Second)
	if _, _, err := db.SessionMember(token); err != nil {
		t.Fatalf("one second before expiry: %v", err)
	}
	clock.Advance(time.Second)
	_, _, err = db.SessionMember(token)
	wantIs(t, err, ledger.ErrUnauthenticated)
}

func TestSession_MemberLeft_Unauthenticated(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	token, _, err := db.CreateSession(c.alice.ID, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	apiToken, err := db.CreateAPIToken(c.alice, c.alice.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMember(c.ada, c.alice.ID, ledger.MemberInput{Left: s("2024-06-15")}); err != nil {
		t.Fatal(err)
	}
	// The day she leaves is still hers.
	if _, _, err := db.SessionMember(token); err != nil {
		t.Fatalf("on the day she leaves: %v", err)
	}
	clock.Advance(24 * time.Hour)
	_, _, err = db.SessionMember(token)
	wantIs(t, err, ledger.ErrUnauthenticated)
	_, err = db.TokenMember(apiToken)
	wantIs(t, err, ledger.ErrUnauthenticated)
}

// Only hashes of session and API tokens are stored: the raw token, or any
// long piece of it, never appears in the file.
func TestAPIToken_StoredHashed(t *testing.T) {
	c := newCoop(t)
	token, err := c.db.CreateAPIToken(c.alice, c.alice.ID, " laptop ")
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	m, err := c.db.TokenMember(token)
	if err != nil || m.ID != c.alice.ID {
		t.Fatalf("TokenMember = %s, %v; want %s", m.ID, err, c.alice.ID)
	}
	adminMade, err := c.db.CreateAPIToken(c.ada, c.bob.ID, "")
	if err != nil {
		t.Fatalf("admin creates a token for another: %v", err)
	}
	if m, err := c.db.TokenMember(adminMade); err != nil || m.ID != c.bob.ID {
		t.Errorf("TokenMember = %s, %v; want %s", m.ID, err, c.bob.ID)
	}
	session, _, err := c.db.CreateSession(c.alice.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	file, err := os.ReadFile(c.db.Bolt().Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, adminMade, session} {
		if len(secret) < 40 {
			t.Fatalf("token %q is too short to be a 256-bit secret", secret)
		}
		for _, part := range []string{secret, secret[len(secret)-24:], secret[3:27]} {
			if bytes.Contains(file, []byte(part)) {
				t.Errorf("the file holds %q of token %q", part, secret)
			}
		}
	}

	for _, bad := range []string{"", token[:len(token)-1], token + "A", "cl_" + strings.Repeat("A", 43)} {
		_, err := c.db.TokenMember(bad)
		wantIs(t, err, ledger.ErrUnauthenticated)
	}
	err = refused(t, c.db, func() error { _, err := c.db.CreateAPIToken(c.bea, c.alice.ID, "x"); return err })
	wantIs(t, err, ledger.ErrForbidden)
	err = refused(t, c.db, func() error { _, err := c.db.CreateAPIToken(c.alice, c.alice.ID, strings.Repeat("n", 101)); return err })
	wantField(t, err, "name")
}

func createLink(t *testing.T, db *store.DB, actor ledger.Member, memberID string, ttl time.Duration) (string, error) {
	t.Helper()
	var link string
	err := db.Update(func(tx *store.Tx) error {
		var err error
		link, err = tx.CreateLoginLink(actor, memberID, ttl)
		return err
	})
	return link, err
}

func TestLoginLink_WorksOnce(t *testing.T) {
	c := newCoop(t)
	link, err := createLink(t, c.db, ledger.System, c.ada.ID, time.Hour)
	if err != nil {
		t.Fatalf("CreateLoginLink: %v", err)
	}
	token, sess, err := c.db.RedeemLoginLink(link, 8*time.Hour)
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	if sess.MemberID != c.ada.ID || !sess.ExpiresAt.Equal(now.Add(8*time.Hour)) {
		t.Errorf("session = %+v", sess)
	}
	if _, m, err := c.db.SessionMember(token); err != nil || m.ID != c.ada.ID {
		t.Errorf("session of the link = %s, %v", m.ID, err)
	}
	_, _, err = refused2(t, c, func() (string, store.Session, error) { return c.db.RedeemLoginLink(link, time.Hour) })
	wantIs(t, err, ledger.ErrUnauthenticated)
	_, _, err = refused2(t, c, func() (string, store.Session, error) { return c.db.RedeemLoginLink("l_nonsense", time.Hour) })
	wantIs(t, err, ledger.ErrUnauthenticated)

	err = refused(t, c.db, func() error { _, err := createLink(t, c.db, c.alice, c.alice.ID, time.Hour); return err })
	wantIs(t, err, ledger.ErrForbidden)
	err = refused(t, c.db, func() error { _, err := createLink(t, c.db, c.ada, "m999999", time.Hour); return err })
	wantIs(t, err, ledger.ErrNotFound)
}

func TestLoginLink_Expired_Unauthenticated(t *testing.T) {
	clock := storetest.NewClock(now)
	db := storetest.OpenDBClock(t, clock.Now)
	c := seedCoop(t, db)
	link, err := createLink(t, db, c.ada, c.alice.ID, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(15 * time.Minute)
	_, _, err = db.RedeemLoginLink(link, time.Hour)
	wantIs(t, err, ledger.ErrUnauthenticated)
}
