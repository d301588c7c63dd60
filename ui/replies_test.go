package ui_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
)

// The month list and the timesheet are answered again from the last time
// while nothing is committed (web.Replies). These tests read each twice,
// change something in between in every way that shows on it, and require
// the change to show at once.

func TestRepliesList_EveryCommitShows(t *testing.T) {
	f := newFixture(t)
	list := "/api/v1/time-entries?month=2024-06"
	read := func(who string) string {
		t.Helper()
		status, body := f.do(t, "GET", list, who, "")
		if status != http.StatusOK {
			t.Fatalf("GET %s as %s = %d: %s", list, who, status, body)
		}
		return body
	}
	first := read("olga")
	if again := read("olga"); again != first {
		t.Fatalf("the same list read twice with no write between differs:\n%s\n%s", first, again)
	}
	// A new entry of her own.
	status, body := f.do(t, "POST", "/api/v1/time-entries", "olga", `{"date":"2024-06-13","minutes":30,"circle_id":"`+f.ids["tech"]+`","task":"cache check"}`)
	if status != http.StatusCreated {
		t.Fatalf("log time = %d: %s", status, body)
	}
	if got := read("olga"); !strings.Contains(got, "cache check") {
		t.Fatalf("the list after a new entry does not show it: %s", got)
	}
	// Another member's review of her submitted entry.
	if status, body := f.do(t, "POST", "/api/v1/time-entries/e000001/approve", "oscar", `{"comment":"ok"}`); status != http.StatusOK {
		t.Fatalf("approve = %d: %s", status, body)
	}
	if got := read("olga"); strings.Contains(got, `"state":"submitted"`) {
		t.Fatalf("the list after the approval still shows the entry submitted: %s", got)
	}
	// The same address asked by another member is their own list.
	if got := read("mia"); got != "[]" {
		t.Fatalf("mia's list at olga's address = %s, want her own (none)", got)
	}
	if got := read("olga"); !strings.Contains(got, "on-call") {
		t.Fatalf("olga's list after mia's read lost her entries: %s", got)
	}
	// A role taken away takes the list it allowed with it.
	all := "/api/v1/time-entries?member_id=all"
	if status, body := f.do(t, "GET", all, "oscar", ""); status != http.StatusOK {
		t.Fatalf("ops reading everyone's entries = %d: %s", status, body)
	}
	if status, body := f.do(t, "PATCH", "/api/v1/members/"+f.ids["oscar"], "ada", `{"roles":["member"]}`); status != http.StatusOK {
		t.Fatalf("demote oscar = %d: %s", status, body)
	}
	if status, body := f.do(t, "GET", all, "oscar", ""); status != http.StatusForbidden {
		t.Fatalf("everyone's entries read again after oscar lost ops = %d, want 403: %.200s", status, body)
	}
}

func TestRepliesTimesheet_EveryCommitAndDayShows(t *testing.T) {
	clock := storetest.NewClock(pageNow)
	db := storetest.OpenDBClock(t, clock.Now)
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	k := &coop{t: t, app: app, db: db, tech: storetest.MustCircle(t, db, "tech")}
	k.alice = k.member("Alice", "alice@example.org", ledger.RoleOps)
	k.bob = k.member("Bob", "bob@example.org", ledger.RoleOps)
	alice, bob := k.signIn(k.alice), k.signIn(k.bob)

	_, first := alice.get("/timesheet", http.StatusOK)
	if _, again := alice.get("/timesheet", http.StatusOK); again != first {
		t.Fatal("the same timesheet shown twice with no write between differs")
	}
	alice.post("/timesheet", url.Values{"date": {"2024-06-14"}, "hours": {"2.5"}, "circle_id": {k.tech.ID},
		"task": {"replies check"}, "submit_now": {"on"}}, http.StatusSeeOther)
	_, page := alice.get("/timesheet", http.StatusOK)
	if !strings.Contains(page, "replies check") || !strings.Contains(page, "submitted") {
		t.Fatalf("the timesheet after logging hours does not show them submitted:\n%s", page)
	}
	entries, err := db.TimeEntries(k.bob, store.EntryQuery{MemberID: k.alice.ID})
	if err != nil || len(entries) != 1 {
		t.Fatalf("alice's entries = %v, %v", entries, err)
	}
	bob.post("/review/"+entries[0].ID, url.Values{"action": {"approve"}, "comment": {"fine"}}, http.StatusSeeOther)
	if _, page := alice.get("/timesheet", http.StatusOK); !strings.Contains(page, "approved") {
		t.Fatalf("the timesheet after bob's approval does not show it approved:\n%s", page)
	}
	// Bob's timesheet at the same address is his own.
	if _, page := bob.get("/timesheet", http.StatusOK); strings.Contains(page, "replies check") {
		t.Fatal("bob's timesheet shows alice's entry")
	}
	// A new day with nothing committed (a bearer token, unlike a session,
	// writes nothing when used): the form's date follows it.
	token, err := db.CreateAPIToken(ledger.System, k.alice.ID, "replies")
	if err != nil {
		t.Fatal(err)
	}
	byToken := func() string {
		t.Helper()
		req := httptest.NewRequest("GET", "/timesheet", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, body := k.do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /timesheet with a token = %d", res.StatusCode)
		}
		return body
	}
	before := byToken()
	gen, _ := db.Generation()
	clock.Advance(24 * time.Hour)
	after := byToken()
	if now, _ := db.Generation(); now != gen {
		t.Fatal("reading the timesheet with a token committed something")
	}
	if !strings.Contains(before, `value="2024-06-15"`) || !strings.Contains(after, `value="2024-06-16"`) {
		t.Fatal("the timesheet's date did not follow the clock to the next day")
	}
}
