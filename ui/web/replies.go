package web

import (
	"sync"

	"github.com/gofiber/fiber/v2"
)

// Replies keeps the bodies of GET answers that depend only on the store,
// the request and the day (a member's month of entries, their timesheet),
// each with the store generation read before the request was
// authenticated (SetGeneration; the auth middleware records it for reads).
// An answer is served again only while that generation is still the
// store's: any commit at all, by anyone, retires every kept answer, a
// change to the caller's own roles included. So a page read over and over
// between writes is built once, and no answer is ever older than the last
// commit.
//
// The key must name everything else the answer depends on: the member
// asking, the whole URL, the day, the session's CSRF token for a page.
type Replies struct {
	mu    sync.RWMutex
	m     map[string]reply
	bytes int // of keys and bodies
	max   int
}

type reply struct {
	gen         uint64
	contentType string
	body        []byte
}

// NewReplies keeps up to maxBytes of answers and their keys; past that it
// starts afresh.
func NewReplies(maxBytes int) *Replies {
	return &Replies{m: map[string]reply{}, max: maxBytes}
}

// Serve answers c from the answer kept under key, if it was computed at
// the request's generation, and reports whether it did. An answer of an
// older generation is dropped.
func (r *Replies) Serve(c *fiber.Ctx, key string) bool {
	gen, ok := Generation(c)
	if r == nil || !ok {
		return false
	}
	r.mu.RLock()
	rep, found := r.m[key]
	r.mu.RUnlock()
	if !found {
		return false
	}
	if rep.gen != gen {
		r.mu.Lock()
		if cur, ok := r.m[key]; ok && cur.gen < gen {
			delete(r.m, key)
			r.bytes -= len(key) + len(cur.body)
		}
		r.mu.Unlock()
		return false
	}
	c.Response().Header.SetContentType(rep.contentType)
	c.Response().SetBodyRaw(rep.body)
	return true
}

// Keep remembers c's answer (status 200 only) under key, with the
// request's generation. Call it after the handler has written the answer.
func (r *Replies) Keep(c *fiber.Ctx, key string) {
	gen, ok := Generation(c)
	if r == nil || !ok || c.Response().StatusCode() != fiber.StatusOK {
		return
	}
	body := append([]byte(nil), c.Response().Body()...)
	size := len(key) + len(body)
	rep := reply{gen: gen, contentType: string(c.Response().Header.ContentType()), body: body}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.m[key]; ok {
		r.bytes -= len(key) + len(old.body)
	}
	if r.bytes+size > r.max {
		r.m, r.bytes = map[string]reply{}, 0
	}
	if size <= r.max {
		r.m[key] = rep
		r.bytes += size
	}
}
