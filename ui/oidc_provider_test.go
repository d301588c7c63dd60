package ui_test

// A real OpenID provider for the single sign-on tests: zitadel/oidc's op
// package with its example in-memory storage, on an httptest server on
// 127.0.0.1, plus the little the example leaves out (a groups claim, users
// chosen per test, a login step that signs the chosen user in at once).

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
	"github.com/coopledger/coopledger/ui/sso"
	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	opClientID     = "coopledger"
	opClientSecret = "client-secret-7f3c9a1e5b"
	opPassword     = "provider-password"
	// opRedirect is the callback registered at the provider. The browser
	// of these tests stops at the provider's redirect and takes the query
	// to whichever app is under test, so one provider serves them all.
	opRedirect = "http://127.0.0.1:1/auth/oidc/callback"
)

// testOP is the provider: its users, their groups, and hooks on its token
// endpoint.
type testOP struct {
	t        *testing.T
	issuer   string
	storage  *opStorage
	provider *op.Provider

	mu         sync.Mutex
	users      map[string]*storage.User // by id
	groups     map[string][]string      // by user id
	loginAs    string                   // username the login step signs in
	tokenForms []url.Values             // every token request's form
	tokenHook  func(w http.ResponseWriter, r *http.Request) bool
	down       bool // answer 503 to everything
}

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	o := &testOP{t: t, users: map[string]*storage.User{}, groups: map[string][]string{}}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	o.issuer = srv.URL
	client := storage.WebClient(opClientID, opClientSecret, opRedirect)
	o.storage = &opStorage{Storage: storage.NewStorageWithClients(o, map[string]*storage.Client{opClientID: client}), op: o}
	var err error
	o.provider, err = op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("test op")), CodeMethodS256: true,
		AuthMethodPost: true}, o.storage, op.StaticIssuer(o.issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("op.NewProvider: %v", err)
	}
	mux := http.NewServeMux()
	intercept := op.NewIssuerInterceptor(o.provider.IssuerFromRequest)
	mux.HandleFunc("/login/username", intercept.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("authRequestID")
		o.mu.Lock()
		user := o.loginAs
		o.mu.Unlock()
		if err := o.storage.CheckUsernamePassword(user, opPassword, id); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(o.provider)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", o.provider)
	handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		down := o.down
		o.mu.Unlock()
		if down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/oauth/token" {
			_ = r.ParseForm()
			o.mu.Lock()
			o.tokenForms = append(o.tokenForms, r.PostForm)
			hook := o.tokenHook
			o.mu.Unlock()
			if hook != nil && hook(w, r) {
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
	return o
}

// user adds a person at the provider; the next sign-in is theirs.
func (o *testOP) user(email string, verified bool, groups ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := "u" + email
	o.users[id] = &storage.User{ID: id, Username: email, Password: opPassword, FirstName: "Pat", LastName: "Doe",
		Email: email, EmailVerified: verified}
	o.groups[id] = groups
	o.loginAs = email
}

// The storage.UserStore the example storage reads users from.
func (o *testOP) GetUserByID(id string) *storage.User {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.users[id]
}

func (o *testOP) GetUserByUsername(name string) *storage.User {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, u := range o.users {
		if u.Username == name {
			return u
		}
	}
	return nil
}

func (o *testOP) ExampleClientID() string { return "service" }

func (o *testOP) groupsOf(id string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.groups[id]
}

// opStorage adds the groups claim to ID tokens and userinfo. The example
// client keeps email out of the ID token (as Zitadel does by default), so
// the app reads it from userinfo.
type opStorage struct {
	*storage.Storage
	op *testOP
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	if g := s.op.groupsOf(req.GetSubject()); g != nil {
		info.AppendClaims("groups", g)
	}
	return nil
}

func (s *opStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	if g := s.op.groupsOf(subject); g != nil {
		info.AppendClaims("groups", g)
	}
	return nil
}

// signingKey is the provider's own key and key id, for tokens a test
// crafts.
func (o *testOP) signingKey() (*rsa.PrivateKey, string) {
	k, err := o.storage.SigningKey(context.Background())
	if err != nil {
		o.t.Fatal(err)
	}
	return k.Key().(*rsa.PrivateKey), k.ID()
}

// craftedToken signs claims as an ID token with key under kid.
func craftedToken(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// answerTokens makes the token endpoint answer the next exchange with
// idToken instead of its own.
func (o *testOP) answerTokens(idToken string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tokenHook = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "opaque-access", "token_type": "Bearer",
			"expires_in": 300, "id_token": idToken})
		return true
	}
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ssoApp is the real app, on a 127.0.0.1 listener, signing in with op.
type ssoApp struct {
	t    *testing.T
	db   *store.DB
	base string
	log  *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newSSOApp serves a fresh store (clock pageNow) with single sign-on at o,
// as cfg and policy say.
func newSSOApp(t *testing.T, o *testOP, db *store.DB, change func(*ui.Config)) *ssoApp {
	t.Helper()
	if db == nil {
		db = storetest.OpenDB(t, pageNow)
	}
	client, err := sso.New(sso.Config{Issuer: o.issuer, ClientID: opClientID, ClientSecret: opClientSecret, RedirectURL: opRedirect})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := ui.Config{DB: db, SSO: client, AccessLog: true,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if change != nil {
		change(&cfg)
	}
	return serveSSOApp(t, cfg, logs)
}

func serveSSOApp(t *testing.T, cfg ui.Config, logs *syncBuffer) *ssoApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	app, err := ui.New(cfg)
	if err != nil {
		t.Fatalf("ui.New: %v", err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &ssoApp{t: t, db: cfg.DB, base: cfg.PublicURL, log: logs}
}

// webBrowser is a browser with a cookie jar that follows no redirect by
// itself, so a test can stop, look and tamper at each step.
type webBrowser struct {
	t      *testing.T
	client *http.Client
}

func newWebBrowser(t *testing.T) *webBrowser {
	jar, _ := cookiejar.New(nil)
	return &webBrowser{t: t, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches u and returns the response with its body read.
func (b *webBrowser) get(u string) (*http.Response, string) {
	b.t.Helper()
	return b.do(httptest.NewRequest("GET", u, nil))
}

func (b *webBrowser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	req.RequestURI = ""
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// toProvider starts a sign-in at app and returns the provider URL the
// app sends the browser to.
func (b *webBrowser) toProvider(a *ssoApp) *url.URL {
	b.t.Helper()
	res, body := b.get(a.base + "/auth/oidc/login")
	if res.StatusCode != http.StatusFound {
		b.t.Fatalf("GET /auth/oidc/login = %d: %.300s", res.StatusCode, body)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// throughProvider follows the provider's redirects from u until it sends
// the browser back to the callback, and returns that callback URL, aimed
// at app.
func (b *webBrowser) throughProvider(a *ssoApp, u *url.URL) string {
	b.t.Helper()
	next := u.String()
	for range 10 {
		res, body := b.get(next)
		loc, err := res.Location()
		if err != nil {
			b.t.Fatalf("GET %s = %d without a redirect: %.300s", next, res.StatusCode, body)
		}
		if loc.Path == "/auth/oidc/callback" {
			return a.base + loc.Path + "?" + loc.RawQuery
		}
		next = loc.String()
	}
	b.t.Fatal("the provider never redirected back")
	return ""
}

// signIn runs the whole sign-in at app as the provider's current user
// and returns the callback's answer.
func (b *webBrowser) signIn(a *ssoApp) (*http.Response, string) {
	b.t.Helper()
	return b.get(b.throughProvider(a, b.toProvider(a)))
}

// cookie returns the value of the browser's cookie name for app.
func (b *webBrowser) cookie(a *ssoApp, name string) string {
	u, _ := url.Parse(a.base + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// me asks the API who the browser is signed in as: the status and body.
func (b *webBrowser) me(a *ssoApp) (int, string) {
	res, body := b.get(a.base + "/api/v1/me")
	return res.StatusCode, body
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q: %.400s", what, w, body)
		}
	}
}
