// Package web holds what the JSON handlers, the page handlers and the
// middleware share about a request: who is calling, how a body is read into
// a domain input. It knows Fiber; the domain packages never do.
package web

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/gofiber/fiber/v2"
)

type ctxKey int

const (
	keyActor ctxKey = iota
	keySession
	keySessionToken
	keyGeneration
)

// SetActor records the authenticated caller for the rest of the request.
func SetActor(c *fiber.Ctx, m ledger.Member) { c.Locals(keyActor, m) }

// Actor returns the caller, and false when the request is anonymous.
func Actor(c *fiber.Ctx) (ledger.Member, bool) {
	m, ok := c.Locals(keyActor).(ledger.Member)
	return m, ok
}

// MustActor returns the caller; routes behind the auth middleware always
// have one.
func MustActor(c *fiber.Ctx) ledger.Member {
	m, _ := Actor(c)
	return m
}

// SetSession records the browser session the request came with.
func SetSession(c *fiber.Ctx, token string, s store.Session) {
	c.Locals(keySession, s)
	c.Locals(keySessionToken, token)
}

// Session returns the browser session, and false for bearer-token or
// anonymous requests.
func Session(c *fiber.Ctx) (store.Session, bool) {
	s, ok := c.Locals(keySession).(store.Session)
	return s, ok
}

// SessionToken returns the raw session token (for sign-out).
func SessionToken(c *fiber.Ctx) string {
	t, _ := c.Locals(keySessionToken).(string)
	return t
}

// SetGeneration records the store's generation (store.DB.Generation) read
// before the caller was authenticated: an answer computed in this request
// is no older than that, the caller's roles included.
func SetGeneration(c *fiber.Ctx, gen uint64) { c.Locals(keyGeneration, gen) }

// Generation returns what SetGeneration recorded, and false when nothing
// was.
func Generation(c *fiber.Ctx) (uint64, bool) {
	g, ok := c.Locals(keyGeneration).(uint64)
	return g, ok
}

// IsAPI reports whether the request is for the JSON API, whose errors are
// JSON bodies rather than pages.
func IsAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= 7 && p[:7] == "/api/v1"
}
