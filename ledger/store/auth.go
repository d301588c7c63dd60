package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
	"golang.org/x/crypto/argon2"
)

// PasswordParams is the argon2id cost. The default is OWASP's recommended
// minimum (19 MiB, 2 passes, 1 lane): about 30 ms on one core.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPasswordParams is used unless Options.Password says otherwise.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

const maxPasswordLen = 256

// hashPassword returns an argon2id hash in the PHC string format, which
// carries its own parameters so they can be raised later.
func hashPassword(p PasswordParams, password string) string {
	salt := randomBytes(16)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// checkPassword compares in constant time.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return b
}

// newSecret returns a random token for a client to hold and the key the
// store files it under: only the SHA-256 of a secret is ever stored, so a
// copy of the file does not let anyone sign in.
func newSecret(prefix string) (token string, key []byte) {
	token = prefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	return token, secretKey(token)
}

func secretKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	switch {
	case !utf8.ValidString(pw) || strings.ContainsRune(pw, 0):
		return ledger.FieldError("password", "must be text")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return ledger.FieldError("password", fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	case len(pw) > maxPasswordLen:
		return ledger.FieldError("password", fmt.Sprintf("must be at most %d bytes", maxPasswordLen))
	}
	return nil
}

// SetPassword sets a member's sign-in password: their own, or anyone's for
// an admin. The hash is computed before the transaction starts.
func (db *DB) SetPassword(actor ledger.Member, memberID, password string) error {
	if actor.ID != memberID && !actor.IsAdmin() {
		return fmt.Errorf("set password of %s: %w", memberID, ledger.ErrForbidden)
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash := hashPassword(db.pw, password)
	return db.Write(func(tx *Tx) error { return tx.setPasswordHash(actor, memberID, hash) })
}

// SetPassword sets a password inside a larger transaction (demo loading).
func (tx *Tx) SetPassword(actor ledger.Member, memberID, password string) error {
	if actor.ID != memberID && !actor.IsAdmin() {
		return fmt.Errorf("set password of %s: %w", memberID, ledger.ErrForbidden)
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	return tx.setPasswordHash(actor, memberID, hashPassword(tx.db.pw, password))
}

func (tx *Tx) setPasswordHash(actor ledger.Member, memberID, hash string) error {
	m, err := tx.Member(memberID)
	if err != nil {
		return err
	}
	seq, _ := parseID(prefixMember, m.ID)
	if err := tx.tx.Bucket(bucketCredentials).Put(u64(seq), []byte(hash)); err != nil {
		return err
	}
	return tx.audit(actor, "member.password", m.ID, nil)
}

// dummyHash is checked against when an address is unknown, so that sign-in
// takes as long for a wrong address as for a wrong password.
var dummyHash = sync.OnceValue(func() string { return hashPassword(DefaultPasswordParams, "not a password") })

// Authenticate checks an address and password. Any failure, including a
// member who has left, is ErrUnauthenticated, so the answer never tells
// which addresses exist.
func (db *DB) Authenticate(email, password string) (ledger.Member, error) {
	var m ledger.Member
	var hash string
	err := db.View(func(tx *Tx) error {
		var err error
		if m, err = tx.MemberByEmail(email); err != nil {
			return err
		}
		seq, _ := parseID(prefixMember, m.ID)
		hash = string(tx.tx.Bucket(bucketCredentials).Get(u64(seq)))
		return nil
	})
	if err != nil || hash == "" {
		checkPassword(dummyHash(), password)
		return ledger.Member{}, fmt.Errorf("sign in: %w", ledger.ErrUnauthenticated)
	}
	if !checkPassword(hash, password) || !m.Active(ledger.Today(db.now())) {
		return ledger.Member{}, fmt.Errorf("sign in: %w", ledger.ErrUnauthenticated)
	}
	return m, nil
}

// Session is a signed-in browser. The cookie holds the token; the store
// holds its hash, the member and the CSRF token its forms must echo.
//
// A session ends at ExpiresAt (the absolute limit, --session-ttl) or once
// it has been idle for the idle limit the caller of ResumeSession passes
// (--session-idle). LastSeen moves on at most once a TouchEvery, so a busy
// browser costs one small write a minute rather than one per request.
type Session struct {
	MemberID  string    `json:"member_id"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// LastSeen is when the session was last used, to TouchEvery; zero in
	// sessions stored before idle expiry existed (CreatedAt stands in).
	LastSeen time.Time `json:"last_seen,omitzero"`
	// Via says how the browser signed in: password, link or sso.
	Via string `json:"via,omitempty"`
	// ReadOnly sessions may only read: single sign-on opens them for members
	// who have left when the server is set to let them look
	// (--oidc-inactive=read-only). They resolve for an inactive member.
	ReadOnly bool `json:"read_only,omitempty"`
}

// How a session was opened (Session.Via).
const (
	ViaPassword = "password"
	ViaLink     = "link"
	ViaSSO      = "sso"
)

// TouchEvery is how stale a session's LastSeen may get before a request
// moves it on.
const TouchEvery = time.Minute

// SessionOptions describe a new session.
type SessionOptions struct {
	TTL      time.Duration
	Via      string
	ReadOnly bool
	// Subject names the single sign-on account ("issuer subject") in the
	// audit log.
	Subject string
}

// CreateSession signs a member in for ttl and returns the cookie token.
func (db *DB) CreateSession(memberID string, ttl time.Duration) (token string, s Session, err error) {
	return db.OpenSession(memberID, SessionOptions{TTL: ttl, Via: ViaPassword})
}

// OpenSession signs a member in as o says and returns the cookie token.
func (db *DB) OpenSession(memberID string, o SessionOptions) (token string, s Session, err error) {
	err = db.Write(func(tx *Tx) error {
		token, s, err = tx.createSession(memberID, o)
		return err
	})
	return token, s, err
}

func (tx *Tx) createSession(memberID string, o SessionOptions) (string, Session, error) {
	m, err := tx.Member(memberID)
	if err != nil {
		return "", Session{}, err
	}
	token, key := newSecret("s_")
	s := Session{MemberID: m.ID, CSRF: base64.RawURLEncoding.EncodeToString(randomBytes(24)),
		CreatedAt: tx.now.UTC(), ExpiresAt: tx.now.Add(o.TTL).UTC(), LastSeen: tx.now.UTC(),
		Via: o.Via, ReadOnly: o.ReadOnly}
	if err := put(tx.tx.Bucket(bucketSessions), key, s); err != nil {
		return "", Session{}, err
	}
	var data any
	if o.Via != "" || o.ReadOnly {
		d := map[string]any{"via": o.Via}
		if o.ReadOnly {
			d["read_only"] = true
		}
		if o.Subject != "" {
			d["subject"] = o.Subject
		}
		data = d
	}
	return token, s, tx.audit(m, "session.create", m.ID, data)
}

// SessionMember resolves a session token to its session and member, with
// no idle limit and without marking the session used. Expired sessions,
// and members who have left (unless the session is read-only), are
// ErrUnauthenticated.
func (db *DB) SessionMember(token string) (s Session, m ledger.Member, err error) {
	err = db.View(func(tx *Tx) error {
		s, m, err = tx.session(token, 0)
		return err
	})
	return s, m, err
}

// ResumeSession resolves a session token as SessionMember does, and also
// ends a session unused for idle or longer (idle 0: no idle limit). It
// moves LastSeen on when it is TouchEvery old or more; that write is
// best-effort, since losing one only brings the idle end nearer.
func (db *DB) ResumeSession(token string, idle time.Duration) (s Session, m ledger.Member, err error) {
	var touch bool
	err = db.View(func(tx *Tx) error {
		s, m, err = tx.session(token, idle)
		touch = err == nil && tx.now.Sub(s.lastSeen()) >= TouchEvery
		return err
	})
	if !touch || db.readOnly {
		return s, m, err
	}
	_ = db.Write(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSessions)
		var cur Session
		if found, err := get(b, secretKey(token), &cur); err != nil || !found {
			return err
		}
		cur.LastSeen = tx.now.UTC()
		return put(b, secretKey(token), cur)
	})
	return s, m, nil
}

// ended reports whether the session can no longer sign anybody in at now:
// past its absolute end, or (idle > 0) unused for idle. Refusing a session
// and purging it use this one test.
func (s Session) ended(now time.Time, idle time.Duration) bool {
	return !now.Before(s.ExpiresAt) || (idle > 0 && !now.Before(s.lastSeen().Add(idle)))
}

func (s Session) lastSeen() time.Time {
	if s.LastSeen.IsZero() {
		return s.CreatedAt
	}
	return s.LastSeen
}

func (tx *Tx) session(token string, idle time.Duration) (s Session, m ledger.Member, err error) {
	s, found, err := getCached(&tx.db.sessions, tx.tx.Bucket(bucketSessions), secretKey(token))
	if err != nil {
		return s, m, err
	}
	if !found || s.ended(tx.now, 0) {
		return s, m, fmt.Errorf("session: %w", ledger.ErrUnauthenticated)
	}
	if s.ended(tx.now, idle) {
		return s, m, fmt.Errorf("session idle since %s: %w", s.lastSeen().Format(time.RFC3339), ledger.ErrUnauthenticated)
	}
	if s.ReadOnly {
		if m, err = tx.Member(s.MemberID); err != nil {
			return s, m, fmt.Errorf("credentials: %w", ledger.ErrUnauthenticated)
		}
		return s, m, nil
	}
	m, err = tx.activeMember(s.MemberID)
	return s, m, err
}

// DeleteSession signs a browser out on the server side.
func (db *DB) DeleteSession(token string) error {
	return db.Write(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSessions)
		var s Session
		if found, err := get(b, secretKey(token), &s); err != nil || !found {
			return err
		}
		if err := b.Delete(secretKey(token)); err != nil {
			return err
		}
		return tx.audit(ledger.Member{ID: s.MemberID}, "session.delete", s.MemberID, nil)
	})
}

func (tx *Tx) activeMember(id string) (ledger.Member, error) {
	m, err := tx.Member(id)
	if err != nil {
		return m, fmt.Errorf("credentials: %w", ledger.ErrUnauthenticated)
	}
	if !m.Active(ledger.Today(tx.now)) {
		return m, fmt.Errorf("member %s is not a member today (joined %s, left %q): %w", m.ID, m.Joined, m.Left, ledger.ErrUnauthenticated)
	}
	return m, nil
}

// APIToken is a bearer credential for scripts and integrations.
type APIToken struct {
	MemberID  string    `json:"member_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateAPIToken issues a bearer token for a member: their own, or anyone's
// for an admin. The token is returned once and stored hashed.
func (tx *Tx) CreateAPIToken(actor ledger.Member, memberID, name string) (string, error) {
	if actor.ID != memberID && !actor.IsAdmin() {
		return "", fmt.Errorf("create token for %s: %w", memberID, ledger.ErrForbidden)
	}
	m, err := tx.Member(memberID)
	if errors.Is(err, ledger.ErrNotFound) {
		// The body named them: a field error, as for time entries.
		return "", ledger.FieldError("member_id", "unknown member "+memberID)
	}
	if err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if !ledger.ValidLine(name, 100) {
		return "", ledger.FieldError("name", "must be at most 100 characters on one line")
	}
	token, key := newSecret("cl_")
	if err := put(tx.tx.Bucket(bucketTokens), key, APIToken{MemberID: m.ID, Name: name, CreatedAt: tx.now.UTC()}); err != nil {
		return "", err
	}
	return token, tx.audit(actor, "token.create", m.ID, map[string]string{"name": name})
}

// CreateAPIToken issues a token in a transaction of its own.
func (db *DB) CreateAPIToken(actor ledger.Member, memberID, name string) (token string, err error) {
	err = db.Write(func(tx *Tx) error { token, err = tx.CreateAPIToken(actor, memberID, name); return err })
	return token, err
}

// TokenMember resolves a bearer token to its member.
func (db *DB) TokenMember(token string) (m ledger.Member, err error) {
	key := secretKey(token)
	if m, ok := db.tokenHits.lookup(key, ledger.Today(db.now())); ok {
		return m, nil
	}
	g := db.tokenHits.generation.Load()
	defer func() {
		if err == nil {
			db.tokenHits.remember(key, g, m)
		}
	}()
	err = db.View(func(tx *Tx) error {
		// The token's record is read only when tokenHits has not got it:
		// after a member changes, or on a token's first use.
		var t APIToken
		found, err := get(tx.tx.Bucket(bucketTokens), key, &t)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("token: %w", ledger.ErrUnauthenticated)
		}
		m, err = tx.activeMember(t.MemberID)
		return err
	})
	return m, err
}

// loginLink is a one-time sign-in link, used to hand the first admin in.
type loginLink struct {
	MemberID  string    `json:"member_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ended reports whether the link can no longer be redeemed at now.
func (l loginLink) ended(now time.Time) bool { return !now.Before(l.ExpiresAt) }

// CreateLoginLink returns a token that signs memberID in once within ttl.
func (tx *Tx) CreateLoginLink(actor ledger.Member, memberID string, ttl time.Duration) (string, error) {
	if !actor.IsAdmin() {
		return "", fmt.Errorf("create sign-in link: %w", ledger.ErrForbidden)
	}
	if _, err := tx.Member(memberID); err != nil {
		return "", err
	}
	token, key := newSecret("l_")
	if err := put(tx.tx.Bucket(bucketLoginLinks), key, loginLink{MemberID: memberID, ExpiresAt: tx.now.Add(ttl).UTC()}); err != nil {
		return "", err
	}
	return token, tx.audit(actor, "loginlink.create", memberID, nil)
}

// RedeemLoginLink consumes a one-time link and opens a session for its
// member in the same transaction, so a link never works twice.
func (db *DB) RedeemLoginLink(link string, ttl time.Duration) (token string, s Session, err error) {
	err = db.Write(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketLoginLinks)
		var l loginLink
		found, err := get(b, secretKey(link), &l)
		if err != nil {
			return err
		}
		if !found || l.ended(tx.now) {
			return fmt.Errorf("sign-in link: %w", ledger.ErrUnauthenticated)
		}
		if err := b.Delete(secretKey(link)); err != nil {
			return err
		}
		token, s, err = tx.createSession(l.MemberID, SessionOptions{TTL: ttl, Via: ViaLink})
		return err
	})
	return token, s, err
}
