package web_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/shopspring/decimal"
)

// These targets run any JSON body through BindJSON and then the domain's
// validation, as the API handlers do: neither ever panics, every refusal
// is a *ledger.ValidationError naming its fields, and whatever passes
// keeps the rules its validation promises.

var fuzzNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// refusedWithFields fails unless err is a validation error naming at
// least one field, each with a reason.
func refusedWithFields(t *testing.T, body []byte, err error) {
	t.Helper()
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("%s: refused with %v, want field errors", body, err)
	}
	for k, why := range ve.Fields {
		if k == "" || why == "" {
			t.Fatalf("%s: field error %q: %q", body, k, why)
		}
	}
}

// bound binds body into dst and reports whether it was accepted; a
// refusal must name its fields.
func bound(t *testing.T, body []byte, dst any) bool {
	t.Helper()
	if err := web.BindJSON(body, dst); err != nil {
		refusedWithFields(t, body, err)
		return false
	}
	return true
}

// cleanText fails if a string field of v (ids aside: the store looks them
// up) holds text that is not UTF-8 or has a NUL byte.
func cleanText(t *testing.T, body []byte, v any) {
	t.Helper()
	var walk func(rv reflect.Value, name string)
	walk = func(rv reflect.Value, name string) {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !rv.IsNil() {
				walk(rv.Elem(), name)
			}
		case reflect.Struct:
			for i := 0; i < rv.NumField(); i++ {
				if f := rv.Type().Field(i); f.IsExported() && !strings.HasSuffix(f.Name, "ID") && !strings.HasSuffix(f.Name, "IDs") && f.Name != "DuplicateOf" {
					walk(rv.Field(i), f.Name)
				}
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < rv.Len(); i++ {
				walk(rv.Index(i), name)
			}
		case reflect.String:
			if s := rv.String(); !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("%s: accepted %s = %q", body, name, s)
			}
		}
	}
	walk(reflect.ValueOf(v), "value")
}

// FuzzBindJSON_NewPoll: a poll opened from any body has a one-line title,
// a known kind with its options, shares between 0 and 1, a points budget
// only for dots, and closes after now but within a year.
func FuzzBindJSON_NewPoll(f *testing.F) {
	for _, s := range []string{
		`{"title":"Spend","kind":"dots","options":["Docs","Tests"],"points":10,"closes_at":"2024-07-01T00:00:00Z","secret":true}`,
		`{"title":"Budget","kind":"yes_no","quorum":"0.5","threshold":0.5,"closes_at":"2024-06-22T12:00:00+02:00"}`,
		`{"title":"Next","kind":"ranked","options":["a","b","a"],"closes_at":"2025-06-16T00:00:00Z","electorate":{"classes":["ops"],"roles":["board"]}}`,
		`{"title":"Consent","kind":"consent","closes_at":"2024-06-15T12:00:01Z","weights":{"ops":"0.5","user":"0.5"}}`,
		`{"title":"x","kind":"yes_no","threshold":"1","closes_at":"2024-07-01T00:00:00Z"}`,
		`{"title":"a\u0000b","kind":"dots","points":1e308,"closes_at":"bogus"}`,
	} {
		f.Add([]byte(s))
	}
	one := decimal.NewFromInt(1)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in governance.PollInput
		if err := web.BindJSON(body, &in); err != nil {
			refusedWithFields(t, body, err)
			return
		}
		p, err := governance.NewPoll(in, fuzzNow)
		if err != nil {
			refusedWithFields(t, body, err)
			return
		}
		cleanText(t, body, p)
		if p.Title == "" || strings.ContainsAny(p.Title, "\n\r\t") || utf8.RuneCountInString(p.Title) > 200 {
			t.Fatalf("%s: accepted title %q", body, p.Title)
		}
		if _, err := governance.ParsePollKind(string(p.Kind)); err != nil {
			t.Fatalf("%s: accepted kind %q", body, p.Kind)
		}
		ids := map[string]bool{}
		for _, o := range p.Options {
			if o.ID == "" || ids[o.ID] || o.Text == "" {
				t.Fatalf("%s: options %v", body, p.Options)
			}
			ids[o.ID] = true
		}
		if len(p.Options) < 2 || len(p.Options) > 50 {
			t.Fatalf("%s: %d options", body, len(p.Options))
		}
		if p.Quorum.IsNegative() || p.Quorum.GreaterThan(one) || p.Threshold.IsNegative() || p.Threshold.GreaterThanOrEqual(one) {
			t.Fatalf("%s: quorum %s, threshold %s", body, p.Quorum, p.Threshold)
		}
		if (p.Kind == governance.KindDots) != (p.Points > 0) || p.Points > 1000 {
			t.Fatalf("%s: a %s poll with %d points", body, p.Kind, p.Points)
		}
		if !p.ClosesAt.After(fuzzNow) || p.ClosesAt.After(fuzzNow.AddDate(1, 0, 1)) {
			t.Fatalf("%s: closes at %s", body, p.ClosesAt)
		}
	})
}

// FuzzBindJSON_GovernanceInputs: the first byte picks one of the
// governance inputs (request, triage, comment, bounty, submission,
// review, meeting, agenda item, minutes, activity rule), the rest is its
// body; what passes holds clean text within its limits.
func FuzzBindJSON_GovernanceInputs(f *testing.F) {
	for i, s := range []string{
		`{"kind":"feature","title":"Dark mode","body":"Please","category":"ui","circle_id":"c000001"}`,
		`{"status":"duplicate","duplicate_of":"r000002","category":"ui","note":"same"}`,
		`{"body":"+1"}`,
		`{"request_id":"r000001","title":"Fix","amount":"25.5","currency":"GBP","criteria":["no loop"],"expires_on":"2024-09-01"}`,
		`{"note":"PR 12","done":[0,1]}`,
		`{"note":"thanks"}`,
		`{"title":"All-hands","date":"2024-07-01","time":"18:30","place":"Jitsi"}`,
		`{"text":"Budget"}`,
		`{"minutes":"We met.","decisions":[{"text":"Adopt","poll_id":"po000001"}]}`,
		`{"class":"ops","hours":"40","compensation":"contribution","attendance":"0.5"}`,
	} {
		f.Add(append([]byte{byte(i)}, s...))
	}
	open := governance.Request{ID: "r000001", Kind: governance.KindFeature, Status: governance.StatusOpen}
	bounty := governance.Bounty{ID: "b000001", Criteria: []governance.Criterion{{Text: "a"}, {Text: "b"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		body := data[1:]
		bind := func(dst any) bool { return bound(t, body, dst) }
		check := func(v any, err error) {
			if err != nil {
				refusedWithFields(t, body, err)
				return
			}
			cleanText(t, body, v)
		}
		switch data[0] % 10 {
		case 0:
			var in governance.RequestInput
			if bind(&in) {
				err := in.Validate()
				check(in, err)
				if err == nil && (in.Title == "" || (in.Kind != governance.KindFeature && in.Kind != governance.KindIncident)) {
					t.Fatalf("%s: accepted %+v", body, in)
				}
			}
		case 1:
			var in governance.TriageInput
			if bind(&in) {
				check(in, in.Validate(open))
			}
		case 2:
			var in governance.CommentInput
			if bind(&in) {
				err := in.Validate()
				check(in, err)
				if err == nil && in.Body == "" {
					t.Fatalf("%s: accepted an empty comment", body)
				}
			}
		case 3:
			var in governance.BountyInput
			if bind(&in) {
				b, err := governance.NewBounty(in, "GBP", "2024-06-15")
				check(b, err)
				if err == nil && (!b.Amount.Amount.IsPositive() || ledger.CheckDecimal(b.Amount.Amount) != nil || len(b.Criteria) == 0) {
					t.Fatalf("%s: accepted %+v", body, b)
				}
			}
		case 4:
			var in governance.SubmitInput
			if bind(&in) {
				err := in.Validate(bounty)
				check(in, err)
				for _, d := range in.Done {
					if err == nil && (d < 0 || d >= len(bounty.Criteria)) {
						t.Fatalf("%s: accepted criterion %d", body, d)
					}
				}
			}
		case 5:
			var in governance.ReviewInput
			if bind(&in) {
				check(in, in.Validate())
			}
		case 6:
			var in governance.MeetingInput
			if bind(&in) {
				m, err := governance.NewMeeting(in)
				check(m, err)
				if _, perr := ledger.ParseDate(m.Date); err == nil && perr != nil {
					t.Fatalf("%s: accepted date %q", body, m.Date)
				}
			}
		case 7:
			var in governance.AgendaInput
			if bind(&in) {
				check(in, in.Validate())
			}
		case 8:
			var in governance.MinutesInput
			if bind(&in) {
				check(in, in.Validate())
			}
		case 9:
			var in governance.ActivityRule
			if bind(&in) {
				err := in.Validate()
				check(in, err)
				if err == nil && (in.Hours.IsNegative() || in.Hours.GreaterThan(decimal.NewFromInt(2000)) ||
					in.Attendance.IsNegative() || in.Attendance.GreaterThan(decimal.NewFromInt(1))) {
					t.Fatalf("%s: accepted %+v", body, in)
				}
			}
		}
	})
}

// FuzzBindJSON_LedgerInputs: the first byte picks one of the ledger's
// inputs (member, circle, rate, income, cost, opening balance, waiver,
// policy, scenario); the rest is its body. Accepted money inputs make
// transactions the journal accepts; accepted policies have shares between
// 0 and 1; accepted rates lie between 0 and 10,000 an hour.
func FuzzBindJSON_LedgerInputs(f *testing.F) {
	for i, s := range []string{
		`{"name":"Nia","email":"nia@example.org","emails":["n2@example.org"],"classes":["ops"],"roles":["ops"],"joined":"2024-01-02"}`,
		`{"name":"design"}`,
		`{"from":"2024-01-01","hourly":"25","currency":"GBP"}`,
		`{"month":"2024-05","account":"Income:Subscriptions","amount":"1167.00","note":"May","tiers":[{"name":"basic","subscribers":10,"price":"5"}]}`,
		`{"month":"2024-05","account":"Expenses:Hosting","amount":420,"currency":"EUR","rate":"0.85"}`,
		`{"member_id":"m000001","as_of":"2023-12-31","deferred":"8000","note":"2023"}`,
		`{"amount":"10.005","note":"gift"}`,
		`{"from":"2024-05","bounty_share":"0.10","team":["m1","m2"],"split":"weights","weights":{"m1":"1","m2":"2"},"payback_share":"0.5","payback_method":"oldest_first"}`,
		`{"start":"2024-07","months":24,"start_income":"1200","monthly_growth":"0.02","fixed_costs":"467","members":40,"team":[{"member_id":"m1","hours":"40","rate":"20"}],"debt":{"m1":{"2023-01":"100"}},"policy":{"bounty_share":"0.1","payback_share":"0.5"}}`,
	} {
		f.Add(append([]byte{byte(i)}, s...))
	}
	one := decimal.NewFromInt(1)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		body := data[1:]
		bind := func(dst any) bool { return bound(t, body, dst) }
		posts := func(tx ledger.Transaction, err error) {
			if err != nil {
				refusedWithFields(t, body, err)
				return
			}
			if verr := tx.Validate(); verr != nil {
				t.Fatalf("%s: accepted a transaction the journal refuses: %v", body, verr)
			}
		}
		switch data[0] % 10 {
		case 0:
			var in ledger.MemberInput
			if bind(&in) {
				var m ledger.Member
				if err := in.Apply(&m, true); err != nil {
					refusedWithFields(t, body, err)
				} else if m.Name == "" || m.Email == "" || !utf8.ValidString(m.Name) || strings.ContainsRune(m.Name, 0) {
					t.Fatalf("%s: accepted %+v", body, m)
				}
			}
		case 1:
			var in ledger.CircleInput
			if bind(&in) {
				if err := in.Validate(); err != nil {
					refusedWithFields(t, body, err)
				} else if in.Name == "" || !utf8.ValidString(in.Name) || strings.ContainsRune(in.Name, 0) {
					t.Fatalf("%s: accepted %+v", body, in)
				}
			}
		case 2:
			var in ledger.RateInput
			if bind(&in) {
				r, err := in.Validate("m000001", "GBP")
				if err != nil {
					refusedWithFields(t, body, err)
				} else if r.Hourly.IsNegative() || r.Hourly.GreaterThan(decimal.NewFromInt(10_000)) {
					t.Fatalf("%s: accepted rate %s", body, r.Hourly)
				}
			}
		case 3, 4:
			var in ledger.MoneyInput
			if bind(&in) {
				posts(in.Transaction(data[0]%10 == 4, "GBP"))
			}
		case 5:
			var in ledger.OpeningInput
			if bind(&in) {
				posts(in.Transaction("GBP", "2024-06-15"))
			}
		case 6:
			var in ledger.WaiverInput
			if bind(&in) {
				posts(in.Transaction("m000001", "GBP", "2024-06-15"))
			}
		case 7:
			var in ledger.PolicyInput
			if bind(&in) {
				p, err := in.Validate()
				if err != nil {
					refusedWithFields(t, body, err)
				} else if p.BountyShare.IsNegative() || p.BountyShare.GreaterThan(one) || p.PaybackShare.IsNegative() || p.PaybackShare.GreaterThan(one) {
					t.Fatalf("%s: accepted %+v", body, p)
				}
			}
		case 8, 9:
			var in ledger.ScenarioInput
			if bind(&in) {
				if _, err := in.Scenario(data[0]%10 == 9); err != nil {
					refusedWithFields(t, body, err)
				}
			}
		}
	})
}
