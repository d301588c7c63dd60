// Package ui is Coopledger's web face: the JSON API under /api/v1, the
// server-rendered pages, sign-in, and the embedded templates and assets.
// Handlers validate, call the domain and render; they hold no rules.
package ui

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/api"
	"github.com/coopledger/coopledger/ui/pages"
	"github.com/coopledger/coopledger/ui/sso"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

//go:embed templates static
var assets embed.FS

// Config is what the web app needs; cmd/coopledger builds it from flags.
type Config struct {
	DB *store.DB
	// Gov is the governance store on DB; default: a new one. serve passes
	// the one its scheduler's sweeps use, so both share its poll cache.
	Gov *govstore.Store
	// Logger receives request errors; default slog.Default().
	Logger *slog.Logger
	// PublicURL is where members reach the server (links, secure cookies).
	PublicURL string
	// SessionTTL is how long a sign-in lasts; default 12 h.
	SessionTTL time.Duration
	// BodyLimit caps request bodies in bytes (413 beyond); default 1 MiB.
	BodyLimit int
	// Metrics are served at /metrics; default: a new set for DB. serve
	// passes its own so the scheduler's runs are counted too.
	Metrics *Metrics
	// AccessLog logs every request (id, method, route, status, time) at
	// info level.
	AccessLog bool
	// SessionIdle ends a browser session unused for this long, besides
	// the absolute SessionTTL; default 2 h, negative for no idle limit.
	SessionIdle time.Duration
	// SSO, when set, offers single sign-on (GET /auth/oidc/login and
	// /auth/oidc/callback); SSOPolicy says whom it lets in (its TTL is
	// SessionTTL's).
	SSO       *sso.Client
	SSOPolicy store.SSOPolicy
	// NoLocalLogin switches password sign-in off (--local-login=false);
	// it needs SSO.
	NoLocalLogin bool
	// Now is the clock of the sign-in throttles and of sign-ins in
	// progress at the provider; default time.Now. Sessions use the
	// store's clock.
	Now func() time.Time
}

type server struct {
	db          *store.DB
	log         *slog.Logger
	api         api.Handlers
	pages       *pages.Handlers
	metrics     *Metrics
	accessLog   bool
	sessionIdle time.Duration
}

// New builds the Fiber app. It parses every template up front and fails if
// one is missing, so a broken build never starts serving.
func New(cfg Config) (*fiber.App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 2 * time.Hour
	}
	if cfg.NoLocalLogin && cfg.SSO == nil {
		return nil, errors.New("password sign-in can only be switched off with single sign-on set up (--local-login=false needs --oidc-issuer)")
	}
	gov := cfg.Gov
	if gov == nil {
		var err error
		if gov, err = govstore.New(cfg.DB); err != nil {
			return nil, err
		}
	}
	// Answers to reads repeated between commits, up to 8 MiB of them.
	replies := web.NewReplies(8 << 20)
	tmpl, _ := fs.Sub(assets, "templates")
	static, _ := fs.Sub(assets, "static")
	p, err := pages.New(pages.Config{
		DB: cfg.DB, Gov: gov, Templates: tmpl, Static: static, SessionTTL: cfg.SessionTTL,
		SessionCookie: SessionCookie, SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		Logger: cfg.Logger, SSO: cfg.SSO, SSOPolicy: cfg.SSOPolicy, NoLocalLogin: cfg.NoLocalLogin, Now: cfg.Now,
		Replies: replies,
	})
	if err != nil {
		return nil, err
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(cfg.DB)
	}
	s := &server{db: cfg.DB, log: cfg.Logger, api: api.Handlers{DB: cfg.DB, Gov: gov, Replies: replies}, pages: p,
		metrics: cfg.Metrics, accessLog: cfg.AccessLog, sessionIdle: max(cfg.SessionIdle, 0)}
	app := fiber.New(fiber.Config{
		AppName: "coopledger",
		// Paths are case-sensitive, as URLs are: /API/V1 is not the API
		// (whose answers, errors and headers are told by their path).
		CaseSensitive:         true,
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(cfg.Logger, p.RenderError),
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	s.routes(app)
	return app, nil
}
