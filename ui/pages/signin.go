package pages

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"crypto/rand"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// loginCSRFCookie protects the sign-in form itself (there is no session
// yet to hold a token): the form must echo the cookie's random value.
const loginCSRFCookie = "coopledger_login_csrf"

// LoginForm shows the sign-in form.
func (h *Handlers) LoginForm(c *fiber.Ctx) error {
	if _, ok := web.Actor(c); ok {
		return c.Redirect(safeNext(c.Query("next")))
	}
	return h.renderLogin(c, fiber.StatusOK, "", "")
}

func (h *Handlers) renderLogin(c *fiber.Ctx, status int, email, msg string) error {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", HTTPOnly: true,
		Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode, MaxAge: 3600})
	return h.render(c, status, "login", Page{Title: "Sign in", Error: msg, CSRF: tok,
		Form: map[string]string{"email": email, "next": safeNext(c.Query("next", c.FormValue("next")))}})
}

// Login checks the password and starts a session with a fresh id (the
// old cookie, if any, is never reused).
func (h *Handlers) Login(c *fiber.Ctx) error {
	email := form(c, "email")
	want := c.Cookies(loginCSRFCookie)
	got := c.FormValue("_csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return h.renderLogin(c, fiber.StatusForbidden, email, "The form expired. Please try again.")
	}
	m, err := h.db.Authenticate(email, c.FormValue("password"))
	if errors.Is(err, ledger.ErrUnauthenticated) {
		return h.renderLogin(c, fiber.StatusUnauthorized, email, "That email and password do not match an active member.")
	}
	if err != nil {
		return err
	}
	if old := c.Cookies(h.cfg.SessionCookie); old != "" {
		_ = h.db.DeleteSession(strings.Clone(old))
	}
	if err := h.startSession(c, m.ID); err != nil {
		return err
	}
	c.ClearCookie(loginCSRFCookie)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

func (h *Handlers) startSession(c *fiber.Ctx, memberID string) error {
	tok, _, err := h.db.CreateSession(memberID, h.cfg.SessionTTL)
	if err != nil {
		return err
	}
	h.setSessionCookie(c, tok)
	return nil
}

func (h *Handlers) setSessionCookie(c *fiber.Ctx, tok string) {
	c.Cookie(&fiber.Cookie{Name: h.cfg.SessionCookie, Value: tok, Path: "/", HTTPOnly: true,
		Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Now().Add(h.cfg.SessionTTL)})
}

// LoginLink redeems a one-time sign-in link (printed by `serve` on first
// start for the new admin) and opens a session.
func (h *Handlers) LoginLink(c *fiber.Ctx) error {
	tok, _, err := h.db.RedeemLoginLink(param(c, "token"), h.cfg.SessionTTL)
	if errors.Is(err, ledger.ErrUnauthenticated) {
		return h.renderLogin(c, fiber.StatusUnauthorized, "", "That sign-in link was already used or has expired.")
	}
	if err != nil {
		return err
	}
	h.setSessionCookie(c, tok)
	return c.Redirect("/account?ok=welcome", fiber.StatusSeeOther)
}

// Logout ends the session on the server, not just in the browser.
func (h *Handlers) Logout(c *fiber.Ctx) error {
	if err := h.db.DeleteSession(web.SessionToken(c)); err != nil {
		return err
	}
	c.ClearCookie(h.cfg.SessionCookie)
	return c.Redirect("/login?ok=signedout", fiber.StatusSeeOther)
}

// Home sends a member to their timesheet.
func (h *Handlers) Home(c *fiber.Ctx) error { return c.Redirect("/timesheet") }

// safeNext keeps post-sign-in redirects on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/timesheet"
	}
	return next
}
