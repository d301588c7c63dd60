package main

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// closeDB makes a store with a tiny May 2024 to close by hand: income
// 1,000.00, costs 300.00; alice (on the team, 25/h) worked 20 h and is
// owed 900.00 from 2023; dan (not on the team, 20/h) worked 5 h; bea is on
// the board. Policy: bounty 10%, split earned, payback 50% pro rata.
//
//	margin 700.00, bounty 70.00, wage pool 630.00
//	wages: alice 500.00 (capped at what she earned); dan is not on the team
//	deferred: dan 100.00; left 130.00
//	payback 50% = 65.00 pro rata to balances after deferrals (alice 900,
//	dan 100): alice 58.50, dan 6.50; reserve 65.00
func closeDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "close.db")
	db := storetest.OpenPath(t, path, func() time.Time { return time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC) })
	defer db.Close()
	alice := storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil)
	dan := storetest.MustMember(t, db, "Dan", "dan@example.org", []ledger.Role{ledger.RoleOps}, nil)
	bea := storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil)
	tech := storetest.MustCircle(t, db, "tech")
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	comp := ledger.CompRequired
	steps := []func() error{
		func() error {
			_, err := db.AddRate(ledger.System, alice.ID, ledger.RateInput{From: "2020-01-01", Hourly: d("25")})
			return err
		},
		func() error {
			_, err := db.AddRate(ledger.System, dan.ID, ledger.RateInput{From: "2020-01-01", Hourly: d("20")})
			return err
		},
		func() error {
			_, err := db.AddOpeningBalance(ledger.System, ledger.OpeningInput{MemberID: alice.ID, AsOf: "2023-12-31", Deferred: d("900.00")})
			return err
		},
		func() error {
			_, err := db.AddPolicy(ledger.System, ledger.PolicyInput{From: "2024-05", BountyShare: d("0.10"), Team: []string{alice.ID},
				Split: ledger.SplitEarned, PaybackShare: d("0.50"), PaybackMethod: ledger.PaybackProRata})
			return err
		},
		func() error {
			_, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: "2024-05", Amount: d("1000.00")}, false)
			return err
		},
		func() error {
			_, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: "2024-05", Amount: d("300.00")}, true)
			return err
		},
	}
	for _, h := range []struct {
		m     ledger.Member
		hours string
	}{{alice, "20"}, {dan, "5"}} {
		steps = append(steps, func() error {
			e, err := db.LogTime(h.m, ledger.TimeEntryInput{MemberID: h.m.ID, Date: "2024-05-20", Hours: d(h.hours), CircleID: tech.ID, Compensation: &comp, Submit: true})
			if err != nil {
				return err
			}
			_, err = db.ReviewTimeEntry(bea, e.ID, true, "")
			return err
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// lines returns the output's lines with their runs of spaces squeezed, so
// a test reads the figures, not the padding.
func lines(out string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		m[strings.Join(strings.Fields(l), " ")] = true
	}
	return m
}

func TestClose_Month_PrintsTheWaterfall(t *testing.T) {
	path := closeDB(t)
	out, errOut, err := run(t, "close", "--db", path, "--month", "2024-05")
	if err != nil {
		t.Fatalf("close: %v\n%s", err, errOut)
	}
	got := lines(out)
	for _, want := range []string{
		"Close of 2024-05: draft, in GBP, policy p000001",
		"Income 1000.00",
		"Costs 300.00",
		"Margin 700.00",
		"1. Bounty fund 70.00",
		"2. Wages 500.00",
		"3. Payback 65.00",
		"4. Reserve 65.00",
		"Loss 0.00",
		"Member ID Earned Wages Deferred Payback",
		"Alice m000001 500.00 500.00 0.00 58.50",
		"Dan m000002 100.00 0.00 100.00 6.50",
		"Total 600.00 500.00 100.00 65.00",
	} {
		if !got[want] {
			t.Errorf("output lacks the line %q:\n%s", want, out)
		}
	}
	// The amounts line up on the right.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Alice") && !strings.HasSuffix(l, "  58.50") {
			t.Errorf("alice's row is not aligned: %q", l)
		}
	}
	withStore(t, path, func(db *store.DB) {
		mc, err := db.MonthClose("2024-05")
		if err != nil || mc.State != store.CloseDraft || mc.DraftedBy != "" {
			t.Errorf("stored: %+v %v, want a draft by the system", mc, err)
		}
	})
}

func TestClose_Approve_PostsOnce(t *testing.T) {
	path := closeDB(t)
	out, errOut, err := run(t, "close", "--db", path, "--month", "2024-05", "--approve", "--as", "Bea@Example.org")
	if err != nil {
		t.Fatalf("close --approve: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "Posted 2024-05, approved by Bea <bea@example.org>") || !lines(out)["Margin 700.00"] {
		t.Errorf("output:\n%s", out)
	}
	_, _, err = run(t, "close", "--db", path, "--month", "2024-05", "--approve", "--as", "bea@example.org")
	if !errors.Is(err, ledger.ErrConflict) || exitCode(err) != 1 {
		t.Errorf("second approval: %v (exit %d), want a conflict", err, exitCode(err))
	}
	withStore(t, path, func(db *store.DB) {
		mc, err := db.MonthClose("2024-05")
		if err != nil || mc.State != store.ClosePosted || len(mc.Transactions) == 0 {
			t.Fatalf("stored: %+v %v", mc, err)
		}
		txs, err := db.Transactions(ledger.System)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tx := range txs {
			if tx.Kind == ledger.KindWages || tx.Kind == ledger.KindDeferral || tx.Kind == ledger.KindPayback {
				n++
			}
		}
		// alice's wages and payback, dan's deferral and payback.
		if n != 4 {
			t.Errorf("%d wage, deferral and payback transactions, want 4", n)
		}
		d, err := db.Debt(ledger.System)
		if err != nil || d.Total.String() != "935.00" { // 900 + 100 - 65
			t.Errorf("debt after May: %s %v, want 935.00", d.Total, err)
		}
	})
	checkBooks(t, path)
}

func TestClose_Approve_NotBoard(t *testing.T) {
	path := closeDB(t)
	_, _, err := run(t, "close", "--db", path, "--month", "2024-05", "--approve", "--as", "dan@example.org")
	if !errors.Is(err, ledger.ErrForbidden) || exitCode(err) != 1 {
		t.Errorf("approval by an ops member: %v (exit %d), want forbidden", err, exitCode(err))
	}
	_, _, err = run(t, "close", "--db", path, "--month", "2024-05", "--approve", "--as", "nobody@example.org")
	if !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("approval by nobody: %v, want not found", err)
	}
	withStore(t, path, func(db *store.DB) {
		if mc, err := db.MonthClose("2024-05"); err != nil || mc.State != store.CloseDraft {
			t.Errorf("after refused approvals: %+v %v, want a draft", mc, err)
		}
	})
}

func TestClose_BadArguments(t *testing.T) {
	path := closeDB(t)
	before := snapshot(t, path)
	for _, args := range [][]string{
		{"--month", "2024-5"},
		{"--month", "May"},
		{},
		{"--month", "2024-05", "--due"},
		{"--month", "2024-05", "--approve"},
		{"--month", "2024-05", "--as", "bea@example.org"},
		{"--due", "--approve", "--as", "bea@example.org"},
		{"--month", "2024-05", "extra"},
		{"--month", "2999-01"}, // not ended
	} {
		_, _, err := run(t, append([]string{"close", "--db", path}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("close %v: %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
	if snapshot(t, path) != before {
		t.Error("refused commands changed the store")
	}
}

func TestClose_Due_DraftsEveryMonthOnce(t *testing.T) {
	path := closeDB(t)
	out, errOut, err := run(t, "close", "--db", path, "--due")
	if err != nil {
		t.Fatalf("close --due: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "drafted 2024-05: margin 700.00, bounty 70.00, wages 500.00, deferred 100.00, payback 65.00, reserve 65.00, loss 0.00") {
		t.Errorf("output:\n%s", out)
	}
	// Later months have no activity: they need no close.
	if strings.Contains(out, "drafted 2024-06") {
		t.Errorf("June, with no activity, was drafted:\n%s", out)
	}
	before := snapshot(t, path)
	out, _, err = run(t, "close", "--db", path, "--due")
	if err != nil || !strings.Contains(out, "Nothing is due") {
		t.Errorf("second --due: %v %q", err, out)
	}
	if snapshot(t, path) != before {
		t.Error("a second --due wrote to the store")
	}
}

func TestHelp_Close(t *testing.T) {
	_, errOut, err := run(t, "close", "--help")
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"Examples:", "--approve --as erin@example.org", "--due", "COOPLEDGER_MONTH"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("close --help lacks %q:\n%s", want, errOut)
		}
	}
}

// serve drafts the months missed while it was down before it serves
// anyone, logs it, and stops its scheduler before the store closes.
func TestServe_Scheduler_CatchesUpAtStart(t *testing.T) {
	path := closeDB(t)
	_, _, errOut, stop := startServe(t, serveOptions{DB: path, Scheduler: true, CloseHour: 6, CloseTZ: "Europe/London"})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="drafted due closes"`, `trigger=start-up months=[2024-05] `, `msg="monthly close drafts scheduled"`, "next_run=", "zone=Europe/London"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, errOut)
		}
	}
	withStore(t, path, func(db *store.DB) {
		mc, err := db.MonthClose("2024-05")
		if err != nil || mc.State != store.CloseDraft || mc.Margin.StringFixed(2) != "700.00" {
			t.Errorf("May after start-up: %+v %v", mc, err)
		}
	})
}

func TestServe_Scheduler_Off(t *testing.T) {
	path := closeDB(t)
	before := snapshot(t, path)
	_, _, errOut, stop := startServe(t, serveOptions{DB: path, Scheduler: false})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errOut.String(), "scheduler") {
		t.Errorf("a scheduler ran:\n%s", errOut)
	}
	if snapshot(t, path) != before {
		t.Error("serve --scheduler=false wrote to the store")
	}
}

func TestServe_Scheduler_BadFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never.db")
	for _, args := range [][]string{
		{"--close-tz", "Mars/Olympus_Mons"},
		{"--close-tz", ""},
		{"--close-hour", "24"},
		{"--close-hour", "-1"},
		{"--close-hour", "six"},
		{"--scheduler", "--close-tz", "Asia/Tokyo", "--close-hour", "6"}, // before the month ends on a UTC clock
	} {
		if strings.Contains(strings.Join(args, " "), "Tokyo") && !localIsUTC() {
			continue // the store's clock reads the local zone; the case is for a UTC machine
		}
		_, errOut, err := run(t, append([]string{"serve", "--db", path, "--addr", "127.0.0.1:0"}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("serve %v: %v (exit %d), want a usage error\n%s", args, err, exitCode(err), errOut)
		}
	}
	t.Setenv("COOPLEDGER_CLOSE_TZ", "Nowhere/Special")
	if _, _, err := run(t, "serve", "--db", path, "--addr", "127.0.0.1:0"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--close-tz") {
		t.Errorf("COOPLEDGER_CLOSE_TZ=Nowhere/Special: %v", err)
	}
}

// localIsUTC reports whether the machine's zone is UTC all year.
func localIsUTC() bool {
	_, jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.Local).Zone()
	_, jul := time.Date(2024, 7, 1, 0, 0, 0, 0, time.Local).Zone()
	return jan == 0 && jul == 0
}
