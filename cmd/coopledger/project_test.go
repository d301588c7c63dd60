package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ledger"
)

// SeedBooks leaves alice owed 400.00 (2021 and 2022 openings less a
// 2100.00 waiver) and May 2024 with 1167.00 of income and 420.00 of costs.
func TestProject_TableAndSolve(t *testing.T) {
	path := booksDB(t)
	scenario := filepath.Join(t.TempDir(), "s.json")
	body := `{"start":"2024-06","months":3,"team":[],"policy":{"bounty_share":"0.10","payback_share":"0.50"}}`
	if err := os.WriteFile(scenario, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// From the books: 1167.00 income, 420.00 costs, margin 747.00, bounty
	// 74.70, half the rest, 336.15, pays alice back: 63.85 left in July.
	out, _, err := run(t, "project", "--db", path, "--scenario", scenario)
	if err != nil {
		t.Fatalf("project: %v\n%s", err, out)
	}
	for _, want := range []string{"income 1167.00 (flat)", "2024-06", "336.15", "63.85", "All debt cleared by the end of 2024-07.", "Alice"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Clear the 400.00 in one month: a margin of 888.88 pays a bounty of
	// 88.89 and leaves 799.99, half of which, 399.995, rounds half-even to
	// a pool of 400.00: income 1308.88.
	out, _, err = run(t, "project", "--db", path, "--scenario", scenario, "--solve", "1")
	if err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Errorf("--solve 1 with months 3: %v, want a disagreement", err)
	}
	var stdout strings.Builder
	err = project(context.Background(), projectOptions{DB: path, Scenario: "-", Solve: 1},
		strings.NewReader(`{"start":"2024-06","team":[],"policy":{"bounty_share":"0.10","payback_share":"0.50"}}`), &stdout)
	if err != nil || !strings.Contains(stdout.String(), "1308.88 a month") {
		t.Errorf("solve from standard input: %v\n%s", err, stdout.String())
	}
	// A bad scenario names its fields and exits 2; so does one the
	// domain refuses.
	if err := os.WriteFile(scenario, []byte(`{"months":0,"monthly_growth":"fast"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, "project", "--db", path, "--scenario", scenario)
	if err == nil || !strings.Contains(err.Error(), "monthly_growth: must be a decimal") || exitCode(err) != 2 {
		t.Errorf("bad scenario: %v, want monthly_growth named and exit 2", err)
	}
	if err := os.WriteFile(scenario, []byte(`{"start":"2024-06","months":0,"policy":{"bounty_share":"2","payback_share":"0.5"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, "project", "--db", path, "--scenario", scenario)
	var ue usageError
	var ve *ledger.ValidationError
	if !errors.As(err, &ue) || !errors.As(ue.error, &ve) || ve.Fields["months"] == "" || ve.Fields["policy.bounty_share"] == "" {
		t.Errorf("refused scenario: %v, want months and policy.bounty_share named", err)
	}
	if _, _, err := run(t, "project", "--db", path); exitCode(err) != 2 {
		t.Errorf("no --scenario: %v, want a usage error", err)
	}
}
