package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/testdata"
)

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := dispatch(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestMemberAdd_ThenTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coop.db")
	out, _, err := run(t, "member", "add", "--db", db, "--email", "Ada@Example.org", "--name", "Ada", "--role", "admin,board", "--class", "user")
	if err != nil {
		t.Fatalf("member add: %v", err)
	}
	if !strings.Contains(out, "Ada@Example.org") {
		t.Errorf("member add output %q does not name the member", out)
	}
	out, _, err = run(t, "token", "create", "--db", db, "--email", "ada@example.org")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	words := strings.Fields(out)
	token := words[len(words)-1]
	if !strings.HasPrefix(token, "cl_") {
		t.Fatalf("last word %q is not a token", token)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := s.TokenMember(token)
	if err != nil {
		t.Fatalf("printed token does not sign in: %v", err)
	}
	if m.Name != "Ada" || !m.IsAdmin() || !m.HasRole("board") || len(m.Classes) != 1 || m.Classes[0] != "user" {
		t.Errorf("stored member %+v", m)
	}
}

func TestMemberAdd_BadInput_WritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coop.db")
	cases := [][]string{
		{"--email", "x@example.org", "--name", "X", "--role", "king"},
		{"--email", "x@example.org", "--name", "X", "--class", "owner"},
		{"--email", "not-an-address", "--name", "X"},
		{"--email", "x@example.org"},
	}
	for _, args := range cases {
		_, _, err := run(t, append([]string{"member", "add", "--db", db}, args...)...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("member add %v: err %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, _ := s.Members()
	if len(ms) != 0 {
		t.Errorf("refused commands stored %d members", len(ms))
	}
}

func TestFlags_EnvironmentFallback(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("COOPLEDGER_DB", db)
	t.Setenv("COOPLEDGER_ROLE", "ops")
	if _, _, err := run(t, "member", "add", "--email", "e@example.org", "--name", "E"); err != nil {
		t.Fatal(err)
	}
	// A flag beats the environment.
	if _, _, err := run(t, "member", "add", "--email", "f@example.org", "--name", "F", "--role", "board"); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.MemberByEmail("e@example.org")
	if err != nil || !e.HasRole("ops") {
		t.Errorf("COOPLEDGER_ROLE not applied: %+v %v", e, err)
	}
	f, err := s.MemberByEmail("f@example.org")
	if err != nil || !f.HasRole("board") || f.HasRole("ops") {
		t.Errorf("--role did not beat COOPLEDGER_ROLE: %+v %v", f, err)
	}
}

func TestToken_UnknownEmail(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coop.db")
	if _, _, err := run(t, "token", "create", "--db", db, "--email", "nobody@example.org"); err == nil {
		t.Fatal("token for an unknown member was issued")
	}
}

func TestHelp_EveryCommandHasExamples(t *testing.T) {
	out, _, err := run(t, "--help")
	if err != nil || !strings.Contains(out, "serve") {
		t.Fatalf("top-level help: %v %q", err, out)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"member", "add", "--help"}, {"token", "create", "--help"}, {"member", "--help"}, {"token", "--help"}} {
		out, errOut, err := run(t, args...)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out+errOut, "Examples:") {
			t.Errorf("%v --help shows no examples: %q", args, out+errOut)
		}
	}
	if _, _, err := run(t, "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
}

// startServe runs serve in the background and returns its base URL and a
// stop function that cancels it (as SIGTERM does) and returns its error.
func startServe(t *testing.T, o serveOptions) (string, *bytes.Buffer, *bytes.Buffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	o.ready = ready
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.LogFormat == "" {
		o.LogFormat = "text"
	}
	o.ShutdownGrace = 5 * time.Second
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o, &out, &errOut) }()
	select {
	case addr := <-ready:
		return "http://" + addr, &out, &errOut, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped early: %v\n%s%s", err, out.String(), errOut.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return "", nil, nil, nil
}

func TestServe_Demo_ThenGracefulStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, out, _, stop := startServe(t, serveOptions{DB: db, Demo: true})
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	for _, a := range testdata.Accounts() {
		if !strings.Contains(out.String(), a.Email) {
			t.Errorf("demo output does not list %s:\n%s", a.Email, out.String())
		}
	}
	if !strings.Contains(out.String(), base+"/login") {
		t.Errorf("demo output does not say where to sign in:\n%s", out.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after SIGTERM returned %v, want nil", err)
	}
	// The store was closed: an offline command can open it now.
	s, err := store.Open(db, store.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("store still locked after shutdown: %v", err)
	}
	ms, _ := s.Members()
	s.Close()
	if len(ms) < 10 {
		t.Errorf("demo loaded %d members", len(ms))
	}

	// A second --demo start on the same file loads nothing twice.
	_, out, _, stop = startServe(t, serveOptions{DB: db, Demo: true})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "already has members") {
		t.Errorf("second demo start: %s", out.String())
	}
}

func TestServe_FirstStart_OneTimeLink(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	base, _, errOut, stop := startServe(t, serveOptions{DB: db, AdminEmail: "root@example.org"})
	defer stop()
	link := regexp.MustCompile(`http://\S+/auth/link/\S+`).FindString(errOut.String())
	if link == "" {
		t.Fatalf("no sign-in link on stderr:\n%s", errOut.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "coopledger_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly {
		t.Fatalf("link: status %d, session cookie %+v", resp.StatusCode, session)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.AddCookie(session)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"root@example.org"`) || !strings.Contains(string(body), `"admin"`) {
		t.Errorf("me with the link's session: %d %s", resp.StatusCode, body)
	}
	resp, err = client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("second use of the link: %d, want 401", resp.StatusCode)
	}
}
