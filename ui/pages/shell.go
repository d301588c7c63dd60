package pages

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// shells keeps views rendered around a placeholder body, split at it, by
// everything the view was given: a page whose only part that changes from
// one request to the next is its body (the timesheet's month) is then
// written as head, body, tail, without running html/template, whose
// reflection is most of such a page's cost. The view's templates and funcs
// are pure, so equal inputs render equal bytes.
var shells = shellCache{m: map[string]shell{}}

type shellCache struct {
	mu sync.RWMutex
	m  map[string]shell
}

type shell struct{ head, tail []byte }

// maxShells bounds the cache (a few KiB a shell, one per session and day
// for the timesheet); when full it starts afresh.
const maxShells = 512

// shellMark stands where the body goes while a shell renders: it cannot
// occur in escaped text, and its random part in nothing else.
var shellMark = func() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "<!--body " + hex.EncodeToString(b) + "-->"
}()

// renderShell renders view like render, where data(body) is the view's
// data with body (safe HTML) in the place the view shows it, and
// appendBody appends that body to a buffer. The key is the JSON of the
// page with an empty body, so a field of the page or the data that JSON
// leaves out must not change what the view shows.
func (h *Handlers) renderShell(c *fiber.Ctx, status int, view string, p Page,
	data func(body template.HTML) any, appendBody func([]byte) []byte) error {
	t, err := h.view(c, view, &p)
	if err != nil {
		return err
	}
	p.Data = data("")
	key, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("render %s: %w", view, err)
	}
	// The view itself is part of the key: each app parses its own.
	key = fmt.Appendf(key, "%p", t)
	shells.mu.RLock()
	sh, ok := shells.m[string(key)]
	shells.mu.RUnlock()
	if !ok {
		p.Data = data(template.HTML(shellMark))
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
			return fmt.Errorf("render %s: %w", view, err)
		}
		head, tail, found := bytes.Cut(buf.Bytes(), []byte(shellMark))
		if !found || bytes.Contains(tail, []byte(shellMark)) {
			return fmt.Errorf("render %s: the body is not shown exactly once", view)
		}
		sh = shell{head: head, tail: tail}
		shells.mu.Lock()
		if len(shells.m) >= maxShells {
			shells.m = map[string]shell{}
		}
		shells.m[string(key)] = sh
		shells.mu.Unlock()
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	buf := bodyBuffers.Get().(*[]byte)
	out := appendBody(append((*buf)[:0], sh.head...))
	out = append(out, sh.tail...)
	resp := c.Status(status).Response()
	resp.ResetBody()
	resp.AppendBody(out) // copied into fasthttp's pooled buffer
	*buf = out
	bodyBuffers.Put(buf)
	return nil
}

// bodyBuffers are reused to assemble pages.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}
