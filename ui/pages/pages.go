// Package pages serves the server-rendered HTML: sign-in, the timesheet,
// the review queue and the admin pages. Forms post back to the server,
// which validates through the same domain calls as the JSON API, so the
// pages work without JavaScript.
package pages

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/sso"
	"github.com/coopledger/coopledger/ui/throttle"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// Config is what the pages need from the server.
type Config struct {
	DB *store.DB
	// Gov is the governance store: requests, bounties, polls, meetings.
	Gov           *govstore.Store
	Templates     fs.FS // layout.html, partials/*.html, views/*.html
	Static        fs.FS // app.css and friends
	SessionTTL    time.Duration
	SessionCookie string
	SecureCookies bool
	// Logger receives sign-in events and refusals; never a secret.
	Logger *slog.Logger
	// SSO, when set, offers single sign-on; SSOPolicy says whom it lets in.
	SSO       *sso.Client
	SSOPolicy store.SSOPolicy
	// NoLocalLogin switches password sign-in off (--local-login=false).
	NoLocalLogin bool
	// AccountLimit and AddressLimit throttle failed password sign-ins per
	// address typed and per client IP.
	AccountLimit, AddressLimit *throttle.Limiter
	// Now is the clock of pending sign-ins; default time.Now.
	Now func() time.Time
	// Replies keeps pages read again between commits; nil keeps none.
	Replies *web.Replies
}

// Handlers serves the pages.
type Handlers struct {
	cfg     Config
	db      *store.DB
	log     *slog.Logger
	pending *sso.Pending
	views   map[string]*template.Template
	static  map[string]staticFile // by versioned name, e.g. app.3f2a9c1d.css
	urls    map[string]string     // plain name → versioned URL
}

type staticFile struct {
	data        []byte
	contentType string
}

// New parses every view with the layout once, and fails if any is broken,
// so a bad template stops the server at start rather than on a request.
func New(cfg Config) (*Handlers, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccountLimit == nil {
		cfg.AccountLimit = throttle.New(AccountFailures, FailureWindow, cfg.Now)
	}
	if cfg.AddressLimit == nil {
		cfg.AddressLimit = throttle.New(AddressFailures, FailureWindow, cfg.Now)
	}
	h := &Handlers{cfg: cfg, db: cfg.DB, log: cfg.Logger, pending: sso.NewPending(cfg.Now),
		views: map[string]*template.Template{}, static: map[string]staticFile{}, urls: map[string]string{}}
	if err := h.loadStatic(); err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(h.funcs()).ParseFS(cfg.Templates, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(cfg.Templates, "views/*.html")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no views found in templates/views")
	}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(cfg.Templates, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("view %s defines no \"content\" block", n)
		}
		h.views[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	for _, want := range requiredViews {
		if h.views[want] == nil {
			return nil, fmt.Errorf("view %s.html is missing", want)
		}
	}
	return h, nil
}

// requiredViews are the views the handlers render; New checks each exists.
var requiredViews = []string{"close", "login", "error", "timesheet", "review", "members", "circles", "account",
	"statement", "debt", "scenarios", "requests", "request", "bounties", "polls", "poll", "meetings", "meeting", "activity"}

func (h *Handlers) loadStatic() error {
	return fs.WalkDir(h.cfg.Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(h.cfg.Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		versioned := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ct := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
			".svg": "image/svg+xml", ".woff2": "font/woff2", ".png": "image/png", ".ico": "image/x-icon"}[ext]
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.static[versioned] = staticFile{data: data, contentType: ct}
		h.urls[p] = "/static/" + versioned
		return nil
	})
}

// Static serves embedded assets under content-hashed names, so browsers
// may cache them for a year and still see every change.
func (h *Handlers) Static(c *fiber.Ctx) error {
	f, ok := h.static[c.Params("*")]
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "no such asset")
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, f.contentType)
	return c.Send(f.data)
}

func (h *Handlers) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return h.urls[name] },
		"hours": ledger.HoursText,
		"hasRole": func(m ledger.Member, r string) bool {
			return m.HasRole(ledger.Role(r))
		},
		"join": func(sep string, xs any) string {
			switch v := xs.(type) {
			case []string:
				return strings.Join(v, sep)
			case []ledger.Role:
				s := make([]string, len(v))
				for i, r := range v {
					s[i] = string(r)
				}
				return strings.Join(s, sep)
			case []ledger.Class:
				s := make([]string, len(v))
				for i, r := range v {
					s[i] = string(r)
				}
				return strings.Join(s, sep)
			}
			return fmt.Sprint(xs)
		},
	}
}

// Page is what every view gets: the caller, the CSRF token for its forms,
// a flash message, the field errors of a refused form, and the view's data.
type Page struct {
	Title  string
	Nav    string
	Actor  ledger.Member
	Signed bool
	CSRF   string
	Flash  string
	Error  string
	Fields map[string]string
	Form   map[string]string
	Data   any
}

// view finds view's template and fills in what every page shows: who is
// signed in, the CSRF token, the notice the URL asks for.
func (h *Handlers) view(c *fiber.Ctx, view string, p *Page) (*template.Template, error) {
	t := h.views[view]
	if t == nil {
		return nil, fmt.Errorf("render: no view %q", view)
	}
	if m, ok := web.Actor(c); ok {
		p.Actor, p.Signed = m, true
	}
	if s, ok := web.Session(c); ok {
		p.CSRF = s.CSRF
	}
	if p.Flash == "" {
		p.Flash = flashes[c.Query("ok")]
	}
	return t, nil
}

// render writes view inside the layout with status.
func (h *Handlers) render(c *fiber.Ctx, status int, view string, p Page) error {
	t, err := h.view(c, view, &p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return fmt.Errorf("render %s: %w", view, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(buf.Bytes())
}

// flashes are the confirmations a redirect may ask for with ?ok=key; only
// these fixed texts can appear, so the query cannot inject content.
var flashes = map[string]string{
	"logged":    "Hours logged.",
	"submitted": "Sent for review.",
	"deleted":   "Draft deleted.",
	"approved":  "Entry approved.",
	"rejected":  "Entry rejected.",
	"member":    "Member added.",
	"circle":    "Circle added.",
	"password":  "Password changed.",
	"token":     "Token created.",
	"signedout": "You are signed out.",
	"drafted":   "Draft computed.",
	"posted":    "Month approved and posted to the journal.",
	"welcome":   "Welcome! Set a password below so you can sign in again.",
	"waived":    "Waiver recorded: the co-op owes you that much less.",
	// Governance pages.
	"filed":              "Request filed.",
	"commented":          "Comment added.",
	"triaged":            "Request triaged.",
	"proposed":           "Bounty proposed: the board funds it by approving it.",
	"bounty-approve":     "Bounty approved: its amount is reserved from the fund.",
	"bounty-cancel":      "Bounty cancelled: its reservation is released.",
	"bounty-claim":       "Bounty claimed: it is yours to deliver.",
	"bounty-submit":      "Work submitted for review.",
	"bounty-accept":      "Bounty accepted and paid from the fund.",
	"bounty-reject":      "Bounty sent back to its claimant.",
	"opened":             "Poll opened.",
	"voted":              "Ballot cast. You may change it while the poll is open.",
	"closed":             "Poll closed: its result is final.",
	"scheduled":          "Meeting scheduled.",
	"meeting-agenda":     "Agenda item added.",
	"meeting-volunteer":  "Volunteers updated.",
	"meeting-rsvp":       "Answer recorded.",
	"meeting-attendance": "Attendance recorded.",
	"meeting-minutes":    "Minutes recorded.",
	"meeting-move":       "Agenda reordered.",
	"rule":               "Commitment saved.",
}

// RenderError shows an error page; the server's error handler calls it for
// page routes.
func (h *Handlers) RenderError(c *fiber.Ctx, status int, code, message string) error {
	return h.render(c, status, "error", Page{Title: "Error", Error: message, Data: map[string]any{"Status": status, "Code": code}})
}

// formError turns a domain error into field messages for re-rendering a
// form; ok is false for errors that are not about the input.
func formError(err error) (fields map[string]string, ok bool) {
	ve, isVE := asValidation(err)
	if !isVE {
		return nil, false
	}
	return ve.Fields, true
}
