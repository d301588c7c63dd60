package ui

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// SessionCookie holds a browser's session token. The store keeps only its
// hash, so a stolen backup signs nobody in.
const SessionCookie = "coopledger_session"

// CSRFHeader carries the session's CSRF token on API writes that come with
// the session cookie (scripts on our own pages); forms send it as _csrf.
const CSRFHeader = "X-CSRF-Token"

// authenticate identifies the caller by bearer token or session cookie and
// records them on the request. A wrong bearer token is refused at once; a
// stale cookie (expired, idle too long, or its member gone) just leaves
// the request anonymous (and is cleared). A read-only session may read
// and sign out, nothing else.
func (s *server) authenticate(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet {
		// Before the caller is read: an answer kept for reuse
		// (web.Replies) must not outlive a change to their roles.
		gen, err := s.db.Generation()
		if err != nil {
			return err
		}
		web.SetGeneration(c, gen)
	}
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return fmt.Errorf("authorization header must be \"Bearer <token>\": %w", ledger.ErrUnauthenticated)
		}
		m, err := s.db.TokenMember(strings.TrimSpace(tok))
		if err != nil {
			return err
		}
		web.SetActor(c, m)
		return c.Next()
	}
	if tok := c.Cookies(SessionCookie); tok != "" {
		tok = strings.Clone(tok)
		sess, m, err := s.db.ResumeSession(tok, s.sessionIdle)
		if err != nil {
			c.ClearCookie(SessionCookie)
			return c.Next()
		}
		web.SetActor(c, m)
		web.SetSession(c, tok, sess)
		if sess.ReadOnly && !readOnlyAllowed(c) {
			return fmt.Errorf("%s %s: this sign-in is read-only, as the membership has ended: %w", c.Method(), c.Path(), ledger.ErrForbidden)
		}
	}
	return c.Next()
}

// readOnlyAllowed reports whether a read-only session may make this
// request: reads, and signing out.
func readOnlyAllowed(c *fiber.Ctx) bool {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return true
	}
	return c.Method() == fiber.MethodPost && c.Path() == "/auth/logout"
}

// requireActor refuses anonymous requests with 401 (pages turn that into a
// redirect to the sign-in form).
func requireActor(c *fiber.Ctx) error {
	if _, ok := web.Actor(c); !ok {
		return fmt.Errorf("%s %s: %w", c.Method(), c.Path(), ledger.ErrUnauthenticated)
	}
	return c.Next()
}

// checkCSRF refuses a state-changing request authenticated by the session
// cookie unless it echoes the session's CSRF token, as the _csrf form field
// or the X-CSRF-Token header. Bearer-token requests carry no ambient
// credential, so they need none.
func checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sess, ok := web.Session(c)
	if !ok || (c.Method() == fiber.MethodPost && c.Path() == "/login") {
		// The sign-in form carries a CSRF token of its own (there is no
		// session when it is shown), checked by the handler; a browser
		// still holding a session may sign in afresh with it.
		return c.Next()
	}
	got := c.Get(CSRFHeader)
	if got == "" {
		got = c.FormValue("_csrf")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
		return fmt.Errorf("missing or stale CSRF token; reload the page and try again: %w", ledger.ErrForbidden)
	}
	return c.Next()
}
