package ui_test

import (
	"fmt"
	"html"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// The authorization matrix (issue 7, item 3): every route the app
// registers, called by every role, against the table below. Outcomes:
//
//	public: anyone, signed in or not, gets neither 401 nor 403 (nor, on
//	        a page, a redirect to sign-in)
//	login:  anonymous callers are sent to sign in: 401 from the API and
//	        from page forms, a redirect to /login from pages they GET
//	allow:  neither 401 nor 403 (400, 404 and 409 are fine: the caller
//	        got past the role and ownership checks)
//	deny:   403 exactly
//
// The roles are anonymous, mia (member), oscar (ops), bea (board) and
// ada (admin). The records each route acts on belong to olga, an ops
// member who never calls, so ownership never lets a caller through.
// Every (route, role) pair starts from the same seeded store: a route
// gets a copy of the seeded fixture, and a role whose call wrote to it
// leaves the next role a fresh copy. A refused call must write nothing.

// authzRoles are the callers, in the order of a row's want.
var authzRoles = []struct{ name, persona string }{
	{"anonymous", ""}, {"member", "mia"}, {"ops", "oscar"}, {"board", "bea"}, {"admin", "ada"},
}

// authzRow is one route: the request that exercises it (path with {ids}
// from the seed, a JSON or form body) and the outcome per role, in the
// order anonymous member ops board admin.
type authzRow struct {
	path, body string
	form       bool
	// loginForm: fetch GET /login first and send its CSRF cookie and
	// token with the form, as a browser does.
	loginForm bool
	want      string
}

// authzTable is the one place the expected outcomes live, keyed by the
// route as the app registers it ("METHOD /pattern").
var authzTable = map[string]authzRow{
	"GET /healthz": {path: "/healthz", want: "public public public public public"},
	"GET /metrics": {path: "/metrics", want: "public public public public public"},

	"GET /api/v1/me":                         {path: "/api/v1/me", want: "login allow allow allow allow"},
	"GET /api/v1/members":                    {path: "/api/v1/members", want: "login allow allow allow allow"},
	"POST /api/v1/members":                   {path: "/api/v1/members", body: `{"name":"Nia","email":"nia@example.org"}`, want: "login deny deny deny allow"},
	"GET /api/v1/members/:id":                {path: "/api/v1/members/{olga}", want: "login allow allow allow allow"},
	"PATCH /api/v1/members/:id":              {path: "/api/v1/members/{olga}", body: `{"name":"Olga K"}`, want: "login deny deny deny allow"},
	"GET /api/v1/circles":                    {path: "/api/v1/circles", want: "login allow allow allow allow"},
	"POST /api/v1/circles":                   {path: "/api/v1/circles", body: `{"name":"design"}`, want: "login deny deny deny allow"},
	"GET /api/v1/time-entries":               {path: "/api/v1/time-entries?member_id={olga}", want: "login deny allow allow allow"},
	"POST /api/v1/time-entries":              {path: "/api/v1/time-entries", body: `{"member_id":"{olga}","date":"2024-06-14","hours":"1","circle_id":"{tech}"}`, want: "login deny deny deny allow"},
	"GET /api/v1/time-entries/:id":           {path: "/api/v1/time-entries/e000003", want: "login deny allow allow allow"},
	"PATCH /api/v1/time-entries/:id":         {path: "/api/v1/time-entries/e000003", body: `{"date":"2024-06-13","hours":"4","circle_id":"{tech}"}`, want: "login deny deny deny allow"},
	"DELETE /api/v1/time-entries/:id":        {path: "/api/v1/time-entries/e000003", want: "login deny deny deny allow"},
	"POST /api/v1/time-entries/:id/submit":   {path: "/api/v1/time-entries/e000003/submit", want: "login deny deny deny allow"},
	"POST /api/v1/time-entries/:id/approve":  {path: "/api/v1/time-entries/e000001/approve", want: "login deny allow allow deny"},
	"POST /api/v1/time-entries/:id/reject":   {path: "/api/v1/time-entries/e000001/reject", want: "login deny allow allow deny"},
	"POST /api/v1/tokens":                    {path: "/api/v1/tokens", body: `{"name":"x","member_id":"{olga}"}`, want: "login deny deny deny allow"},
	"GET /api/v1/members/:id/rates":          {path: "/api/v1/members/{olga}/rates", want: "login deny allow allow allow"},
	"POST /api/v1/members/:id/rates":         {path: "/api/v1/members/{olga}/rates", body: `{"from":"2024-01-01","hourly":"25"}`, want: "login deny deny allow allow"},
	"POST /api/v1/members/:id/waivers":       {path: "/api/v1/members/{olga}/waivers", body: `{"amount":"10"}`, want: "login deny deny deny deny"},
	"GET /api/v1/members/:id/statement":      {path: "/api/v1/members/{olga}/statement", want: "login deny allow allow allow"},
	"GET /api/v1/income":                     {path: "/api/v1/income", want: "login allow allow allow allow"},
	"POST /api/v1/income":                    {path: "/api/v1/income", body: `{"month":"2024-05","amount":"100"}`, want: "login deny deny allow allow"},
	"POST /api/v1/costs":                     {path: "/api/v1/costs", body: `{"month":"2024-05","amount":"100"}`, want: "login deny deny allow allow"},
	"POST /api/v1/opening-balances":          {path: "/api/v1/opening-balances", body: `{"member_id":"{olga}","as_of":"2023-12-31","deferred":"100"}`, want: "login deny deny allow allow"},
	"GET /api/v1/debt":                       {path: "/api/v1/debt", want: "login allow allow allow allow"},
	"GET /api/v1/balances":                   {path: "/api/v1/balances", want: "login allow allow allow allow"},
	"GET /api/v1/export":                     {path: "/api/v1/export?format=csv", want: "login deny deny allow allow"},
	"GET /api/v1/backup":                     {path: "/api/v1/backup", want: "login deny deny deny allow"},
	"GET /api/v1/policies":                   {path: "/api/v1/policies", want: "login allow allow allow allow"},
	"POST /api/v1/policies":                  {path: "/api/v1/policies", body: `{"from":"2024-05","bounty_share":"0.1","payback_share":"0.5"}`, want: "login deny deny allow allow"},
	"GET /api/v1/closes/:month":              {path: "/api/v1/closes/2024-05", want: "login allow allow allow allow"},
	"POST /api/v1/closes/:month":             {path: "/api/v1/closes/2024-05", want: "login deny deny allow allow"},
	"POST /api/v1/closes/:month/approve":     {path: "/api/v1/closes/2024-05/approve", want: "login deny deny allow deny"},
	"POST /api/v1/projections":               {path: "/api/v1/projections", body: `{"months":12}`, want: "login deny allow allow allow"},
	"POST /api/v1/projections/solve":         {path: "/api/v1/projections/solve", body: `{"months":12}`, want: "login deny allow allow allow"},
	"GET /api/v1/transactions":               {path: "/api/v1/transactions", want: "login deny deny allow allow"},
	"POST /api/v1/transactions/:id/reverse":  {path: "/api/v1/transactions/{t1}/reverse", want: "login deny deny allow allow"},
	"GET /api/v1/requests":                   {path: "/api/v1/requests", want: "login allow allow allow allow"},
	"POST /api/v1/requests":                  {path: "/api/v1/requests", body: `{"kind":"feature","title":"ODS"}`, want: "login allow allow allow allow"},
	"GET /api/v1/requests/:id":               {path: "/api/v1/requests/{r1}", want: "login allow allow allow allow"},
	"POST /api/v1/requests/:id/vote":         {path: "/api/v1/requests/{r1}/vote", want: "login allow allow allow allow"},
	"DELETE /api/v1/requests/:id/vote":       {path: "/api/v1/requests/{r1}/vote", want: "login allow allow allow allow"},
	"POST /api/v1/requests/:id/triage":       {path: "/api/v1/requests/{r1}/triage", body: `{"status":"validated"}`, want: "login deny allow allow deny"},
	"POST /api/v1/requests/:id/comments":     {path: "/api/v1/requests/{r1}/comments", body: `{"body":"+1"}`, want: "login allow allow allow allow"},
	"GET /api/v1/bounties":                   {path: "/api/v1/bounties", want: "login allow allow allow allow"},
	"POST /api/v1/bounties":                  {path: "/api/v1/bounties", body: `{"request_id":"{r1}","title":"x","amount":"5","criteria":["x"]}`, want: "login deny allow allow deny"},
	"GET /api/v1/bounties/fund":              {path: "/api/v1/bounties/fund", want: "login allow allow allow allow"},
	"GET /api/v1/bounties/:id":               {path: "/api/v1/bounties/{b1}", want: "login allow allow allow allow"},
	"POST /api/v1/bounties/:id/approve":      {path: "/api/v1/bounties/{b1}/approve", want: "login deny deny allow deny"},
	"POST /api/v1/bounties/:id/claim":        {path: "/api/v1/bounties/{b2}/claim", want: "login allow allow allow allow"},
	"POST /api/v1/bounties/:id/submit":       {path: "/api/v1/bounties/{b4}/submit", body: `{"note":"done"}`, want: "login deny deny deny deny"},
	"POST /api/v1/bounties/:id/accept":       {path: "/api/v1/bounties/{b3}/accept", want: "login deny allow allow deny"},
	"POST /api/v1/bounties/:id/reject":       {path: "/api/v1/bounties/{b3}/reject", want: "login deny allow allow deny"},
	"POST /api/v1/bounties/:id/cancel":       {path: "/api/v1/bounties/{b1}/cancel", want: "login deny deny allow deny"},
	"GET /api/v1/polls":                      {path: "/api/v1/polls", want: "login allow allow allow allow"},
	"POST /api/v1/polls":                     {path: "/api/v1/polls", body: `{"title":"x","kind":"yes_no","closes_at":"2024-07-01T00:00:00Z"}`, want: "login allow allow allow allow"},
	"GET /api/v1/polls/:id":                  {path: "/api/v1/polls/{po1}", want: "login allow allow allow allow"},
	"POST /api/v1/polls/:id/ballots":         {path: "/api/v1/polls/{po1}/ballots", body: `{"choice":"yes"}`, want: "login allow allow allow allow"},
	"POST /api/v1/polls/:id/close":           {path: "/api/v1/polls/{po1}/close", want: "login deny deny allow deny"},
	"GET /api/v1/polls/:id/result":           {path: "/api/v1/polls/{po1}/result", want: "login allow allow allow allow"},
	"GET /api/v1/meetings":                   {path: "/api/v1/meetings", want: "login allow allow allow allow"},
	"POST /api/v1/meetings":                  {path: "/api/v1/meetings", body: `{"date":"2024-07-01"}`, want: "login deny allow allow allow"},
	"GET /api/v1/meetings/:id":               {path: "/api/v1/meetings/{mt1}", want: "login allow allow allow allow"},
	"POST /api/v1/meetings/:id/agenda":       {path: "/api/v1/meetings/{mt1}/agenda", body: `{"text":"Hiring"}`, want: "login allow allow allow allow"},
	"POST /api/v1/meetings/:id/agenda/order": {path: "/api/v1/meetings/{mt1}/agenda/order", body: `{"items":["a1"]}`, want: "login deny allow allow allow"},
	"POST /api/v1/meetings/:id/volunteers":   {path: "/api/v1/meetings/{mt1}/volunteers", body: `{"role":"note_taker"}`, want: "login allow allow allow allow"},
	"POST /api/v1/meetings/:id/rsvp":         {path: "/api/v1/meetings/{mt1}/rsvp", body: `{"answer":"yes"}`, want: "login allow allow allow allow"},
	"POST /api/v1/meetings/:id/attendance":   {path: "/api/v1/meetings/{mt1}/attendance", body: `{"member_ids":["{olga}"]}`, want: "login deny allow allow allow"},
	"POST /api/v1/meetings/:id/minutes":      {path: "/api/v1/meetings/{mt1}/minutes", body: `{"minutes":"We met."}`, want: "login deny allow allow allow"},
	"GET /api/v1/activity":                   {path: "/api/v1/activity", want: "login allow allow allow allow"},
	"GET /api/v1/activity/rules":             {path: "/api/v1/activity/rules", want: "login allow allow allow allow"},
	"POST /api/v1/activity/rules":            {path: "/api/v1/activity/rules", body: `{"class":"ops","hours":"40"}`, want: "login deny deny allow allow"},
	"GET /static/*":                          {path: "/static/app.css", want: "public public public public public"},
	"GET /login":                             {path: "/login", want: "public public public public public"},
	"POST /login":                            {path: "/login", form: true, loginForm: true, body: "email=olga%40example.org&password=correct-horse-battery", want: "public public public public public"},
	"GET /auth/link/:token":                  {path: "/auth/link/{link}", want: "public public public public public"},
	"GET /auth/oidc/login":                   {path: "/auth/oidc/login", want: "public public public public public"},
	"GET /auth/oidc/callback":                {path: "/auth/oidc/callback?state=x&code=y", want: "public public public public public"},
	"POST /auth/logout":                      {path: "/auth/logout", form: true, want: "login allow allow allow allow"},
	"GET /":                                  {path: "/", want: "login allow allow allow allow"},
	"GET /timesheet":                         {path: "/timesheet", want: "login allow allow allow allow"},
	"POST /timesheet":                        {path: "/timesheet", form: true, body: "date=2024-06-14&hours=1&circle_id={tech}", want: "login allow allow allow allow"},
	"POST /timesheet/:id/submit":             {path: "/timesheet/e000003/submit", form: true, want: "login deny deny deny allow"},
	"POST /timesheet/:id/delete":             {path: "/timesheet/e000003/delete", form: true, want: "login deny deny deny allow"},
	"GET /review":                            {path: "/review", want: "login deny allow allow allow"},
	"POST /review/:id":                       {path: "/review/e000001", form: true, body: "action=approve", want: "login deny allow allow deny"},
	"GET /statement":                         {path: "/statement", want: "login allow allow allow allow"},
	"POST /statement/waive":                  {path: "/statement/waive", form: true, body: "amount=10", want: "login allow allow allow allow"},
	"GET /members/:id/statement":             {path: "/members/{olga}/statement", want: "login deny allow allow allow"},
	"GET /debt":                              {path: "/debt", want: "login allow allow allow allow"},
	"GET /admin/members":                     {path: "/admin/members", want: "login deny deny deny allow"},
	"POST /admin/members":                    {path: "/admin/members", form: true, body: "name=Nia&email=nia%40example.org", want: "login deny deny deny allow"},
	"GET /admin/circles":                     {path: "/admin/circles", want: "login deny deny deny allow"},
	"POST /admin/circles":                    {path: "/admin/circles", form: true, body: "name=design", want: "login deny deny deny allow"},
	"GET /close":                             {path: "/close", want: "login deny allow allow allow"},
	"POST /close/:month/draft":               {path: "/close/2024-05/draft", form: true, want: "login deny deny allow allow"},
	"POST /close/:month/approve":             {path: "/close/2024-05/approve", form: true, want: "login deny deny allow deny"},
	"GET /scenarios":                         {path: "/scenarios", want: "login deny allow allow allow"},
	"GET /account":                           {path: "/account", want: "login allow allow allow allow"},
	"POST /account/password":                 {path: "/account/password", form: true, body: "password=correct-horse-battery&password2=correct-horse-battery", want: "login allow allow allow allow"},
	"POST /account/tokens":                   {path: "/account/tokens", form: true, body: "name=laptop", want: "login allow allow allow allow"},
	"GET /requests":                          {path: "/requests", want: "login allow allow allow allow"},
	"POST /requests":                         {path: "/requests", form: true, body: "kind=feature&title=ODS", want: "login allow allow allow allow"},
	"GET /requests/:id":                      {path: "/requests/{r1}", want: "login allow allow allow allow"},
	"POST /requests/:id/vote":                {path: "/requests/{r1}/vote", form: true, body: "action=vote", want: "login allow allow allow allow"},
	"POST /requests/:id/comments":            {path: "/requests/{r1}/comments", form: true, body: "body=%2B1", want: "login allow allow allow allow"},
	"POST /requests/:id/triage":              {path: "/requests/{r1}/triage", form: true, body: "status=validated", want: "login deny allow allow deny"},
	"POST /requests/:id/bounty":              {path: "/requests/{r1}/bounty", form: true, body: "title=x&amount=5&criteria=x", want: "login deny allow allow deny"},
	"GET /bounties":                          {path: "/bounties", want: "login allow allow allow allow"},
	"POST /bounties/:id/:action":             {path: "/bounties/{b1}/approve", form: true, want: "login deny deny allow deny"},
	"GET /polls":                             {path: "/polls", want: "login allow allow allow allow"},
	"POST /polls":                            {path: "/polls", form: true, body: "title=x&kind=yes_no&closes_at=2024-07-01T00%3A00", want: "login allow allow allow allow"},
	"GET /polls/:id":                         {path: "/polls/{po1}", want: "login allow allow allow allow"},
	"POST /polls/:id/ballots":                {path: "/polls/{po1}/ballots", form: true, body: "choice=yes", want: "login allow allow allow allow"},
	"POST /polls/:id/close":                  {path: "/polls/{po1}/close", form: true, want: "login deny deny allow deny"},
	"GET /meetings":                          {path: "/meetings", want: "login allow allow allow allow"},
	"POST /meetings":                         {path: "/meetings", form: true, body: "date=2024-07-01", want: "login deny allow allow allow"},
	"GET /meetings/:id":                      {path: "/meetings/{mt1}", want: "login allow allow allow allow"},
	"POST /meetings/:id/:action":             {path: "/meetings/{mt1}/attendance", form: true, body: "member_ids={olga}", want: "login deny allow allow allow"},
	"GET /activity":                          {path: "/activity", want: "login deny deny allow allow"},
	"POST /activity/rules":                   {path: "/activity/rules", form: true, body: "class=ops&hours=40", want: "login deny deny allow allow"},
}

func TestAuthz_EveryRouteEveryRole(t *testing.T) {
	base := newFixture(t)
	seedAuthz(t, base)
	seen := map[string]bool{}
	var missing []string
	var routes []string
	for _, r := range base.app.GetRoutes(true) {
		// Fiber registers every GET route for HEAD as well; HEAD is
		// answered by the GET route's handlers, so it has no row.
		if r.Method == "HEAD" {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := authzTable[key]; !ok {
			missing = append(missing, key)
			continue
		}
		routes = append(routes, key)
	}
	for _, key := range missing {
		t.Errorf("route %q has no row in authzTable: add one with its expected outcome per role (ui/authz_test.go)", key)
	}
	for key := range authzTable {
		if !seen[key] {
			t.Errorf("authzTable row %q matches no route the app registers: remove or fix it", key)
		}
	}
	sort.Strings(routes)
	printing := os.Getenv("AUTHZ_PRINT") != ""
	for _, key := range routes {
		row := authzTable[key]
		method, _, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) {
			want := strings.Fields(row.want)
			if len(want) != len(authzRoles) {
				t.Fatalf("row %q wants %d outcomes, one per role: %v", key, len(authzRoles), authzRoles)
			}
			var f *fixture
			var before string
			got := make([]string, len(authzRoles))
			for i, role := range authzRoles {
				if f == nil {
					f = base.clone(t)
					before = storetest.Snapshot(t, f.db)
				}
				status, loc, body := authzDo(t, f, method, row, role.persona)
				got[i] = authzOutcome(key, role.persona, status, loc)
				if !printing && !authzMatches(want[i], got[i]) {
					t.Errorf("%s as %s: %s (status %d), want %s; %.200s", key, role.name, got[i], status, want[i], body)
				}
				if after := storetest.Snapshot(t, f.db); after != before {
					if status == 401 || status == 403 {
						t.Errorf("%s as %s: refused with %d but the store changed", key, role.name, status)
					}
					f = nil // the next role starts from the seed again
				}
			}
			if printing {
				fmt.Printf("%q: %s\n", key, strings.Join(got, " "))
			}
		})
	}
}

// authzDo sends the row's request as persona ("" for anonymous) and
// returns the status, the Location header and the body.
func authzDo(t *testing.T, f *fixture, method string, row authzRow, persona string) (int, string, string) {
	t.Helper()
	sub := func(s string) string {
		for k, v := range f.ids {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	form, cookie := sub(row.body), ""
	if row.loginForm {
		resp, err := f.app.Test(httptest.NewRequest("GET", "/login", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no _csrf in the sign-in form: %.300s", page)
		}
		for _, c := range resp.Cookies() {
			cookie += c.Name + "=" + c.Value + "; "
		}
		form += "&_csrf=" + url.QueryEscape(html.UnescapeString(string(m[1])))
	}
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req := httptest.NewRequest(method, sub(row.path), body)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	switch {
	case row.form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case row.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if persona != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[persona])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// authzOutcome names what a caller got: login (401, or a redirect to
// /login), deny (403), or allow (anything else).
func authzOutcome(key, persona string, status int, loc string) string {
	switch {
	case status == 401 || (status/100 == 3 && strings.HasPrefix(loc, "/login") && !strings.Contains(key, "/auth/logout")):
		return "login"
	case status == 403:
		return "deny"
	case persona == "":
		return "public"
	}
	return "allow"
}

// authzMatches compares an outcome with the row's word for it. A public
// route gives signed-in callers "allow"; an anonymous caller of a login
// route must be sent to sign in (401 from the API and from forms, a
// redirect to /login from pages they GET).
func authzMatches(want, got string) bool {
	if want == "public" {
		return got == "public" || got == "allow"
	}
	return want == got
}

// seedAuthz gives every route a record that belongs to olga, who never
// calls: the fixture's entries (e000001 submitted, e000002 approved,
// e000003 a draft), request r1 with her vote, 100.00 in the bounty fund
// with b1 proposed, b2 open, b3 submitted and b4 claimed by her; poll po1
// (yes/no, everyone votes) and meeting mt1 with agenda item a1, both
// hers; her opening debt of 500.00; a policy, income t1 and a draft close
// of May 2024; her password; and a one-use sign-in link for her.
func seedAuthz(t *testing.T, f *fixture) {
	t.Helper()
	if err := f.db.SetPassword(ledger.System, f.ids["olga"], "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	f.seed(t, "olga", "POST", "/api/v1/requests", `{"kind":"feature","title":"Dark mode"}`, "r1")
	f.seed(t, "olga", "POST", "/api/v1/requests/{r1}/vote", "", "")
	f.seed(t, "bea", "POST", "/api/v1/policies", `{"from":"2024-01","bounty_share":"0.1","payback_share":"0.5"}`, "")
	f.seed(t, "bea", "POST", "/api/v1/income", `{"month":"2024-05","amount":"1000.00"}`, "t1")
	f.seed(t, "bea", "POST", "/api/v1/closes/2024-05", "", "")
	f.seed(t, "ada", "POST", "/api/v1/opening-balances", `{"member_id":"{olga}","as_of":"2023-12-31","deferred":"500"}`, "")
	err := f.db.Update(func(tx *store.Tx) error {
		c, a := tx.BaseCurrency(), decimal.RequireFromString("100")
		_, err := tx.Post(ledger.System, ledger.Transaction{Date: "2024-05-31", Kind: ledger.KindBounty, Description: "May's share",
			Postings: []ledger.Posting{{Account: ledger.AccountBountyFund, Amount: a, Currency: c}, {Account: ledger.AccountBank, Amount: a.Neg(), Currency: c}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"b1", "b2", "b3", "b4"} {
		f.seed(t, "olga", "POST", "/api/v1/bounties", fmt.Sprintf(`{"request_id":"{r1}","title":"Part %d","amount":"10","criteria":["done"]}`, i), key)
		if key != "b1" {
			f.seed(t, "bea", "POST", "/api/v1/bounties/{"+key+"}/approve", "", "")
		}
	}
	f.seed(t, "olga", "POST", "/api/v1/bounties/{b3}/claim", "", "")
	f.seed(t, "olga", "POST", "/api/v1/bounties/{b3}/submit", `{"note":"PR 9","done":[0]}`, "")
	f.seed(t, "olga", "POST", "/api/v1/bounties/{b4}/claim", "", "")
	f.seed(t, "olga", "POST", "/api/v1/polls", `{"title":"Adopt the budget","kind":"yes_no","closes_at":"2024-06-22T12:00:00Z"}`, "po1")
	f.seed(t, "olga", "POST", "/api/v1/meetings", `{"date":"2024-06-15","time":"18:30"}`, "mt1")
	f.seed(t, "olga", "POST", "/api/v1/meetings/{mt1}/agenda", `{"text":"Budget"}`, "")
	err = f.db.Update(func(tx *store.Tx) error {
		f.ids["link"], err = tx.CreateLoginLink(ledger.System, f.ids["olga"], time.Hour)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
