package ui_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
)

// closeView is GET /closes/{month} as a client reads it.
type closeView struct {
	Month    string            `json:"month"`
	State    string            `json:"state"`
	Income   string            `json:"income"`
	Costs    string            `json:"costs"`
	Margin   string            `json:"margin"`
	Bounty   string            `json:"bounty"`
	Wages    map[string]string `json:"wages"`
	Deferred map[string]string `json:"deferred"`
	Payback  map[string]string `json:"payback"`
	Reserve  string            `json:"reserve"`
}

// TestClose_WorkedExample_ThroughTheAPI runs DESIGN.md's worked example end
// to end through the JSON API: members, rates, opening debt, the policy,
// income and costs, hours logged and approved, then May and June 2022
// drafted and approved by a board member the close does not pay.
func TestClose_WorkedExample_ThroughTheAPI(t *testing.T) {
	db := storetest.OpenDB(t, time.Date(2022, 7, 15, 12, 0, 0, 0, time.UTC))
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, app: app, tokens: map[string]string{}, ids: map[string]string{}}
	ada := storetest.MustMember(t, db, "Ada", "ada@example.org", []ledger.Role{ledger.RoleAdmin, ledger.RoleBoard}, nil)
	ops := storetest.MustMember(t, db, "Olga", "olga@example.org", []ledger.Role{ledger.RoleOps}, nil)
	mia := storetest.MustMember(t, db, "Mia", "mia@example.org", nil, nil)
	for _, m := range []ledger.Member{ada, ops, mia} {
		tok, err := db.CreateAPIToken(ledger.System, m.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[m.Name] = tok
	}
	call := func(method, path, actor, body string, want int) string {
		t.Helper()
		status, out := f.do(t, method, path, actor, body)
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, out)
		}
		return out
	}
	id := func(out string) string {
		var v struct{ ID string }
		if err := json.Unmarshal([]byte(out), &v); err != nil || v.ID == "" {
			t.Fatalf("no id in %s", out)
		}
		return v.ID
	}
	tech := id(call("POST", "/api/v1/circles", "Ada", `{"name":"tech"}`, 201))
	people := map[string]string{}
	for _, p := range []struct{ name, rate, debt string }{
		{"alice", "25", "20000.00"}, {"bob", "25", "18000.00"}, {"carol", "20", "8000.00"}, {"dan", "20", "4000.00"},
	} {
		people[p.name] = id(call("POST", "/api/v1/members", "Ada",
			fmt.Sprintf(`{"name":%q,"email":"%s@example.org","roles":["ops"],"joined":"2020-01-01"}`, p.name, p.name), 201))
		call("POST", "/api/v1/members/"+people[p.name]+"/rates", "Ada", `{"from":"2021-01-01","hourly":"`+p.rate+`"}`, 201)
		call("POST", "/api/v1/opening-balances", "Ada", fmt.Sprintf(`{"member_id":%q,"as_of":"2021-12-31","deferred":%q}`, people[p.name], p.debt), 201)
	}
	call("POST", "/api/v1/policies", "Ada", fmt.Sprintf(`{"from":"2022-05","bounty_share":"0.10","team":[%q,%q,%q],"split":"earned","payback_share":"0.50","payback_method":"pro_rata"}`,
		people["alice"], people["bob"], people["carol"]), 201)

	// Hours: alice 20 h (500.00), bob 10 h (250.00), carol 6 h (120.00),
	// dan 5 h (100.00), logged by the admin for each and approved by olga.
	logHours := func(date string, hours map[string]string) {
		for name, h := range hours {
			e := id(call("POST", "/api/v1/time-entries", "Ada",
				fmt.Sprintf(`{"member_id":%q,"date":%q,"hours":%q,"circle_id":%q,"compensation":"required","submit":true}`, people[name], date, h, tech), 201))
			call("POST", "/api/v1/time-entries/"+e+"/approve", "Olga", "", 200)
		}
	}
	money := func(month, income string, costs ...string) {
		call("POST", "/api/v1/income", "Ada", fmt.Sprintf(`{"month":%q,"amount":%q}`, month, income), 201)
		for _, c := range costs {
			call("POST", "/api/v1/costs", "Ada", fmt.Sprintf(`{"month":%q,"amount":%q}`, month, c), 201)
		}
	}
	money("2022-05", "1167.00", "420.00", "47.00")
	logHours("2022-05-20", map[string]string{"alice": "20", "bob": "10", "carol": "6", "dan": "5"})
	money("2022-06", "3501.00", "467.00")
	logHours("2022-06-20", map[string]string{"alice": "20", "bob": "10", "carol": "6"})

	read := func(out string) closeView {
		var v closeView
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	byName := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for name, mid := range people {
			if a, ok := m[mid]; ok {
				out[name] = a
			}
		}
		return out
	}
	same := func(what string, got, want map[string]string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}

	// June cannot be approved before May.
	call("POST", "/api/v1/closes/2022-06", "Ada", "", 201)
	call("POST", "/api/v1/closes/2022-06/approve", "Ada", "", 409)

	may := read(call("POST", "/api/v1/closes/2022-05", "Ada", "", 201))
	if may.State != "draft" || may.Income != "1167.00" || may.Costs != "467.00" || may.Margin != "700.00" || may.Bounty != "70.00" || may.Reserve != "0.00" {
		t.Errorf("May draft: %+v", may)
	}
	same("May wages", byName(may.Wages), map[string]string{"alice": "362.07", "bob": "181.03", "carol": "86.90"})
	same("May deferred", byName(may.Deferred), map[string]string{"alice": "137.93", "bob": "68.97", "carol": "33.10", "dan": "100.00"})
	same("May payback", byName(may.Payback), map[string]string{})

	// Olga is not on the board; the approval posts once.
	call("POST", "/api/v1/closes/2022-05/approve", "Olga", "", 403)
	posted := read(call("POST", "/api/v1/closes/2022-05/approve", "Ada", "", 200))
	if posted.State != "posted" || posted.Bounty != "70.00" {
		t.Errorf("May posted: %+v", posted)
	}
	call("POST", "/api/v1/closes/2022-05/approve", "Ada", "", 409)
	call("POST", "/api/v1/closes/2022-05", "Ada", "", 409)

	var debt struct{ Total string }
	if err := json.Unmarshal([]byte(call("GET", "/api/v1/debt", "Ada", "", 200)), &debt); err != nil || debt.Total != "50340.00" {
		t.Errorf("debt after May: %q %v, want 50340.00", debt.Total, err)
	}
	// May is locked now.
	call("POST", "/api/v1/time-entries", "Ada", fmt.Sprintf(`{"member_id":%q,"date":"2022-05-21","hours":"1","circle_id":%q}`, people["alice"], tech), 400)
	call("POST", "/api/v1/income", "Ada", `{"month":"2022-05","amount":"1.00"}`, 400)

	// The June draft predates May's posting but does not depend on it…
	// except through the debt: approving re-checks and asks for a re-draft.
	call("POST", "/api/v1/closes/2022-06/approve", "Ada", "", 409)
	june := read(call("POST", "/api/v1/closes/2022-06", "Ada", "", 201))
	if june.Margin != "3034.00" || june.Bounty != "303.40" || june.Reserve != "930.30" {
		t.Errorf("June draft: %+v", june)
	}
	same("June wages", byName(june.Wages), map[string]string{"alice": "500.00", "bob": "250.00", "carol": "120.00"})
	same("June payback", byName(june.Payback), map[string]string{"alice": "372.16", "bob": "333.92", "carol": "148.45", "dan": "75.77"})
	call("POST", "/api/v1/closes/2022-06/approve", "Ada", "", 200)
	got := read(call("GET", "/api/v1/closes/2022-06", "Olga", "", 200))
	if got.State != "posted" || got.Reserve != "930.30" {
		t.Errorf("June as read back: %+v", got)
	}
	// A plain member reads the month's totals, not each member's pay.
	seen := read(call("GET", "/api/v1/closes/2022-06", "Mia", "", 200))
	if seen.Reserve != "930.30" || len(seen.Wages) != 0 || len(seen.Payback) != 0 {
		t.Errorf("June as a plain member reads it: %+v", seen)
	}
	if _, err := db.VerifyJournal(); err != nil {
		t.Errorf("journal after the closes: %v", err)
	}
}
