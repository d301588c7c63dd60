package ui_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
)

// The browser journeys share one headless Chromium per package: starting
// it is the slow part. Each user gets a fresh browser context (an
// incognito-like profile with its own cookies) in a tab of it.
var chromium struct {
	once sync.Once
	ctx  context.Context // has a running browser
	err  error
	stop func()
}

// TestMain stops the shared browser, if a journey started one, after the
// package's tests. A shared browser outlives any one test, so its profile
// lives in a directory of its own rather than in a t.TempDir.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

// browserPath finds Chromium or Chrome on PATH.
func browserPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowserUser returns a new tab in a new browser context of the shared
// browser, so two users never share cookies, bounded by timeout. Without a
// browser the test is skipped, except in CI (CI=true), where that fails.
func newBrowserUser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := browserPath()
	if path == "" {
		const msg = "no Chromium or Chrome on PATH (looked for chromium, chromium-browser, google-chrome): " +
			"install one to run the browser journey"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "coopledger-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(dir),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("password-store", "basic"),
		)
		browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
		chromium.stop = func() {
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(dir)
		}
		// The first Do starts the browser; its context must be the
		// browser's own (a timeout here would end the browser with it).
		started := make(chan error, 1)
		go func() { started <- chromedp.Do(browserCtx) }()
		select {
		case chromium.err = <-started:
		case <-time.After(30 * time.Second):
			chromium.err = errors.New("the browser did not start within 30 s")
		}
		if chromium.err == nil {
			chromium.ctx = browserCtx
		}
	})
	if chromium.err != nil {
		t.Fatalf("start %s: %v", path, chromium.err)
	}
	tab, closeTab := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancel()
		closeTab()
	})
	return ctx
}

// serveApp runs the real app on a loopback port and returns its base URL.
func serveApp(t *testing.T, db *store.DB) string {
	t.Helper()
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		t.Fatalf("ui.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shut the app down: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// browserSignIn fills in the sign-in form and waits for the timesheet.
func browserSignIn(t *testing.T, ctx context.Context, base, email string, enter bool) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
	}
	if enter {
		// Keyboard only: Enter in the password field submits the form.
		steps = append(steps, chromedp.SendKeys(chromedp.ID("password"), pagePassword+"\r"))
	} else {
		steps = append(steps, chromedp.SendKeys(chromedp.ID("password"), pagePassword),
			chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)))
	}
	steps = append(steps, chromedp.WaitVisible(chromedp.ID("log-title")))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

func browserText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("read %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// TestJourney_LogSubmitApprove is the peer review of hours in a real
// browser: alice logs 2.5 h and submits them, bob approves them in a
// browser of his own, and alice sees them approved.
func TestJourney_LogSubmitApprove(t *testing.T) {
	alice := newBrowserUser(t, 30*time.Second)
	bob := newBrowserUser(t, 30*time.Second)

	db := storetest.OpenDB(t, time.Now())
	tech := storetest.MustCircle(t, db, "tech")
	for _, m := range []ledger.Member{
		storetest.MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}),
		storetest.MustMember(t, db, "Bob", "bob@example.org", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}),
	} {
		if err := db.SetPassword(ledger.System, m.ID, pagePassword); err != nil {
			t.Fatal(err)
		}
	}
	base := serveApp(t, db)

	// Alice logs 2.5 h for today in tech and submits them in one go.
	browserSignIn(t, alice, base, "alice@example.org", false)
	err := chromedp.Do(alice,
		chromedp.SendKeys(chromedp.ID("hours"), "2.5"),
		chromedp.SetValue(chromedp.ID("circle_id"), tech.ID),
		chromedp.SendKeys(chromedp.ID("task"), "Renew the TLS certificates"),
		chromedp.Click(chromedp.ID("submit_now")),
		chromedp.Click(chromedp.CSS(`form[action="/timesheet"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`td[data-label="State"] .badge.submitted`)),
	)
	if err != nil {
		t.Fatalf("log hours: %v", err)
	}
	if got := browserText(t, alice, `td[data-label="State"] .badge`); got != "submitted" {
		t.Errorf("alice's badge = %q, want submitted", got)
	}
	if got := browserText(t, alice, ".flash"); got != "Sent for review." {
		t.Errorf("flash = %q", got)
	}
	alices, err := db.MemberByEmail("alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	es, err := db.TimeEntries(alices, store.EntryQuery{MemberID: alices.ID})
	if err != nil || len(es) != 1 || es[0].Minutes != 150 || es[0].Date != ledger.Today(db.Now()) {
		t.Fatalf("stored entries %+v (%v), want one of 150 minutes today", es, err)
	}
	id := es[0].ID

	// Bob, in a browser context of his own, signs in with the keyboard and
	// approves the entry from the review queue.
	browserSignIn(t, bob, base, "bob@example.org", true)
	err = chromedp.Do(bob,
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(chromedp.ID("entry-"+id)),
		chromedp.SendKeys(chromedp.ID("comment-"+id), "Thanks, matches the ticket."),
		chromedp.Click(chromedp.CSS(`#entry-`+id+` button[value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if got := browserText(t, bob, ".flash"); got != "Entry approved." {
		t.Errorf("bob's flash = %q, want Entry approved.", got)
	}

	// Alice reloads her timesheet and sees the entry approved, with bob's
	// comment, styled by the embedded stylesheet (the CSP allows no other).
	err = chromedp.Do(alice,
		chromedp.Navigate(base+"/timesheet"),
		chromedp.WaitVisible(chromedp.CSS(`td[data-label="State"] .badge.approved`)),
	)
	if err != nil {
		t.Fatalf("reload the timesheet: %v", err)
	}
	if got := browserText(t, alice, `td[data-label="State"] .badge`); got != "approved" {
		t.Errorf("alice's badge = %q, want approved", got)
	}
	if got := browserText(t, alice, `td[data-label="State"] .comment`); !strings.Contains(got, "Thanks, matches the ticket.") || !strings.Contains(got, "Bob") {
		t.Errorf("review comment = %q", got)
	}
	bg, err := chromedp.Run(alice, chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector('.badge.approved')).backgroundColor`))
	if err != nil || bg != "rgb(220, 252, 231)" {
		t.Errorf("approved badge background = %q (%v): is app.css loaded?", bg, err)
	}

	// At phone width the timesheet fits without sideways scrolling.
	err = chromedp.Do(alice,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/timesheet"),
		chromedp.WaitVisible(chromedp.CSS(`td[data-label="State"] .badge.approved`)),
	)
	if err != nil {
		t.Fatalf("phone viewport: %v", err)
	}
	fits, err := chromedp.Run(alice, chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("the timesheet scrolls sideways at 390 px (%v)", err)
	}
	shot, err := chromedp.Run(alice, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(t.TempDir(), "timesheet-390.png")
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || cfg.Width != 390 {
		t.Errorf("screenshot %s: %d bytes, %v wide (%v), want a PNG 390 px wide", file, len(shot), cfg.Width, err)
	}
}
