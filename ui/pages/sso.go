package pages

import (
	"context"
	"crypto/subtle"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/sso"
	"github.com/gofiber/fiber/v2"
)

// oidcCookie carries the state of the browser's single sign-on in
// progress, and nothing else: the nonce and PKCE verifier stay in the
// server's sso.Pending. It is HttpOnly, scoped to /auth/oidc/, and
// SameSite=Lax, which a browser still sends on the provider's top-level
// redirect back to the callback.
const (
	oidcCookie     = "coopledger_oidc"
	oidcCookiePath = "/auth/oidc/"
)

// providerTimeout bounds each call to the provider within a request.
const providerTimeout = 15 * time.Second

// SSOLogin starts single sign-on: it records a fresh flow (state, nonce,
// PKCE verifier) and sends the browser to the provider.
func (h *Handlers) SSOLogin(c *fiber.Ctx) error {
	if h.cfg.SSO == nil {
		return fiber.NewError(fiber.StatusNotFound, "single sign-on is not set up on this server")
	}
	f := sso.NewFlow()
	ctx, cancel := context.WithTimeout(c.UserContext(), providerTimeout)
	defer cancel()
	u, err := h.cfg.SSO.AuthURL(ctx, f)
	if err != nil {
		h.log.Warn("sso sign-in cannot start", "err", err)
		return h.renderLogin(c, fiber.StatusBadGateway, "", "The sign-in provider cannot be reached right now. Try again in a minute.")
	}
	h.pending.Put(f, safeNext(c.Query("next")))
	c.Cookie(&fiber.Cookie{Name: oidcCookie, Value: f.State, Path: oidcCookiePath, HTTPOnly: true,
		Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(sso.FlowTTL / time.Second)})
	return c.Redirect(u, fiber.StatusFound)
}

// providerError is the shape of an OAuth error code worth echoing.
var providerError = regexp.MustCompile(`^[a-z_]{1,40}$`)

// SSOCallback is where the provider sends the browser back. The state must
// match the browser's cookie and a pending flow, which it uses up; the code
// is exchanged and the ID token verified (package sso); the store links
// the verified address to a member (store.DB.SignInSSO); and the browser
// gets a new session.
func (h *Handlers) SSOCallback(c *fiber.Ctx) error {
	if h.cfg.SSO == nil {
		return fiber.NewError(fiber.StatusNotFound, "single sign-on is not set up on this server")
	}
	state, cookie := strings.Clone(c.Query("state")), strings.Clone(c.Cookies(oidcCookie))
	c.Cookie(&fiber.Cookie{Name: oidcCookie, Path: oidcCookiePath, HTTPOnly: true, Secure: h.cfg.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	const stale = "This sign-in attempt is unknown, expired or already used. Please start again."
	if state == "" || cookie == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		h.log.Info("sso callback refused", "why", "state missing or not this browser's")
		return h.renderLogin(c, fiber.StatusBadRequest, "", stale)
	}
	f, next, ok := h.pending.Take(state)
	if !ok {
		h.log.Info("sso callback refused", "why", "state unknown, used or expired")
		return h.renderLogin(c, fiber.StatusBadRequest, "", stale)
	}
	if e := c.Query("error"); e != "" {
		msg := "The sign-in provider did not sign you in."
		if providerError.MatchString(e) {
			msg += " It said: " + e + "."
		}
		return h.renderLogin(c, fiber.StatusUnauthorized, "", msg)
	}
	code := strings.Clone(c.Query("code"))
	if code == "" {
		return h.renderLogin(c, fiber.StatusBadRequest, "", stale)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), providerTimeout)
	defer cancel()
	id, err := h.cfg.SSO.Finish(ctx, f, code)
	if err != nil {
		h.log.Warn("sso sign-in failed", "err", err)
		if errors.Is(err, sso.ErrUnavailable) {
			return h.renderLogin(c, fiber.StatusBadGateway, "", "The sign-in provider cannot be reached right now. Try again in a minute.")
		}
		return h.renderLogin(c, fiber.StatusUnauthorized, "", "The answer from the sign-in provider could not be verified. Please start again.")
	}
	p := h.cfg.SSOPolicy
	p.TTL = h.cfg.SessionTTL
	in, err := h.db.SignInSSO(id, p)
	if err != nil {
		h.log.Info("sso sign-in refused", "issuer", id.Issuer, "subject", id.Subject, "err", err)
		var ve *ledger.ValidationError
		switch {
		case errors.Is(err, store.ErrEmailUnverified):
			return h.renderLogin(c, fiber.StatusForbidden, "", "Your sign-in provider has not verified your email address, so it cannot be matched to a member. Verify it there, then try again.")
		case errors.Is(err, store.ErrNoMember):
			return h.renderLogin(c, fiber.StatusForbidden, "", "No member of this co-op has the address "+id.Email+". Ask an admin to add it to your member record (any of a member's addresses works), then try again.")
		case errors.Is(err, store.ErrMemberInactive):
			return h.renderLogin(c, fiber.StatusForbidden, "", "Your membership has ended, so you cannot sign in. Ask an admin if this is a mistake.")
		case errors.As(err, &ve):
			return h.renderLogin(c, fiber.StatusForbidden, "", "A member could not be created for the address "+id.Email+". Ask an admin to add you.")
		}
		return err
	}
	h.dropSession(c)
	h.setSessionCookie(c, in.Token)
	h.log.Info("sso sign-in", "member", in.Member.ID, "issuer", id.Issuer, "subject", id.Subject,
		"created", in.Created, "read_only", in.Session.ReadOnly)
	return c.Redirect(next, fiber.StatusSeeOther)
}
