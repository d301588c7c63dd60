package ui_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// seedRequests files r1 (feature, by mia) and r2 (incident, by olga) and
// has mia vote for r1.
func seedRequests(t *testing.T, f *fixture) {
	t.Helper()
	for _, r := range []struct{ who, key, body string }{
		{"mia", "r1", `{"kind":"feature","title":"Dark mode","category":"ui"}`},
		{"olga", "r2", `{"kind":"incident","title":"Login loops","circle_id":"` + f.ids["tech"] + `"}`},
	} {
		status, body := f.do(t, "POST", "/api/v1/requests", r.who, r.body)
		if status != 201 {
			t.Fatalf("file %s: %d %s", r.key, status, body)
		}
		var out struct{ ID string }
		json.Unmarshal([]byte(body), &out)
		f.ids[r.key] = out.ID
	}
	if status, body := f.do(t, "POST", "/api/v1/requests/"+f.ids["r1"]+"/vote", "mia", ""); status != 200 {
		t.Fatalf("vote: %d %s", status, body)
	}
}

func TestAPI_RequestScenarios(t *testing.T) {
	scenarios := []scenario{
		{name: "file a feature request", method: "POST", path: "/api/v1/requests", actor: "mia", status: 201,
			body: `{"kind":"feature","title":"Export to ODS","body":"Please."}`,
			want: []string{`"status":"open"`, `"author_id":"{mia}"`, `"votes":0`}},
		{name: "filing needs sign-in", method: "POST", path: "/api/v1/requests", status: 401, body: `{"kind":"feature","title":"x"}`},
		{name: "unknown kind", method: "POST", path: "/api/v1/requests", actor: "mia", status: 400,
			body: `{"kind":"wish","title":"x"}`, fields: []string{"kind"}},
		{name: "title missing", method: "POST", path: "/api/v1/requests", actor: "mia", status: 400,
			body: `{"kind":"feature"}`, fields: []string{"title"}},
		{name: "title of the wrong type", method: "POST", path: "/api/v1/requests", actor: "mia", status: 400,
			body: `{"kind":"feature","title":42}`, fields: []string{"title"}},
		{name: "unknown circle", method: "POST", path: "/api/v1/requests", actor: "mia", status: 400,
			body: `{"kind":"feature","title":"x","circle_id":"c424242"}`, fields: []string{"circle_id"}},
		{name: "list sorted by votes", method: "GET", path: "/api/v1/requests", actor: "mia", status: 200,
			want: []string{`[{"id":"{r1}"`, `"votes":1`, `"voted":true`}},
		{name: "list filtered by kind and circle", method: "GET", path: "/api/v1/requests?kind=incident&circle={tech}", actor: "mia", status: 200,
			want: []string{`"id":"{r2}"`}, absent: []string{`"id":"{r1}"`}},
		{name: "list with an unknown status", method: "GET", path: "/api/v1/requests?status=lost", actor: "mia", status: 400, fields: []string{"status"}},
		{name: "vote", method: "POST", path: "/api/v1/requests/{r1}/vote", actor: "bea", status: 200,
			want: []string{`"votes":2`, `"changed":true`}},
		{name: "voting twice changes nothing", method: "POST", path: "/api/v1/requests/{r1}/vote", actor: "mia", status: 200,
			want: []string{`"votes":1`, `"changed":false`}},
		{name: "withdraw a vote", method: "DELETE", path: "/api/v1/requests/{r1}/vote", actor: "mia", status: 200,
			want: []string{`"votes":0`, `"voted":false`}},
		{name: "vote on an unknown request", method: "POST", path: "/api/v1/requests/r999999/vote", actor: "mia", status: 404},
		{name: "a member cannot triage", method: "POST", path: "/api/v1/requests/{r1}/triage", actor: "mia", status: 403,
			body: `{"status":"validated"}`},
		{name: "ops validate and categorise", method: "POST", path: "/api/v1/requests/{r1}/triage", actor: "olga", status: 200,
			body: `{"status":"validated","category":"design","note":"good idea"}`, want: []string{`"status":"validated"`, `"category":"design"`, `"by":"{olga}"`}},
		{name: "skipping to done is refused", method: "POST", path: "/api/v1/requests/{r1}/triage", actor: "olga", status: 400,
			body: `{"status":"done"}`, fields: []string{"status"}},
		{name: "duplicate without an original", method: "POST", path: "/api/v1/requests/{r2}/triage", actor: "bea", status: 400,
			body: `{"status":"duplicate"}`, fields: []string{"duplicate_of"}},
		{name: "duplicate of an unknown request", method: "POST", path: "/api/v1/requests/{r2}/triage", actor: "bea", status: 400,
			body: `{"status":"duplicate","duplicate_of":"r777777"}`, fields: []string{"duplicate_of"}},
		{name: "merge a duplicate", method: "POST", path: "/api/v1/requests/{r2}/triage", actor: "bea", status: 200,
			body: `{"status":"duplicate","duplicate_of":"{r1}"}`, want: []string{`"duplicate_of":"{r1}"`}},
		{name: "comment", method: "POST", path: "/api/v1/requests/{r1}/comments", actor: "oscar", status: 201,
			body: `{"body":"+1 from ops"}`, want: []string{`"author_id":"{oscar}"`}},
		{name: "empty comment", method: "POST", path: "/api/v1/requests/{r1}/comments", actor: "oscar", status: 400,
			body: `{"body":""}`, fields: []string{"body"}},
		{name: "one request with comments", method: "GET", path: "/api/v1/requests/{r1}", actor: "mia", status: 200,
			want: []string{`"comments":[]`, `"voted":true`}},
	}
	runScenarios(t, scenarios, seedRequests)
}

// voters adds n members of class user, each with an API token, and
// returns their tokens.
func (f *fixture) voters(t *testing.T, n int) []string {
	t.Helper()
	tokens := make([]string, n)
	for i := range tokens {
		m := storetest.MustMember(t, f.db, fmt.Sprintf("Voter %d", i), fmt.Sprintf("voter%d@example.org", i), nil, []ledger.Class{ledger.ClassUser})
		tok, err := f.db.CreateAPIToken(ledger.System, m.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	return tokens
}

// Two hundred members vote on one request at once, each twice: the count is
// exact and nobody counts twice.
func TestAPI_ConcurrentRequestVotes(t *testing.T) {
	f := newFixture(t)
	seedRequests(t, f)
	const n = 200
	tokens := f.voters(t, n)
	base := listen(t, f.app)
	url := base + "/api/v1/requests/" + f.ids["r1"] + "/vote"
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for _, tok := range tokens {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", url, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				defer resp.Body.Close()
				if resp.StatusCode != 200 {
					b, _ := io.ReadAll(resp.Body)
					errs <- fmt.Errorf("status %d: %s", resp.StatusCode, b)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, body := f.do(t, "GET", "/api/v1/requests/"+f.ids["r1"], "mia", "")
	// mia's vote from the seed plus the 200 new voters.
	if want := fmt.Sprintf(`"votes":%d`, n+1); !strings.Contains(body, want) {
		t.Fatalf("want %s in %s", want, body)
	}
}

// seedBounties adds to seedRequests 100.00 in the bounty fund and b1, a
// 60.00 bounty on r1 proposed by olga.
func seedBounties(t *testing.T, f *fixture) {
	t.Helper()
	seedRequests(t, f)
	err := f.db.Update(func(tx *store.Tx) error {
		c := tx.BaseCurrency()
		a := decimal.RequireFromString("100")
		_, err := tx.Post(ledger.System, ledger.Transaction{Date: "2024-05-31", Kind: ledger.KindBounty, Description: "May's share",
			Postings: []ledger.Posting{{Account: ledger.AccountBountyFund, Amount: a, Currency: c}, {Account: ledger.AccountBank, Amount: a.Neg(), Currency: c}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	status, body := f.do(t, "POST", "/api/v1/bounties", "olga", `{"request_id":"`+f.ids["r1"]+`","title":"Dark mode","amount":"60","criteria":["toggle","remembers choice"]}`)
	if status != 201 {
		t.Fatalf("seed bounty: %d %s", status, body)
	}
	var out struct{ ID string }
	json.Unmarshal([]byte(body), &out)
	f.ids["b1"] = out.ID
}

func TestAPI_BountyScenarios(t *testing.T) {
	approved := func(t *testing.T, f *fixture) {
		seedBounties(t, f)
		if status, body := f.do(t, "POST", "/api/v1/bounties/"+f.ids["b1"]+"/approve", "bea", ""); status != 200 {
			t.Fatalf("approve: %d %s", status, body)
		}
	}
	submitted := func(t *testing.T, f *fixture) {
		approved(t, f)
		f.do(t, "POST", "/api/v1/bounties/"+f.ids["b1"]+"/claim", "mia", "")
		if status, body := f.do(t, "POST", "/api/v1/bounties/"+f.ids["b1"]+"/submit", "mia", `{"note":"PR 12","done":[0,1]}`); status != 200 {
			t.Fatalf("submit: %d %s", status, body)
		}
	}
	runScenarios(t, []scenario{
		{name: "propose a bounty", method: "POST", path: "/api/v1/bounties", actor: "oscar", status: 201,
			body: `{"request_id":"{r2}","title":"Fix login","amount":25.5,"criteria":["no loop"]}`,
			want: []string{`"state":"proposed"`, `"amount":"25.50"`, `"criteria":[{"text":"no loop","done":false}]`}},
		{name: "a member cannot propose", method: "POST", path: "/api/v1/bounties", actor: "mia", status: 403,
			body: `{"request_id":"{r2}","title":"x","amount":"5","criteria":["x"]}`},
		{name: "amount as a word", method: "POST", path: "/api/v1/bounties", actor: "bea", status: 400,
			body: `{"request_id":"{r2}","title":"x","amount":"lots","criteria":["x"]}`, fields: []string{"amount"}},
		{name: "no criteria", method: "POST", path: "/api/v1/bounties", actor: "bea", status: 400,
			body: `{"request_id":"{r2}","title":"x","amount":"5"}`, fields: []string{"criteria"}},
		{name: "unknown request", method: "POST", path: "/api/v1/bounties", actor: "bea", status: 400,
			body: `{"request_id":"r123456","title":"x","amount":"5","criteria":["x"]}`, fields: []string{"request_id"}},
		{name: "the fund", method: "GET", path: "/api/v1/bounties/fund", actor: "mia", status: 200,
			want: []string{`"balance":"100.00"`, `"reserved":"0.00"`, `"available":"100.00"`}},
		{name: "ops cannot approve", method: "POST", path: "/api/v1/bounties/{b1}/approve", actor: "olga", status: 403},
		{name: "board approves", method: "POST", path: "/api/v1/bounties/{b1}/approve", actor: "bea", status: 200,
			want: []string{`"state":"open"`, `"approved_by":"{bea}"`}},
		{name: "list by state", method: "GET", path: "/api/v1/bounties?state=proposed", actor: "mia", status: 200, want: []string{`"id":"{b1}"`}},
		{name: "list with an unknown state", method: "GET", path: "/api/v1/bounties?state=lost", actor: "mia", status: 400, fields: []string{"state"}},
		{name: "claiming a proposed bounty", method: "POST", path: "/api/v1/bounties/{b1}/claim", actor: "mia", status: 409},
		{name: "unknown bounty", method: "POST", path: "/api/v1/bounties/b999999/claim", actor: "mia", status: 404},
	}, seedBounties)
	runScenarios(t, []scenario{
		{name: "fund holds the reservation", method: "GET", path: "/api/v1/bounties/fund", actor: "mia", status: 200,
			want: []string{`"reserved":"60.00"`, `"available":"40.00"`}},
		{name: "claim", method: "POST", path: "/api/v1/bounties/{b1}/claim", actor: "mia", status: 200,
			want: []string{`"state":"claimed"`, `"claimant_id":"{mia}"`}},
	}, approved)
	runScenarios(t, []scenario{
		{name: "the claimant cannot accept", method: "POST", path: "/api/v1/bounties/{b1}/accept", actor: "mia", status: 403},
		{name: "a bad note", method: "POST", path: "/api/v1/bounties/{b1}/accept", actor: "olga", status: 400,
			body: `{"note":"a\u0000b"}`, fields: []string{"note"}},
		{name: "a reviewer accepts and the fund pays", method: "POST", path: "/api/v1/bounties/{b1}/accept", actor: "olga", status: 200,
			want: []string{`"state":"accepted"`, `"payout_tx":"t`}},
		{name: "a reviewer sends it back", method: "POST", path: "/api/v1/bounties/{b1}/reject", actor: "oscar", status: 200,
			body: `{"note":"needs a test"}`, want: []string{`"state":"claimed"`}},
	}, submitted)
}

func TestAPI_BountyPayoutLowersTheFund(t *testing.T) {
	f := newFixture(t)
	seedBounties(t, f)
	b := "/api/v1/bounties/" + f.ids["b1"]
	for _, step := range []struct{ who, path, body string }{
		{"bea", b + "/approve", ""}, {"mia", b + "/claim", ""}, {"mia", b + "/submit", `{"note":"done","done":[0,1]}`}, {"oscar", b + "/accept", ""},
	} {
		if status, body := f.do(t, "POST", step.path, step.who, step.body); status != 200 {
			t.Fatalf("%s: %d %s", step.path, status, body)
		}
	}
	_, body := f.do(t, "GET", "/api/v1/bounties/fund", "mia", "")
	for _, w := range []string{`"balance":"40.00"`, `"reserved":"0.00"`, `"available":"40.00"`} {
		if !strings.Contains(body, w) {
			t.Errorf("fund %s lacks %s", body, w)
		}
	}
}

// seedMeeting adds to seedRequests mt1, an all-hands on 15 June 2024 (the
// fixture's day) scheduled by bea, with "Budget" on its agenda.
func seedMeeting(t *testing.T, f *fixture) {
	t.Helper()
	seedRequests(t, f)
	status, body := f.do(t, "POST", "/api/v1/meetings", "bea", `{"date":"2024-06-15","time":"18:30","place":"Jitsi"}`)
	if status != 201 {
		t.Fatalf("seed meeting: %d %s", status, body)
	}
	var out struct{ ID string }
	json.Unmarshal([]byte(body), &out)
	f.ids["mt1"] = out.ID
	if status, body := f.do(t, "POST", "/api/v1/meetings/"+out.ID+"/agenda", "mia", `{"text":"Budget"}`); status != 200 {
		t.Fatalf("seed agenda: %d %s", status, body)
	}
}

func TestAPI_MeetingScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "a member cannot schedule", method: "POST", path: "/api/v1/meetings", actor: "mia", status: 403, body: `{"date":"2024-07-01"}`},
		{name: "schedule needs a date", method: "POST", path: "/api/v1/meetings", actor: "bea", status: 400, body: `{"time":"25:00"}`,
			fields: []string{"date", "time"}},
		{name: "list", method: "GET", path: "/api/v1/meetings", actor: "mia", status: 200, want: []string{`"id":"{mt1}"`, `"text":"Budget"`}},
		{name: "volunteer to take notes", method: "POST", path: "/api/v1/meetings/{mt1}/volunteers", actor: "mia", status: 200,
			body: `{"role":"note_taker"}`, want: []string{`"note_taker":["{mia}"]`}},
		{name: "volunteer for an unknown role", method: "POST", path: "/api/v1/meetings/{mt1}/volunteers", actor: "mia", status: 400,
			body: `{"role":"king"}`, fields: []string{"role"}},
		{name: "rsvp", method: "POST", path: "/api/v1/meetings/{mt1}/rsvp", actor: "mia", status: 200, body: `{"answer":"maybe"}`,
			want: []string{`"{mia}":"maybe"`}},
		{name: "rsvp with a bad answer", method: "POST", path: "/api/v1/meetings/{mt1}/rsvp", actor: "mia", status: 400, body: `{"answer":"sure"}`,
			fields: []string{"answer"}},
		{name: "a member cannot take attendance", method: "POST", path: "/api/v1/meetings/{mt1}/attendance", actor: "mia", status: 403,
			body: `{"member_ids":["{mia}"]}`},
		{name: "ops take attendance", method: "POST", path: "/api/v1/meetings/{mt1}/attendance", actor: "olga", status: 200,
			body: `{"member_ids":["{mia}","{olga}"]}`, want: []string{`"attendance":["{mia}","{olga}"]`}},
		{name: "minutes with a decision", method: "POST", path: "/api/v1/meetings/{mt1}/minutes", actor: "olga", status: 200,
			body: `{"minutes":"We met.","decisions":[{"text":"Adopt dark mode"}]}`, want: []string{`"minutes":"We met."`}},
		{name: "agenda order naming an unknown item", method: "POST", path: "/api/v1/meetings/{mt1}/agenda/order", actor: "olga", status: 400,
			body: `{"items":["a9"]}`, fields: []string{"items[0]"}},
		{name: "unknown meeting", method: "GET", path: "/api/v1/meetings/mt424242", actor: "mia", status: 404},
	}, seedMeeting)
}

func TestAPI_ActivityScenarios(t *testing.T) {
	withRule := func(t *testing.T, f *fixture) {
		seedMeeting(t, f)
		if status, body := f.do(t, "POST", "/api/v1/activity/rules", "bea", `{"class":"user","hours":"0","attendance":"0.5"}`); status != 201 {
			t.Fatalf("rule: %d %s", status, body)
		}
	}
	runScenarios(t, []scenario{
		{name: "a member cannot set rules", method: "POST", path: "/api/v1/activity/rules", actor: "mia", status: 403,
			body: `{"class":"ops","hours":"40","attendance":"0.5"}`},
		{name: "a rule for an unknown class", method: "POST", path: "/api/v1/activity/rules", actor: "ada", status: 400,
			body: `{"class":"guild","hours":"3"}`, fields: []string{"class"}},
		{name: "a rule with bad values", method: "POST", path: "/api/v1/activity/rules", actor: "ada", status: 400,
			body: `{"class":"ops","hours":"-3","attendance":"2"}`, fields: []string{"hours", "attendance"}},
		{name: "rules", method: "GET", path: "/api/v1/activity/rules", actor: "mia", status: 200, want: []string{`"class":"user"`}},
		// mia missed the one all-hands held (15 June) and needs half of them.
		{name: "the board sees who is at risk", method: "GET", path: "/api/v1/activity?year=2024&status=at_risk", actor: "bea", status: 200,
			want: []string{`"member_id":"{mia}"`, `"attended":0`}, absent: []string{`"member_id":"{olga}"`}},
		{name: "a member sees only themselves", method: "GET", path: "/api/v1/activity?year=2024", actor: "mia", status: 200,
			want: []string{`"member_id":"{mia}"`}, absent: []string{`"member_id":"{ada}"`}},
		{name: "ops too see only themselves", method: "GET", path: "/api/v1/activity?year=2024", actor: "olga", status: 200,
			want: []string{`"member_id":"{olga}"`}, absent: []string{`"member_id":"{mia}"`}},
		{name: "a bad year", method: "GET", path: "/api/v1/activity?year=twenty", actor: "mia", status: 400, fields: []string{"year"}},
		{name: "a bad status", method: "GET", path: "/api/v1/activity?status=gone", actor: "bea", status: 400, fields: []string{"status"}},
	}, withRule)
}

// seedPoll adds to seedRequests po1, a ranked poll by mia over three
// options for the fixture's ops class, open a week, and po2, a yes/no
// poll for everyone.
func seedPoll(t *testing.T, f *fixture) {
	t.Helper()
	seedRequests(t, f)
	for _, p := range []struct{ key, body string }{
		{"po1", `{"title":"Next big thing","kind":"ranked","options":["Dark mode","CSV","API"],"closes_at":"2024-06-22T12:00:00Z","electorate":{"classes":["ops"]}}`},
		{"po2", `{"title":"Adopt the budget","kind":"yes_no","quorum":"0.5","threshold":"0.5","closes_at":"2024-06-22T12:00:00Z"}`},
	} {
		status, body := f.do(t, "POST", "/api/v1/polls", "mia", p.body)
		if status != 201 {
			t.Fatalf("seed %s: %d %s", p.key, status, body)
		}
		var out struct{ ID string }
		json.Unmarshal([]byte(body), &out)
		f.ids[p.key] = out.ID
	}
}

func TestAPI_PollScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "open a dots poll", method: "POST", path: "/api/v1/polls", actor: "olga", status: 201,
			body: `{"title":"Spend the budget","kind":"dots","options":["Docs","Tests"],"points":10,"closes_at":"2024-07-01T00:00:00Z","secret":true}`,
			want: []string{`"options":[{"id":"o1","text":"Docs"},{"id":"o2","text":"Tests"}]`, `"state":"open"`, `"secret":true`}},
		{name: "open a poll with bad fields", method: "POST", path: "/api/v1/polls", actor: "olga", status: 400,
			body:   `{"title":"","kind":"dots","options":["Only one"],"points":0,"closes_at":"2024-01-01T00:00:00Z","quorum":"1.5"}`,
			fields: []string{"title", "options", "points", "closes_at", "quorum"}},
		{name: "open a poll of an unknown kind", method: "POST", path: "/api/v1/polls", actor: "olga", status: 400,
			body: `{"title":"x","kind":"approval","closes_at":"2024-07-01T00:00:00Z"}`, fields: []string{"kind"}},
		{name: "rank", method: "POST", path: "/api/v1/polls/{po1}/ballots", actor: "olga", status: 201,
			body: `{"ranking":["o2","o1"]}`, want: []string{`"voted":true`, `"ranking":["o2","o1"]`}},
		{name: "outside the electorate", method: "POST", path: "/api/v1/polls/{po1}/ballots", actor: "mia", status: 403,
			body: `{"ranking":["o1"]}`},
		{name: "an unknown option", method: "POST", path: "/api/v1/polls/{po1}/ballots", actor: "olga", status: 400,
			body: `{"ranking":["o4"]}`, fields: []string{"ranking[0]"}},
		{name: "a duplicate rank", method: "POST", path: "/api/v1/polls/{po1}/ballots", actor: "olga", status: 400,
			body: `{"ranking":["o1","o1"]}`, fields: []string{"ranking[1]"}},
		{name: "a yes/no choice of the wrong kind", method: "POST", path: "/api/v1/polls/{po2}/ballots", actor: "mia", status: 400,
			body: `{"choice":"block"}`, fields: []string{"choice"}},
		{name: "a live count while open", method: "GET", path: "/api/v1/polls/{po2}/result", actor: "bea", status: 200,
			want: []string{`"state":"open"`, `"electorate":5`}},
		{name: "a member cannot close another's poll", method: "POST", path: "/api/v1/polls/{po2}/close", actor: "olga", status: 403},
		{name: "the board closes early", method: "POST", path: "/api/v1/polls/{po2}/close", actor: "bea", status: 200,
			want: []string{`"state":"closed"`, `"passed":false`, `"quorum_met":false`}},
		{name: "list open polls", method: "GET", path: "/api/v1/polls?state=open", actor: "mia", status: 200, want: []string{`"id":"{po1}"`}},
		{name: "list with a bad state", method: "GET", path: "/api/v1/polls?state=maybe", actor: "mia", status: 400, fields: []string{"state"}},
		{name: "unknown poll", method: "GET", path: "/api/v1/polls/po999999", actor: "mia", status: 404},
	}, seedPoll)
	closed := func(t *testing.T, f *fixture) {
		seedPoll(t, f)
		f.do(t, "POST", "/api/v1/polls/"+f.ids["po2"]+"/ballots", "mia", `{"choice":"yes"}`)
		if status, body := f.do(t, "POST", "/api/v1/polls/"+f.ids["po2"]+"/close", "mia", ""); status != 200 {
			t.Fatalf("close: %d %s", status, body)
		}
	}
	runScenarios(t, []scenario{
		{name: "a ballot after close", method: "POST", path: "/api/v1/polls/{po2}/ballots", actor: "olga", status: 409, body: `{"choice":"no"}`},
		{name: "the stored result", method: "GET", path: "/api/v1/polls/{po2}/result", actor: "olga", status: 200,
			want: []string{`"state":"closed"`, `"ballots":1`}},
	}, closed)
}

// Two hundred members cast ballots on one poll at once, each twice (the
// second replaces the first): the count is exact.
func TestAPI_ConcurrentBallots(t *testing.T) {
	f := newFixture(t)
	const n = 200
	tokens := f.voters(t, n)
	status, body := f.do(t, "POST", "/api/v1/polls", "bea", `{"title":"Big vote","kind":"yes_no","closes_at":"2024-06-22T12:00:00Z","electorate":{"classes":["user"]}}`)
	if status != 201 {
		t.Fatalf("open: %d %s", status, body)
	}
	var p struct{ ID string }
	json.Unmarshal([]byte(body), &p)
	url := listen(t, f.app) + "/api/v1/polls/" + p.ID + "/ballots"
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, tok := range tokens {
		for j, choice := range []string{"no", "yes"} {
			if i%2 == 1 && j == 1 {
				choice = "no" // odd voters stay at no
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", url, strings.NewReader(`{"choice":"`+choice+`"}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, body = f.do(t, "POST", "/api/v1/polls/"+p.ID+"/close", "bea", "")
	var r struct {
		Ballots    int
		Electorate int
		Totals     map[string]string
	}
	json.Unmarshal([]byte(body), &r)
	// 200 voters plus ada and mia (class user) make the electorate.
	if r.Ballots != n || r.Electorate != n+2 {
		t.Fatalf("ballots %d of %d, want %d of %d: %s", r.Ballots, r.Electorate, n, n+2, body)
	}
	yes, no := r.Totals["yes"], r.Totals["no"]
	// Even voters sent no then yes at once, so either may land last; odd
	// ones sent no twice. Each voter counts once either way.
	if yes == "" || no == "" {
		t.Fatalf("totals %v", r.Totals)
	}
	var y, nn int
	fmt.Sscan(yes, &y)
	fmt.Sscan(no, &nn)
	if y+nn != n || nn < n/2 {
		t.Fatalf("yes %d + no %d, want %d in all and at least %d no", y, nn, n, n/2)
	}
}

// An error quoting what the caller sent stays short, however long that was.
func TestAPI_ErrorMessagesAreBounded(t *testing.T) {
	f := newFixture(t)
	long := "m" + strings.Repeat("9", 100000)
	status, body := f.do(t, "POST", "/api/v1/tokens", "mia", `{"member_id":"`+long+`","name":"x"}`)
	if status != 403 || len(body) > 1000 || !strings.Contains(body, `"code":"forbidden"`) {
		t.Fatalf("status %d, %d bytes: %.200s", status, len(body), body)
	}
}
