package main

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
)

const verifyExamples = `  coopledger verify --db coop.db
  coopledger verify --db backup-2024-06-01.db && echo "backup is sound"`

// errVerify marks a store that failed verification (exit 1, after the
// report of what broke).
var errVerify = errors.New("verification failed")

func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "Check a store file from scratch: bbolt's page check, the audit log's hash chain, and the journal's invariants (every transaction balances, every stored balance and debt lot matches the transactions), and the governance records (vote counts, ballots, poll results, bounty payouts). Prints the first break and exits non-zero.", verifyExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Verify reads everything once and keeps little: a soft memory limit
	// has the collector return garbage early instead of letting the heap
	// grow to twice what is live.
	debug.SetMemoryLimit(128 << 20)
	db, err := store.Open(*dbPath, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	r, g, gerr := verifyAll(db)
	printReport(stdout, r, g, gerr)
	if !r.OK() || gerr != nil {
		return errVerify
	}
	return nil
}
