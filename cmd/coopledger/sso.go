package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/sso"
)

// ssoOptions are serve's single sign-on settings (DESIGN.md "Single
// sign-on"). Zero values are the defaults, so tests may build serveOptions
// directly.
type ssoOptions struct {
	Issuer       string
	ClientID     string
	ClientSecret string // never logged or printed
	RedirectURL  string // default <public URL>/auth/oidc/callback
	GroupsClaim  string // default "groups"
	GroupMap     string
	Create       bool
	Inactive     string // refuse (default) or read-only
	NoLocalLogin bool   // --local-login=false
}

// discoveryTimeout bounds the provider lookup at start-up.
const discoveryTimeout = 5 * time.Second

func addSSOFlags(fs *flag.FlagSet, o *ssoOptions) {
	fs.StringVar(&o.Issuer, "oidc-issuer", "", "single sign-on: the OpenID Connect provider's issuer URL, e.g. https://id.example.coop/realms/coop (default none: SSO off)")
	fs.StringVar(&o.ClientID, "oidc-client-id", "", "client id registered at the provider")
	fs.StringVar(&o.ClientSecret, "oidc-client-secret", "", "client secret registered at the provider; set it in the environment rather than on the command line (never printed)")
	fs.StringVar(&o.RedirectURL, "oidc-redirect-url", "", "callback URL registered at the provider (default <--public-url>/auth/oidc/callback)")
	fs.StringVar(&o.GroupsClaim, "oidc-groups-claim", "groups", "ID token or userinfo claim listing the person's groups")
	fs.StringVar(&o.GroupMap, "oidc-group-map", "", "groups to roles and classes, synced at each sign-in: group=role or group=class:NAME, comma separated, e.g. coop-board=board,coop-ops=ops,coop-ops=class:ops")
	fs.BoolVar(&o.Create, "oidc-create-members", false, "make an unknown verified email a new member (role member and class user unless the group map grants more); off: refuse it")
	fs.StringVar(&o.Inactive, "oidc-inactive", "refuse", "members who have left: refuse, or read-only (they may sign in and read, not write)")
	fs.Var(invertedBool{&o.NoLocalLogin}, "local-login", "allow password sign-in; false leaves single sign-on only (needs --oidc-issuer)")
}

// invertedBool is a true-by-default flag stored as its negation, so the
// option's zero value is the flag's default.
type invertedBool struct{ p *bool }

func (b invertedBool) String() string {
	if b.p == nil {
		return "true"
	}
	return strconv.FormatBool(!*b.p)
}

func (b invertedBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = !v
	return nil
}

func (b invertedBool) IsBoolFlag() bool { return true }

// validate checks the combination of settings, naming the flags: SSO
// flags come with --oidc-issuer, the issuer with a client id and secret.
func (o ssoOptions) validate() error {
	if o.Issuer == "" {
		others := []struct {
			set  bool
			flag string
		}{
			{o.ClientID != "", "--oidc-client-id"}, {o.ClientSecret != "", "--oidc-client-secret"},
			{o.RedirectURL != "", "--oidc-redirect-url"}, {o.GroupMap != "", "--oidc-group-map"},
			{o.GroupsClaim != "" && o.GroupsClaim != "groups", "--oidc-groups-claim"},
			{o.Create, "--oidc-create-members"}, {o.Inactive != "" && o.Inactive != "refuse", "--oidc-inactive"},
			{o.NoLocalLogin, "--local-login=false"},
		}
		for _, f := range others {
			if f.set {
				return usageError{fmt.Errorf("%s needs single sign-on: set --oidc-issuer (and --oidc-client-id, --oidc-client-secret)", f.flag)}
			}
		}
		return nil
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		return usageError{errors.New("--oidc-issuer needs --oidc-client-id and --oidc-client-secret (or COOPLEDGER_OIDC_CLIENT_ID and COOPLEDGER_OIDC_CLIENT_SECRET)")}
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usageError{fmt.Errorf("--oidc-issuer %q is not an http(s) URL", o.Issuer)}
	}
	if o.RedirectURL != "" {
		if u, err := url.Parse(o.RedirectURL); err != nil || !u.IsAbs() {
			return usageError{fmt.Errorf("--oidc-redirect-url %q is not an absolute URL", o.RedirectURL)}
		}
	}
	if _, err := ledger.ParseGroupMap(o.GroupMap); err != nil {
		return usageError{fmt.Errorf("--oidc-group-map: %w", err)}
	}
	switch o.Inactive {
	case "", "refuse", "read-only":
	default:
		return usageError{fmt.Errorf("--oidc-inactive must be refuse or read-only, not %q", o.Inactive)}
	}
	return nil
}

// build makes the relying party for base (the public URL) and looks the
// provider up. A provider that cannot be reached is only warned about, and
// asked again at the first sign-in; one that answers as another issuer is
// a configuration error that stops the server.
func (o ssoOptions) build(ctx context.Context, base string, log *slog.Logger) (*sso.Client, store.SSOPolicy, error) {
	if o.Issuer == "" {
		return nil, store.SSOPolicy{}, nil
	}
	redirect := o.RedirectURL
	if redirect == "" {
		redirect = base + "/auth/oidc/callback"
	}
	client, err := sso.New(sso.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		RedirectURL: redirect, GroupsClaim: o.GroupsClaim})
	if err != nil {
		return nil, store.SSOPolicy{}, usageError{err}
	}
	groups, _ := ledger.ParseGroupMap(o.GroupMap) // checked by validate
	policy := store.SSOPolicy{GroupMap: groups, CreateMembers: o.Create, InactiveReadOnly: o.Inactive == "read-only"}
	if u, _ := url.Parse(o.Issuer); u.Scheme == "http" && !isLoopback(u.Hostname()) {
		log.Warn("single sign-on over plain http: codes and tokens cross the network unencrypted", "issuer", o.Issuer)
	}
	dctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	switch err := client.Discover(dctx); {
	case errors.Is(err, sso.ErrMisconfigured):
		return nil, store.SSOPolicy{}, fmt.Errorf("--oidc-issuer: %w", err)
	case err != nil:
		log.Warn("single sign-on provider not reachable at start-up; it is asked again at the first sign-in",
			"issuer", o.Issuer, "err", err)
	default:
		log.Info("single sign-on ready", "issuer", o.Issuer, "client_id", o.ClientID, "redirect_url", redirect,
			"groups_claim", o.GroupsClaim, "group_map", o.GroupMap, "create_members", o.Create,
			"inactive", map[bool]string{false: "refuse", true: "read-only"}[policy.InactiveReadOnly], "local_login", !o.NoLocalLogin)
	}
	return client, policy, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
