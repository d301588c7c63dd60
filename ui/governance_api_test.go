package ui_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/gofiber/fiber/v2"
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

// listen serves app on a 127.0.0.1 port for the test's lifetime.
func listen(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// Two hundred members vote on one request at once, each twice: the count is
// exact and nobody counts twice.
func TestAPI_ConcurrentRequestVotes(t *testing.T) {
	f := newFixture(t)
	seedRequests(t, f)
	const n = 200
	tokens := make([]string, n)
	for i := range tokens {
		m := storetest.MustMember(t, f.db, fmt.Sprintf("Voter %d", i), fmt.Sprintf("voter%d@example.org", i), nil, []ledger.Class{ledger.ClassUser})
		tok, err := f.db.CreateAPIToken(ledger.System, m.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
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
