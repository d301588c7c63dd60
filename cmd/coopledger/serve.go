package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/schedule"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/testdata"
	"github.com/coopledger/coopledger/ui"
)

const serveExamples = `  coopledger serve --demo                      # sample co-op in ./coopledger.db
  coopledger serve --db /var/lib/coopledger/coop.db --addr 127.0.0.1:8080 \
      --public-url https://books.example.coop
  COOPLEDGER_DB=/srv/coop.db COOPLEDGER_ADDR=0.0.0.0:8080 coopledger serve
  coopledger serve --close-tz Europe/London --close-hour 7   # draft last month at 07:00 UK time on the 1st
  coopledger serve --scheduler=false                         # a read replica: no drafts
  coopledger serve --backup-dir /srv/backups --backup-keep 14 # a backup at 03:00 (--close-tz) daily, the newest 14 kept
  COOPLEDGER_OIDC_CLIENT_SECRET=... coopledger serve --public-url https://books.example.coop \
      --oidc-issuer https://id.example.coop/realms/coop --oidc-client-id coopledger \
      --oidc-group-map coop-board=board,coop-ops=ops,coop-ops=class:ops   # single sign-on with Keycloak`

// serveOptions is everything `serve` is configured with.
type serveOptions struct {
	DB            string
	Addr          string
	PublicURL     string
	Demo          bool
	AdminEmail    string
	LogFormat     string
	AccessLog     bool
	SessionTTL    time.Duration
	SessionIdle   time.Duration // 0: no idle limit
	BatchSize     int
	BatchDelay    time.Duration
	ShutdownGrace time.Duration
	// Scheduler runs the timed jobs (drafting the monthly close) in this
	// process; CloseHour and CloseTZ say when on the 1st.
	Scheduler bool
	CloseHour int
	CloseTZ   string
	// BackupDir, when set, has the scheduler write a backup there daily at
	// BackupHour (in CloseTZ), keeping the BackupKeep newest.
	BackupDir  string
	BackupKeep int
	BackupHour int
	// SSO is single sign-on (the --oidc-* flags and --local-login).
	SSO ssoOptions
	// ready, when set (tests), receives the bound address once listening.
	ready chan<- string
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Run the web app and the JSON API on one store file.", serveExamples, stderr)
	o := serveOptions{}
	fs.StringVar(&o.DB, "db", "./coopledger.db", "store file (created if missing)")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.PublicURL, "public-url", "", "URL members use to reach the server (default http://<addr>)")
	fs.BoolVar(&o.Demo, "demo", false, "load the synthetic sample co-op into an empty store and print its sign-ins")
	fs.StringVar(&o.AdminEmail, "admin-email", "admin@localhost", "email of the admin created on first start of an empty store")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&o.AccessLog, "access-log", true, "log every request with its request id, route, status and time")
	fs.DurationVar(&o.SessionTTL, "session-ttl", 12*time.Hour, "how long a browser sign-in lasts at most")
	fs.DurationVar(&o.SessionIdle, "session-idle", 2*time.Hour, "end a browser sign-in unused this long (0: only --session-ttl ends it)")
	fs.IntVar(&o.BatchSize, "batch-size", 64, "most writes grouped into one commit")
	fs.DurationVar(&o.BatchDelay, "batch-delay", time.Millisecond, "longest a write waits for others to share its commit")
	fs.DurationVar(&o.ShutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may finish on SIGINT/SIGTERM")
	fs.BoolVar(&o.Scheduler, "scheduler", true, "draft the monthly close on the 1st and catch up missed months at start-up; false for a read replica or tests")
	fs.IntVar(&o.CloseHour, "close-hour", 6, "hour (0-23) of the 1st of the month at which last month's close is drafted")
	fs.StringVar(&o.CloseTZ, "close-tz", "UTC", "time zone of --close-hour, an IANA name such as Europe/London")
	fs.StringVar(&o.BackupDir, "backup-dir", "", "existing folder to write a daily backup to (default none: no scheduled backups)")
	fs.IntVar(&o.BackupKeep, "backup-keep", 7, "how many of the newest backups to keep in --backup-dir")
	fs.IntVar(&o.BackupHour, "backup-hour", 3, "hour (0-23), in --close-tz, at which the daily backup is written")
	addSSOFlags(fs, &o.SSO)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	defer ui.TuneGC()()
	return serve(ctx, o, stdout, stderr)
}

// serve runs until ctx is cancelled (SIGINT/SIGTERM), then lets in-flight
// requests finish, stops the scheduler, closes the store and returns nil.
func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	var log *slog.Logger
	switch o.LogFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		return usageError{fmt.Errorf("--log-format must be text or json, not %q", o.LogFormat)}
	}
	if err := o.SSO.validate(); err != nil {
		return err
	}
	var closeTZ *time.Location
	if o.BackupDir != "" && !o.Scheduler {
		return usageError{fmt.Errorf("--backup-dir needs the scheduler: drop --scheduler=false")}
	}
	if o.BackupDir != "" && (o.BackupHour < 0 || o.BackupHour > 23) {
		return usageError{fmt.Errorf("--backup-hour must be 0-23, not %d", o.BackupHour)}
	}
	if o.BackupDir != "" && o.BackupKeep < 1 {
		return usageError{fmt.Errorf("--backup-keep must be at least 1, not %d", o.BackupKeep)}
	}
	if o.BackupDir != "" {
		// Now rather than at the first backup, a day after a typo.
		if fi, err := os.Stat(o.BackupDir); err != nil || !fi.IsDir() {
			return usageError{fmt.Errorf("--backup-dir %q is not an existing folder", o.BackupDir)}
		}
	}
	if o.Scheduler {
		if o.CloseHour < 0 || o.CloseHour > 23 {
			return usageError{fmt.Errorf("--close-hour must be 0-23, not %d", o.CloseHour)}
		}
		var err error
		if closeTZ, err = time.LoadLocation(o.CloseTZ); err != nil || o.CloseTZ == "" || strings.EqualFold(o.CloseTZ, "local") {
			return usageError{fmt.Errorf("--close-tz %q is not a time zone name such as UTC or Europe/London", o.CloseTZ)}
		}
	}
	db, err := store.Open(o.DB, store.Options{MaxBatchSize: o.BatchSize, MaxBatchDelay: o.BatchDelay})
	if err != nil {
		return err
	}
	defer db.Close()
	metrics := ui.NewMetrics(db)
	gov, err := govstore.New(db)
	if err != nil {
		return err
	}
	var sched *schedule.Scheduler
	if o.Scheduler {
		cfg := schedule.Config{Hour: o.CloseHour, Location: closeTZ,
			BackupDir: o.BackupDir, BackupKeep: o.BackupKeep, BackupHour: o.BackupHour,
			Sweeps: []schedule.Sweep{
				{Name: "close-due-polls", Every: time.Minute, Run: func(context.Context) ([]string, error) { return gov.CloseDuePolls() }},
				{Name: "expire-bounties", Every: time.Hour, Run: func(context.Context) ([]string, error) { return gov.ExpireBounties() }},
				{Name: "purge-sessions", Every: time.Hour, Run: func(context.Context) ([]string, error) {
					n, err := db.PurgeExpired(o.SessionIdle)
					if n == 0 {
						return nil, err
					}
					return []string{fmt.Sprintf("%d expired sessions and sign-in links", n)}, err
				}},
			},
			AfterRun: func(r schedule.Run) { metrics.ObserveJob(r.Job, r.Err, r.Duration) }}
		if sched, err = schedule.New(db, cfg, log); err != nil {
			return usageError{fmt.Errorf("--close-hour, --close-tz: %w", err)}
		}
		// Stopped before the store closes (defers run last in, first out).
		defer func() {
			if err := sched.Stop(); err != nil {
				log.Error("stop scheduler", "err", err)
			}
		}()
	}

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	base := o.PublicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	base = strings.TrimRight(base, "/")
	ssoClient, ssoPolicy, err := o.SSO.build(ctx, base, log)
	if err != nil {
		ln.Close()
		return err
	}
	if err := firstStart(db, o, base, stdout, stderr); err != nil {
		ln.Close()
		return err
	}
	if sched != nil {
		// Drafts the months missed while the server was down before the
		// app serves anyone (the demo's months are closed already), then
		// drafts each month on the 1st.
		sched.Start(ctx)
	}
	idle := o.SessionIdle
	if idle == 0 {
		idle = -1 // ui.Config: none
	}
	app, err := ui.New(ui.Config{DB: db, Logger: log, PublicURL: base, SessionTTL: o.SessionTTL,
		SessionIdle: idle, SSO: ssoClient, SSOPolicy: ssoPolicy, NoLocalLogin: o.SSO.NoLocalLogin,
		Metrics: metrics, AccessLog: o.AccessLog, Gov: gov})
	if err != nil {
		ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	fmt.Fprintf(stdout, "Coopledger is running at %s (store %s). Press Ctrl-C to stop.\n", base, o.DB)
	if o.ready != nil {
		o.ready <- ln.Addr().String()
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", o.ShutdownGrace)
	if err := app.ShutdownWithTimeout(o.ShutdownGrace); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// firstStart prepares an empty store: the demo co-op with --demo, or else
// an admin with a one-time sign-in link printed to stderr.
func firstStart(db *store.DB, o serveOptions, base string, stdout, stderr io.Writer) error {
	var empty bool
	if err := db.View(func(tx *store.Tx) error { empty = !tx.HasMembers(); return nil }); err != nil {
		return err
	}
	if o.Demo {
		if !empty {
			fmt.Fprintf(stdout, "The store %s already has members; the demo co-op was not loaded again.\n", o.DB)
			printDemoAccounts(stdout, base)
			return nil
		}
		if _, err := testdata.LoadInto(db); err != nil {
			return fmt.Errorf("load demo co-op: %w", err)
		}
		fmt.Fprintf(stdout, "Loaded the synthetic demo co-op into %s.\n", o.DB)
		printDemoAccounts(stdout, base)
		return nil
	}
	if !empty {
		return nil
	}
	var link string
	err := db.Update(func(tx *store.Tx) error {
		name, email := "Administrator", o.AdminEmail
		roles := []ledger.Role{ledger.RoleAdmin, ledger.RoleBoard}
		m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Roles: &roles})
		if err != nil {
			return fmt.Errorf("create first admin (--admin-email): %w", err)
		}
		link, err = tx.CreateLoginLink(ledger.System, m.ID, 24*time.Hour)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "This is a new store: created the admin %s.\nSign in once within 24 hours with this link, then set a password:\n\n  %s/auth/link/%s\n\n", o.AdminEmail, base, link)
	return nil
}

func printDemoAccounts(w io.Writer, base string) {
	fmt.Fprintf(w, "Sign in at %s/login with any of these (password %q):\n", base, testdata.DemoPassword)
	for _, a := range testdata.Accounts() {
		fmt.Fprintf(w, "  %-28s %-10s %s\n", a.Email, a.Role, a.Name)
	}
}
