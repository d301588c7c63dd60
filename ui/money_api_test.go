package ui_test

import (
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// seedMoney gives olga a rate of 25/h from 2024-01-01 and an opening
// balance of 1000.00 owed as of 2023-12-31 (transaction t000001).
func seedMoney(t *testing.T, f *fixture) {
	t.Helper()
	bea, _ := f.db.Member(f.ids["bea"])
	h := decimal.RequireFromString("25")
	if _, err := f.db.AddRate(bea, f.ids["olga"], ledger.RateInput{From: "2024-01-01", Hourly: &h}); err != nil {
		t.Fatal(err)
	}
	d := decimal.RequireFromString("1000.00")
	if _, err := f.db.AddOpeningBalance(bea, ledger.OpeningInput{MemberID: f.ids["olga"], AsOf: "2023-12-31", Deferred: &d}); err != nil {
		t.Fatal(err)
	}
}

func TestAPI_MoneyScenarios(t *testing.T) {
	scenarios := []scenario{
		{name: "board sets a rate", method: "POST", path: "/api/v1/members/{oscar}/rates", actor: "bea", status: 201,
			body: `{"from":"2024-02-01","hourly":"22.50"}`, want: []string{`"hourly":"22.5"`, `"currency":"GBP"`, `"from":"2024-02-01"`}},
		{name: "a member cannot set rates", method: "POST", path: "/api/v1/members/{mia}/rates", actor: "mia", status: 403, body: `{"from":"2024-02-01","hourly":"99"}`},
		{name: "ops cannot set their own rate", method: "POST", path: "/api/v1/members/{olga}/rates", actor: "olga", status: 403, body: `{"from":"2024-02-01","hourly":"99"}`},
		{name: "negative rate", method: "POST", path: "/api/v1/members/{oscar}/rates", actor: "bea", status: 400, body: `{"from":"2024-02-01","hourly":"-1"}`, fields: []string{"hourly"}},
		{name: "absurd rate", method: "POST", path: "/api/v1/members/{oscar}/rates", actor: "bea", status: 400, body: `{"from":"2024-02-01","hourly":"1e9"}`, fields: []string{"hourly"}},
		{name: "rate in an unknown currency", method: "POST", path: "/api/v1/members/{oscar}/rates", actor: "bea", status: 400, body: `{"from":"2024-02-01","hourly":"20","currency":"XYZ"}`, fields: []string{"currency"}},
		{name: "rate in another currency", method: "POST", path: "/api/v1/members/{oscar}/rates", actor: "bea", status: 400, body: `{"from":"2024-02-01","hourly":"20","currency":"EUR"}`, fields: []string{"currency"}},
		{name: "two rates from one day", method: "POST", path: "/api/v1/members/{olga}/rates", actor: "bea", status: 400, body: `{"from":"2024-01-01","hourly":"30"}`, fields: []string{"from"}},
		{name: "rate without a date", method: "POST", path: "/api/v1/members/{olga}/rates", actor: "bea", status: 400, body: `{"hourly":"30"}`, fields: []string{"from"}},
		{name: "rate for an unknown member", method: "POST", path: "/api/v1/members/m999999/rates", actor: "bea", status: 404, body: `{"from":"2024-02-01","hourly":"20"}`},
		{name: "own rates", method: "GET", path: "/api/v1/members/{olga}/rates", actor: "olga", status: 200, want: []string{`"hourly":"25"`}},
		{name: "another member's rates", method: "GET", path: "/api/v1/members/{olga}/rates", actor: "mia", status: 403},
		{name: "entries default to required under a rate", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2024-06-14","hours":"2","circle_id":"{tech}"}`, want: []string{`"compensation":"required"`}},
		{name: "and to volunteer before it", method: "POST", path: "/api/v1/time-entries", actor: "olga", status: 201,
			body: `{"date":"2023-12-14","hours":"2","circle_id":"{tech}"}`, want: []string{`"compensation":"volunteer"`}},

		{name: "record income", method: "POST", path: "/api/v1/income", actor: "bea", status: 201,
			body: `{"month":"2024-05","amount":"1167.00","note":"May subscriptions"}`,
			want: []string{`"kind":"income"`, `"date":"2024-05-01"`, `{"account":"Assets:Bank","amount":"1167.00","currency":"GBP"}`, `{"account":"Income:Subscriptions","amount":"-1167.00","currency":"GBP"}`}},
		{name: "income as a JSON number", method: "POST", path: "/api/v1/income", actor: "ada", status: 201,
			body: `{"month":"2024-05","amount":1167}`, want: []string{`"amount":"1167.00"`}},
		{name: "income from tiers", method: "POST", path: "/api/v1/income", actor: "bea", status: 201,
			body: `{"month":"2024-05","tiers":[{"name":"basic","price":"5","subscribers":100},{"name":"plus","price":"10","subscribers":20}]}`,
			want: []string{`"amount":"700.00"`}},
		{name: "income in another currency with a rate", method: "POST", path: "/api/v1/income", actor: "bea", status: 201,
			body: `{"month":"2024-05","amount":"100.00","currency":"EUR","rate":"0.85"}`, want: []string{`"amount":"85.00","currency":"GBP"`, `100.00 EUR at 0.85`}},
		{name: "income in another currency without a rate", method: "POST", path: "/api/v1/income", actor: "bea", status: 400,
			body: `{"month":"2024-05","amount":"100.00","currency":"EUR"}`, fields: []string{"currency"}},
		{name: "tiers that disagree with the amount", method: "POST", path: "/api/v1/income", actor: "bea", status: 400,
			body: `{"month":"2024-05","amount":"1.00","tiers":[{"name":"basic","price":"5","subscribers":100}]}`, fields: []string{"amount"}},
		{name: "negative income", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"-5.00"}`, fields: []string{"amount"}},
		{name: "zero income", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"0"}`, fields: []string{"amount"}},
		{name: "income with fractions of a penny", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"1.234"}`, fields: []string{"amount"}},
		{name: "absurd income", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"1e15"}`, fields: []string{"amount"}},
		{name: "income in an unknown currency", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"5","currency":"XYZ"}`, fields: []string{"currency"}},
		{name: "income with a bad month", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"May 2024","amount":"5"}`, fields: []string{"month"}},
		{name: "income to a non-income account", method: "POST", path: "/api/v1/income", actor: "bea", status: 400, body: `{"month":"2024-05","amount":"5","account":"Assets:Bank"}`, fields: []string{"account"}},
		{name: "ops cannot record income", method: "POST", path: "/api/v1/income", actor: "olga", status: 403, body: `{"month":"2024-05","amount":"5"}`},
		{name: "a member cannot record income", method: "POST", path: "/api/v1/income", actor: "mia", status: 403, body: `{"month":"2024-05","amount":"5"}`},
		{name: "anonymous cannot record income", method: "POST", path: "/api/v1/income", status: 401, body: `{"month":"2024-05","amount":"5"}`},
		{name: "record a cost", method: "POST", path: "/api/v1/costs", actor: "bea", status: 201,
			body: `{"month":"2024-05","account":"Expenses:Fees","amount":"47.00"}`, want: []string{`{"account":"Expenses:Fees","amount":"47.00","currency":"GBP"}`, `"kind":"cost"`}},
		{name: "a cost to an income account", method: "POST", path: "/api/v1/costs", actor: "bea", status: 400, body: `{"month":"2024-05","account":"Income:Other","amount":"5"}`, fields: []string{"account"}},
		{name: "a cost with tiers", method: "POST", path: "/api/v1/costs", actor: "bea", status: 400, body: `{"month":"2024-05","tiers":[{"name":"a","price":"1","subscribers":1}]}`, fields: []string{"tiers"}},

		{name: "opening balance", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 201,
			body: `{"member_id":"{oscar}","as_of":"2022-12-31","deferred":"8000.00","currency":"GBP"}`,
			want: []string{`"kind":"opening"`, `"accrual":"2022-12"`, `{"account":"Liabilities:Deferred:{oscar}","amount":"-8000.00","currency":"GBP"}`}},
		{name: "opening balance in the future", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 400,
			body: `{"member_id":"{oscar}","as_of":"2030-01-01","deferred":"8000.00"}`, fields: []string{"as_of"}},
		{name: "opening balance without an amount", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 400,
			body: `{"member_id":"{oscar}","as_of":"2022-12-31"}`, fields: []string{"deferred"}},
		{name: "negative opening balance", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 400,
			body: `{"member_id":"{oscar}","as_of":"2022-12-31","deferred":"-1"}`, fields: []string{"deferred"}},
		{name: "opening balance for an unknown member", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 400,
			body: `{"member_id":"m999999","as_of":"2022-12-31","deferred":"1"}`, fields: []string{"member_id"}},
		{name: "opening balance in another currency", method: "POST", path: "/api/v1/opening-balances", actor: "bea", status: 400,
			body: `{"member_id":"{oscar}","as_of":"2022-12-31","deferred":"1","currency":"USD"}`, fields: []string{"currency"}},
		{name: "a member cannot record opening balances", method: "POST", path: "/api/v1/opening-balances", actor: "mia", status: 403,
			body: `{"member_id":"{mia}","as_of":"2022-12-31","deferred":"1"}`},

		{name: "a member waives part of their balance", method: "POST", path: "/api/v1/members/{olga}/waivers", actor: "olga", status: 201,
			body: `{"amount":"100.00","note":"happy to"}`, want: []string{`"kind":"waiver"`, `{"account":"Equity:Waived","amount":"-100.00","currency":"GBP"}`}},
		{name: "waiving more than is owed", method: "POST", path: "/api/v1/members/{olga}/waivers", actor: "olga", status: 400, body: `{"amount":"1000.01"}`, fields: []string{"amount"}},
		{name: "waiving for someone else", method: "POST", path: "/api/v1/members/{olga}/waivers", actor: "bea", status: 403, body: `{"amount":"1.00"}`},
		{name: "waiving nothing", method: "POST", path: "/api/v1/members/{olga}/waivers", actor: "olga", status: 400, body: `{"amount":"0"}`, fields: []string{"amount"}},

		{name: "the board sees the debt", method: "GET", path: "/api/v1/debt", actor: "bea", status: 200,
			want: []string{`"total":"1000.00"`, `"currency":"GBP"`, `"member_id":"{olga}"`, `"aging":{"2023":"1000.00"}`}},
		{name: "a member sees only the total", method: "GET", path: "/api/v1/debt", actor: "mia", status: 200,
			want: []string{`"total":"1000.00"`, `"members":[]`}},
		{name: "own statement", method: "GET", path: "/api/v1/members/{olga}/statement", actor: "olga", status: 200,
			want: []string{`"balance":"1000.00"`, `"month":"2023-12"`, `"opening":"1000.00"`}},
		{name: "another member's statement", method: "GET", path: "/api/v1/members/{olga}/statement", actor: "mia", status: 403},
		{name: "the journal", method: "GET", path: "/api/v1/transactions", actor: "bea", status: 200, want: []string{`"id":"t000001"`}},
		{name: "a member cannot read the journal", method: "GET", path: "/api/v1/transactions", actor: "mia", status: 403},
		{name: "reverse a transaction", method: "POST", path: "/api/v1/transactions/t000001/reverse", actor: "bea", status: 201,
			body: `{"note":"entered twice"}`, want: []string{`"kind":"reversal"`, `"reverses":"t000001"`, `"amount":"1000.00"`}},
		{name: "reverse an unknown transaction", method: "POST", path: "/api/v1/transactions/t999999/reverse", actor: "bea", status: 404},
		{name: "a member cannot reverse", method: "POST", path: "/api/v1/transactions/t000001/reverse", actor: "mia", status: 403},
		{name: "the board's balance report", method: "GET", path: "/api/v1/balances", actor: "bea", status: 200,
			want: []string{`{"account":"Equity:Opening","balance":"1000.00"}`, `{"account":"Liabilities:Deferred:{olga}","balance":"-1000.00"}`}},
		{name: "a member sees the deferred accounts summed", method: "GET", path: "/api/v1/balances", actor: "mia", status: 200,
			want: []string{`{"account":"Liabilities:Deferred","balance":"-1000.00"}`}, absent: []string{"Deferred:"}},
		{name: "balances before the opening", method: "GET", path: "/api/v1/balances?month=2023-11", actor: "bea", status: 200, want: []string{`"accounts":[]`}},
		{name: "balances with a bad month", method: "GET", path: "/api/v1/balances?month=2023", actor: "bea", status: 400, fields: []string{"month"}},
		{name: "export for hledger", method: "GET", path: "/api/v1/export?format=hledger", actor: "bea", status: 200,
			want: []string{"Liabilities:Deferred:{olga}", "-1000.00 GBP"}},
		{name: "export for beancount", method: "GET", path: "/api/v1/export?format=beancount", actor: "ada", status: 200,
			want: []string{"open Liabilities:Deferred:M"}},
		{name: "export in an unknown format", method: "GET", path: "/api/v1/export?format=xlsx", actor: "bea", status: 400, fields: []string{"format"}},
		{name: "a member cannot export the journal", method: "GET", path: "/api/v1/export?format=csv", actor: "mia", status: 403},
		{name: "the income report", method: "GET", path: "/api/v1/income", actor: "mia", status: 200,
			want: []string{`"month":"2024-05"`, `"mrr":"1205.00"`, `"income":"1255.00"`, `"costs":"467.00"`, `"margin":"788.00"`, `"subscribers":169`,
				`{"name":"Supporter","price":"5","subscribers":118}`}},
	}
	runScenarios(t, scenarios, func(t *testing.T, f *fixture) {
		seedMoney(t, f)
		// May 2024: 1205.00 of subscriptions from tiers, 50.00 other income,
		// 420.00 hosting and 47.00 fees.
		bea, _ := f.db.Member(f.ids["bea"])
		d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
		tiers := []ledger.Tier{{Name: "Supporter", Price: *d("5"), Subscribers: 118}, {Name: "Member", Price: *d("10"), Subscribers: 44}, {Name: "Business", Price: *d("25"), Subscribers: 7}}
		for _, in := range []struct {
			in   ledger.MoneyInput
			cost bool
		}{
			{ledger.MoneyInput{Month: "2024-05", Tiers: tiers}, false},
			{ledger.MoneyInput{Month: "2024-05", Account: "Income:Other", Amount: d("50.00")}, false},
			{ledger.MoneyInput{Month: "2024-05", Account: "Expenses:Hosting", Amount: d("420.00")}, true},
			{ledger.MoneyInput{Month: "2024-05", Account: "Expenses:Fees", Amount: d("47.00")}, true},
		} {
			if _, err := f.db.RecordMoney(bea, in.in, in.cost); err != nil {
				t.Fatal(err)
			}
		}
	})
}
