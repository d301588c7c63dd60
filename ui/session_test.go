package ui_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
	"github.com/gofiber/fiber/v2"
)

// gate is the real app on a store whose clock the test moves, and a
// sign-in throttle clock it moves too.
type gate struct {
	t     *testing.T
	app   *fiber.App
	db    *store.DB
	clock *storetest.Clock
	alice ledger.Member
}

func newGate(t *testing.T, change func(*ui.Config)) *gate {
	t.Helper()
	clock := storetest.NewClock(pageNow)
	db := storetest.OpenDBClock(t, clock.Now)
	cfg := ui.Config{DB: db, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)}
	if change != nil {
		change(&cfg)
	}
	app, err := ui.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{t: t, app: app, db: db, clock: clock}
	g.alice = storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil)
	if err := db.SetPassword(ledger.System, g.alice.ID, pagePassword); err != nil {
		t.Fatal(err)
	}
	return g
}

func (g *gate) do(req *http.Request) (*http.Response, string) {
	g.t.Helper()
	res, err := g.app.Test(req, -1)
	if err != nil {
		g.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// login posts the sign-in form (after fetching it for its CSRF cookie),
// with the session cookie old when not empty.
func (g *gate) login(email, password, old string) (*http.Response, string) {
	g.t.Helper()
	res, body := g.do(httptest.NewRequest("GET", "/login", nil))
	csrf := csrfField.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || csrf == nil {
		g.t.Fatalf("GET /login = %d without a CSRF field", res.StatusCode)
	}
	req := newFormRequest("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {csrf[1]}})
	req.AddCookie(&http.Cookie{Name: "coopledger_login_csrf", Value: cookieValue(res, "coopledger_login_csrf")})
	if old != "" {
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: old})
	}
	return g.do(req)
}

func (g *gate) me(session string) int {
	g.t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	res, _ := g.do(req)
	return res.StatusCode
}

func TestSignIn_RotatesSession(t *testing.T) {
	g := newGate(t, nil)
	old, _, err := g.db.CreateSession(g.alice.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res, body := g.login("alice@example.org", pagePassword, old)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d: %.300s", res.StatusCode, body)
	}
	fresh := cookieValue(res, ui.SessionCookie)
	if fresh == "" || fresh == old {
		t.Fatalf("session cookie after password sign-in = %q (had %q)", fresh, old)
	}
	if g.me(old) != http.StatusUnauthorized || g.me(fresh) != http.StatusOK {
		t.Error("after sign-in the old session still works or the new one does not")
	}

	// A one-time link rotates too.
	var link string
	if err := g.db.Update(func(tx *store.Tx) error {
		link, err = tx.CreateLoginLink(ledger.System, g.alice.ID, time.Hour)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/auth/link/"+link, nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: fresh})
	res, body = g.do(req)
	linked := cookieValue(res, ui.SessionCookie)
	if res.StatusCode != http.StatusSeeOther || linked == "" || linked == fresh {
		t.Fatalf("link sign-in = %d, cookie %q: %.300s", res.StatusCode, linked, body)
	}
	if g.me(fresh) != http.StatusUnauthorized || g.me(linked) != http.StatusOK {
		t.Error("after a link sign-in the old session still works or the new one does not")
	}
}

func TestSession_IdleAndAbsoluteExpiry(t *testing.T) {
	g := newGate(t, func(c *ui.Config) { c.SessionTTL = 4 * time.Hour; c.SessionIdle = time.Hour })
	tok, _, err := g.db.CreateSession(g.alice.ID, 4*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 { // used every 45 minutes: alive until the absolute end
		g.clock.Advance(45 * time.Minute)
		want := http.StatusOK
		if i == 5 {
			want = http.StatusUnauthorized // 4 h 30 m after sign-in
		}
		if got := g.me(tok); got != want {
			t.Fatalf("after %s: GET /me = %d, want %d", time.Duration(i+1)*45*time.Minute, got, want)
		}
	}
	idle, _, err := g.db.CreateSession(g.alice.ID, 4*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	g.clock.Advance(time.Hour - time.Second)
	if g.me(idle) != http.StatusOK {
		t.Fatal("session refused before its idle hour was up")
	}
	g.clock.Advance(time.Hour)
	if g.me(idle) != http.StatusUnauthorized {
		t.Fatal("session still works after an idle hour")
	}
}

func TestSignIn_Throttled(t *testing.T) {
	g := newGate(t, nil)
	before := storetest.Snapshot(t, g.db)
	for i := range 5 {
		if res, _ := g.login("alice@example.org", "not the password", ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, res.StatusCode)
		}
		g.clock.Advance(time.Minute)
	}
	// Locked: even the right password is not checked.
	res, body := g.login("ALICE@example.org", pagePassword, "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "600" ||
		!strings.Contains(body, "Too many failed sign-ins. Try again in 10 minutes.") {
		t.Fatalf("sixth try = %d, Retry-After %q: %.300s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if cookieValue(res, ui.SessionCookie) != "" || storetest.Snapshot(t, g.db) != before {
		t.Fatal("a throttled sign-in signed in or wrote to the store")
	}
	g.clock.Advance(10 * time.Minute)
	if res, _ := g.login("alice@example.org", pagePassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("once the first failure is 15 minutes old: %d, want 303", res.StatusCode)
	}

	// Per client address: 20 failures, spread over addresses typed.
	g = newGate(t, nil)
	for i := range 20 {
		if res, _ := g.login("nobody"+string(rune('a'+i))+"@example.org", "guess", ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, res.StatusCode)
		}
	}
	res, _ = g.login("alice@example.org", pagePassword, "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "900" {
		t.Fatalf("21st try from one address = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestBodyLimit_FormPost413(t *testing.T) {
	g := newGate(t, func(c *ui.Config) { c.BodyLimit = 4 << 10 })
	before := storetest.Snapshot(t, g.db)
	// Announce an 8 KiB form and send only the headers.
	status, body := announceBody(t, g.app, "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded", 8<<10)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 KiB form with a 4 KiB limit = %d: %.200s", status, body)
	}
	if storetest.Snapshot(t, g.db) != before {
		t.Error("an oversized request changed the store")
	}
}

func TestSecurityHeaders(t *testing.T) {
	g := newGate(t, nil)
	// Paths are case-sensitive: /API/V1 is not the API, whose headers and
	// error bodies are told by the path.
	if res, _ := g.do(httptest.NewRequest("GET", "/API/V1/me", nil)); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /API/V1/me = %d, want 404", res.StatusCode)
	}
	for _, path := range []string{"/login", "/api/v1/me", "/healthz"} {
		res, body := g.do(httptest.NewRequest("GET", path, nil))
		csp := res.Header.Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		if strings.HasPrefix(path, "/api/") {
			// JSON is never run or framed, and holds members' data: no
			// source at all, and no copy kept in a cache.
			if directives["default-src"] != "'none'" || directives["frame-ancestors"] != "'none'" {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, cc)
			}
			if xfo := res.Header.Get("X-Frame-Options"); xfo != "DENY" {
				t.Errorf("%s: X-Frame-Options %q", path, xfo)
			}
		} else if directives["script-src"] != "'self'" || directives["frame-ancestors"] != "'none'" ||
			directives["default-src"] != "'self'" || directives["base-uri"] != "'none'" {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, res.Header.Get("X-Content-Type-Options"))
		}
		if rp := res.Header.Get("Referrer-Policy"); rp != "same-origin" && rp != "no-referrer" && rp != "strict-origin-when-cross-origin" {
			t.Errorf("%s: Referrer-Policy %q", path, rp)
		}
		if path == "/login" {
			// The CSP would block inline code anyway; the page has none.
			inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+=|\sstyle=|<style`)
			if m := inline.FindString(body); m != "" {
				t.Errorf("sign-in page has inline script or style: %q", m)
			}
		}
	}
}

// Passwords, session cookies, API tokens, sign-in links, the client secret
// and the codes and tokens of single sign-on never reach the log, on
// success or on failure.
func TestLogs_NeverHoldSecrets(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	alice := storetest.MustMember(t, a.db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleAdmin}, nil)
	if err := a.db.SetPassword(ledger.System, alice.ID, pagePassword); err != nil {
		t.Fatal(err)
	}
	secrets := []string{pagePassword, opClientSecret, opPassword}

	// Password sign-in, failed and successful.
	b := newWebBrowser(t)
	signInForm := func(password string) *http.Response {
		_, body := b.get(a.base + "/login")
		csrf := csrfField.FindStringSubmatch(body)
		req, _ := http.NewRequest("POST", a.base+"/login", strings.NewReader(url.Values{"email": {"alice@example.org"},
			"password": {password}, "_csrf": {csrf[1]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, _ := b.do(req)
		return res
	}
	wrong := "wrong-password-1234567"
	secrets = append(secrets, wrong)
	signInForm(wrong)
	if res := signInForm(pagePassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in = %d", res.StatusCode)
	}
	session := b.cookie(a, ui.SessionCookie)
	sess, _, err := a.db.SessionMember(session)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, session, sess.CSRF)

	// An API token, used, and a wrong one.
	req, _ := http.NewRequest("POST", a.base+"/api/v1/tokens", strings.NewReader(`{"name":"script"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(ui.CSRFHeader, sess.CSRF)
	res, body := b.do(req)
	var tok struct{ Token string }
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &tok) != nil || tok.Token == "" {
		t.Fatalf("POST /tokens = %d %s", res.StatusCode, body)
	}
	secrets = append(secrets, tok.Token)
	for _, bearer := range []string{tok.Token, "cl_not-a-real-token-but-secret-looking"} {
		req, _ = http.NewRequest("GET", a.base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		newWebBrowser(t).do(req)
	}
	secrets = append(secrets, "cl_not-a-real-token-but-secret-looking")

	// A one-time link, redeemed and replayed.
	var link string
	if err := a.db.Update(func(tx *store.Tx) error {
		link, err = tx.CreateLoginLink(ledger.System, alice.ID, time.Hour)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, link)
	newWebBrowser(t).get(a.base + "/auth/link/" + link)
	newWebBrowser(t).get(a.base + "/auth/link/" + link)

	// Single sign-on: a success, a replay, and a refused token.
	o.user("alice@example.org", true)
	sb := newWebBrowser(t)
	authURL := sb.toProvider(a)
	callback := sb.throughProvider(a, authURL)
	if res, body := sb.get(callback); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("SSO sign-in = %d: %.300s", res.StatusCode, body)
	}
	cb, _ := url.Parse(callback)
	secrets = append(secrets, cb.Query().Get("code"), cb.Query().Get("state"), authURL.Query().Get("nonce"),
		sb.cookie(a, ui.SessionCookie))
	sb.get(callback)
	key, kid := o.signingKey()
	bad := craftedToken(t, key, kid, map[string]any{"iss": o.issuer, "sub": "x", "aud": "another-app",
		"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix()})
	o.answerTokens(bad)
	fb := newWebBrowser(t)
	fb.get(fb.throughProvider(a, fb.toProvider(a)))
	secrets = append(secrets, bad)

	logs := a.log.String()
	if !strings.Contains(logs, "route=/auth/oidc/callback") || !strings.Contains(logs, "sso sign-in failed") {
		t.Fatalf("the log lacks the requests this test made:\n%s", logs)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret under test is empty")
		}
		for _, part := range []string{s, s[len(s)*2/3:]} {
			if len(part) >= 8 && strings.Contains(logs, part) {
				t.Errorf("the log holds %q (of a secret %.12s…)", part, s)
			}
		}
	}
}
