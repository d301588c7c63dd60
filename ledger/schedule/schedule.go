// Package schedule runs Coopledger's timed jobs with gocron
// (github.com/go-co-op/gocron/v2). Today it drafts the monthly close: on
// the 1st of each month, at a configured hour in the co-op's time zone, it
// drafts the month that just ended, and at start-up it drafts every month
// missed while the server was down. When given a folder, it also writes a
// backup of the store there every day, keeping the newest few, and it runs
// the sweeps of other packages (closing due polls, expiring bounties,
// purging ended sessions) at their intervals.
//
// Every job is the same function its CLI twin calls (`coopledger close
// --due` runs RunNow), takes (ctx, now), recovers panics, logs what it did
// and how long it took, and is safe to re-run: drafting skips months that
// are drafted or posted. Jobs run one at a time: gocron's scheduler-wide
// limit of one concurrent job (the others wait their turn) and each job's
// singleton mode cover the scheduled runs, and a mutex covers the drafts
// and sweeps started by hand too (RunNow, RunSweep), so they never overlap
// a scheduled one; only a backup, a read, may run beside them (miniflux:
// internal/cli/scheduler.go; fider: app/jobs/job.go).
//
// Approving a close stays a board member's act; the scheduler only drafts.
// A month never posts twice whoever races whom: the store posts and locks
// a month in one bbolt transaction (store.Tx.ApproveClose).
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// JobDraftCloses is the name of the job that drafts due closes, as logged.
const JobDraftCloses = "draft-due-closes"

// JobBackup is the name of the daily backup job, as logged.
const JobBackup = "backup"

// Config sets when the jobs run.
type Config struct {
	// Hour (0-23) of the 1st of the month at which the month that just
	// ended is drafted, in Location.
	Hour int
	// Location is the co-op's time zone for Hour. Default UTC.
	Location *time.Location
	// BackupDir, when set, is the folder the daily backup is written to
	// (store.DB.BackupTo); empty means no scheduled backups. It must exist.
	BackupDir string
	// BackupKeep is how many backups to keep in BackupDir, the newest; at
	// least 1 when BackupDir is set.
	BackupKeep int
	// BackupHour (0-23) is the hour of each day, in Location, at which the
	// backup is written.
	BackupHour int
	// Clock is the scheduler's clock; tests pass a clockwork fake clock
	// (and the same clock's Now to the store). Default the real clock.
	Clock clockwork.Clock
	// Sweeps are small jobs run at start-up and then every Every, one at a
	// time with the others: closing polls whose time has come, expiring
	// unclaimed bounties. They belong to other packages (governance), so
	// they come in as functions.
	Sweeps []Sweep
	// AfterRun, when set, is called at the end of every run of a job,
	// scheduled or started by hand, with what it did. Tests wait on it
	// instead of sleeping.
	AfterRun func(Run)
}

// Sweep is a periodic job of another package. Run returns what it did, for
// the log (e.g. the ids of the polls it closed).
type Sweep struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) ([]string, error)
}

// Run is what one run of a job did.
type Run struct {
	Job string
	// Trigger says what started it: "start-up", "schedule" or "by hand".
	Trigger string
	// At is the run's now: the scheduler's clock in Config.Location.
	At time.Time
	// Months are the months drafted, oldest first.
	Months []string
	// Path is the backup written (JobBackup).
	Path string
	// Done is what a sweep did, e.g. the ids of the polls it closed.
	Done []string
	// Duration is how long it took, on the real clock (a fake clock does
	// not move while a job runs).
	Duration time.Duration
	// Err is the first month that could not be drafted, or a recovered
	// panic. The months in Months were drafted all the same.
	Err error
}

// Scheduler runs the jobs on one store.
type Scheduler struct {
	db   *store.DB
	cfg  Config
	log  *slog.Logger
	cron gocron.Scheduler
	// mu makes every run, scheduled or by hand, wait for the one in
	// progress: one close at a time.
	mu       sync.Mutex
	stopOnce sync.Once
	stopErr  error
}

// New builds a scheduler for db; Start starts it. It refuses an hour
// outside 0-23 and an hour and zone at which, on the store's clock, the
// month has not ended yet (the store would not draft it): 06:00 in
// Asia/Tokyo is 21:00 the day before on a store whose clock reads UTC.
// A nil log discards the log.
func New(db *store.DB, cfg Config, log *slog.Logger) (*Scheduler, error) {
	if cfg.Hour < 0 || cfg.Hour > 23 {
		return nil, fmt.Errorf("close hour %d: must be 0-23", cfg.Hour)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkHour(cfg.Hour, cfg.Location, db.Now().Location(), cfg.Clock.Now()); err != nil {
		return nil, err
	}
	if err := checkBackup(cfg); err != nil {
		return nil, err
	}
	s := &Scheduler{db: db, cfg: cfg, log: log.With("component", "scheduler")}
	cron, err := gocron.NewScheduler(
		gocron.WithLocation(cfg.Location),
		gocron.WithClock(cfg.Clock),
		// One job at a time, scheduler-wide. A job due while another runs
		// waits its turn (LimitModeWait) rather than being skipped: the
		// month's draft must not be lost because a poll was closing.
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait),
		gocron.WithLogger(s.log),
	)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	_, err = cron.NewJob(
		gocron.MonthlyJob(1, gocron.NewDaysOfTheMonth(1), gocron.NewAtTimes(gocron.NewAtTime(uint(cfg.Hour), 0, 0))),
		gocron.NewTask(func(ctx context.Context) { _, _ = s.run(ctx, "schedule") }),
		gocron.WithName(JobDraftCloses),
		// A run still going when the next is due (a month later) makes the
		// next one skip, not pile up.
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
	)
	if err == nil && cfg.BackupDir != "" {
		_, err = cron.NewJob(
			gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(cfg.BackupHour), 0, 0))),
			gocron.NewTask(func(ctx context.Context) { _, _ = s.backup(ctx, "schedule") }),
			gocron.WithName(JobBackup),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
		)
	}
	for _, sw := range cfg.Sweeps {
		if err != nil {
			break
		}
		if sw.Every <= 0 {
			err = fmt.Errorf("sweep %s: interval must be positive", sw.Name)
			break
		}
		_, err = cron.NewJob(
			gocron.DurationJob(sw.Every),
			gocron.NewTask(func(ctx context.Context) { _, _ = s.sweep(ctx, sw, "schedule") }),
			gocron.WithName(sw.Name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
		)
	}
	if err != nil {
		_ = cron.Shutdown()
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s.cron = cron
	return s, nil
}

// checkBackup refuses backup settings that could not work, before the
// server starts rather than at the first backup a day later.
func checkBackup(cfg Config) error {
	if cfg.BackupDir == "" {
		return nil
	}
	if cfg.BackupHour < 0 || cfg.BackupHour > 23 {
		return fmt.Errorf("backup hour %d: must be 0-23", cfg.BackupHour)
	}
	if cfg.BackupKeep < 1 {
		return fmt.Errorf("backup keep %d: must be at least 1", cfg.BackupKeep)
	}
	fi, err := os.Stat(cfg.BackupDir)
	if err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("backup folder %s: not a folder", cfg.BackupDir)
	}
	return nil
}

// checkHour refuses an hour and zone at which the 1st of some month in the
// year from now falls, on the store's clock, in the month before: the
// store judges whether a month has ended by its own clock's date.
func checkHour(hour int, loc, storeLoc *time.Location, now time.Time) error {
	bad := tooEarly(hour, loc, storeLoc, now)
	if bad.IsZero() {
		return nil
	}
	need := hour + 1
	for need < 23 && !tooEarly(need, loc, storeLoc, now).IsZero() {
		need++
	}
	return fmt.Errorf("close hour %d in %s is %s on the store's clock, before the month has ended there; use hour %d or later",
		hour, loc, bad.In(storeLoc).Format("15:04 MST on 2 January"), need)
}

// tooEarly returns the first 1st of a month, at hour in loc, in the year
// from now, that is still in the month before on the store's clock, or the
// zero time.
func tooEarly(hour int, loc, storeLoc *time.Location, now time.Time) time.Time {
	for k := range 12 {
		at := time.Date(now.Year(), now.Month()+time.Month(k), 1, hour, 0, 0, 0, loc)
		if at.In(storeLoc).Format(ledger.MonthLayout) < at.Format(ledger.MonthLayout) {
			return at
		}
	}
	return time.Time{}
}

// Start drafts every month missed while the server was down, before it
// returns, and then schedules the monthly draft. A month that cannot be
// drafted (no policy in force yet) is logged, not returned: the co-op's
// server must still start. Start once; Stop ends it.
func (s *Scheduler) Start(ctx context.Context) {
	_, _ = s.run(ctx, "start-up")
	for _, sw := range s.cfg.Sweeps {
		_, _ = s.sweep(ctx, sw, "start-up")
	}
	s.cron.Start()
	next, _ := s.NextRun()
	s.log.Info("monthly close drafts scheduled", "job", JobDraftCloses, "next_run", next, "hour", s.cfg.Hour, "zone", s.cfg.Location.String())
	if s.cfg.BackupDir != "" {
		next, _ := s.nextRun(JobBackup)
		s.log.Info("daily backups scheduled", "job", JobBackup, "next_run", next, "dir", s.cfg.BackupDir, "keep", s.cfg.BackupKeep)
	}
}

// NextRun is when the monthly draft runs next, in Config.Location.
func (s *Scheduler) NextRun() (time.Time, error) { return s.nextRun(JobDraftCloses) }

// NextBackup is when the daily backup runs next, in Config.Location.
func (s *Scheduler) NextBackup() (time.Time, error) { return s.nextRun(JobBackup) }

func (s *Scheduler) nextRun(job string) (time.Time, error) {
	for _, j := range s.cron.Jobs() {
		if j.Name() == job {
			next, err := j.NextRun()
			return next.In(s.cfg.Location), err
		}
	}
	return time.Time{}, fmt.Errorf("%s: not scheduled", job)
}

// RunNow drafts every due month at once, waiting for any run in progress
// first, and returns the months drafted. It is `coopledger close --due`.
func (s *Scheduler) RunNow(ctx context.Context) ([]string, error) {
	return s.run(ctx, "by hand")
}

// Stop stops scheduling and waits (up to gocron's stop timeout, 10 s) for
// a running job to finish. Call it before closing the store. Calling it
// again does nothing.
func (s *Scheduler) Stop() error {
	s.stopOnce.Do(func() {
		if err := s.cron.Shutdown(); err != nil {
			s.stopErr = fmt.Errorf("stop scheduler: %w", err)
		}
	})
	return s.stopErr
}

// RunSweep runs the sweep named name now, waiting for any run in progress.
func (s *Scheduler) RunSweep(ctx context.Context, name string) ([]string, error) {
	for _, sw := range s.cfg.Sweeps {
		if sw.Name == name {
			return s.sweep(ctx, sw, "by hand")
		}
	}
	return nil, fmt.Errorf("no sweep named %q", name)
}

// sweep runs one sweep one at a time with every other job.
func (s *Scheduler) sweep(ctx context.Context, sw Sweep, trigger string) ([]string, error) {
	r := s.job(sw.Name, trigger, true, func(_ time.Time, r *Run) (err error) {
		r.Done, err = sw.Run(ctx)
		return err
	}, func(r Run) {
		if r.Err != nil {
			s.log.Error("sweep failed", "job", r.Job, "trigger", r.Trigger, "err", r.Err)
		} else if len(r.Done) > 0 {
			s.log.Info("sweep", "job", r.Job, "trigger", r.Trigger, "done", r.Done, "duration", r.Duration)
		}
	})
	return r.Done, r.Err
}

// run runs DraftDue one at a time with every other job.
func (s *Scheduler) run(ctx context.Context, trigger string) ([]string, error) {
	r := s.job(JobDraftCloses, trigger, true, func(now time.Time, r *Run) (err error) {
		r.Months, err = s.DraftDue(ctx, now)
		return err
	}, func(r Run) {
		attrs := []any{"job", r.Job, "trigger", r.Trigger, "months", r.Months, "duration", r.Duration}
		switch {
		case r.Err == nil:
			s.log.Info("drafted due closes", attrs...)
		case errors.Is(r.Err, ledger.ErrConflict):
			// Usually no policy in force yet: the board's to fix, not a fault.
			s.log.Warn("some due closes could not be drafted", append(attrs, "err", r.Err)...)
		default:
			s.log.Error("drafting due closes failed", append(attrs, "err", r.Err)...)
		}
	})
	return r.Months, r.Err
}

// job runs body as one run of the job name: after the run in progress if
// exclusive, with a panic recovered and logged, timed, logged by logRun and
// reported to Config.AfterRun. body gets the run's now and fills in what it
// did.
func (s *Scheduler) job(name, trigger string, exclusive bool, body func(now time.Time, r *Run) error, logRun func(Run)) (r Run) {
	if exclusive {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	r = Run{Job: name, Trigger: trigger, At: s.cfg.Clock.Now().In(s.cfg.Location)}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("%s: panic: %v", name, p)
			s.log.Error("job panicked", "job", name, "trigger", trigger, "panic", p, "stack", string(debug.Stack()))
		}
		r.Duration = time.Since(start)
		logRun(r)
		if s.cfg.AfterRun != nil {
			s.cfg.AfterRun(r)
		}
	}()
	r.Err = body(r.At, &r)
	return r
}

// DraftDue is the job: it drafts, as ledger.System, every ended month
// since the first with activity that is neither drafted nor posted
// (store.DB.DraftDueCloses), oldest first, and returns the months drafted.
// Running it again drafts nothing new. Which months have ended is the
// store's to judge, by its own clock; now is the run's time, and a store
// whose clock is still in an earlier month than now is logged, as its
// month will only be drafted by a later run. Call RunNow rather than
// DraftDue, which runs it one at a time.
func (s *Scheduler) DraftDue(ctx context.Context, now time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", JobDraftCloses, err)
	}
	storeNow := s.db.Now()
	if have, want := ledger.MonthOf(ledger.Today(storeNow)), now.Format(ledger.MonthLayout); have < want {
		s.log.Warn("the store's clock is in an earlier month than the scheduler's; the month that just ended is drafted by a later run",
			"store_now", storeNow, "now", now)
	}
	return s.db.DraftDueCloses(ledger.System)
}

// backup runs Backup as a job. It does not wait for a draft or a sweep in
// progress: a backup is one read transaction and may run beside them
// (gocron still runs scheduled jobs one at a time).
func (s *Scheduler) backup(ctx context.Context, trigger string) (string, error) {
	r := s.job(JobBackup, trigger, false, func(now time.Time, r *Run) (err error) {
		r.Path, err = s.Backup(ctx, now)
		return err
	}, func(r Run) {
		attrs := []any{"job", r.Job, "trigger", r.Trigger, "path", r.Path, "duration", r.Duration}
		if r.Err == nil {
			s.log.Info("backed up the store", attrs...)
		} else {
			s.log.Error("backup failed", append(attrs, "err", r.Err)...)
		}
	})
	return r.Path, r.Err
}

// Backup is the daily job: it writes a snapshot of the store taken at now
// into Config.BackupDir and keeps the Config.BackupKeep newest
// (store.DB.BackupTo). Running it again in the same second replaces that
// second's backup; otherwise it adds one. Its CLI twin is `coopledger
// backup`, which writes one file offline.
func (s *Scheduler) Backup(ctx context.Context, now time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", JobBackup, err)
	}
	if s.cfg.BackupDir == "" {
		return "", fmt.Errorf("%s: no backup folder configured", JobBackup)
	}
	return s.db.BackupTo(s.cfg.BackupDir, s.cfg.BackupKeep, now)
}
