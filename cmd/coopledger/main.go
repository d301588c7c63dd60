// Command coopledger is the one binary of Coopledger: `serve` runs the web
// app; the other commands administer the store file offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its name, a one-line summary, and a runner
// taking the arguments after the name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the web app and JSON API", runServe},
	{"member", "manage members offline (member add)", runMember},
	{"token", "issue API tokens offline (token create)", runToken},
	{"export", "write the journal for hledger, ledger, beancount or csv", runExport},
	{"import", "import a timesheet or opening balances from CSV (import time|opening-balances)", runImport},
	{"close", "draft a month's close and print its waterfall; --approve posts it; --due drafts every month due", runClose},
	{"project", "project payback month by month from a scenario; --solve N finds the income that clears the debt", runProject},
	{"verify", "check the store file, audit chain and journal from scratch", runVerify},
	{"backup", "write a consistent copy of the store file (--out FILE)", runBackup},
	{"restore", "replace the store file with a verified backup (--from FILE)", runRestore},
	{"bench", "measure writes/s, read throughput and p99, RSS and start-up on a fresh temporary store", runBench},
}

const usage = `Coopledger keeps a platform co-op's books and its democracy.

Usage:
  coopledger <command> [flags]

Commands:
%s
Run "coopledger <command> --help" for a command's flags and examples.
Every flag can also be set as a COOPLEDGER_<FLAG> environment variable,
e.g. --db as COOPLEDGER_DB; a flag on the command line wins.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coopledger:", err)
		os.Exit(exitCode(err))
	}
}

// usageError marks mistakes in how the command was called (exit 2).
type usageError struct{ error }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		list := ""
		for _, c := range commands {
			list += fmt.Sprintf("  %-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(stdout, usage, list)
		if len(args) == 0 {
			return usageError{errors.New("no command given")}
		}
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return usageError{fmt.Errorf("unknown command %q; run coopledger --help", args[0])}
}
