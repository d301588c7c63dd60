package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// TestJourney_RequestToPaidBounty follows a feature request from filing
// to a paid bounty in real browsers, one per person: mia files it, mia,
// max and olga vote, olga (ops) validates it, bea (board) proposes a
// bounty on it and funds it, mia claims and submits the work, olga
// accepts it, and the fund's balance on the bounty page drops by the
// bounty.
func TestJourney_RequestToPaidBounty(t *testing.T) {
	mia := newBrowserUser(t, 60*time.Second)
	max := newBrowserUser(t, 60*time.Second)
	olga := newBrowserUser(t, 60*time.Second)
	bea := newBrowserUser(t, 60*time.Second)

	db := storetest.OpenDB(t, time.Now())
	for _, p := range []struct {
		name, email string
		role        ledger.Role
	}{{"Mia", "mia@example.org", ledger.RoleMember}, {"Max", "max@example.org", ledger.RoleMember},
		{"Olga", "olga@example.org", ledger.RoleOps}, {"Bea", "bea@example.org", ledger.RoleBoard}} {
		m := storetest.MustMember(t, db, p.name, p.email, []ledger.Role{p.role}, nil)
		if err := db.SetPassword(ledger.System, m.ID, pagePassword); err != nil {
			t.Fatal(err)
		}
	}
	fundBounties(t, db, "100.00")
	gov, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	base := serveApp(t, db)
	step := func(who string, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %s: %v", who, what, err)
		}
	}

	// Mia files the request from the board's form, with the keyboard's
	// Enter in the title field, and votes for it.
	browserSignIn(t, mia, base, "mia@example.org", false)
	step("mia", mia, "file a request",
		chromedp.Click(chromedp.CSS(`nav a[href="/requests"]`)),
		chromedp.WaitVisible(chromedp.ID("file-title")),
		chromedp.SetValue(chromedp.ID("kind"), "feature"),
		chromedp.SendKeys(chromedp.ID("body"), "Easier on the eyes at night."),
		chromedp.SendKeys(chromedp.ID("title"), "Dark mode\r"),
		chromedp.WaitVisible(chromedp.ID("request-status")),
	)
	loc, err := chromedp.Run(mia, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], base+"/requests/")
	if !strings.HasPrefix(id, "r") || strings.Contains(id, "/") {
		t.Fatalf("filing led to %s", loc)
	}
	if got := browserText(t, mia, ".flash"); got != "Request filed." {
		t.Errorf("flash = %q", got)
	}
	step("mia", mia, "vote", chromedp.Click(chromedp.ID("vote-"+id)), chromedp.WaitVisible(chromedp.ID("withdraw-"+id)))

	// Max and olga vote from the list.
	for _, v := range []struct {
		who, email string
		ctx        context.Context
	}{{"max", "max@example.org", max}, {"olga", "olga@example.org", olga}} {
		browserSignIn(t, v.ctx, base, v.email, true)
		step(v.who, v.ctx, "vote from the list",
			chromedp.Navigate(base+"/requests"),
			chromedp.Click(chromedp.ID("vote-"+id)),
			chromedp.WaitVisible(chromedp.ID("withdraw-"+id)),
		)
	}
	if got := browserText(t, olga, "#votes-"+id); got != "3" {
		t.Errorf("votes on the board = %q, want 3", got)
	}

	// Olga validates it.
	step("olga", olga, "validate",
		chromedp.Navigate(base+"/requests/"+id),
		chromedp.SetValue(chromedp.ID("triage-status"), "validated"),
		chromedp.SendKeys(chromedp.ID("triage-category"), "ui"),
		chromedp.Click(chromedp.ID("triage-save")),
		chromedp.WaitVisible(chromedp.CSS("#request-status .badge.gov-validated")),
	)

	// Bea reads the fund, proposes a 60.00 bounty on the request and
	// approves it, which reserves it.
	browserSignIn(t, bea, base, "bea@example.org", false)
	step("bea", bea, "read the fund", chromedp.Click(chromedp.CSS(`nav a[href="/bounties"]`)), chromedp.WaitVisible(chromedp.ID("fund-balance")))
	before := browserText(t, bea, "#fund-balance")
	step("bea", bea, "propose a bounty",
		chromedp.Navigate(base+"/requests/"+id),
		chromedp.SendKeys(chromedp.ID("bounty-amount"), "60"),
		chromedp.SendKeys(chromedp.ID("bounty-criteria"), "A toggle in the menu"),
		chromedp.Click(chromedp.ID("propose-bounty")),
		chromedp.WaitVisible(chromedp.CSS(`button[id^="approve-"]`)),
	)
	bs, _, err := gov.Bounties("")
	if err != nil || len(bs) != 1 || bs[0].RequestID != id {
		t.Fatalf("bounties %+v (%v), want one on %s", bs, err, id)
	}
	bid := bs[0].ID
	step("bea", bea, "approve the bounty",
		chromedp.Click(chromedp.ID("approve-"+bid)),
		chromedp.WaitVisible(chromedp.CSS("#bounty-"+bid+" .badge.gov-open")),
	)
	if got := browserText(t, bea, "#fund-reserved"); got != "60.00" {
		t.Errorf("reserved = %q, want 60.00", got)
	}

	// Mia claims it, ticks the criterion and submits.
	step("mia", mia, "claim and submit",
		chromedp.Click(chromedp.CSS(`nav a[href="/bounties"]`)),
		chromedp.Click(chromedp.ID("claim-"+bid)),
		chromedp.WaitVisible(chromedp.ID("submit-"+bid)),
		chromedp.Click(chromedp.ID("done-"+bid+"-0")),
		chromedp.SendKeys(chromedp.ID("note-"+bid), "Merged in PR 12"),
		chromedp.Click(chromedp.ID("submit-"+bid)),
		chromedp.WaitVisible(chromedp.CSS("#bounty-"+bid+" .badge.gov-submitted")),
	)

	// Olga, not the claimant, accepts: the fund pays mia.
	step("olga", olga, "accept",
		chromedp.Navigate(base+"/bounties"),
		chromedp.SendKeys(chromedp.ID("review-"+bid), "Works nicely"),
		chromedp.Click(chromedp.ID("accept-"+bid)),
		chromedp.WaitVisible(chromedp.CSS("#bounty-"+bid+" .badge.gov-accepted")),
	)
	after := browserText(t, olga, "#fund-balance")
	b, errB := decimal.NewFromString(before)
	a, errA := decimal.NewFromString(after)
	if errB != nil || errA != nil || !b.Sub(a).Equal(decimal.RequireFromString("60")) {
		t.Errorf("fund balance went from %q to %q, want a drop of 60.00", before, after)
	}
	if got := browserText(t, olga, "#fund-reserved"); got != "0.00" {
		t.Errorf("reserved after payout = %q, want 0.00", got)
	}

	// At phone width the governance pages fit without sideways scrolling.
	for _, path := range []string{"/requests", "/requests/" + id, "/bounties"} {
		step("olga", olga, "phone width "+path,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
		)
		fits, err := chromedp.Run(olga, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%s scrolls sideways at 390 px (%v)", path, err)
		}
	}
}
