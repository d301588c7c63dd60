package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/export"
	"github.com/coopledger/coopledger/ledger/store"
)

const exportExamples = `  coopledger export --db coop.db --format hledger > coop.journal && hledger -f coop.journal balance
  coopledger export --db coop.db --format beancount --out coop.beancount && bean-check coop.beancount
  coopledger export --db coop.db --format csv --out postings.csv`

func runExport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "Write the whole journal for hledger, ledger, beancount or a spreadsheet (offline; stop serve first, or use GET /api/v1/export). Beancount account parts start with a capital (m000001 becomes M000001).", exportExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file")
	format := fs.String("format", "hledger", "hledger, ledger, beancount or csv")
	out := fs.String("out", "", "file to write (default standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usageError{fmt.Errorf("--format: %w", err)}
	}
	db, err := store.Open(*dbPath, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	txs, err := db.Transactions(ledger.System)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	if err := export.Write(bw, f, txs, export.Options{Title: "Coopledger journal"}); err != nil {
		return err
	}
	return bw.Flush()
}
