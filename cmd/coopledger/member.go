package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coopledger/coopledger/ledger"
)

const memberExamples = `  coopledger member add --db coop.db --email ada@example.org --name "Ada L" --role admin
  coopledger member add --db coop.db --email bo@example.org --name Bo --role ops,board --class ops
  printf '%s\n' "$PASSWORD" | coopledger member add --db coop.db --email cy@example.org --name Cy --password-stdin`

func runMember(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(stdout, "Usage: coopledger member add [flags]\n\nExamples:\n%s\n", memberExamples)
			return nil
		}
		return usageError{errors.New("usage: coopledger member add --db PATH --email E --name N --role R [--class C]")}
	}
	return runMemberAdd(ctx, args[1:], os.Stdin, stdout, stderr)
}

// runMemberAdd adds a member directly to the store file, for bootstrap and
// scripts. The same domain rules as the API apply.
func runMemberAdd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("member add", "Add a member to the store file (offline; stop serve first).", memberExamples, stderr)
	db := fs.String("db", "./coopledger.db", "store file")
	email := fs.String("email", "", "primary email address (required)")
	name := fs.String("name", "", "full name (required)")
	roles := fs.String("role", "member", "roles, comma separated: member, ops, board, admin")
	classes := fs.String("class", "", "classes, comma separated: user, ops, collaborator")
	joined := fs.String("joined", "", "date joined, YYYY-MM-DD (default today)")
	pwStdin := fs.Bool("password-stdin", false, "read a sign-in password from the first line of stdin")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	in := ledger.MemberInput{Name: name, Email: email}
	rs, err := parseList(*roles, ledger.ParseRole)
	if err != nil {
		return usageError{fmt.Errorf("--role: %w", err)}
	}
	cs, err := parseList(*classes, ledger.ParseClass)
	if err != nil {
		return usageError{fmt.Errorf("--class: %w", err)}
	}
	in.Roles, in.Classes = &rs, &cs
	if *joined != "" {
		in.Joined = joined
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	store, err := openStore(*db)
	if err != nil {
		return err
	}
	defer store.Close()
	m, err := store.CreateMember(ledger.System, in)
	if err != nil {
		return describeErr(err)
	}
	if *pwStdin {
		if err := store.SetPassword(ledger.System, m.ID, password); err != nil {
			return describeErr(err)
		}
	}
	fmt.Fprintf(stdout, "added member %s %s <%s> roles=%s\n", m.ID, m.Name, m.Email, *roles)
	return nil
}

func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	out := []T{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// describeErr spells out a validation error field by field for a terminal.
func describeErr(err error) error {
	var ve *ledger.ValidationError
	if errors.As(err, &ve) {
		return usageError{err}
	}
	return err
}
