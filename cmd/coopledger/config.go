package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
)

// newFlagSet builds a command's flag set whose --help prints the summary,
// the flags (with their COOPLEDGER_* variables) and examples.
func newFlagSet(name, summary, examples string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: coopledger %s [flags]\n\n%s\n\nFlags (each also read from COOPLEDGER_<FLAG>):\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			env := envName(f.Name)
			if noEnv[f.Name] {
				env = "command line only"
			}
			fmt.Fprintf(out, "  --%-22s %s%s  [%s]\n", f.Name, f.Usage, def, env)
		})
		fmt.Fprintf(out, "\nExamples:\n%s\n", examples)
	}
	return fs
}

// envName is the environment variable that backs a flag.
func envName(flagName string) string {
	return "COOPLEDGER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// noEnv lists flags that must be typed: a COOPLEDGER_FORCE left in an
// environment must never let a restore replace a store unasked.
var noEnv = map[string]bool{"force": true}

// parseFlags parses args, then fills every flag not given on the command
// line from its COOPLEDGER_* variable: a flag beats the environment, which
// beats the default.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil || noEnv[f.Name] {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if e := f.Value.Set(v); e != nil {
				err = usageError{fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)}
			}
		}
	})
	return err
}

// openStore opens the store file for an offline command, failing fast when
// `serve` holds it.
func openStore(path string) (*store.DB, error) {
	if path == "" {
		return nil, usageError{errors.New("--db is required")}
	}
	db, err := store.Open(path, store.Options{Timeout: 500 * time.Millisecond})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w (stop `coopledger serve` first, or use the API)", err)
	}
	return db, err
}
