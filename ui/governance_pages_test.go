package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// govCoop is the page tests' co-op with a board member and the governance
// store beside the app, for seeding and for checking what was stored.
type govCoop struct {
	*coop
	bea ledger.Member // board
	gov *govstore.Store
}

func newGovCoop(t *testing.T) *govCoop {
	t.Helper()
	k := newCoop(t)
	gov, err := govstore.New(k.db)
	if err != nil {
		t.Fatal(err)
	}
	return &govCoop{coop: k, bea: k.member("Bea", "bea@example.org", ledger.RoleBoard), gov: gov}
}

// fundBounties puts amount in the bounty fund from the bank, as a close
// would.
func fundBounties(t *testing.T, db *store.DB, amount string) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		c := tx.BaseCurrency()
		a := decimal.RequireFromString(amount)
		_, err := tx.Post(ledger.System, ledger.Transaction{Date: ledger.Today(tx.Now()), Kind: ledger.KindBounty, Description: "Bounty share",
			Postings: []ledger.Posting{{Account: ledger.AccountBountyFund, Amount: a, Currency: c}, {Account: ledger.AccountBank, Amount: a.Neg(), Currency: c}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var requestPath = regexp.MustCompile(`^/requests/(r\d+)\?ok=filed$`)

// fileRequest files a request through the form and returns its id.
func fileRequest(t *testing.T, b *browser, kind, title string) string {
	t.Helper()
	res, _ := b.post("/requests", url.Values{"kind": {kind}, "title": {title}, "category": {"ui"}}, http.StatusSeeOther)
	m := requestPath.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("filing redirected to %q", res.Header.Get("Location"))
	}
	return m[1]
}

func TestPages_Requests(t *testing.T) {
	k := newGovCoop(t)
	max, alice, bob := k.session(k.max), k.session(k.alice), k.session(k.bob)

	// A refused form names the field and stores nothing.
	_, body := max.post("/requests", url.Values{"kind": {"feature"}, "title": {"  "}}, http.StatusBadRequest)
	wantInPage(t, body, `id="title-error">is required`, "Some fields need attention")
	if rs, _, _ := k.gov.Requests(k.max, governance.RequestFilter{}); len(rs) != 0 {
		t.Fatalf("a refused form stored %d requests", len(rs))
	}

	dark := fileRequest(t, max, "feature", "Dark mode")
	login := fileRequest(t, alice, "incident", "Login loops")
	_, body = max.get("/requests/"+dark+"?ok=filed", http.StatusOK)
	wantInPage(t, body, "<h1>Dark mode</h1>", "Request filed.", `id="vote-`+dark+`"`)
	if strings.Contains(body, `action="/requests/`+dark+`/triage"`) {
		t.Error("a plain member is offered the triage form")
	}

	// Votes from the list come back to the list with its filters; the list
	// sorts by votes.
	res, _ := bob.post("/requests/"+login+"/vote", url.Values{"action": {"vote"}, "back": {"/requests?kind=incident"}}, http.StatusSeeOther)
	wantLocation(t, res, "/requests?kind=incident")
	for _, b := range []*browser{max, alice, bob} {
		b.post("/requests/"+dark+"/vote", url.Values{"action": {"vote"}, "back": {"//evil.example"}}, http.StatusSeeOther)
	}
	_, body = max.get("/requests", http.StatusOK)
	wantInPage(t, body, `id="votes-`+dark+`">3</span>`, `id="votes-`+login+`">1</span>`, `id="withdraw-`+dark+`"`, `id="vote-`+login+`"`)
	if strings.Index(body, `id="request-`+dark+`"`) > strings.Index(body, `id="request-`+login+`"`) {
		t.Error("the request with more votes is not listed first")
	}
	res, _ = max.post("/requests/"+dark+"/vote", url.Values{"action": {"withdraw"}}, http.StatusSeeOther)
	wantLocation(t, res, "/requests")
	_, body = max.get("/requests?kind=feature", http.StatusOK)
	wantInPage(t, body, `id="votes-`+dark+`">2</span>`)
	if strings.Contains(body, "Login loops") {
		t.Error("the kind filter kept an incident")
	}
	_, body = max.get("/requests?status=lost", http.StatusBadRequest)
	wantInPage(t, body, "showing every request", "Login loops")

	// Triage: ops only, with the workflow's moves offered.
	max.post("/requests/"+dark+"/triage", url.Values{"status": {"validated"}}, http.StatusForbidden)
	_, body = alice.get("/requests/"+dark, http.StatusOK)
	wantInPage(t, body, `<option value="validated">validated</option>`, `<option value="duplicate">duplicate</option>`)
	_, body = alice.post("/requests/"+dark+"/triage", url.Values{"status": {"duplicate"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="duplicate_of-error">name the request this one duplicates`)
	res, _ = alice.post("/requests/"+dark+"/triage", url.Values{"status": {"validated"}, "category": {"design"}, "note": {"Good idea"}}, http.StatusSeeOther)
	wantLocation(t, res, "/requests/"+dark+"?ok=triaged")
	_, body = max.get("/requests/"+dark, http.StatusOK)
	wantInPage(t, body, `<span class="badge gov-validated">validated</span>`, "design", "Good idea",
		"<dt>Filed by</dt><dd>Max on", "</span> by Alice on")
	_, body = bob.get("/requests", http.StatusOK)
	wantInPage(t, body, "filed by Max on", "filed by Alice on")

	// Comments.
	_, body = max.post("/requests/"+dark+"/comments", url.Values{"body": {""}}, http.StatusBadRequest)
	wantInPage(t, body, `id="comment-body-error">is required`)
	res, _ = max.post("/requests/"+dark+"/comments", url.Values{"body": {"Please with <b>contrast</b>"}}, http.StatusSeeOther)
	wantLocation(t, res, "/requests/"+dark+"?ok=commented#comments")
	_, body = bob.get("/requests/"+dark, http.StatusOK)
	wantInPage(t, body, "Please with &lt;b&gt;contrast&lt;/b&gt;", "Max, 2024-06-15")

	max.get("/requests/r999999", http.StatusNotFound)
	noInlineOrExternal(t, "/requests", body)
}

func TestPages_Bounties(t *testing.T) {
	k := newGovCoop(t)
	fundBounties(t, k.db, "100.00")
	max, alice, bob, bea := k.session(k.max), k.session(k.alice), k.session(k.bob), k.session(k.bea)
	req := fileRequest(t, max, "feature", "Dark mode")

	_, body := max.get("/bounties", http.StatusOK)
	wantInPage(t, body, `id="fund-balance">100.00</dd>`, `id="fund-reserved">0.00</dd>`, `id="fund-available">100.00</dd>`, "No bounties yet.")

	// Proposing, from the request page: ops and board only, every field checked.
	_, body = alice.get("/requests/"+req, http.StatusOK)
	wantInPage(t, body, `action="/requests/`+req+`/bounty"`)
	max.post("/requests/"+req+"/bounty", url.Values{"title": {"x"}, "amount": {"5"}, "criteria": {"x"}}, http.StatusForbidden)
	_, body = alice.post("/requests/"+req+"/bounty", url.Values{"title": {""}, "amount": {"lots"}, "criteria": {"\n"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="bounty-amount-error">must be a number`, `id="bounty-title-error">is required`, `id="bounty-criteria-error">list at least one`)
	res, _ := alice.post("/requests/"+req+"/bounty", url.Values{"title": {"Dark mode"}, "amount": {"60"},
		"criteria": {"a toggle\r\nremembers the choice\r\n"}}, http.StatusSeeOther)
	wantLocation(t, res, "/bounties?ok=proposed")
	bs, _, err := k.gov.Bounties("")
	if err != nil || len(bs) != 1 || len(bs[0].Criteria) != 2 {
		t.Fatalf("bounties %+v (%v), want one with two criteria", bs, err)
	}
	id := bs[0].ID

	// Board approves: the fund reserves 60.00.
	_, body = max.get("/bounties", http.StatusOK)
	if strings.Contains(body, `id="approve-`+id+`"`) {
		t.Error("a member is offered the approve button")
	}
	alice.post("/bounties/"+id+"/approve", url.Values{}, http.StatusForbidden)
	max.post("/bounties/"+id+"/claim", url.Values{}, http.StatusConflict)
	_, body = bea.get("/bounties", http.StatusOK)
	wantInPage(t, body, `id="approve-`+id+`"`)
	res, _ = bea.post("/bounties/"+id+"/approve", url.Values{}, http.StatusSeeOther)
	wantLocation(t, res, "/bounties?ok=bounty-approve#bounty-"+id)
	_, body = max.get("/bounties", http.StatusOK)
	wantInPage(t, body, `id="fund-reserved">60.00</dd>`, `id="fund-available">40.00</dd>`, `id="claim-`+id+`"`)

	// Max claims and submits, ticking the criteria.
	max.post("/bounties/"+id+"/claim", url.Values{}, http.StatusSeeOther)
	_, body = max.get("/bounties", http.StatusOK)
	wantInPage(t, body, `id="submit-`+id+`"`, `name="done" type="checkbox" value="1"`)
	_, body = bob.get("/bounties", http.StatusOK)
	if strings.Contains(body, `id="submit-`+id+`"`) {
		t.Error("someone other than the claimant is offered the submit form")
	}
	_, body = max.post("/bounties/"+id+"/submit", url.Values{"note": {" "}, "done": {"0", "1"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="note-`+id+`-error">is required`)
	max.post("/bounties/"+id+"/submit", url.Values{"note": {"PR 12"}, "done": {"0", "1"}}, http.StatusSeeOther)

	// A reviewer other than the claimant accepts: the fund pays out.
	max.post("/bounties/"+id+"/accept", url.Values{}, http.StatusForbidden)
	_, body = alice.get("/bounties", http.StatusOK)
	wantInPage(t, body, `id="accept-`+id+`"`, "PR 12")
	res, _ = alice.post("/bounties/"+id+"/accept", url.Values{"note": {"Lovely"}}, http.StatusSeeOther)
	wantLocation(t, res, "/bounties?ok=bounty-accept#bounty-"+id)
	_, body = max.get("/bounties?ok=bounty-accept", http.StatusOK)
	wantInPage(t, body, "Bounty accepted and paid from the fund.", `id="fund-balance">40.00</dd>`, `id="fund-reserved">0.00</dd>`,
		`<span class="badge gov-accepted">accepted</span>`, "<dt>Claimed by</dt><dd>Max</dd>", "<dt>Accepted by</dt><dd>Alice</dd>",
		`<a href="/requests/`+req+`">Dark mode</a>`)
	alice.post("/bounties/"+id+"/accept", url.Values{}, http.StatusConflict)
	max.post("/bounties/"+id+"/steal", url.Values{}, http.StatusNotFound)
	max.get("/bounties?state=lost", http.StatusBadRequest)
	noInlineOrExternal(t, "/bounties", body)
	// Amounts typed with thousands separators are read as on the money pages.
	alice.post("/requests/"+req+"/bounty", url.Values{"title": {"Big"}, "amount": {"1,500.00"}, "criteria": {"done"}}, http.StatusSeeOther)
	if bs, _, _ := k.gov.Bounties(governance.BountyProposed); len(bs) != 1 || bs[0].Amount.String() != "1500.00" {
		t.Fatalf("proposed bounties after 1,500.00: %+v", bs)
	}
}

func TestPages_MeetingsAndActivity(t *testing.T) {
	k := newGovCoop(t)
	max, alice, bea := k.session(k.max), k.session(k.alice), k.session(k.bea)

	// Ops schedule; members cannot.
	max.post("/meetings", url.Values{"date": {"2024-06-15"}}, http.StatusForbidden)
	_, body := alice.post("/meetings", url.Values{"date": {"June"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="date-error">`)
	res, _ := alice.post("/meetings", url.Values{"date": {"2024-06-15"}, "time": {"18:00"}, "place": {"The hall"}}, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/meetings/mt") || !strings.HasSuffix(loc, "?ok=scheduled") {
		t.Fatalf("scheduling redirected to %q", loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/meetings/"), "?ok=scheduled")
	base := "/meetings/" + id

	// Anyone adds to the agenda, volunteers and answers.
	max.post(base+"/agenda", url.Values{"text": {"Budget 2025"}}, http.StatusSeeOther)
	max.post(base+"/agenda", url.Values{"text": {"Hosting move"}}, http.StatusSeeOther)
	// Before volunteering, max cannot reorder; ops alice can.
	max.post(base+"/move", url.Values{"item": {"a2"}, "dir": {"up"}}, http.StatusForbidden)
	alice.post(base+"/move", url.Values{"item": {"a9"}, "dir": {"up"}}, http.StatusBadRequest)
	alice.post(base+"/move", url.Values{"item": {"a2"}, "dir": {"sideways"}}, http.StatusBadRequest)
	alice.post(base+"/move", url.Values{"item": {"a2"}, "dir": {"up"}}, http.StatusSeeOther)
	if m, _ := k.gov.Meeting(id); len(m.Agenda) != 2 || m.Agenda[0].Text != "Hosting move" {
		t.Fatalf("agenda after moving a2 up: %+v", m.Agenda)
	}
	_, body = alice.get(base, http.StatusOK)
	wantInPage(t, body, `aria-label="Move “Hosting move” down"`, `aria-label="Move “Budget 2025” up"`)
	if strings.Contains(body, `Move “Hosting move” up`) || strings.Contains(body, `Move “Budget 2025” down`) {
		t.Error("the first item offers to move up, or the last to move down")
	}
	max.post(base+"/volunteer", url.Values{"role": {"note_taker"}}, http.StatusSeeOther)
	max.post(base+"/rsvp", url.Values{"answer": {"yes"}}, http.StatusSeeOther)
	max.post(base+"/rsvp", url.Values{"answer": {"often"}}, http.StatusBadRequest)
	_, body = max.get(base, http.StatusOK)
	wantInPage(t, body, "Budget 2025", `id="unvolunteer-note_taker"`, `id="volunteer-facilitator"`, `id="save-attendance"`, `id="save-minutes"`)
	// The note-taker runs the meeting: attendance and minutes.
	max.post(base+"/attendance", url.Values{"member_ids": {k.max.ID, k.alice.ID}}, http.StatusSeeOther)
	_, body = max.post(base+"/minutes", url.Values{"minutes": {"We met."}, "decisions": {"Adopt the budget | po999999"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="decisions-error">line 1: no poll`)
	max.post(base+"/minutes", url.Values{"minutes": {"We met."}, "decisions": {"Adopt the budget"}}, http.StatusSeeOther)
	_, body = k.session(k.bob).get(base, http.StatusOK)
	wantInPage(t, body, `<p id="attended">Max, Alice</p>`, "We met.", "Adopt the budget")
	// A member who does not run the meeting sees the same names, read one
	// by one rather than from the roster.
	nia := k.session(k.member("Nia", "nia@example.org", ledger.RoleMember))
	_, body = nia.get(base, http.StatusOK)
	wantInPage(t, body, `<p id="attended">Max, Alice</p>`, "Budget 2025 <span class=\"hint\">— Max</span>", "<strong>Note-taker:</strong> Max")
	if strings.Contains(body, `id="save-attendance"`) {
		t.Error("a member who does not run the meeting is offered the attendance form")
	}
	_, body = max.get("/meetings", http.StatusOK)
	wantInPage(t, body, "2 agenda items · 2 attended")
	noInlineOrExternal(t, "/meetings", body)

	// Activity: a user-class member commits to 40 h and half the
	// all-hands; uma has neither hours nor the meeting.
	uma := k.member("Uma", "uma@example.org", ledger.RoleMember)
	if _, err := k.db.UpdateMember(k.ada, uma.ID, ledger.MemberInput{Classes: &[]ledger.Class{ledger.ClassUser}}); err != nil {
		t.Fatal(err)
	}
	rule := governance.ActivityRule{Class: ledger.ClassUser, Hours: decimal.NewFromInt(40), Attendance: decimal.RequireFromString("0.5")}
	if _, err := k.gov.SetActivityRule(k.bea, rule); err != nil {
		t.Fatal(err)
	}
	max.get("/activity", http.StatusForbidden)
	_, body = bea.get("/activity", http.StatusOK)
	wantInPage(t, body, `id="concern-`+uma.ID+`"`, "attended 0 of 1 all-hands", "<h1>Activity in 2024</h1>")
	bea.get("/activity?year=twenty", http.StatusBadRequest)
	// The board sets a class's commitment on the same page.
	max.post("/activity/rules", url.Values{"class": {"collaborator"}, "hours": {"12"}}, http.StatusForbidden)
	_, body = bea.post("/activity/rules", url.Values{"class": {"collaborator"}, "hours": {"lots"}, "attendance": {"150%"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="hours-error">must be a number`)
	_, body = bea.post("/activity/rules", url.Values{"class": {"collaborator"}, "hours": {"12"}, "attendance": {"150%"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="attendance-error">`)
	bea.post("/activity/rules", url.Values{"class": {"collaborator"}, "hours": {"12"}, "compensation": {"contribution"}, "attendance": {"25%"}}, http.StatusSeeOther)
	if rs, _ := k.gov.ActivityRules(); len(rs) != 2 || rs[0].Class != ledger.ClassCollaborator || !rs[0].Attendance.Equal(decimal.RequireFromString("0.25")) ||
		rs[0].Compensation != ledger.CompContribution {
		t.Fatalf("rules after the form: %+v", rs)
	}
	_, body = bea.get("/activity", http.StatusOK)
	wantInPage(t, body, `<tr id="rule-collaborator"><td>collaborator</td><td class="num">12.00</td>`, "contribution hours", ">25%<")
	_, body = bea.get("/meetings", http.StatusOK)
	wantInPage(t, body, `id="activity-link"`)

	// The dashboard box: uma sees her own standing; max, who has no
	// commitment, sees none.
	_, body = k.session(uma).get("/timesheet", http.StatusOK)
	wantInPage(t, body, "Your activity in 2024", `id="activity-hours">0.00</span> of `,
		`id="activity-attended">0</span> of 1 attended`, `id="activity-status">at risk</span>`)
	_, body = max.get("/timesheet", http.StatusOK)
	if strings.Contains(body, "Your activity") {
		t.Error("a member without a commitment is shown an activity box")
	}
}
