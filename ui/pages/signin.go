package pages

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// loginCSRFCookie protects the sign-in form itself (there is no session
// yet to hold a token): the form must echo the cookie's random value.
const loginCSRFCookie = "coopledger_login_csrf"

// Sign-in throttling (see package throttle): a password sign-in is
// refused with 429 and Retry-After once the address typed has failed
// AccountFailures times, or the client's IP AddressFailures times, within
// FailureWindow. A success clears the address's count, not the IP's, so
// one good account cannot be used to keep guessing at others.
const (
	AccountFailures = 5
	AddressFailures = 20
	FailureWindow   = 15 * time.Minute
)

// loginData is what the sign-in view shows besides the form.
type loginData struct {
	SSO   bool // offer "Sign in with SSO"
	Local bool // show the password form
}

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
	local := !h.cfg.NoLocalLogin
	if local {
		c.Cookie(&fiber.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", HTTPOnly: true,
			Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode, MaxAge: 3600})
	}
	return h.render(c, status, "login", Page{Title: "Sign in", Error: msg, CSRF: tok,
		Form: map[string]string{"email": email, "next": safeNext(c.Query("next", c.FormValue("next")))},
		Data: loginData{SSO: h.cfg.SSO != nil, Local: local}})
}

// Login checks the password and starts a session with a fresh id (the
// old cookie, if any, is never reused).
func (h *Handlers) Login(c *fiber.Ctx) error {
	if h.cfg.NoLocalLogin {
		return h.renderLogin(c, fiber.StatusNotFound, "", "Password sign-in is switched off here: sign in with SSO.")
	}
	email := form(c, "email")
	want := c.Cookies(loginCSRFCookie)
	got := c.FormValue("_csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return h.renderLogin(c, fiber.StatusForbidden, email, "The form expired. Please try again.")
	}
	account, addr := "account "+ledger.EmailKey(email), c.IP()
	if wait := max(h.cfg.AccountLimit.Wait(account), h.cfg.AddressLimit.Wait(addr)); wait > 0 {
		return h.tooManyTries(c, email, wait)
	}
	m, err := h.db.Authenticate(email, c.FormValue("password"))
	if errors.Is(err, ledger.ErrUnauthenticated) {
		h.cfg.AccountLimit.Fail(account)
		h.cfg.AddressLimit.Fail(addr)
		h.log.Info("sign-in refused", "via", store.ViaPassword, "ip", addr)
		return h.renderLogin(c, fiber.StatusUnauthorized, email, "That email and password do not match an active member.")
	}
	if err != nil {
		return err
	}
	h.cfg.AccountLimit.Reset(account)
	if err := h.startSession(c, m.ID, store.SessionOptions{TTL: h.cfg.SessionTTL, Via: store.ViaPassword}); err != nil {
		return err
	}
	c.ClearCookie(loginCSRFCookie)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// tooManyTries answers 429 with Retry-After in whole seconds.
func (h *Handlers) tooManyTries(c *fiber.Ctx, email string, wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	mins := (secs + 59) / 60
	return h.renderLogin(c, fiber.StatusTooManyRequests, email,
		fmt.Sprintf("Too many failed sign-ins. Try again in %d minute%s.", mins, map[bool]string{true: "s"}[mins != 1]))
}

// startSession signs the browser in with a new session token. Any session
// the browser came with is ended first, on every way in (password, link,
// SSO), so a token planted before sign-in is worth nothing after it.
func (h *Handlers) startSession(c *fiber.Ctx, memberID string, o store.SessionOptions) error {
	h.dropSession(c)
	tok, _, err := h.db.OpenSession(memberID, o)
	if err != nil {
		return err
	}
	h.setSessionCookie(c, tok)
	return nil
}

// dropSession ends the session of the cookie the browser came with.
func (h *Handlers) dropSession(c *fiber.Ctx) {
	if old := c.Cookies(h.cfg.SessionCookie); old != "" {
		_ = h.db.DeleteSession(strings.Clone(old))
	}
}

func (h *Handlers) setSessionCookie(c *fiber.Ctx, tok string) {
	c.Cookie(&fiber.Cookie{Name: h.cfg.SessionCookie, Value: tok, Path: "/", HTTPOnly: true,
		Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Now().Add(h.cfg.SessionTTL)})
}

// LoginLink redeems a one-time sign-in link (printed by `serve` on first
// start for the new admin) and opens a session. It works with password
// sign-in switched off too: it is how the first admin gets in. Failed
// links count against the client's IP like failed passwords.
func (h *Handlers) LoginLink(c *fiber.Ctx) error {
	addr := c.IP()
	if wait := h.cfg.AddressLimit.Wait(addr); wait > 0 {
		return h.tooManyTries(c, "", wait)
	}
	tok, _, err := h.db.RedeemLoginLink(param(c, "token"), h.cfg.SessionTTL)
	if errors.Is(err, ledger.ErrUnauthenticated) {
		h.cfg.AddressLimit.Fail(addr)
		return h.renderLogin(c, fiber.StatusUnauthorized, "", "That sign-in link was already used or has expired.")
	}
	if err != nil {
		return err
	}
	h.dropSession(c)
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
