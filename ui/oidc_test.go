package ui_test

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
)

func TestSSO_SignIn_PKCE(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	alice := storetest.MustMember(t, a.db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil)
	o.user("alice@example.org", true)

	b := newWebBrowser(t)
	// A session the browser already holds is ended by the sign-in, and a
	// new token issued in its place.
	old, _, err := a.db.CreateSession(alice.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(a.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: ui.SessionCookie, Value: old, Path: "/"}})

	authURL := b.toProvider(a)
	q := authURL.Query()
	if !strings.HasPrefix(authURL.String(), o.issuer) || q.Get("response_type") != "code" || q.Get("client_id") != opClientID ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" ||
		!strings.Contains(q.Get("scope"), "openid") || q.Get("redirect_uri") != opRedirect {
		t.Fatalf("authorization request %s", authURL)
	}
	res, body := b.get(b.throughProvider(a, authURL))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/timesheet" {
		t.Fatalf("callback = %d to %q: %.300s", res.StatusCode, res.Header.Get("Location"), body)
	}
	// The code went back with the verifier whose S256 is the challenge.
	o.mu.Lock()
	form := o.tokenForms[len(o.tokenForms)-1]
	o.mu.Unlock()
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	if form.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != q.Get("code_challenge") {
		t.Errorf("token request %v does not carry the PKCE verifier of challenge %s", form, q.Get("code_challenge"))
	}
	tok := b.cookie(a, ui.SessionCookie)
	if tok == "" || tok == old {
		t.Fatalf("session cookie %q after sign-in, had %q", tok, old)
	}
	if _, _, err := a.db.SessionMember(old); err == nil {
		t.Error("the session held before signing in still works")
	}
	sess, m, err := a.db.SessionMember(tok)
	if err != nil || m.ID != alice.ID || sess.Via != store.ViaSSO || sess.ReadOnly {
		t.Fatalf("new session = %+v, %s, %v", sess, m.ID, err)
	}
	if status, me := b.me(a); status != http.StatusOK || !strings.Contains(me, alice.ID) {
		t.Errorf("GET /me = %d %s", status, me)
	}
	// Without a group map, SSO leaves roles alone.
	if m.Name != "Alice" || !reflect.DeepEqual(m.Roles, alice.Roles) {
		t.Errorf("member changed by a sign-in without a group map: %+v", m)
	}

	// The provider refuses a code redeemed without the verifier: PKCE is
	// enforced there too, not just sent.
	authURL = b.toProvider(a)
	cb, _ := url.Parse(b.throughProvider(a, authURL))
	r, err := http.PostForm(o.issuer+"/oauth/token", url.Values{"grant_type": {"authorization_code"},
		"code": {cb.Query().Get("code")}, "redirect_uri": {opRedirect}, "client_id": {opClientID}, "client_secret": {opClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode == http.StatusOK {
		t.Error("the provider exchanged a PKCE code without its verifier")
	}
}

func TestSSO_GroupMapSetsRolesAndClasses(t *testing.T) {
	o := newTestOP(t)
	g, err := ledger.ParseGroupMap("coop-board=board,coop-ops=ops,coop-ops=class:ops")
	if err != nil {
		t.Fatal(err)
	}
	a := newSSOApp(t, o, nil, func(c *ui.Config) { c.SSOPolicy.GroupMap = g })
	ada := storetest.MustMember(t, a.db, "Ada", "ada@example.org", []ledger.Role{ledger.RoleAdmin}, []ledger.Class{ledger.ClassUser})

	o.user("ada@example.org", true, "coop-board", "coop-ops", "everyone")
	b := newWebBrowser(t)
	if res, body := b.signIn(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d: %.300s", res.StatusCode, body)
	}
	m, err := a.db.Member(ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ledger.Role{ledger.RoleAdmin, ledger.RoleBoard, ledger.RoleOps}; !reflect.DeepEqual(m.Roles, want) {
		t.Errorf("roles = %v, want %v (admin kept: the map does not name it)", m.Roles, want)
	}
	if want := []ledger.Class{ledger.ClassOps, ledger.ClassUser}; !reflect.DeepEqual(m.Classes, want) {
		t.Errorf("classes = %v, want %v", m.Classes, want)
	}
	// Out of coop-ops at the provider: out of ops here at the next sign-in.
	o.user("ada@example.org", true, "coop-board")
	if res, body := newWebBrowser(t).signIn(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in = %d: %.300s", res.StatusCode, body)
	}
	m, _ = a.db.Member(ada.ID)
	if want := []ledger.Role{ledger.RoleAdmin, ledger.RoleBoard}; !reflect.DeepEqual(m.Roles, want) {
		t.Errorf("roles after leaving coop-ops = %v, want %v", m.Roles, want)
	}
	if want := []ledger.Class{ledger.ClassUser}; !reflect.DeepEqual(m.Classes, want) {
		t.Errorf("classes after leaving coop-ops = %v, want %v", m.Classes, want)
	}
}

func TestSSO_LinksBySecondaryAddress(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	alice := storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	if _, err := a.db.UpdateMember(ledger.System, alice.ID, ledger.MemberInput{Emails: &[]string{"alice@idp.example"}}); err != nil {
		t.Fatal(err)
	}
	o.user("Alice@IdP.example", true)
	b := newWebBrowser(t)
	if res, body := b.signIn(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d: %.300s", res.StatusCode, body)
	}
	if status, me := b.me(a); status != http.StatusOK || !strings.Contains(me, `"id":"`+alice.ID+`"`) {
		t.Errorf("GET /me = %d %s, want Alice", status, me)
	}
}

// refusedSignIn signs in at a and wants status, a page saying want, no
// session cookie and an unchanged store.
func refusedSignIn(t *testing.T, a *ssoApp, status int, want string) {
	t.Helper()
	before := storetest.Snapshot(t, a.db)
	b := newWebBrowser(t)
	res, body := b.signIn(a)
	if res.StatusCode != status {
		t.Fatalf("sign-in = %d, want %d: %.400s", res.StatusCode, status, body)
	}
	mustContain(t, "refusal page", body, want)
	if tok := b.cookie(a, ui.SessionCookie); tok != "" {
		t.Errorf("a refused sign-in set a session cookie")
	}
	if storetest.Snapshot(t, a.db) != before {
		t.Error("a refused sign-in changed the store")
	}
}

func TestSSO_UnverifiedAddressRefused(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, func(c *ui.Config) { c.SSOPolicy.CreateMembers = true })
	storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	o.user("alice@example.org", false)
	refusedSignIn(t, a, http.StatusForbidden, "has not verified your email address")
}

func TestSSO_UnknownAddress_RefusedOrCreated(t *testing.T) {
	o := newTestOP(t)
	o.user("carol@example.org", true, "coop-ops")
	refusing := newSSOApp(t, o, nil, nil)
	refusedSignIn(t, refusing, http.StatusForbidden, "No member of this co-op has the address carol@example.org")

	g, _ := ledger.ParseGroupMap("coop-ops=ops,coop-ops=class:ops")
	creating := newSSOApp(t, o, nil, func(c *ui.Config) {
		c.SSOPolicy.CreateMembers = true
		c.SSOPolicy.GroupMap = g
	})
	b := newWebBrowser(t)
	if res, body := b.signIn(creating); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d: %.300s", res.StatusCode, body)
	}
	m, err := creating.db.MemberByEmail("carol@example.org")
	if err != nil {
		t.Fatalf("no member created: %v", err)
	}
	if m.Name != "Pat Doe" || !reflect.DeepEqual(m.Roles, []ledger.Role{ledger.RoleOps}) ||
		!reflect.DeepEqual(m.Classes, []ledger.Class{ledger.ClassOps}) || m.Joined != "2024-06-15" {
		t.Errorf("created %+v", m)
	}
	if status, me := b.me(creating); status != http.StatusOK || !strings.Contains(me, m.ID) {
		t.Errorf("GET /me = %d %s", status, me)
	}
}

func TestSSO_MemberWhoLeft_RefusedOrReadOnly(t *testing.T) {
	o := newTestOP(t)
	o.user("bob@example.org", true)
	db := storetest.OpenDB(t, pageNow)
	bob := storetest.MustMember(t, db, "Bob", "bob@example.org", []ledger.Role{ledger.RoleOps}, nil)
	if _, err := db.UpdateMember(ledger.System, bob.ID, ledger.MemberInput{Left: ptr("2024-05-31")}); err != nil {
		t.Fatal(err)
	}
	circle := storetest.MustCircle(t, db, "tech")
	refusedSignIn(t, newSSOApp(t, o, db, nil), http.StatusForbidden, "Your membership has ended")

	a := newSSOApp(t, o, db, func(c *ui.Config) { c.SSOPolicy.InactiveReadOnly = true })
	b := newWebBrowser(t)
	if res, body := b.signIn(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("read-only sign-in = %d: %.300s", res.StatusCode, body)
	}
	tok := b.cookie(a, ui.SessionCookie)
	sess, _, err := db.SessionMember(tok)
	if err != nil || !sess.ReadOnly {
		t.Fatalf("session %+v, %v; want read-only", sess, err)
	}
	if status, me := b.me(a); status != http.StatusOK || !strings.Contains(me, bob.ID) {
		t.Errorf("GET /me = %d %s", status, me)
	}
	if res, _ := b.get(a.base + "/statement"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /statement = %d, want 200", res.StatusCode)
	}
	before := storetest.Snapshot(t, db)
	req, _ := http.NewRequest("POST", a.base+"/api/v1/time-entries",
		strings.NewReader(`{"date":"2024-05-30","hours":"1","circle_id":"`+circle.ID+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(ui.CSRFHeader, sess.CSRF)
	res, body := b.do(req)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "read-only") {
		t.Errorf("write in a read-only session = %d %s, want 403", res.StatusCode, body)
	}
	if storetest.Snapshot(t, db) != before {
		t.Error("a refused write changed the store")
	}
	req, _ = http.NewRequest("POST", a.base+"/auth/logout", strings.NewReader(url.Values{"_csrf": {sess.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, body := b.do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign out of a read-only session = %d: %.300s", res.StatusCode, body)
	}
	if _, _, err := db.SessionMember(tok); err == nil {
		t.Error("the session outlived signing out")
	}
}

// The state: missing, another browser's, or used once already.
func TestSSO_StateChecks(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	o.user("alice@example.org", true)

	b := newWebBrowser(t)
	callback := b.throughProvider(a, b.toProvider(a))
	cb, _ := url.Parse(callback)
	state := cb.Query().Get("state")

	t.Run("missing state", func(t *testing.T) {
		q := cb.Query()
		q.Del("state")
		before := storetest.Snapshot(t, a.db)
		req, _ := http.NewRequest("GET", a.base+"/auth/oidc/callback?"+q.Encode(), nil)
		req.AddCookie(&http.Cookie{Name: "coopledger_oidc", Value: state})
		res, body := newWebBrowser(t).do(req)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "start again") {
			t.Errorf("callback without state = %d: %.300s", res.StatusCode, body)
		}
		if storetest.Snapshot(t, a.db) != before {
			t.Error("store changed")
		}
	})
	t.Run("another browser's state", func(t *testing.T) {
		res, body := newWebBrowser(t).get(callback)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("callback in a browser that did not start the sign-in = %d: %.300s", res.StatusCode, body)
		}
	})
	// The browser that started it signs in once...
	res, body := b.get(callback)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback = %d: %.300s", res.StatusCode, body)
	}
	t.Run("replayed state", func(t *testing.T) {
		// ...and the same answer again, even with the state cookie put
		// back, is refused before any code is redeemed.
		o.mu.Lock()
		exchanges := len(o.tokenForms)
		o.mu.Unlock()
		before := storetest.Snapshot(t, a.db)
		req, _ := http.NewRequest("GET", callback, nil)
		req.AddCookie(&http.Cookie{Name: "coopledger_oidc", Value: state})
		res, body := newWebBrowser(t).do(req)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
			t.Errorf("replayed callback = %d: %.300s", res.StatusCode, body)
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		if len(o.tokenForms) != exchanges {
			t.Error("a replayed callback reached the provider's token endpoint")
		}
		if storetest.Snapshot(t, a.db) != before {
			t.Error("store changed")
		}
	})
}

func TestSSO_NonceMismatchRefused(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	o.user("alice@example.org", true)
	b := newWebBrowser(t)
	authURL := b.toProvider(a)
	q := authURL.Query()
	q.Set("nonce", "a-nonce-this-browser-never-got")
	authURL.RawQuery = q.Encode()
	before := storetest.Snapshot(t, a.db)
	res, body := b.get(b.throughProvider(a, authURL))
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "could not be verified") {
		t.Fatalf("callback with another nonce = %d: %.300s", res.StatusCode, body)
	}
	if b.cookie(a, ui.SessionCookie) != "" || storetest.Snapshot(t, a.db) != before {
		t.Error("a refused sign-in signed the browser in or changed the store")
	}
	mustContain(t, "log", a.log.String(), "nonce")
}

// ID tokens the provider's token endpoint is made to return, verified by
// the app's real go-oidc verifier against the provider's published keys.
func TestSSO_ForgedIDTokensRefused(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	alice := storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	o.user("alice@example.org", true)
	key, kid := o.signingKey()
	otherKey := newRSAKey(t)
	now := time.Now()

	tests := []struct {
		name   string
		key    *rsa.PrivateKey
		change func(claims map[string]any)
		log    string
		ok     bool
	}{
		{name: "well-formed (the harness itself)", ok: true},
		{name: "wrong audience", change: func(c map[string]any) { c["aud"] = "another-app" }, log: "audience"},
		{name: "bad signature", key: otherKey, log: "signature"},
		{name: "expired", change: func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}, log: "expired"},
		{name: "another issuer", change: func(c map[string]any) { c["iss"] = "https://evil.example" }, log: "issued by a different provider"},
		{name: "several audiences, not authorized for us", change: func(c map[string]any) {
			c["aud"], c["azp"] = []string{"another-app", opClientID}, "another-app"
		}, log: "azp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newWebBrowser(t)
			authURL := b.toProvider(a)
			callback := b.throughProvider(a, authURL)
			claims := map[string]any{"iss": o.issuer, "sub": "ualice@example.org", "aud": opClientID,
				"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": authURL.Query().Get("nonce"),
				"email": "alice@example.org", "email_verified": true, "groups": []string{}}
			if tc.change != nil {
				tc.change(claims)
			}
			signWith := key
			if tc.key != nil {
				signWith = tc.key
			}
			o.answerTokens(craftedToken(t, signWith, kid, claims))
			t.Cleanup(func() { o.mu.Lock(); o.tokenHook = nil; o.mu.Unlock() })
			before, logged := storetest.Snapshot(t, a.db), len(a.log.String())
			res, body := b.get(callback)
			if tc.ok {
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("well-formed token refused: %d %.300s\n%s", res.StatusCode, body, a.log.String())
				}
				if status, me := b.me(a); status != http.StatusOK || !strings.Contains(me, alice.ID) {
					t.Fatalf("GET /me = %d %s", status, me)
				}
				return
			}
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "could not be verified") {
				t.Fatalf("callback = %d, want 401: %.300s", res.StatusCode, body)
			}
			if b.cookie(a, ui.SessionCookie) != "" || storetest.Snapshot(t, a.db) != before {
				t.Error("a refused token signed the browser in or changed the store")
			}
			mustContain(t, "log", a.log.String()[logged:], tc.log)
		})
	}
}

// A provider that is down at the first sign-in is asked again at the next:
// discovery is not cached until it works.
func TestSSO_ProviderDownThenUp(t *testing.T) {
	o := newTestOP(t)
	a := newSSOApp(t, o, nil, nil)
	storetest.MustMember(t, a.db, "Alice", "alice@example.org", nil, nil)
	o.user("alice@example.org", true)
	o.mu.Lock()
	o.down = true
	o.mu.Unlock()
	b := newWebBrowser(t)
	res, body := b.get(a.base + "/auth/oidc/login")
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "cannot be reached") {
		t.Fatalf("sign-in with the provider down = %d: %.300s", res.StatusCode, body)
	}
	o.mu.Lock()
	o.down = false
	o.mu.Unlock()
	if res, body := b.signIn(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in once the provider is back = %d: %.300s", res.StatusCode, body)
	}
}
