// Package sso is Coopledger's OpenID Connect relying party: the
// authorization code flow with PKCE, a state and a nonce, against a
// provider found by discovery from its issuer URL (Keycloak, Authentik,
// Zitadel, Google...). It turns a provider's answer into a verified
// store.SSOIdentity; the store decides who that is (store.DB.SignInSSO) and
// the pages set the cookie. It knows HTTP and OIDC, not Fiber.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is a relying party's registration at its provider (serve
// --oidc-* flags).
type Config struct {
	// Issuer is the provider's issuer URL; discovery reads
	// <Issuer>/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the callback registered at the provider,
	// <public URL>/auth/oidc/callback.
	RedirectURL string
	// GroupsClaim names the claim listing the person's groups; default
	// "groups". A dotted name ("realm_access.roles") reaches into objects,
	// and an object's keys count as its groups (Zitadel's role claims).
	GroupsClaim string
	// Scopes requested; default openid, email, profile.
	Scopes []string
	// HTTPClient talks to the provider; default one with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock ID token expiry is checked against; default
	// time.Now.
	Now func() time.Time
}

// Errors a sign-in can end with, besides the store's refusals.
var (
	// ErrUnavailable: the provider could not be reached, or answered with
	// a server error. Trying again later may work.
	ErrUnavailable = errors.New("the sign-in provider cannot be reached")
	// ErrRejected: the provider's answer did not verify (signature,
	// issuer, audience, expiry, nonce) or the code was refused. The
	// detail is for the log, not for the person signing in.
	ErrRejected = errors.New("the sign-in provider's answer could not be verified")
	// ErrMisconfigured: discovery found a provider that calls itself by
	// another issuer URL than --oidc-issuer.
	ErrMisconfigured = errors.New("the sign-in provider is not the configured issuer")
)

// Client signs people in with one provider. Discovery happens once, at
// start-up or at the first sign-in; a failed discovery is retried at the
// next sign-in, so a provider that is briefly down does not stop the
// server from starting.
type Client struct {
	cfg Config
	mu  sync.Mutex
	rp  *relyingParty
}

type relyingParty struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// New checks cfg; it does not contact the provider (see Discover).
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Issuer)
	if cfg.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--oidc-issuer %q is not an http(s) URL", cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("--oidc-client-id is required with --oidc-issuer")
	}
	if r, err := url.Parse(cfg.RedirectURL); cfg.RedirectURL == "" || err != nil || !r.IsAbs() {
		return nil, fmt.Errorf("--oidc-redirect-url %q is not an absolute URL", cfg.RedirectURL)
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{cfg: cfg}, nil
}

// Discover reads the provider's discovery document, unless that was done
// already. Errors wrap ErrUnavailable or ErrMisconfigured.
func (c *Client) Discover(ctx context.Context) error {
	_, err := c.relyingParty(ctx)
	return err
}

func (c *Client) relyingParty(ctx context.Context) (*relyingParty, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rp != nil {
		return c.rp, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, fmt.Errorf("%w: %w", ErrMisconfigured, err)
		}
		return nil, fmt.Errorf("discover %s: %w: %w", c.cfg.Issuer, ErrUnavailable, err)
	}
	c.rp = &relyingParty{
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now}),
		oauth: oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret,
			Endpoint: p.Endpoint(), RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes},
	}
	return c.rp, nil
}

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTPClient)
}

// Flow is one sign-in in progress: the state that ties the provider's
// redirect back to the browser that left, the nonce the ID token must
// carry, and the PKCE verifier whose S256 challenge went to the provider.
// The verifier and nonce stay on the server.
type Flow struct {
	State    string
	Nonce    string
	Verifier string
}

// NewFlow draws a fresh state, nonce and PKCE verifier.
func NewFlow() Flow {
	return Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthURL is where to send the browser to sign in for f.
func (c *Client) AuthURL(ctx context.Context, f Flow) (string, error) {
	rp, err := c.relyingParty(ctx)
	if err != nil {
		return "", err
	}
	return rp.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Finish redeems the code the provider sent back for f: it exchanges it
// with the PKCE verifier, verifies the ID token (signature against the
// provider's keys, issuer, audience, expiry), checks the nonce and the
// access-token hash, and reads the person's address, name and groups,
// asking the userinfo endpoint for any the ID token leaves out.
func (c *Client) Finish(ctx context.Context, f Flow, code string) (store.SSOIdentity, error) {
	rp, err := c.relyingParty(ctx)
	if err != nil {
		return store.SSOIdentity{}, err
	}
	ctx = c.ctx(ctx)
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return store.SSOIdentity{}, failure("exchange code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return store.SSOIdentity{}, fmt.Errorf("token response has no id_token: %w", ErrRejected)
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return store.SSOIdentity{}, failure("verify id token", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return store.SSOIdentity{}, fmt.Errorf("id token nonce does not match the sign-in's: %w", ErrRejected)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return store.SSOIdentity{}, fmt.Errorf("id token at_hash: %w: %w", ErrRejected, err)
		}
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return store.SSOIdentity{}, fmt.Errorf("id token claims: %w: %w", ErrRejected, err)
	}
	// With several audiences the token must name us as its authorized
	// party (OIDC Core 3.1.3.7, items 4 and 5).
	if len(idt.Audience) > 1 {
		var azp string
		_ = json.Unmarshal(claims["azp"], &azp)
		if azp != c.cfg.ClientID {
			return store.SSOIdentity{}, fmt.Errorf("id token for audiences %v with azp %q: %w", idt.Audience, azp, ErrRejected)
		}
	}
	top, _, _ := strings.Cut(c.cfg.GroupsClaim, ".")
	_, hasEmail := claims["email"]
	_, hasGroups := claims[top]
	if (!hasEmail || !hasGroups) && rp.provider.UserInfoEndpoint() != "" {
		if err := c.addUserInfo(ctx, rp, tok, idt.Subject, claims); err != nil {
			return store.SSOIdentity{}, err
		}
	}
	return c.identity(idt, claims), nil
}

// addUserInfo fills the claims the ID token left out from the userinfo
// endpoint (providers such as Zitadel keep the address there by default).
// The ID token's own claims win.
func (c *Client) addUserInfo(ctx context.Context, rp *relyingParty, tok *oauth2.Token, sub string, claims map[string]json.RawMessage) error {
	info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return failure("userinfo", err)
	}
	if info.Subject != sub {
		return fmt.Errorf("userinfo is about %q, the id token about %q: %w", info.Subject, sub, ErrRejected)
	}
	var more map[string]json.RawMessage
	if err := info.Claims(&more); err != nil {
		return fmt.Errorf("userinfo claims: %w: %w", ErrRejected, err)
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

func (c *Client) identity(idt *oidc.IDToken, claims map[string]json.RawMessage) store.SSOIdentity {
	id := store.SSOIdentity{Issuer: idt.Issuer, Subject: idt.Subject}
	_ = json.Unmarshal(claims["email"], &id.Email)
	// Some providers (AWS Cognito) send email_verified as "true".
	var verified any
	_ = json.Unmarshal(claims["email_verified"], &verified)
	id.EmailVerified = verified == true || verified == "true"
	_ = json.Unmarshal(claims["name"], &id.Name)
	if id.Name == "" {
		var given, family string
		_ = json.Unmarshal(claims["given_name"], &given)
		_ = json.Unmarshal(claims["family_name"], &family)
		id.Name = strings.TrimSpace(given + " " + family)
	}
	id.Groups = groups(claims, c.cfg.GroupsClaim)
	return id
}

// groups reads the groups claim: a list of names, one name, or an object
// whose keys are the names. A dotted claim name walks into objects when no
// top-level claim has the whole name.
func groups(claims map[string]json.RawMessage, name string) []string {
	v, ok := claims[name]
	if !ok {
		parts := strings.Split(name, ".")
		obj := claims
		for i, p := range parts {
			if v, ok = obj[p]; !ok {
				return nil
			}
			if i < len(parts)-1 {
				obj = nil
				if json.Unmarshal(v, &obj) != nil || obj == nil {
					return nil
				}
			}
		}
	}
	var list []any
	if json.Unmarshal(v, &list) == nil {
		out := make([]string, 0, len(list))
		for _, g := range list {
			if s, ok := g.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	var one string
	if json.Unmarshal(v, &one) == nil {
		return []string{one}
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) == nil {
		out := make([]string, 0, len(obj))
		for k := range obj {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// failure classifies an error from talking to the provider: the network
// or a 5xx is ErrUnavailable, anything else ErrRejected.
func failure(step string, err error) error {
	var ue *url.Error
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500,
		errors.As(err, &ue), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w: %w", step, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w: %w", step, ErrRejected, err)
}
