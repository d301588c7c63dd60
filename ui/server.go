// Package ui is Coopledger's web face: the JSON API under /api/v1, the
// server-rendered pages, sign-in, and the embedded templates and assets.
// Handlers validate, call the domain and render; they hold no rules.
package ui

import (
	"embed"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/api"
	"github.com/coopledger/coopledger/ui/pages"
	"github.com/gofiber/fiber/v2"
)

//go:embed templates static
var assets embed.FS

// Config is what the web app needs; cmd/coopledger builds it from flags.
type Config struct {
	DB *store.DB
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
}

type server struct {
	db        *store.DB
	log       *slog.Logger
	api       api.Handlers
	pages     *pages.Handlers
	metrics   *Metrics
	accessLog bool
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
	tmpl, _ := fs.Sub(assets, "templates")
	static, _ := fs.Sub(assets, "static")
	p, err := pages.New(pages.Config{
		DB: cfg.DB, Templates: tmpl, Static: static, SessionTTL: cfg.SessionTTL,
		SessionCookie: SessionCookie, SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
	})
	if err != nil {
		return nil, err
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(cfg.DB)
	}
	gov, err := govstore.New(cfg.DB)
	if err != nil {
		return nil, err
	}
	s := &server{db: cfg.DB, log: cfg.Logger, api: api.Handlers{DB: cfg.DB, Gov: gov}, pages: p,
		metrics: cfg.Metrics, accessLog: cfg.AccessLog}
	app := fiber.New(fiber.Config{
		AppName:               "coopledger",
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
