package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
)

const verifyExamples = `  coopledger verify --db coop.db
  coopledger verify --db backup-2024-06-01.db && echo "backup is sound"`

// errVerify marks a store that failed verification (exit 1, after the
// report of what broke).
var errVerify = errors.New("verification failed")

func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "Check a store file from scratch: bbolt's page check, the audit log's hash chain, and the journal's invariants (every transaction balances, every stored balance and debt lot matches the transactions). Prints the first break and exits non-zero.", verifyExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := store.Open(*dbPath, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckFile(); err != nil {
		fmt.Fprintf(stdout, "FAIL  file: %v\n", err)
		return errVerify
	}
	fmt.Fprintln(stdout, "ok    file: bbolt consistency check")
	n, err := db.VerifyAudit()
	if err != nil {
		fmt.Fprintf(stdout, "FAIL  audit: %v\n", err)
		return errVerify
	}
	fmt.Fprintf(stdout, "ok    audit: %d events, hash chain intact\n", n)
	t, err := db.VerifyJournal()
	if err != nil {
		fmt.Fprintf(stdout, "FAIL  %v\n", err)
		return errVerify
	}
	fmt.Fprintf(stdout, "ok    journal: %d transactions balance; stored balances and debt lots match\n", t)
	return nil
}
