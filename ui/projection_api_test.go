package ui_test

import (
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// seedProjection adds to seedMoney (olga owed 1000.00 since 2023-12, at
// 25/h): May 2024's 1205.00 of subscriptions from 169 members and 467.00
// of costs, and a policy from 2024-05 with olga on the team, a tenth to
// bounties and half the rest paid back.
func seedProjection(t *testing.T, f *fixture) {
	t.Helper()
	seedMoney(t, f)
	bea, _ := f.db.Member(f.ids["bea"])
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	tiers := []ledger.Tier{{Name: "Supporter", Price: *d("5"), Subscribers: 118}, {Name: "Member", Price: *d("10"), Subscribers: 44}, {Name: "Business", Price: *d("25"), Subscribers: 7}}
	if _, err := f.db.RecordMoney(bea, ledger.MoneyInput{Month: "2024-05", Tiers: tiers}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.RecordMoney(bea, ledger.MoneyInput{Month: "2024-05", Amount: d("467.00")}, true); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.AddPolicy(bea, ledger.PolicyInput{From: "2024-05", BountyShare: d("0.10"), Team: []string{f.ids["olga"]},
		PaybackShare: d("0.50"), PaybackMethod: ledger.PaybackProRata})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAPI_ProjectionScenarios(t *testing.T) {
	explicit := `{"start":"2024-07","months":2,"start_income":"1000.00","fixed_costs":"300.00",
		"team":[{"member_id":"{olga}","hours":"20","rate":"25"}],"debt":{"{olga}":{"2023-12":"1000.00"}},
		"policy":{"bounty_share":"0.10","payback_share":"0.50"}}`
	scenarios := []scenario{
		// From the books: 1205.00 and 467.00 a month, margin 738.00, bounty
		// 73.80, nobody worked in May: half of 664.20, 332.10, pays olga
		// back each month; 3.70 is left for September.
		{name: "the board projects from the books", method: "POST", path: "/api/v1/projections", actor: "bea", status: 200,
			body: `{"months":4}`,
			want: []string{`"month":"2024-06"`, `"income":"1205.00"`, `"margin":"738.00"`, `"bounty":"73.80"`, `"payback":"332.10"`,
				`"debt":"667.90"`, `"debt":"3.70"`, `"payoff":{"{olga}":"2024-09"}`, `"cleared":"2024-09"`,
				`"start":"2024-06"`, `"members":169`, `"start_income":"1205.00"`, `"id":"p000001","payback_method":"pro_rata"`, `"from":"2024-05"`}},
		// 1000.00 less 300.00, bounty 70.00, olga's 500.00 in full, half of
		// 130.00 paid back: 65.00 a month.
		{name: "ops project a scenario of their own", method: "POST", path: "/api/v1/projections", actor: "olga", status: 200,
			body: explicit,
			want: []string{`"month":"2024-07"`, `"month":"2024-08"`, `"wages":"500.00"`, `"deferred":"0.00"`, `"payback":"65.00"`,
				`"reserve":"65.00"`, `"debt":"935.00"`, `"debt":"870.00"`, `"payoff":{"{olga}":""}`, `"cleared":""`}},
		{name: "target multiple", method: "POST", path: "/api/v1/projections", actor: "ada", status: 200,
			body: `{"months":3,"target_multiple":"4","target_month":"2024-08"}`,
			want: []string{`"income":"1205.00"`, `"income":"2410.00"`, `"income":"4820.00"`, `"members":338`, `"members":676`}},
		// 1000.00 in 12 paybacks of 83.34 needs 166.67 after the bounty (half
		// of it, 83.335, rounds half-even up), so a margin of 185.19 (bounty
		// 18.52) and income 652.19: 92 members at 1205/169 = 7.13 each.
		{name: "the admin solves from the books", method: "POST", path: "/api/v1/projections/solve", actor: "ada", status: 200,
			body: `{"months":12}`,
			want: []string{`"income":"652.19"`, `"members_needed":92`, `"team_income":"467.00"`, `"team_members_needed":66`, `"months":12`}},
		{name: "solve for a team of three at 25/h", method: "POST", path: "/api/v1/projections/solve", actor: "bea", status: 200,
			body: `{"months":12,"team_size":3,"team_rate":"25","team_hours":"40"}`,
			want: []string{`"team_wages":"3000.00"`, `"team_income":"3800.33"`, `"team_members_needed":533`, `"team_size":3`}},

		{name: "a member cannot project", method: "POST", path: "/api/v1/projections", actor: "mia", status: 403, body: `{"months":4}`},
		{name: "a member cannot solve", method: "POST", path: "/api/v1/projections/solve", actor: "mia", status: 403, body: `{"months":12}`},
		{name: "anonymous cannot project", method: "POST", path: "/api/v1/projections", status: 401, body: `{"months":4}`},
		{name: "a bad scenario names its fields", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400,
			body:   `{"months":601,"monthly_growth":"-2","team":[{"member_id":"{olga}","hours":"-1","rate":"25"}],"policy":{"bounty_share":"1.5","payback_share":"0.5"}}`,
			fields: []string{"months", "monthly_growth", "team[0].hours", "policy.bounty_share"}},
		{name: "a bad start", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400, body: `{"start":"2024-13"}`, fields: []string{"start"}},
		{name: "an unknown field", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400, body: `{"growth":"0.05"}`, fields: []string{"growth"}},
		{name: "a decimal that is no number", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400, body: `{"start_income":"lots"}`, fields: []string{"start_income"}},
		{name: "another currency", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400, body: `{"currency":"EUR"}`, fields: []string{"currency"}},
		{name: "solver fields on a projection", method: "POST", path: "/api/v1/projections", actor: "bea", status: 400, body: `{"team_size":3}`, fields: []string{"team_size"}},
		{name: "solve without months", method: "POST", path: "/api/v1/projections/solve", actor: "bea", status: 400, body: `{}`, fields: []string{"months"}},
		{name: "solve with nothing paid back", method: "POST", path: "/api/v1/projections/solve", actor: "bea", status: 400,
			body: `{"months":12,"policy":{"bounty_share":"0.1","payback_share":"0"}}`, fields: []string{"policy.payback_share"}},
	}
	runScenarios(t, scenarios, seedProjection)
}
