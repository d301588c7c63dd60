package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/testdata"
)

// importDB makes a store file with two members, alice (with a second
// address) and bob, joined 2020-01-01, and the circles tech and ops, and
// closes it so that the command can open it.
func importDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "coop.db")
	db := storetest.OpenPath(t, path, time.Now)
	alice := storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil)
	other := []string{"alice.m@example.net"}
	if _, err := db.UpdateMember(ledger.System, alice.ID, ledger.MemberInput{Emails: &other}); err != nil {
		t.Fatal(err)
	}
	storetest.MustMember(t, db, "Bob", "bob@example.org", nil, nil)
	storetest.MustCircle(t, db, "tech")
	storetest.MustCircle(t, db, "ops")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// withStore opens the file for a look after a command ran, and closes it.
func withStore(t *testing.T, path string, fn func(db *store.DB)) {
	t.Helper()
	db := storetest.OpenPath(t, path, time.Now)
	defer db.Close()
	fn(db)
}

func snapshot(t *testing.T, path string) (s string) {
	t.Helper()
	withStore(t, path, func(db *store.DB) { s = storetest.Snapshot(t, db) })
	return s
}

func entries(t *testing.T, path string) (es []ledger.TimeEntry) {
	t.Helper()
	withStore(t, path, func(db *store.DB) {
		var err error
		if es, err = db.TimeEntries(ledger.System, store.EntryQuery{}); err != nil {
			t.Fatal(err)
		}
	})
	return es
}

// checkBooks runs verify's checks of the audit chain and the journal
// (one after the other: the command runs them side by side).
func checkBooks(t *testing.T, path string) {
	t.Helper()
	withStore(t, path, func(db *store.DB) {
		if _, err := db.VerifyAudit(); err != nil {
			t.Errorf("audit chain after import: %v", err)
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Errorf("journal after import: %v", err)
		}
	})
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const timeHeader = "email,member_id,date,hours,minutes,circle,task,note,compensation,state\n"

// A file whose row 3 is bad in itself, row 4 names nobody, row 5 an
// unknown circle, and row 7 would bring bob's 2024-05-06 to 26 h after
// row 6: the first two problems are found by parsing, the others only by
// the store, inside the transaction.
const mixedTime = timeHeader +
	"alice@example.org,,2024-05-02,2.5,,tech,Review pull requests,,,\n" + // 2 good
	"alice@example.org,,2024-05-03,25,,tech,Too long,,,\n" + // 3
	"nobody@example.org,,2024-05-03,1,,tech,Who?,,,\n" + // 4
	"bob@example.org,,2024-05-03,1,,Marketing,Where?,,,\n" + // 5
	"bob@example.org,,2024-05-06,14,,ops,Long day,,,submitted\n" + // 6 good
	"bob@example.org,,2024-05-06,12,,tech,Longer day,,,\n" + // 7
	"alice.m@example.net,,2024-05-07,,45,OPS,Second address,,contribution,submitted\n" // 8 good

func TestImportTime_GoodFile(t *testing.T) {
	db := importDB(t)
	file := writeFile(t, "time.csv", "\uFEFF"+timeHeader+
		"alice@example.org,,2024-05-02,2.5,,tech,Review pull requests,first,,\n"+
		"alice.m@example.net,,2024-05-03,,90,Ops,Rotate certificates,,contribution,submitted\n"+
		",m000002,2024-05-03,1,,c000002,Triage,,volunteer,draft\n")
	out, errOut, err := run(t, "import", "time", "--db", db, file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "imported 3 rows (0 skipped)") || !strings.Contains(out, "1 submitted") {
		t.Errorf("summary %q", out)
	}
	if errOut != "" {
		t.Errorf("stderr %q", errOut)
	}
	es := entries(t, db)
	if len(es) != 3 {
		t.Fatalf("%d entries stored, want 3", len(es))
	}
	byTask := map[string]ledger.TimeEntry{}
	for _, e := range es {
		byTask[e.Task] = e
	}
	a, b, c := byTask["Review pull requests"], byTask["Rotate certificates"], byTask["Triage"]
	if a.MemberID != "m000001" || a.Minutes != 150 || a.CircleID != "c000001" || a.State != ledger.StateDraft || a.Note != "first" ||
		a.Compensation != ledger.CompVolunteer { // no rate: the domain default
		t.Errorf("entry a %+v", a)
	}
	if b.MemberID != "m000001" || b.Minutes != 90 || b.CircleID != "c000002" || b.State != ledger.StateSubmitted || b.Compensation != ledger.CompContribution {
		t.Errorf("entry b %+v", b)
	}
	if c.MemberID != "m000002" || c.CircleID != "c000002" || c.State != ledger.StateDraft {
		t.Errorf("entry c %+v", c)
	}
	checkBooks(t, db)
}

func TestImportTime_OneBadRow_ImportsNothing(t *testing.T) {
	db := importDB(t)
	before := snapshot(t, db)
	file := writeFile(t, "time.csv", mixedTime)
	out, errOut, err := run(t, "import", "time", "--db", db, file)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("err %v (exit %d), want a failure", err, exitCode(err))
	}
	want := []string{
		"row 3, column hours: must be at most 24",
		"row 4, column email: no member has this address",
		`row 5, column circle: no circle is named "Marketing" or has that id (circles: tech, ops)`,
		"row 7, column hours: would bring this day to 26 h; a day holds at most 24 h",
	}
	if got := strings.Split(strings.TrimSpace(errOut), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("report:\n%s\nwant:\n%s", errOut, strings.Join(want, "\n"))
	}
	if !strings.Contains(err.Error(), "4 of 7 rows are bad") || !strings.Contains(err.Error(), "nothing imported") {
		t.Errorf("error %q", err)
	}
	if out != "" {
		t.Errorf("stdout %q", out)
	}
	if snapshot(t, db) != before {
		t.Error("a refused import changed the store")
	}
}

func TestImportTime_SkipBad_ImportsTheRest(t *testing.T) {
	db := importDB(t)
	file := writeFile(t, "time.csv", mixedTime)
	out, errOut, err := run(t, "import", "time", "--db", db, "--skip-bad", file)
	if err != nil {
		t.Fatalf("import --skip-bad: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "imported 3 rows (4 skipped)") {
		t.Errorf("summary %q", out)
	}
	for _, w := range []string{"row 3, column hours:", "row 4, column email:", "row 5, column circle:", "row 7, column hours:"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("report lacks %q:\n%s", w, errOut)
		}
	}
	es := entries(t, db)
	tasks := map[string]bool{}
	for _, e := range es {
		tasks[e.Task] = true
	}
	if len(es) != 3 || !tasks["Review pull requests"] || !tasks["Long day"] || !tasks["Second address"] {
		t.Errorf("stored %v, want rows 2, 6 and 8", tasks)
	}
	checkBooks(t, db)
}

func TestImportTime_DryRun_WritesNothing(t *testing.T) {
	db := importDB(t)
	before := snapshot(t, db)
	good := writeFile(t, "good.csv", timeHeader+"alice@example.org,,2024-05-02,2.5,,tech,Review,,,\n")
	out, _, err := run(t, "import", "time", "--db", db, "--dry-run", good)
	if err != nil || !strings.Contains(out, "dry run: would import 1 row (0 skipped); nothing written") {
		t.Errorf("dry run of a good file: %v %q", err, out)
	}
	bad := writeFile(t, "bad.csv", mixedTime)
	if _, errOut, err := run(t, "import", "time", "--db", db, "--dry-run", bad); err == nil || !strings.Contains(errOut, "row 7, column hours") {
		t.Errorf("dry run of a bad file: %v %q", err, errOut)
	}
	out, _, err = run(t, "import", "time", "--db", db, "--dry-run", "--skip-bad", bad)
	if err != nil || !strings.Contains(out, "would import 3 rows (4 skipped)") {
		t.Errorf("dry run --skip-bad: %v %q", err, out)
	}
	if snapshot(t, db) != before {
		t.Error("a dry run changed the store")
	}
}

func TestImportTime_FileErrors_WriteNothing(t *testing.T) {
	db := importDB(t)
	before := snapshot(t, db)
	cases := map[string]string{
		"email,date,hours,circle,task,project\n": `unknown column "project"`,
		"email,date,circle,task\n":               "missing column hours or minutes",
		"":                                       "the file is empty",
		timeHeader + "a@example.org,\"2024-05-02,1,x,y\n": "not valid CSV",
	}
	for content, want := range cases {
		file := writeFile(t, "time.csv", content)
		_, _, err := run(t, "import", "time", "--db", db, file)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), file) {
			t.Errorf("%q: err %v, want one naming the file and %q", content, err, want)
		}
	}
	if _, _, err := run(t, "import", "time", "--db", db, filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("a missing file imported")
	}
	if snapshot(t, db) != before {
		t.Error("a refused file changed the store")
	}
	if _, _, err := run(t, "import", "time", "--db", filepath.Join(t.TempDir(), "none.db"), writeFile(t, "x.csv", timeHeader)); err == nil ||
		!strings.Contains(err.Error(), "no store at") {
		t.Errorf("import into a missing store: %v", err)
	}
}

func TestImport_Arguments(t *testing.T) {
	db := importDB(t)
	file := writeFile(t, "time.csv", timeHeader+"alice@example.org,,2024-05-02,1,,tech,Review,,,\n")
	for _, args := range [][]string{
		{"import", "time", file, "--db", db, "--dry-run"},
		{"import", "time", "--db", db, "--file", file, "--dry-run"},
		{"import", "time", "--dry-run", "--db", db, file},
	} {
		if out, errOut, err := run(t, args...); err != nil || !strings.Contains(out, "would import 1 row") {
			t.Errorf("%v: %v %q %q", args, err, out, errOut)
		}
	}
	t.Setenv("COOPLEDGER_DB", db)
	if out, _, err := run(t, "import", "time", "--dry-run", file); err != nil || !strings.Contains(out, "would import 1 row") {
		t.Errorf("COOPLEDGER_DB: %v %q", err, out)
	}
	for _, args := range [][]string{
		{"import"},
		{"import", "payroll", file},
		{"import", "time", "--db", db},
		{"import", "time", "--db", db, file, file},
		{"import", "time", "--db", db, "--file", file, file},
		{"import", "time", "--db", db, "--bogus", file},
	} {
		if _, _, err := run(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
	// "-" reads stdin.
	var out, errOut bytes.Buffer
	stdin := strings.NewReader(timeHeader + "bob@example.org,,2024-05-02,1,,ops,From stdin,,,\n")
	if err := importCommand(context.Background(), []string{"time", "--db", db, "-"}, stdin, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "imported 1 row") {
		t.Errorf("stdin: %v %q %q", err, out.String(), errOut.String())
	}
}

func TestImport_Help(t *testing.T) {
	for _, args := range [][]string{{"import", "--help"}, {"import", "time", "--help"}, {"import", "opening-balances", "--help"}} {
		out, errOut, err := run(t, args...)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out+errOut, "Examples:") {
			t.Errorf("%v shows no examples: %q", args, out+errOut)
		}
	}
	_, errOut, _ := run(t, "import", "time", "--help")
	if !strings.Contains(errOut, "Imports never approve") || !strings.Contains(errOut, "Usage: coopledger import time FILE.csv [flags]") {
		t.Errorf("import time --help: %q", errOut)
	}
	_, errOut, _ = run(t, "import", "opening-balances", "--help")
	if !strings.Contains(errOut, "31 December") || !strings.Contains(errOut, "nothing is posted for it") {
		t.Errorf("import opening-balances --help: %q", errOut)
	}
}

const openingFile = "email,as_of,deferred,paid,currency,note\n" +
	"alice@example.org,2020,6000.00,4000.00,GBP,Spreadsheet 2020\n" +
	"alice@example.org,2021,7000.00,,,\n" +
	"alice@example.org,2022,7000.00,,,\n" +
	"bob@example.org,2021-06,5000.00,,,\n" +
	"bob@example.org,2022-12-31,0,12000.00,,Paid in full\n"

func TestImportOpening_AgesByYear(t *testing.T) {
	db := importDB(t)
	file := writeFile(t, "opening.csv", openingFile)
	out, errOut, err := run(t, "import", "opening-balances", "--db", db, file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	for _, w := range []string{
		"imported 5 rows (0 skipped)",
		"4 opening balances posted, 25000.00 GBP of debt aged from 2020, 2021, 2022; 1 row owed nothing",
		"column paid: historical compensation: recorded in the note",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	withStore(t, db, func(s *store.DB) {
		d, err := s.Debt(ledger.System)
		if err != nil {
			t.Fatal(err)
		}
		if d.Total.String() != "25000.00" || len(d.Members) != 2 {
			t.Fatalf("debt %+v", d)
		}
		aging := map[string]map[string]string{}
		for _, m := range d.Members {
			aging[m.Name] = map[string]string{}
			for y, a := range m.Aging {
				aging[m.Name][y] = a.String()
			}
		}
		want := map[string]map[string]string{
			"Alice": {"2020": "6000.00", "2021": "7000.00", "2022": "7000.00"},
			"Bob":   {"2021": "5000.00"},
		}
		for name, years := range want {
			for y, a := range years {
				if aging[name][y] != a {
					t.Errorf("%s aging %s = %q, want %s (all: %v)", name, y, aging[name][y], a, aging[name])
				}
			}
			if len(aging[name]) != len(years) {
				t.Errorf("%s aging %v, want %v", name, aging[name], years)
			}
		}
		ts, err := s.Transactions(ledger.System)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 4 || ts[0].Date != "2020-12-31" || ts[0].Description != "Spreadsheet 2020; paid 4000" || ts[3].Date != "2021-06-30" {
			t.Errorf("journal %+v", ts)
		}
	})
	checkBooks(t, db)

	// The same file again would double the debt: every row is refused.
	before := snapshot(t, db)
	_, errOut, err = run(t, "import", "opening-balances", "--db", db, file)
	if err == nil || !strings.Contains(errOut, "row 2, column as_of: Alice already has an opening balance as of 2020-12-31") {
		t.Errorf("second import: %v\n%s", err, errOut)
	}
	if snapshot(t, db) != before {
		t.Error("a refused second import changed the store")
	}
}

func TestImportOpening_BadRows(t *testing.T) {
	db := importDB(t)
	before := snapshot(t, db)
	file := writeFile(t, "opening.csv", "member_id,as_of,deferred,currency\n"+
		"m000001,2021,100.00,\n"+ // 2 good
		"m000009,2021,100.00,\n"+ // 3 nobody
		"m000001,2021-12-31,50.00,\n"+ // 4 repeats row 2
		"m000002,2021,100.00,EUR\n"+ // 5 not the base currency
		"m000002,9999,100.00,\n"+ // 6 in the future
		"m000002,2021,-1,\n") // 7
	_, errOut, err := run(t, "import", "opening-balances", "--db", db, file)
	if err == nil {
		t.Fatal("bad rows imported")
	}
	want := []string{
		"row 3, column member_id: no member has this id",
		"row 4, column as_of: repeats row 2: one opening balance per member and date",
		"row 5, column currency: debt is kept in the base currency GBP",
		"row 6, column as_of: must not be in the future",
		"row 7, column deferred: must not be negative",
	}
	if got := strings.TrimSpace(errOut); got != strings.Join(want, "\n") {
		t.Errorf("report:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if snapshot(t, db) != before {
		t.Error("a refused import changed the store")
	}
	out, _, err := run(t, "import", "opening-balances", "--db", db, "--skip-bad", file)
	if err != nil || !strings.Contains(out, "imported 1 row (5 skipped)") {
		t.Errorf("--skip-bad: %v %q", err, out)
	}
}

// TestImport_SampleFiles loads the demo co-op (as of a fixed date) and
// imports the sample files in testdata/import into it, as the README
// suggests trying.
func TestImport_SampleFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	ref := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	demo := storetest.OpenPath(t, path, func() time.Time { return ref })
	if _, err := testdata.LoadInto(demo); err != nil {
		t.Fatal(err)
	}
	demo.Close()
	out, errOut, err := run(t, "import", "time", "--db", path, filepath.Join("..", "..", "testdata", "import", "time.csv"))
	if err != nil || !strings.Contains(out, "imported 9 rows (0 skipped)") {
		t.Fatalf("time.csv: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = run(t, "import", "opening-balances", "--db", path, filepath.Join("..", "..", "testdata", "import", "opening-balances.csv"))
	if err != nil || !strings.Contains(out, "imported 9 rows (0 skipped)") {
		t.Fatalf("opening-balances.csv: %v\n%s%s", err, out, errOut)
	}
	withStore(t, path, func(db *store.DB) {
		d, err := db.Debt(ledger.System)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range d.Members {
			if m.Name == "Alice Moreau" {
				for _, y := range []string{"2020", "2021", "2022"} {
					if _, ok := m.Aging[y]; !ok {
						t.Errorf("alice's debt has no %s column: %v", y, m.Aging)
					}
				}
			}
		}
	})
	checkBooks(t, path)
}

func TestProgress_DrawsOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgress(&buf, "importing time entries", 100000); p != nil {
		t.Error("a bar for a buffer")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := newProgress(f, "importing", 100000); p != nil {
		t.Error("a bar for a regular file")
	}
	var nilBar *progress
	nilBar.set(5) // a nil bar draws nothing and does not panic
	nilBar.done()

	p := &progress{w: &buf, label: "importing time entries", total: 100000, pct: -1}
	p.set(52000)
	p.set(52500) // same per cent: no redraw
	p.done()
	if got, want := buf.String(), "\rimporting time entries [##########..........] 52% 52000/100000\n"; got != want {
		t.Errorf("bar %q, want %q", got, want)
	}
}
