package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/coopledger/coopledger/ledger"
)

const tokenExamples = `  coopledger token create --db coop.db --email ada@example.org
  TOKEN=$(coopledger token create --db coop.db --email ada@example.org | awk '{print $NF}')
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/me`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(stdout, "Usage: coopledger token create [flags]\n\nExamples:\n%s\n", tokenExamples)
			return nil
		}
		return usageError{errors.New("usage: coopledger token create --db PATH --email E")}
	}
	fs := newFlagSet("token create", "Issue a new API token for a member and print it (the last word of the output). It is shown once; only its hash is stored.", tokenExamples, stderr)
	db := fs.String("db", "./coopledger.db", "store file")
	email := fs.String("email", "", "the member's email address (required)")
	name := fs.String("name", "cli", "a label for the token")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usageError{errors.New("--email is required")}
	}
	store, err := openStore(*db)
	if err != nil {
		return err
	}
	defer store.Close()
	m, err := store.MemberByEmail(*email)
	if err != nil {
		return err
	}
	tok, err := store.CreateAPIToken(ledger.System, m.ID, *name)
	if err != nil {
		return describeErr(err)
	}
	fmt.Fprintf(stdout, "API token for %s <%s>: %s\n", m.Name, m.Email, tok)
	return nil
}
