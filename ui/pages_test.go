package ui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
	"github.com/gofiber/fiber/v2"
)

// pageNow is the fixed clock of the page tests: a Saturday in June 2024.
var pageNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

const pagePassword = "correct horse battery"

// coop is a small co-op behind the real app: alice and bob are ops members
// who review each other, max is a plain member, ada the admin.
type coop struct {
	t                    *testing.T
	app                  *fiber.App
	db                   *store.DB
	tech                 ledger.Circle
	alice, bob, max, ada ledger.Member
}

func newCoop(t *testing.T) *coop {
	t.Helper()
	db := storetest.OpenDB(t, pageNow)
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		t.Fatalf("ui.New: %v", err)
	}
	k := &coop{t: t, app: app, db: db, tech: storetest.MustCircle(t, db, "tech")}
	k.alice = k.member("Alice", "alice@example.org", ledger.RoleOps)
	k.bob = k.member("Bob", "bob@example.org", ledger.RoleOps)
	k.max = k.member("Max", "max@example.org", ledger.RoleMember)
	k.ada = k.member("Ada", "ada@example.org", ledger.RoleAdmin)
	return k
}

func (k *coop) member(name, email string, role ledger.Role) ledger.Member {
	k.t.Helper()
	m := storetest.MustMember(k.t, k.db, name, email, []ledger.Role{role}, nil)
	if err := k.db.SetPassword(ledger.System, m.ID, pagePassword); err != nil {
		k.t.Fatalf("set password of %s: %v", name, err)
	}
	return m
}

// browser is one signed-in browser: its session cookie and the CSRF token
// its pages carry.
type browser struct {
	k       *coop
	session string
	csrf    string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn goes through the sign-in form like a browser: GET /login for the
// login CSRF cookie and field, then POST them with the password.
func (k *coop) signIn(m ledger.Member) *browser {
	k.t.Helper()
	res, body := k.do(httptest.NewRequest("GET", "/login", nil))
	if res.StatusCode != http.StatusOK {
		k.t.Fatalf("GET /login = %d", res.StatusCode)
	}
	loginCookie := cookieValue(res, "coopledger_login_csrf")
	match := csrfField.FindStringSubmatch(body)
	if loginCookie == "" || match == nil {
		k.t.Fatalf("sign-in form without its CSRF cookie or field")
	}
	form := url.Values{"email": {m.Email}, "password": {pagePassword}, "_csrf": {match[1]}}
	req := newFormRequest("/login", form)
	req.AddCookie(&http.Cookie{Name: "coopledger_login_csrf", Value: loginCookie})
	res, _ = k.do(req)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/timesheet" {
		k.t.Fatalf("POST /login as %s = %d to %q, want 303 to /timesheet", m.Name, res.StatusCode, res.Header.Get("Location"))
	}
	b := &browser{k: k, session: cookieValue(res, ui.SessionCookie)}
	if b.session == "" {
		k.t.Fatalf("sign-in set no session cookie")
	}
	_, body = b.get("/account", http.StatusOK)
	match = csrfField.FindStringSubmatch(body)
	if match == nil {
		k.t.Fatalf("account page has no CSRF field")
	}
	b.csrf = match[1]
	return b
}

func (k *coop) do(req *http.Request) (*http.Response, string) {
	k.t.Helper()
	res, err := k.app.Test(req, -1)
	if err != nil {
		k.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	data, err := io.ReadAll(res.Body)
	if err != nil {
		k.t.Fatalf("read body: %v", err)
	}
	return res, string(data)
}

func newFormRequest(path string, form url.Values) *http.Request {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func cookieValue(res *http.Response, name string) string {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// get fetches a page and checks its status.
func (b *browser) get(path string, status int) (*http.Response, string) {
	b.k.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: b.session})
	res, body := b.k.do(req)
	if res.StatusCode != status {
		b.k.t.Fatalf("GET %s = %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	return res, body
}

// post submits a form with the page's CSRF token (unless form sets _csrf,
// even to nothing) and checks the status.
func (b *browser) post(path string, form url.Values, status int) (*http.Response, string) {
	b.k.t.Helper()
	if _, set := form["_csrf"]; !set {
		form.Set("_csrf", b.csrf)
	}
	req := newFormRequest(path, form)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: b.session})
	res, body := b.k.do(req)
	if res.StatusCode != status {
		b.k.t.Fatalf("POST %s = %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	return res, body
}

func wantLocation(t *testing.T, res *http.Response, location string) {
	t.Helper()
	if got := res.Header.Get("Location"); got != location {
		t.Errorf("Location = %q, want %q", got, location)
	}
}

func wantInPage(t *testing.T, body string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Errorf("page lacks %q", f)
		}
	}
}

func (k *coop) entries(m ledger.Member) []ledger.TimeEntry {
	k.t.Helper()
	es, err := k.db.TimeEntries(m, store.EntryQuery{MemberID: m.ID})
	if err != nil {
		k.t.Fatalf("list entries: %v", err)
	}
	return es
}

func logForm(k *coop, hours string) url.Values {
	return url.Values{"date": {"2024-06-14"}, "hours": {hours}, "circle_id": {k.tech.ID},
		"task": {"Fix the backup job"}, "note": {"restic prune"}, "compensation": {""}}
}

func TestPages_Timesheet_LogHours(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)

	_, body := alice.get("/timesheet", http.StatusOK)
	wantInPage(t, body, `<h2 id="month-title">June 2024</h2>`, `value="2024-06-15"`,
		`<option value="`+k.tech.ID+`" selected>tech</option>`, "No hours logged in June 2024.")

	res, _ := alice.post("/timesheet", logForm(k, "2.5"), http.StatusSeeOther)
	wantLocation(t, res, "/timesheet?month=2024-06&ok=logged")
	es := k.entries(k.alice)
	if len(es) != 1 || es[0].Minutes != 150 || es[0].State != ledger.StateDraft || es[0].Compensation != ledger.CompVolunteer {
		t.Fatalf("stored %+v, want one 150-minute volunteer draft", es)
	}

	_, body = alice.get("/timesheet?month=2024-06&ok=logged", http.StatusOK)
	wantInPage(t, body, "Hours logged.", `<span class="badge draft">draft</span>`, "Fix the backup job",
		`<td data-label="Hours" class="num">2.5</td>`, `id="month-total">2.5</td>`, "draft: 2.5 h",
		`action="/timesheet/`+es[0].ID+`/submit"`, `action="/timesheet/`+es[0].ID+`/delete"`)

	// A decimal comma is read as a decimal point; ticking the box submits.
	form := logForm(k, "1,25")
	form.Set("submit_now", "1")
	form.Set("compensation", "contribution")
	res, _ = alice.post("/timesheet", form, http.StatusSeeOther)
	wantLocation(t, res, "/timesheet?month=2024-06&ok=submitted")
	es = k.entries(k.alice)
	if len(es) != 2 || es[0].Minutes != 75 || es[0].State != ledger.StateSubmitted || es[0].Compensation != ledger.CompContribution {
		t.Fatalf("second entry %+v, want 75 submitted contribution minutes", es[0])
	}
	_, body = alice.get("/timesheet", http.StatusOK)
	wantInPage(t, body, `id="month-total">3.75</td>`, "draft: 2.5 h", "submitted: 1.25 h")
}

// Browsers send a textarea's line breaks as CRLF: a note typed on two
// lines is stored with a plain newline, as the API would send it.
func TestPages_Timesheet_NoteOnTwoLines(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)
	form := logForm(k, "1")
	form.Set("note", "restic prune\r\nthen check")
	alice.post("/timesheet", form, http.StatusSeeOther)
	if es := k.entries(k.alice); len(es) != 1 || es[0].Note != "restic prune\nthen check" {
		t.Fatalf("stored %+v, want one entry noting %q", es, "restic prune\nthen check")
	}
}

func TestPages_Timesheet_InvalidFormStoresNothing(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)
	tests := []struct {
		name   string
		change func(url.Values)
		want   []string // fragments of the re-rendered page
	}{
		{name: "hours not a number", change: func(f url.Values) { f.Set("hours", "two and a half") },
			want: []string{`<span class="field-error" id="hours-error">must be a number of hours like 2.5</span>`,
				`value="two and a half"`, `aria-invalid="true"`}},
		{name: "hours over a day", change: func(f url.Values) { f.Set("hours", "25") },
			want: []string{`id="hours-error">must be at most 24</span>`}},
		{name: "hours missing", change: func(f url.Values) { f.Set("hours", "") },
			want: []string{`id="hours-error">is required</span>`}},
		{name: "every problem at once", change: func(f url.Values) {
			f.Set("hours", "abc")
			f.Set("date", "2024-07-01")
			f.Set("circle_id", "")
		}, want: []string{`id="hours-error">must be a number`, `id="date-error">must not be in the future</span>`,
			`id="circle_id-error">is required</span>`}},
		{name: "unknown circle", change: func(f url.Values) { f.Set("circle_id", "c000099") },
			want: []string{`id="circle_id-error">unknown circle c000099</span>`}},
		{name: "unknown compensation", change: func(f url.Values) { f.Set("compensation", "paid") },
			want: []string{`id="compensation-error">must be default, required, contribution or volunteer</span>`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Snapshot(t, k.db)
			form := logForm(k, "2.5")
			tc.change(form)
			_, body := alice.post("/timesheet", form, http.StatusBadRequest)
			wantInPage(t, body, append(tc.want, "Some fields need attention", `value="Fix the backup job"`,
				`>restic prune</textarea>`)...)
			if after := storetest.Snapshot(t, k.db); after != before {
				t.Errorf("a refused form changed the store")
			}
		})
	}
}

func TestPages_Timesheet_SubmitAndDeleteDrafts(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)
	alice.post("/timesheet", logForm(k, "1"), http.StatusSeeOther)
	alice.post("/timesheet", logForm(k, "2"), http.StatusSeeOther)
	es := k.entries(k.alice) // newest first
	res, _ := alice.post("/timesheet/"+es[1].ID+"/submit", url.Values{}, http.StatusSeeOther)
	wantLocation(t, res, "/timesheet?month=2024-06&ok=submitted")
	res, _ = alice.post("/timesheet/"+es[0].ID+"/delete", url.Values{"month": {"2024-06"}}, http.StatusSeeOther)
	wantLocation(t, res, "/timesheet?month=2024-06&ok=deleted")
	es = k.entries(k.alice)
	if len(es) != 1 || es[0].State != ledger.StateSubmitted {
		t.Fatalf("after submit and delete: %+v, want one submitted entry", es)
	}
	// Submitted entries are with a reviewer: deleting one is a conflict.
	alice.post("/timesheet/"+es[0].ID+"/delete", url.Values{}, http.StatusConflict)
	// Another member's draft is not theirs to submit.
	bob := k.signIn(k.bob)
	bob.post("/timesheet", logForm(k, "1"), http.StatusSeeOther)
	alice.post("/timesheet/"+k.entries(k.bob)[0].ID+"/submit", url.Values{}, http.StatusForbidden)
}

func TestPages_Timesheet_Months(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)
	_, body := alice.get("/timesheet?month=2024-05", http.StatusOK)
	wantInPage(t, body, `<h2 id="month-title">May 2024</h2>`, `href="/timesheet?month=2024-04" rel="prev"`,
		`href="/timesheet?month=2024-06" rel="next"`)
	_, body = alice.get("/timesheet", http.StatusOK)
	if strings.Contains(body, `rel="next"`) {
		t.Errorf("the current month links to a future month")
	}
	_, body = alice.get("/timesheet?month=2024-13", http.StatusBadRequest)
	wantInPage(t, body, "The month in the address must be a month like 2024-05; showing this month instead.",
		`<h2 id="month-title">June 2024</h2>`)
}

func TestPages_Review(t *testing.T) {
	k := newCoop(t)
	alice, bob := k.signIn(k.alice), k.signIn(k.bob)
	form := logForm(k, "2.5")
	form.Set("submit_now", "1")
	alice.post("/timesheet", form, http.StatusSeeOther)
	entry := k.entries(k.alice)[0]

	// Alice's own entry is not hers to review.
	_, body := alice.get("/review", http.StatusOK)
	wantInPage(t, body, "Nothing to review", "1 of your own submitted entry waits for another reviewer.")

	_, body = bob.get("/review", http.StatusOK)
	wantInPage(t, body, `id="entry-`+entry.ID+`"`, "Alice", "2.5 h on 2024-06-14", "Fix the backup job",
		"restic prune", `action="/review/`+entry.ID+`"`, `name="action" value="approve"`, `name="action" value="reject"`)

	before := storetest.Snapshot(t, k.db)
	_, body = bob.post("/review/"+entry.ID, url.Values{"action": {"approve"}, "comment": {"bad\x00comment"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="comment-`+entry.ID+`-error">must be at most 2000 characters of text</span>`)
	if storetest.Snapshot(t, k.db) != before {
		t.Errorf("a refused review changed the store")
	}

	res, _ := bob.post("/review/"+entry.ID, url.Values{"action": {"reject"}, "comment": {"Which ticket was this?"}}, http.StatusSeeOther)
	wantLocation(t, res, "/review?ok=rejected")
	_, body = alice.get("/timesheet", http.StatusOK)
	wantInPage(t, body, `<span class="badge rejected">rejected</span>`, "“Which ticket was this?” — Bob",
		`id="month-total">0</td>`, "rejected: 2.5 h")

	// A reviewed entry cannot be reviewed again.
	bob.post("/review/"+entry.ID, url.Values{"action": {"approve"}}, http.StatusConflict)
	bob.post("/review/"+entry.ID, url.Values{"action": {"maybe"}}, http.StatusBadRequest)
}

func TestPages_AccessAndCSRF(t *testing.T) {
	k := newCoop(t)
	alice, max, ada := k.signIn(k.alice), k.signIn(k.max), k.signIn(k.ada)

	// A plain member: the domain refuses the queue of everyone's entries.
	_, body := max.get("/review", http.StatusForbidden)
	wantInPage(t, body, "Your role does not allow this")
	max.get("/admin/members", http.StatusForbidden)
	max.get("/admin/circles", http.StatusForbidden)
	alice.get("/admin/members", http.StatusForbidden)
	ada.get("/admin/members", http.StatusOK)

	tests := []struct {
		name string
		csrf []string
	}{
		{name: "missing", csrf: nil},
		{name: "empty", csrf: []string{""}},
		{name: "another session's", csrf: []string{max.csrf}},
	}
	for _, tc := range tests {
		t.Run("csrf "+tc.name, func(t *testing.T) {
			before := storetest.Snapshot(t, k.db)
			form := logForm(k, "2.5")
			if tc.csrf != nil {
				form["_csrf"] = tc.csrf
			}
			req := newFormRequest("/timesheet", form)
			req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: alice.session})
			res, body := k.do(req)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("POST /timesheet = %d, want 403", res.StatusCode)
			}
			wantInPage(t, body, "CSRF")
			if storetest.Snapshot(t, k.db) != before {
				t.Errorf("a refused form changed the store")
			}
		})
	}

	t.Run("anonymous", func(t *testing.T) {
		res, _ := k.do(httptest.NewRequest("GET", "/timesheet", nil))
		if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET /timesheet anonymously = %d, want a redirect", res.StatusCode)
		}
		wantLocation(t, res, "/login?next=%2Ftimesheet")
		res, _ = k.do(newFormRequest("/timesheet", logForm(k, "1")))
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("POST /timesheet anonymously = %d, want 401", res.StatusCode)
		}
	})

	t.Run("sign-in form without its cookie", func(t *testing.T) {
		res, body := k.do(newFormRequest("/login", url.Values{"email": {k.alice.Email}, "password": {pagePassword}, "_csrf": {"x"}}))
		if res.StatusCode != http.StatusForbidden || cookieValue(res, ui.SessionCookie) != "" {
			t.Fatalf("POST /login without the CSRF cookie = %d", res.StatusCode)
		}
		wantInPage(t, body, "The form expired")
	})
}

func TestPages_AdminMembers(t *testing.T) {
	k := newCoop(t)
	ada := k.signIn(k.ada)
	_, body := ada.get("/admin/members", http.StatusOK)
	wantInPage(t, body, `<td data-label="Email">alice@example.org</td>`, `name="classes" type="checkbox" value="ops"`,
		`name="roles" type="checkbox" value="board"`, `id="circle-`+k.tech.ID+`"`)

	valid := func() url.Values {
		return url.Values{"name": {"Carol"}, "email": {"carol@example.org"}, "classes": {"ops", "user"},
			"roles": {"ops", "board"}, "circles": {k.tech.ID}, "joined": {"2024-01-02"}, "password": {"a long enough secret"}}
	}
	tests := []struct {
		name   string
		change func(url.Values)
		want   []string
	}{
		{name: "bad email", change: func(f url.Values) { f.Set("email", "carol at example") },
			want: []string{`id="email-error">must be a plain address like name@example.org</span>`}},
		{name: "address taken", change: func(f url.Values) { f.Set("email", "ALICE@example.org") },
			want: []string{`id="email-error">address ALICE@example.org already belongs to another member</span>`}},
		{name: "short password", change: func(f url.Values) { f.Set("password", "short") },
			want: []string{`id="password-error">must be at least 10 characters</span>`}},
		{name: "short password and no name", change: func(f url.Values) { f.Set("password", "short"); f.Set("name", " ") },
			want: []string{`id="password-error">must be at least`, `id="name-error">is required</span>`}},
		{name: "unknown role", change: func(f url.Values) { f.Add("roles", "king") },
			want: []string{`id="roles-error">unknown role &#34;king&#34;`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Snapshot(t, k.db)
			form := valid()
			tc.change(form)
			_, body := ada.post("/admin/members", form, http.StatusBadRequest)
			wantInPage(t, body, tc.want...)
			wantInPage(t, body, `id="class-ops" name="classes" type="checkbox" value="ops" checked`,
				`id="role-board" name="roles" type="checkbox" value="board" checked`)
			if strings.Contains(body, "a long enough secret") || strings.Contains(body, `value="short"`) {
				t.Errorf("the page echoes the password")
			}
			if storetest.Snapshot(t, k.db) != before {
				t.Errorf("a refused form changed the store")
			}
		})
	}

	res, _ := ada.post("/admin/members", valid(), http.StatusSeeOther)
	wantLocation(t, res, "/admin/members?ok=member")
	carol, err := k.db.MemberByEmail("carol@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !carol.HasRole(ledger.RoleBoard) || len(carol.Classes) != 2 || carol.Joined != "2024-01-02" || len(carol.Circles) != 1 {
		t.Errorf("stored %+v", carol)
	}
	if _, err := k.db.Authenticate("carol@example.org", "a long enough secret"); err != nil {
		t.Errorf("the initial password does not sign carol in: %v", err)
	}
	_, body = ada.get("/admin/members?ok=member", http.StatusOK)
	wantInPage(t, body, "Member added.", `<td data-label="Name">Carol</td>`, `<td data-label="Circles">tech</td>`)

	// Non-admins are refused by the store even with a valid form.
	k.signIn(k.alice).post("/admin/members", valid(), http.StatusForbidden)
}

func TestPages_AdminCircles(t *testing.T) {
	k := newCoop(t)
	ada := k.signIn(k.ada)
	res, _ := ada.post("/admin/circles", url.Values{"name": {"ops"}}, http.StatusSeeOther)
	wantLocation(t, res, "/admin/circles?ok=circle")
	_, body := ada.get("/admin/circles?ok=circle", http.StatusOK)
	wantInPage(t, body, "Circle added.", `<td data-label="Name">tech</td>`, `<td data-label="Name">ops</td>`)

	before := storetest.Snapshot(t, k.db)
	_, body = ada.post("/admin/circles", url.Values{"name": {"TECH"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="name-error">a circle named TECH already exists</span>`, `value="TECH"`)
	if storetest.Snapshot(t, k.db) != before {
		t.Errorf("a refused form changed the store")
	}
	k.signIn(k.bob).post("/admin/circles", url.Values{"name": {"design"}}, http.StatusForbidden)
}

func TestPages_Account(t *testing.T) {
	k := newCoop(t)
	alice := k.signIn(k.alice)
	_, body := alice.get("/account", http.StatusOK)
	wantInPage(t, body, "<dd>Alice</dd>", "<dd>alice@example.org</dd>", "<dd>ops</dd>")

	before := storetest.Snapshot(t, k.db)
	_, body = alice.post("/account/password", url.Values{"password": {"new secret phrase"}, "password2": {"new secret phrase!"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="password2-error">does not match the new password</span>`)
	_, body = alice.post("/account/password", url.Values{"password": {"short"}, "password2": {"short"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="password-error">must be at least 10 characters</span>`)
	if storetest.Snapshot(t, k.db) != before {
		t.Errorf("a refused password change wrote to the store")
	}
	res, _ := alice.post("/account/password", url.Values{"password": {"new secret phrase"}, "password2": {"new secret phrase"}}, http.StatusSeeOther)
	wantLocation(t, res, "/account?ok=password")
	if _, err := k.db.Authenticate(k.alice.Email, "new secret phrase"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}

	// The token is shown on the answer to the POST, never in a URL.
	res, body = alice.post("/account/tokens", url.Values{"name": {"backup script"}}, http.StatusOK)
	if loc := res.Header.Get("Location"); loc != "" {
		t.Errorf("creating a token redirects to %q", loc)
	}
	m := regexp.MustCompile(`id="new-token" type="text" readonly value="(cl_[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page does not show the new token:\n%s", body)
	}
	wantInPage(t, body, "Token created.", "Your new API token “backup script”")
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+m[1])
	if res, body := k.do(req); res.StatusCode != http.StatusOK || !strings.Contains(body, k.alice.ID) {
		t.Errorf("GET /api/v1/me with the new token = %d %s", res.StatusCode, body)
	}
	_, body = alice.get("/account", http.StatusOK)
	if strings.Contains(body, m[1]) {
		t.Errorf("the token is shown again")
	}
}

// Every page keeps to the CSP: no inline scripts or styles, no external URLs.
func TestPages_NoInlineOrExternalAssets(t *testing.T) {
	k := newCoop(t)
	ada := k.signIn(k.ada)
	bad := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|https?://`)
	for _, path := range []string{"/timesheet", "/admin/members", "/admin/circles", "/account"} {
		_, body := ada.get(path, http.StatusOK)
		if loc := bad.FindString(body); loc != "" {
			t.Errorf("%s contains %q", path, loc)
		}
	}
	_, body := k.signIn(k.bob).get("/review", http.StatusOK)
	if loc := bad.FindString(body); loc != "" {
		t.Errorf("/review contains %q", loc)
	}
}
