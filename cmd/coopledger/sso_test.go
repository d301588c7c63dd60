package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

const testClientSecret = "oidc-secret-d41d8cd98f00b204"

func TestServe_SSOFlags_Refused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	full := []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--scheduler=false", "--oidc-issuer", "https://id.example.org/realms/coop",
		"--oidc-client-id", "coopledger", "--oidc-client-secret", testClientSecret}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"client id without issuer", []string{"serve", "--db", db, "--oidc-client-id", "x"}, "--oidc-client-id needs single sign-on"},
		{"group map without issuer", []string{"serve", "--db", db, "--oidc-group-map", "a=board"}, "--oidc-group-map needs single sign-on"},
		{"create members without issuer", []string{"serve", "--db", db, "--oidc-create-members"}, "--oidc-create-members needs"},
		{"local login off without issuer", []string{"serve", "--db", db, "--local-login=false"}, "--local-login=false needs single sign-on"},
		{"issuer without secret", []string{"serve", "--db", db, "--oidc-issuer", "https://id.example.org", "--oidc-client-id", "c"}, "--oidc-issuer needs --oidc-client-id and --oidc-client-secret"},
		{"issuer not a URL", append(full[:len(full):len(full)], "--oidc-issuer", "id.example.org"), "is not an http(s) URL"},
		{"bad group map", append(full[:len(full):len(full)], "--oidc-group-map", "coop-board=chair"), `--oidc-group-map: "coop-board=chair": unknown role`},
		{"bad inactive", append(full[:len(full):len(full)], "--oidc-inactive", "maybe"), "--oidc-inactive must be refuse or read-only"},
		{"bad redirect", append(full[:len(full):len(full)], "--oidc-redirect-url", "/cb"), "--oidc-redirect-url \"/cb\" is not an absolute URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want a usage error saying %q", err, exitCode(err), tc.want)
			}
			if strings.Contains(err.Error()+out+errOut, testClientSecret) {
				t.Error("the client secret was printed")
			}
		})
	}
}

func TestServe_SSOFlags_FromEnvironment(t *testing.T) {
	t.Setenv("COOPLEDGER_OIDC_ISSUER", "https://id.example.org")
	t.Setenv("COOPLEDGER_OIDC_CLIENT_ID", "coopledger")
	t.Setenv("COOPLEDGER_OIDC_INACTIVE", "sometimes")
	_, _, err := run(t, "serve", "--db", filepath.Join(t.TempDir(), "never.db"))
	if err == nil || !strings.Contains(err.Error(), "--oidc-client-secret") {
		t.Fatalf("err = %v, want the missing secret named", err)
	}
	t.Setenv("COOPLEDGER_OIDC_CLIENT_SECRET", testClientSecret)
	_, _, err = run(t, "serve", "--db", filepath.Join(t.TempDir(), "never.db"))
	if err == nil || !strings.Contains(err.Error(), `"sometimes"`) || strings.Contains(err.Error(), testClientSecret) {
		t.Fatalf("err = %v, want --oidc-inactive from the environment refused", err)
	}
}

func TestServe_Help_ListsSSOFlags(t *testing.T) {
	t.Setenv("COOPLEDGER_OIDC_CLIENT_SECRET", testClientSecret)
	out, errOut, _ := run(t, "serve", "--help")
	help := out + errOut
	for _, want := range []string{"--oidc-issuer", "COOPLEDGER_OIDC_CLIENT_SECRET", "--oidc-redirect-url", "--oidc-groups-claim",
		"(default groups)", "--oidc-group-map", "--oidc-create-members", "--oidc-inactive", "(default refuse)",
		"--local-login", "(default true)", "--session-idle", "(default 2h0m0s)"} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
	if strings.Contains(help, testClientSecret) {
		t.Error("serve --help printed the client secret")
	}
}

// closedAddr is a 127.0.0.1 address nobody listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A provider that is down at start-up is warned about, not fatal: the
// server starts, offers SSO, and asks the provider again at sign-in.
func TestServe_SSO_ProviderDownAtStart_LocalLoginOff(t *testing.T) {
	o := serveOptions{DB: filepath.Join(t.TempDir(), "coop.db"), Scheduler: false, AdminEmail: "admin@example.org",
		SSO: ssoOptions{Issuer: "http://" + closedAddr(t), ClientID: "coopledger", ClientSecret: testClientSecret, NoLocalLogin: true}}
	base, out, errOut, stop := startServe(t, o)
	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	status, page := get("/login")
	if status != http.StatusOK || !strings.Contains(page, "Sign in with SSO") || strings.Contains(page, `type="password"`) {
		t.Errorf("GET /login = %d, want the SSO button and no password form:\n%s", status, page)
	}
	res, err := http.PostForm(base+"/login", url.Values{"email": {"admin@localhost"}, "password": {"whatever-it-is"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("POST /login with password sign-in off = %d, want 404", res.StatusCode)
	}
	if status, page := get("/auth/oidc/login"); status != http.StatusBadGateway || !strings.Contains(page, "cannot be reached") {
		t.Errorf("GET /auth/oidc/login with the provider down = %d:\n%.300s", status, page)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "not reachable at start-up") {
		t.Errorf("no warning about the provider:\n%s", errOut)
	}
	if strings.Contains(out.String()+errOut.String(), testClientSecret) {
		t.Error("serve printed the client secret")
	}
}

// A provider that answers as another issuer is a configuration mistake:
// serve stops with a message naming the flag.
func TestServe_SSO_IssuerMismatchStops(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":"https://someone-else.example","authorization_endpoint":"https://x/a","token_endpoint":"https://x/t","jwks_uri":"https://x/k"}`)
	}))
	defer srv.Close()
	o := serveOptions{DB: filepath.Join(t.TempDir(), "coop.db"), Scheduler: false, Addr: "127.0.0.1:0", LogFormat: "text",
		SSO: ssoOptions{Issuer: srv.URL, ClientID: "coopledger", ClientSecret: testClientSecret}}
	var out, errOut strings.Builder
	err := serve(t.Context(), o, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--oidc-issuer") || !strings.Contains(err.Error(), "someone-else.example") {
		t.Fatalf("serve = %v, want the issuer mismatch named", err)
	}
	if strings.Contains(err.Error()+out.String()+errOut.String(), testClientSecret) {
		t.Error("the client secret was printed")
	}
}
