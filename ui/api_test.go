package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
	"github.com/gofiber/fiber/v2"
)

// The fixed clock of the API fixture: 15 June 2024, midday.
var fixtureNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// fixture is a small co-op: ada (admin), olga and oscar (ops), bea
// (board), mia (plain member), circle tech, and three of olga's entries:
// e000001 submitted (2 h on 10 June), e000002 approved by oscar, e000003 a
// draft. tokens maps persona → bearer token.
type fixture struct {
	db     *store.DB
	app    *fiber.App
	tokens map[string]string
	ids    map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.OpenDB(t, fixtureNow)
	f := &fixture{db: db, tokens: map[string]string{}, ids: map[string]string{}}
	people := []struct {
		key     string
		roles   []ledger.Role
		classes []ledger.Class
	}{
		{"ada", []ledger.Role{ledger.RoleAdmin}, []ledger.Class{ledger.ClassUser}},
		{"olga", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}},
		{"oscar", []ledger.Role{ledger.RoleOps}, []ledger.Class{ledger.ClassOps}},
		{"bea", []ledger.Role{ledger.RoleBoard}, []ledger.Class{ledger.ClassCollaborator}},
		{"mia", []ledger.Role{ledger.RoleMember}, []ledger.Class{ledger.ClassUser}},
	}
	for _, p := range people {
		m := storetest.MustMember(t, db, strings.ToUpper(p.key[:1])+p.key[1:], p.key+"@example.org", p.roles, p.classes)
		f.ids[p.key] = m.ID
		tok, err := db.CreateAPIToken(ledger.System, m.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[p.key] = tok
	}
	f.ids["tech"] = storetest.MustCircle(t, db, "tech").ID
	olga, _ := db.Member(f.ids["olga"])
	oscar, _ := db.Member(f.ids["oscar"])
	two := int64(120)
	for i, date := range []string{"2024-06-10", "2024-06-11", "2024-06-12"} {
		e, err := db.LogTime(olga, ledger.TimeEntryInput{Date: date, Minutes: &two, CircleID: f.ids["tech"], Task: "on-call", Submit: i < 2})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := db.ReviewTimeEntry(oscar, e.ID, true, "fine"); err != nil {
				t.Fatal(err)
			}
		}
	}
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	return f
}

// do sends one request as persona ("" for anonymous) and returns the
// status and body.
func (f *fixture) do(t *testing.T, method, path, actor, body string, hdr ...string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case actor == "":
	case strings.HasPrefix(actor, "raw:"):
		req.Header.Set("Authorization", strings.TrimPrefix(actor, "raw:"))
	default:
		req.Header.Set("Authorization", "Bearer "+f.tokens[actor])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// seed makes a request the tests build on, as who, and fails unless it
// succeeds. {key} in path and body stands for f.ids[key]; a non-empty
// key files the new record's id under that key.
func (f *fixture) seed(t *testing.T, who, method, path, body, key string) {
	t.Helper()
	for k, v := range f.ids {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
		body = strings.ReplaceAll(body, "{"+k+"}", v)
	}
	status, resp := f.do(t, method, path, who, body)
	if status >= 300 {
		t.Fatalf("seed %s %s: %d %s", method, path, status, resp)
	}
	if key != "" {
		var out struct{ ID string }
		if err := json.Unmarshal([]byte(resp), &out); err != nil || out.ID == "" {
			t.Fatalf("seed %s %s: no id in %s", method, path, resp)
		}
		f.ids[key] = out.ID
	}
}

type scenario struct {
	name   string
	method string
	path   string
	actor  string
	body   string
	status int
	want   []string // fragments the body must contain
	absent []string // fragments it must not contain
	fields []string // fields the error must name
}

func TestAPI_Scenarios(t *testing.T) {
	long := strings.Repeat("x", 300)
	scenarios := []scenario{
		{name: "healthz is public", method: "GET", path: "/healthz", status: 200, want: []string{`"status":"ok"`}},
		{name: "me without credentials", method: "GET", path: "/api/v1/me", status: 401, want: []string{`"code":"unauthenticated"`}},
		{name: "me with a wrong token", method: "GET", path: "/api/v1/me", actor: "raw:Bearer cl_nope", status: 401},
		{name: "me with a malformed header", method: "GET", path: "/api/v1/me", actor: "raw:Basic abc", status: 401},
		{name: "me", method: "GET", path: "/api/v1/me", actor: "olga", status: 200, want: []string{`"email":"olga@example.org"`, `"roles":["ops"]`}},
		{name: "unknown route", method: "GET", path: "/api/v1/nothing", actor: "olga", status: 404, want: []string{`"code":"not_found"`}},

		{name: "members list hides other addresses from a member", method: "GET", path: "/api/v1/members", actor: "mia", status: 200,
			want: []string{`"name":"Olga"`, `"mia@example.org"`}, absent: []string{"olga@example.org"}},
		{name: "members list shows addresses to the board", method: "GET", path: "/api/v1/members", actor: "bea", status: 200, want: []string{"olga@example.org"}},
		{name: "admin adds a member", method: "POST", path: "/api/v1/members", actor: "ada", status: 201,
			body: `{"name":" Nia ","email":"nia@example.org","emails":["nia.pay@example.org"],"classes":["ops"],"roles":["ops"],"circles":["{tech}"],"joined":"2024-01-02"}`,
			want: []string{`"name":"Nia"`, `"joined":"2024-01-02"`, `"circles":["{tech}"]`, `"emails":["nia.pay@example.org"]`}},
		{name: "member cannot add members", method: "POST", path: "/api/v1/members", actor: "mia", status: 403,
			body: `{"name":"Nia","email":"nia@example.org"}`, want: []string{`"code":"forbidden"`}},
		{name: "anonymous cannot add members", method: "POST", path: "/api/v1/members", status: 401, body: `{"name":"Nia","email":"nia@example.org"}`},
		{name: "email unique ignoring case", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"Olga 2","email":"OLGA@example.org"}`, fields: []string{"email"}},
		{name: "other address unique too", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"Olga 2","email":"o2@example.org","emails":["Olga@Example.org"]}`, fields: []string{"emails"}},
		{name: "member needs name and email", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{}`, fields: []string{"name", "email"}},
		{name: "member with bad email", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"not an email"}`, fields: []string{"email"}},
		{name: "member with unknown role", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"x@example.org","roles":["king"]}`, fields: []string{"roles"}},
		{name: "member with unknown class", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"x@example.org","classes":["owner"]}`, fields: []string{"classes"}},
		{name: "member with unknown circle", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"x@example.org","circles":["c999999"]}`, fields: []string{"circles"}},
		{name: "member left before joining", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"x@example.org","joined":"2024-02-01","left":"2024-01-01"}`, fields: []string{"left"}},
		{name: "member with an unknown field", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"X","email":"x@example.org","nickname":"x"}`, fields: []string{"nickname"}},
		{name: "member with a name of the wrong type", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":42,"email":"x@example.org"}`, fields: []string{"name"}},
		{name: "member with a name too long", method: "POST", path: "/api/v1/members", actor: "ada", status: 400,
			body: `{"name":"` + long + `","email":"x@example.org"}`, fields: []string{"name"}},
		{name: "member body not JSON", method: "POST", path: "/api/v1/members", actor: "ada", status: 400, body: `{"name":`, fields: []string{"body"}},
		{name: "member body a list", method: "POST", path: "/api/v1/members", actor: "ada", status: 400, body: `[1,2]`, fields: []string{"body"}},
		{name: "admin changes roles", method: "PATCH", path: "/api/v1/members/{mia}", actor: "ada", status: 200,
			body: `{"roles":["member","ops"]}`, want: []string{`"roles":["member","ops"]`}},
		{name: "member renames self", method: "PATCH", path: "/api/v1/members/{mia}", actor: "mia", status: 200,
			body: `{"name":"Mia K"}`, want: []string{`"name":"Mia K"`}},
		{name: "member cannot raise own role", method: "PATCH", path: "/api/v1/members/{mia}", actor: "mia", status: 403, body: `{"roles":["admin"]}`},
		{name: "member cannot rename another", method: "PATCH", path: "/api/v1/members/{olga}", actor: "mia", status: 403, body: `{"name":"Ha"}`},
		{name: "patch unknown member", method: "PATCH", path: "/api/v1/members/m999999", actor: "ada", status: 404, body: `{"name":"Ha"}`},
		{name: "get unknown member", method: "GET", path: "/api/v1/members/bogus", actor: "ada", status: 404},

		{name: "circles list", method: "GET", path: "/api/v1/circles", actor: "mia", status: 200, want: []string{`"name":"tech"`}},
		{name: "admin adds a circle", method: "POST", path: "/api/v1/circles", actor: "ada", status: 201, body: `{"name":"marketing"}`, want: []string{`"name":"marketing"`}},
		{name: "ops cannot add circles", method: "POST", path: "/api/v1/circles", actor: "olga", status: 403, body: `{"name":"marketing"}`},
		{name: "circle names unique ignoring case", method: "POST", path: "/api/v1/circles", actor: "ada", status: 400, body: `{"name":"TECH"}`, fields: []string{"name"}},
		{name: "circle needs a name", method: "POST", path: "/api/v1/circles", actor: "ada", status: 400, body: `{"name":"  "}`, fields: []string{"name"}},

		{name: "log 2.5 h", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-14","hours":"2.5","circle_id":"{tech}","task":"deploy","note":"db upgrade"}`,
			want: []string{`"state":"draft"`, `"minutes":150`, `"hours":"2.5"`, `"member_id":"{olga}"`, `"compensation":"volunteer"`}},
		{name: "log hours given as a number", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-14","hours":1.25,"circle_id":"{tech}","compensation":"required","submit":true}`,
			want: []string{`"minutes":75`, `"state":"submitted"`, `"compensation":"required"`}},
		{name: "log minutes", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-14","minutes":45,"circle_id":"{tech}"}`, want: []string{`"hours":"0.75"`}},
		{name: "anonymous cannot log", method: "POST", path: "/api/v1/time-entries", status: 401,
			body: `{"date":"2024-06-14","hours":"1","circle_id":"{tech}"}`},
		{name: "zero hours", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"0","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "negative hours", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"-1","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "more than 24 h", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"24.01","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "hours not a number", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"two","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "absurd exponent", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"1e999999999","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "hours and minutes both", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"1","minutes":60,"circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "hours missing", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "date in the future", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-16","hours":"1","circle_id":"{tech}"}`, fields: []string{"date"}},
		{name: "date malformed", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"14/06/2024","hours":"1","circle_id":"{tech}"}`, fields: []string{"date"}},
		{name: "unknown circle", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"1","circle_id":"c000999"}`, fields: []string{"circle_id"}},
		{name: "unknown compensation", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"1","circle_id":"{tech}","compensation":"bonus"}`, fields: []string{"compensation"}},
		{name: "task with a NUL byte", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-14","hours":"1","circle_id":"{tech}","task":"a\u0000b"}`, fields: []string{"task"}},
		{name: "day would pass 24 h", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-10","hours":"22.5","circle_id":"{tech}"}`, fields: []string{"hours"}},
		{name: "day fills to exactly 24 h", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-10","hours":"22","circle_id":"{tech}"}`},
		{name: "member cannot log for another", method: "POST", path: "/api/v1/time-entries", actor: "mia", status: 403,
			body: `{"member_id":"{olga}","date":"2024-06-14","hours":"1","circle_id":"{tech}"}`},
		{name: "admin logs for another", method: "POST", path: "/api/v1/time-entries", actor: "ada", status: 201,
			body: `{"member_id":"{olga}","date":"2024-06-14","hours":"1","circle_id":"{tech}"}`, want: []string{`"member_id":"{olga}"`, `"created_by":"{ada}"`}},
		{name: "correction of an approved entry", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-11","hours":"3","circle_id":"{tech}","corrects":"e000002"}`, want: []string{`"corrects":"e000002"`}},
		{name: "correction of a draft refused", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-11","hours":"3","circle_id":"{tech}","corrects":"e000003"}`, fields: []string{"corrects"}},
		{name: "correction of an unknown entry refused", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 400,
			body: `{"date":"2024-06-11","hours":"3","circle_id":"{tech}","corrects":"e000999"}`, fields: []string{"corrects"}},

		{name: "owner submits a draft", method: "POST", path: "/api/v1/time-entries/e000003/submit", actor: "olga", status: 200, want: []string{`"state":"submitted"`}},
		{name: "another member cannot submit it", method: "POST", path: "/api/v1/time-entries/e000003/submit", actor: "oscar", status: 403},
		{name: "submitting twice conflicts", method: "POST", path: "/api/v1/time-entries/e000001/submit", actor: "olga", status: 409, want: []string{`"code":"conflict"`}},
		{name: "peer ops approves", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "oscar", status: 200,
			body: `{"comment":"thanks"}`, want: []string{`"state":"approved"`, `"reviewed_by":"{oscar}"`, `"review_comment":"thanks"`}},
		{name: "approve without a body", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "oscar", status: 200, want: []string{`"state":"approved"`}},
		{name: "board approves", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "bea", status: 200},
		{name: "nobody approves their own", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "olga", status: 403},
		{name: "a plain member cannot approve", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "mia", status: 403},
		{name: "an admin who is not ops or board cannot approve", method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "ada", status: 403},
		{name: "approving an approved entry conflicts", method: "POST", path: "/api/v1/time-entries/e000002/approve", actor: "oscar", status: 409},
		{name: "approving a draft conflicts", method: "POST", path: "/api/v1/time-entries/e000003/approve", actor: "oscar", status: 409},
		{name: "approving an unknown entry", method: "POST", path: "/api/v1/time-entries/e000999/approve", actor: "oscar", status: 404},
		{name: "reject with a comment", method: "POST", path: "/api/v1/time-entries/e000001/reject", actor: "oscar", status: 200,
			body: `{"comment":"wrong circle"}`, want: []string{`"state":"rejected"`, `"review_comment":"wrong circle"`}},
		{name: "review comment of the wrong type", method: "POST", path: "/api/v1/time-entries/e000001/reject", actor: "oscar", status: 400,
			body: `{"comment":["x"]}`, fields: []string{"comment"}},

		{name: "list own entries", method: "GET", path: "/api/v1/time-entries", actor: "olga", status: 200, want: []string{`"id":"e000003"`, `"id":"e000001"`}},
		{name: "list a month", method: "GET", path: "/api/v1/time-entries?month=2024-05", actor: "olga", status: 200, absent: []string{`"id"`}},
		{name: "review queue", method: "GET", path: "/api/v1/time-entries?member_id=all&state=submitted", actor: "oscar", status: 200,
			want: []string{`"id":"e000001"`}, absent: []string{`"id":"e000002"`, `"id":"e000003"`}},
		{name: "a member cannot list another's entries", method: "GET", path: "/api/v1/time-entries?member_id={olga}", actor: "mia", status: 403},
		{name: "a member cannot list everyone's entries", method: "GET", path: "/api/v1/time-entries?member_id=all", actor: "mia", status: 403},
		{name: "list with a bad month", method: "GET", path: "/api/v1/time-entries?month=June", actor: "olga", status: 400, fields: []string{"month"}},
		{name: "list with a bad state", method: "GET", path: "/api/v1/time-entries?state=done", actor: "olga", status: 400, fields: []string{"state"}},
		{name: "list with a bad limit", method: "GET", path: "/api/v1/time-entries?limit=-3", actor: "olga", status: 400, fields: []string{"limit"}},
		{name: "read own entry", method: "GET", path: "/api/v1/time-entries/e000003", actor: "olga", status: 200, want: []string{`"state":"draft"`}},
		{name: "a member cannot read another's entry", method: "GET", path: "/api/v1/time-entries/e000003", actor: "mia", status: 403},
		{name: "approved entries are immutable", method: "PATCH", path: "/api/v1/time-entries/e000002", actor: "olga", status: 409,
			body: `{"date":"2024-06-11","hours":"1","circle_id":"{tech}"}`},
		{name: "approved entries cannot be deleted", method: "DELETE", path: "/api/v1/time-entries/e000002", actor: "olga", status: 409},
		{name: "edit a draft", method: "PATCH", path: "/api/v1/time-entries/e000003", actor: "olga", status: 200,
			body: `{"date":"2024-06-13","hours":"4","circle_id":"{tech}","task":"docs"}`, want: []string{`"minutes":240`, `"date":"2024-06-13"`}},
		{name: "delete a draft", method: "DELETE", path: "/api/v1/time-entries/e000003", actor: "olga", status: 204},
		{name: "a member cannot delete another's draft", method: "DELETE", path: "/api/v1/time-entries/e000003", actor: "mia", status: 403},

		{name: "create own token", method: "POST", path: "/api/v1/tokens", actor: "mia", status: 201, body: `{"name":"laptop"}`, want: []string{`"token":"cl_`}},
		{name: "cannot create a token for another", method: "POST", path: "/api/v1/tokens", actor: "mia", status: 403, body: `{"member_id":"{olga}"}`},
	}
	runScenarios(t, scenarios, nil)
}

// runScenarios runs each scenario on a fresh fixture (seeded further by
// seed, if given): status, body fragments, the error shape and named
// fields, and for every refused request an unchanged store.
func runScenarios(t *testing.T, scenarios []scenario, seed func(*testing.T, *fixture)) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFixture(t)
			if seed != nil {
				seed(t, f)
			}
			sub := func(s string) string {
				for k, v := range f.ids {
					s = strings.ReplaceAll(s, "{"+k+"}", v)
				}
				return s
			}
			before := storetest.Snapshot(t, f.db)
			status, body := f.do(t, sc.method, sub(sc.path), sc.actor, sub(sc.body))
			if status != sc.status {
				t.Fatalf("status %d, want %d; body %s", status, sc.status, body)
			}
			for _, w := range sc.want {
				if !strings.Contains(body, sub(w)) {
					t.Errorf("body lacks %s: %s", sub(w), body)
				}
			}
			for _, a := range sc.absent {
				if strings.Contains(body, sub(a)) {
					t.Errorf("body should not contain %s: %s", sub(a), body)
				}
			}
			if status >= 400 {
				var eb ui.ErrorBody
				if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
					t.Errorf("error body not in the documented shape: %s", body)
				}
				for _, fld := range sc.fields {
					if eb.Error.Fields[fld] == "" {
						t.Errorf("error does not name field %q: %s", fld, body)
					}
				}
				if after := storetest.Snapshot(t, f.db); after != before {
					t.Errorf("a refused request changed the store")
				}
			}
		})
	}
}

func TestAPI_BodyTooLarge(t *testing.T) {
	f := newFixture(t)
	// fasthttp refuses an oversized body while reading it, before any
	// handler, so this needs a real listener rather than app.Test.
	before := storetest.Snapshot(t, f.db)
	status, body := announceBody(t, f.app, "POST /api/v1/members HTTP/1.1\r\nAuthorization: Bearer "+f.tokens["ada"]+
		"\r\nContent-Type: application/json", 2<<20)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %.200s", status, body)
	}
	if !strings.Contains(body, `"code":"too_large"`) {
		t.Errorf("413 body not in the error shape: %s", body)
	}
	if storetest.Snapshot(t, f.db) != before {
		t.Error("an oversized request changed the store")
	}
}

func TestAPI_SessionCookieWritesNeedCSRF(t *testing.T) {
	f := newFixture(t)
	tok, sess, err := f.db.CreateSession(f.ids["olga"], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"date":"2024-06-14","hours":"1","circle_id":"` + f.ids["tech"] + `"}`
	cookie := ui.SessionCookie + "=" + tok
	before := storetest.Snapshot(t, f.db)
	status, _ := f.do(t, "POST", "/api/v1/time-entries", "", body, "Cookie", cookie)
	if status != http.StatusForbidden {
		t.Fatalf("cookie write without CSRF token: status %d, want 403", status)
	}
	if storetest.Snapshot(t, f.db) != before {
		t.Error("a refused request changed the store")
	}
	status, _ = f.do(t, "POST", "/api/v1/time-entries", "", body, "Cookie", cookie, ui.CSRFHeader, "wrong")
	if status != http.StatusForbidden {
		t.Fatalf("cookie write with a wrong CSRF token: status %d, want 403", status)
	}
	status, resp := f.do(t, "POST", "/api/v1/time-entries", "", body, "Cookie", cookie, ui.CSRFHeader, sess.CSRF)
	if status != http.StatusCreated {
		t.Fatalf("cookie write with the CSRF token: status %d: %s", status, resp)
	}
	status, _ = f.do(t, "GET", "/api/v1/me", "", "", "Cookie", cookie)
	if status != http.StatusOK {
		t.Fatalf("cookie read: status %d", status)
	}
}
