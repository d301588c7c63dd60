package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

const backupExamples = `  coopledger backup --db coop.db --out /srv/backups/coop-2024-06-01.db
  coopledger backup --db coop.db --out latest.db --force     # replace latest.db
  coopledger verify --db /srv/backups/coop-2024-06-01.db      # check a backup
While serve runs, download one instead (admin token):
  curl -fsS -H "Authorization: Bearer $TOKEN" -o coop.db http://127.0.0.1:8080/api/v1/backup
or let serve write one daily: coopledger serve --backup-dir /srv/backups --backup-keep 14`

const restoreExamples = `  coopledger restore --db coop.db --from /srv/backups/coopledger-20240601-030000.db
  coopledger restore --db coop.db --from backup.db --force   # replace the existing coop.db
Stop serve first: restore refuses a store that serve has open.`

// lockTimeout is how long an offline command waits for serve's lock.
const lockTimeout = 500 * time.Millisecond

// errLockedHint explains ErrLocked for backup and restore.
const errLockedHint = "stop `coopledger serve` first, or download a backup with GET /api/v1/backup"

func runBackup(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "Write a consistent copy of the store file (offline; while serve runs, use GET /api/v1/backup or serve --backup-dir). The copy is written to a temporary file beside --out, synced and renamed, so --out is never half written.", backupExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file to back up")
	out := fs.String("out", "", "file to write the backup to (required)")
	force := fs.Bool("force", false, "replace --out if it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("backup: --out is required")}
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		return fmt.Errorf("backup: %s exists; pass --force to replace it", *out)
	}
	db, err := store.Open(*dbPath, store.Options{Timeout: lockTimeout, ReadOnly: true})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w (%s)", err, errLockedHint)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if same(*dbPath, *out) {
		return usageError{errors.New("backup: --out is the store file itself")}
	}
	v, err := db.Version()
	if err != nil {
		return err
	}
	n, err := db.BackupFile(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s: schema version %d, %d bytes.\n", *dbPath, *out, v, n)
	return nil
}

func runRestore(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", "Replace the store file with a backup (offline). The backup is opened read-only and verified first (as `coopledger verify` does); a broken backup is refused, saying why. An existing --db is replaced only with --force, and never while serve has it open. The copy is written beside --db, synced and renamed over it, so --db is never half written.", restoreExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file to restore to")
	from := fs.String("from", "", "backup file to restore from (required)")
	force := fs.Bool("force", false, "replace --db if it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{errors.New("restore: --from is required")}
	}
	_, statErr := os.Stat(*dbPath)
	exists := statErr == nil
	if exists && !*force {
		return fmt.Errorf("restore: %s exists; pass --force to replace it with %s", *dbPath, *from)
	}
	if exists && same(*dbPath, *from) {
		return usageError{errors.New("restore: --from is the store file itself")}
	}

	src, err := store.Open(*from, store.Options{Timeout: lockTimeout, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("restore: backup %s: %w", *from, err)
	}
	defer src.Close()
	r, g, gerr := verifyAll(src)
	printReport(stdout, r, g, gerr)
	if !r.OK() || gerr != nil {
		return fmt.Errorf("restore: backup %s failed verification; nothing was restored: %w", *from, errVerify)
	}
	v, err := src.Version()
	if err != nil {
		return err
	}

	if exists {
		// Hold a shared lock on the file being replaced until it is
		// replaced: serve holds an exclusive one, so this fails while serve
		// runs and keeps serve from starting on it meanwhile. Renaming over
		// a file serve has open would lose everything it writes after.
		// A file bbolt cannot open at all (not a store) has nobody serving
		// it and is replaced as it is.
		old, err := bolt.Open(*dbPath, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
		switch {
		case errors.Is(err, bolt.ErrTimeout):
			return fmt.Errorf("restore: %s: %w (stop `coopledger serve` first)", *dbPath, store.ErrLocked)
		case err == nil:
			defer old.Close()
		}
	}
	n, err := src.BackupFile(*dbPath)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "Restored %s from %s: schema version %d, %d audit events, %d transactions (%d bytes).\n",
		*dbPath, *from, v, r.Events, r.Transactions, n)
	return nil
}

// printReport prints a verification report as `coopledger verify` does.
func printReport(w io.Writer, r store.VerifyReport, g govstore.VerifyReport, gerr error) {
	line := func(err error, good string) {
		if err != nil {
			fmt.Fprintf(w, "FAIL  %v\n", err)
		} else {
			fmt.Fprintf(w, "ok    %s\n", good)
		}
	}
	line(wrapNil("file", r.File), "file: bbolt consistency check")
	line(wrapNil("audit", r.Audit), fmt.Sprintf("audit: %d events, hash chain intact", r.Events))
	line(r.Journal, fmt.Sprintf("journal: %d transactions balance; stored balances and debt lots match", r.Transactions))
	line(wrapNil("governance", gerr), fmt.Sprintf("governance: %d requests with %d votes, %d polls with %d ballots, %d bounties agree",
		g.Requests, g.Votes, g.Polls, g.Ballots, g.Bounties))
}

// verifyAll runs every check of `coopledger verify` on db: the ledger
// store's and the governance records'.
func verifyAll(db *store.DB) (store.VerifyReport, govstore.VerifyReport, error) {
	r := db.Verify()
	if v, err := db.Version(); err == nil && v < store.GovernanceVersion {
		return r, govstore.VerifyReport{}, nil // an older file, upgraded on open for writing
	}
	gs, err := govstore.New(db)
	if err != nil {
		return r, govstore.VerifyReport{}, err
	}
	g, err := gs.Verify()
	return r, g, err
}

// wrapNil prefixes err with what failed, keeping nil nil.
func wrapNil(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// same reports whether a and b name the same existing file.
func same(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
