package ui_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
)

// The bad-input suite (issue 7, item 5): every write endpoint of the JSON
// API, fed wrong types, missing fields, huge and broken text, absurd
// numbers, unknown ids, other members' records and malformed bodies. Each
// case must answer 4xx (never 5xx) in the documented error shape, name the
// field at fault, and leave the store exactly as it was. Cases are
// generated from a compact description of each endpoint: a valid body and
// its fields' kinds; the valid body is sent last and must be accepted, so
// every refusal is the mutation's doing.

// kind is what a field holds, which says how to break it.
type kind int

const (
	kText    kind = iota // free text of bounded length
	kID                  // the id of another record
	kEnum                // one of a few words
	kDate                // YYYY-MM-DD
	kMonth               // YYYY-MM
	kTime                // RFC 3339
	kDecimal             // a decimal string or number
	kInt                 // a whole number
	kStrings             // a list of strings
	kInts                // a list of whole numbers
	kBool                // true or false
	kObject              // a JSON object
)

// fld describes one body field. req: leaving it out (or null) is refused.
// neg: a negative value is allowed (so -1 is no bad input for it).
type fld struct {
	name string
	kind kind
	req  bool
	neg  bool
	// self: the field names a member, and the caller may only name
	// themselves, so any other value is refused with 403.
	self bool
}

// endpoint is one write route: who may call it, a body it accepts, and
// its fields. noBody routes ignore their body, so only path and actor
// cases apply. optional: an empty body is fine. extra are hand-written
// cases (other members' records, states).
type endpoint struct {
	method, path, actor, body string
	fields                    []fld
	noBody, optional          bool
	extra                     []badCase
}

// badCase is one refused request. field, when set, must be named in the
// error's fields (exactly, or as field[i] / field.key).
type badCase struct {
	name, actor, path, body string
	status                  int
	field                   string
}

// huge is one character more than the longest text any field takes (a
// meeting's minutes: 100,000), far below the 1 MiB body limit.
const huge = 100_001

func writeEndpoints() []endpoint {
	text := func(n string, req bool) fld { return fld{name: n, kind: kText, req: req} }
	return []endpoint{
		{method: "POST", path: "/api/v1/members", actor: "ada",
			body: `{"name":"Nia","email":"nia@example.org","emails":["nia2@example.org"],"classes":["ops"],"roles":["ops"],"circles":["{tech}"],"joined":"2024-01-02","left":"2024-06-01"}`,
			fields: []fld{text("name", true), {name: "email", kind: kEnum, req: true}, {name: "emails", kind: kStrings}, {name: "classes", kind: kStrings},
				{name: "roles", kind: kStrings}, {name: "circles", kind: kStrings}, {name: "joined", kind: kDate}, {name: "left", kind: kDate}},
			extra: []badCase{{name: "a member adds a member", actor: "mia", status: 403}}},
		{method: "PATCH", path: "/api/v1/members/{mia}", actor: "ada",
			body:   `{"name":"Mia K","roles":["member","ops"],"classes":["user"],"circles":["{tech}"],"joined":"2024-01-02"}`,
			fields: []fld{text("name", false), {name: "roles", kind: kStrings}, {name: "classes", kind: kStrings}, {name: "circles", kind: kStrings}, {name: "joined", kind: kDate}},
			extra: []badCase{
				{name: "a member renames another", actor: "mia", path: "/api/v1/members/{olga}", body: `{"name":"Ha"}`, status: 403},
				{name: "a member raises their own role", actor: "mia", body: `{"roles":["admin"]}`, status: 403},
			}},
		{method: "POST", path: "/api/v1/circles", actor: "ada", body: `{"name":"design"}`, fields: []fld{text("name", true)},
			extra: []badCase{{name: "ops add a circle", actor: "olga", status: 403}, {name: "a duplicate name", body: `{"name":"Tech"}`, status: 400, field: "name"}}},
		{method: "POST", path: "/api/v1/time-entries", actor: "olga",
			body: `{"date":"2024-06-14","hours":"2.5","circle_id":"{tech}","task":"deploy","note":"db","compensation":"volunteer","submit":true}`,
			fields: []fld{{name: "date", kind: kDate, req: true}, {name: "hours", kind: kDecimal, req: true}, {name: "circle_id", kind: kID, req: true},
				text("task", false), text("note", false), {name: "compensation", kind: kEnum}, {name: "submit", kind: kBool}, {name: "member_id", kind: kID, self: true}, {name: "corrects", kind: kID}},
			extra: []badCase{
				{name: "a member logs for another", actor: "mia", body: `{"member_id":"{olga}","date":"2024-06-14","hours":"1","circle_id":"{tech}"}`, status: 403},
				{name: "an admin logs for an unknown member", actor: "ada", body: `{"member_id":"m999999","date":"2024-06-14","hours":"1","circle_id":"{tech}"}`, status: 400, field: "member_id"},
				{name: "minutes and hours both", body: `{"date":"2024-06-14","hours":"1","minutes":60,"circle_id":"{tech}"}`, status: 400, field: "hours"},
				{name: "minutes absurd", body: `{"date":"2024-06-14","minutes":99999999999,"circle_id":"{tech}"}`, status: 400, field: "minutes"},
				{name: "minutes negative", body: `{"date":"2024-06-14","minutes":-1,"circle_id":"{tech}"}`, status: 400, field: "minutes"},
				{name: "minutes overflowing", body: `{"date":"2024-06-14","minutes":99999999999999999999,"circle_id":"{tech}"}`, status: 400, field: "minutes"},
			}},
		{method: "PATCH", path: "/api/v1/time-entries/e000003", actor: "olga",
			body:   `{"date":"2024-06-13","hours":"4","circle_id":"{tech}","task":"docs"}`,
			fields: []fld{{name: "date", kind: kDate, req: true}, {name: "hours", kind: kDecimal, req: true}, {name: "circle_id", kind: kID, req: true}, text("task", false)},
			extra: []badCase{
				{name: "another member edits the draft", actor: "oscar", status: 403},
				{name: "an approved entry", path: "/api/v1/time-entries/e000002", body: `{"date":"2024-06-11","hours":"1","circle_id":"{tech}"}`, status: 409},
			}},
		{method: "DELETE", path: "/api/v1/time-entries/e000003", actor: "olga", noBody: true,
			extra: []badCase{{name: "another member deletes the draft", actor: "mia", status: 403}, {name: "an approved entry", path: "/api/v1/time-entries/e000002", status: 409}}},
		{method: "POST", path: "/api/v1/time-entries/e000003/submit", actor: "olga", body: `{}`, optional: true,
			extra: []badCase{{name: "a member submits another's entry", actor: "mia", status: 403}, {name: "a submitted entry", path: "/api/v1/time-entries/e000001/submit", status: 409}}},
		{method: "POST", path: "/api/v1/time-entries/e000001/approve", actor: "oscar", body: `{"comment":"fine"}`, optional: true, fields: []fld{text("comment", false)},
			extra: []badCase{{name: "the owner approves", actor: "olga", status: 403}, {name: "a member approves", actor: "mia", status: 403},
				{name: "a draft", path: "/api/v1/time-entries/e000003/approve", status: 409}}},
		{method: "POST", path: "/api/v1/time-entries/e000001/reject", actor: "oscar", body: `{"comment":"no"}`, optional: true, fields: []fld{text("comment", false)},
			extra: []badCase{{name: "the owner rejects", actor: "olga", status: 403}}},
		{method: "POST", path: "/api/v1/tokens", actor: "mia", body: `{"name":"laptop"}`, fields: []fld{text("name", false), {name: "member_id", kind: kID, self: true}},
			extra: []badCase{{name: "a token for another member", body: `{"name":"x","member_id":"{olga}"}`, status: 403},
				{name: "an admin makes a token for an unknown member", actor: "ada", body: `{"name":"x","member_id":"m999999"}`, status: 400, field: "member_id"}}},
		{method: "POST", path: "/api/v1/members/{olga}/rates", actor: "ada", body: `{"from":"2024-01-01","hourly":"25","currency":"GBP"}`,
			fields: []fld{{name: "from", kind: kDate, req: true}, {name: "hourly", kind: kDecimal, req: true}, {name: "currency", kind: kEnum}},
			extra:  []badCase{{name: "a member sets their own rate", actor: "mia", path: "/api/v1/members/{mia}/rates", status: 403}}},
		{method: "POST", path: "/api/v1/members/{olga}/waivers", actor: "olga", body: `{"amount":"10","note":"gift"}`,
			fields: []fld{{name: "amount", kind: kDecimal, req: true}, {name: "currency", kind: kEnum}, text("note", false)},
			extra:  []badCase{{name: "a member waives another's debt", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/income", actor: "bea", body: `{"month":"2024-05","account":"Income:Subscriptions","amount":"1167.00","currency":"GBP","note":"May"}`,
			fields: []fld{{name: "month", kind: kMonth, req: true}, {name: "account", kind: kEnum}, {name: "amount", kind: kDecimal, req: true}, {name: "currency", kind: kEnum}, text("note", false)},
			extra:  []badCase{{name: "a member records income", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/costs", actor: "bea", body: `{"month":"2024-05","account":"Expenses:Hosting","amount":"420","note":"servers"}`,
			fields: []fld{{name: "month", kind: kMonth, req: true}, {name: "account", kind: kEnum}, {name: "amount", kind: kDecimal, req: true}, text("note", false)},
			extra:  []badCase{{name: "a member records a cost", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/opening-balances", actor: "ada", body: `{"member_id":"{olga}","as_of":"2023-12-31","deferred":"8000","currency":"GBP","note":"2023"}`,
			fields: []fld{{name: "member_id", kind: kID, req: true}, {name: "as_of", kind: kDate, req: true}, {name: "deferred", kind: kDecimal, req: true}, {name: "currency", kind: kEnum}, text("note", false)},
			extra:  []badCase{{name: "a member opens their own balance", actor: "mia", body: `{"member_id":"{mia}","as_of":"2023-12-31","deferred":"8000"}`, status: 403}}},
		{method: "POST", path: "/api/v1/policies", actor: "bea",
			body: `{"from":"2024-05","bounty_share":"0.10","team":["{olga}","{oscar}"],"split":"equal","payback_share":"0.5","payback_method":"oldest_first"}`,
			fields: []fld{{name: "from", kind: kMonth, req: true}, {name: "bounty_share", kind: kDecimal, req: true}, {name: "team", kind: kStrings}, {name: "split", kind: kEnum},
				{name: "weights", kind: kObject}, {name: "payback_share", kind: kDecimal, req: true}, {name: "payback_method", kind: kEnum}},
			extra: []badCase{{name: "a member sets policy", actor: "mia", status: 403},
				{name: "weights without split weights", body: `{"from":"2024-05","bounty_share":"0.1","payback_share":"0.5","team":["{olga}"],"weights":{"{olga}":"1"}}`, status: 400, field: "weights"},
				{name: "a weight for someone off the team", body: `{"from":"2024-05","bounty_share":"0.1","payback_share":"0.5","team":["{olga}"],"split":"weights","weights":{"{olga}":"1","{mia}":"1"}}`, status: 400, field: "weights"},
				{name: "a negative weight", body: `{"from":"2024-05","bounty_share":"0.1","payback_share":"0.5","team":["{olga}"],"split":"weights","weights":{"{olga}":"-1"}}`, status: 400, field: "weights"},
				{name: "an absurd weight", body: `{"from":"2024-05","bounty_share":"0.1","payback_share":"0.5","team":["{olga}"],"split":"weights","weights":{"{olga}":1e308}}`, status: 400, field: "weights"},
			}},
		{method: "POST", path: "/api/v1/closes/2024-05", actor: "bea", noBody: true,
			extra: []badCase{{name: "a member drafts a close", actor: "mia", status: 403}, {name: "a malformed month", path: "/api/v1/closes/May", status: 400, field: "month"},
				{name: "a month in the future", path: "/api/v1/closes/2099-01", status: 400, field: "month"}}},
		{method: "POST", path: "/api/v1/closes/2024-05/approve", actor: "bea", noBody: true,
			extra: []badCase{{name: "a member approves a close", actor: "mia", status: 403}, {name: "a month with no draft", path: "/api/v1/closes/2024-04/approve", status: 404},
				{name: "a malformed month", path: "/api/v1/closes/20x4-05/approve", status: 400, field: "month"}}},
		{method: "POST", path: "/api/v1/projections", actor: "bea", body: `{"start":"2024-07","months":24,"start_income":"1200","monthly_growth":"0.02","fixed_costs":"467","members":40}`,
			fields: []fld{{name: "start", kind: kMonth}, {name: "months", kind: kInt}, {name: "start_income", kind: kDecimal}, {name: "monthly_growth", kind: kDecimal, neg: true},
				{name: "fixed_costs", kind: kDecimal}, {name: "members", kind: kInt}, {name: "team", kind: kObject}, {name: "policy", kind: kObject}, {name: "debt", kind: kObject}}},
		{method: "POST", path: "/api/v1/projections/solve", actor: "bea", body: `{"start":"2024-07","months":36,"team_size":3,"team_rate":"20","team_hours":"40"}`,
			fields: []fld{{name: "start", kind: kMonth}, {name: "months", kind: kInt}, {name: "team_size", kind: kInt}, {name: "team_rate", kind: kDecimal}, {name: "team_hours", kind: kDecimal}}},
		{method: "POST", path: "/api/v1/transactions/{t1}/reverse", actor: "bea", body: `{"date":"2024-06-14","note":"typo"}`, optional: true,
			fields: []fld{{name: "date", kind: kDate}, text("note", false)},
			extra:  []badCase{{name: "a member reverses", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/requests", actor: "mia", body: `{"kind":"feature","title":"Export to ODS","body":"Please.","category":"export","circle_id":"{tech}"}`,
			fields: []fld{{name: "kind", kind: kEnum, req: true}, text("title", true), text("body", false), text("category", false), {name: "circle_id", kind: kID}}},
		{method: "POST", path: "/api/v1/requests/{r2}/vote", actor: "mia", noBody: true},
		// Withdrawing a vote never cast is no error (the answer says
		// nothing changed), so only an unknown request is refused.
		{method: "DELETE", path: "/api/v1/requests/{r1}/vote", actor: "mia", noBody: true},
		{method: "POST", path: "/api/v1/requests/{r1}/triage", actor: "olga", body: `{"status":"validated","category":"design","note":"good"}`,
			fields: []fld{{name: "status", kind: kEnum, req: true}, text("category", false), {name: "duplicate_of", kind: kID}, text("note", false)},
			extra:  []badCase{{name: "a member triages", actor: "mia", status: 403}, {name: "a duplicate of itself", body: `{"status":"duplicate","duplicate_of":"{r1}"}`, status: 400, field: "duplicate_of"}}},
		{method: "POST", path: "/api/v1/requests/{r1}/comments", actor: "oscar", body: `{"body":"+1"}`, fields: []fld{text("body", true)}},
		{method: "POST", path: "/api/v1/bounties", actor: "olga", body: `{"request_id":"{r2}","title":"Fix login","description":"loop","amount":"25.5","currency":"GBP","criteria":["no loop"],"expires_on":"2024-09-01"}`,
			fields: []fld{{name: "request_id", kind: kID, req: true}, text("title", true), text("description", false), {name: "amount", kind: kDecimal, req: true},
				{name: "currency", kind: kEnum}, {name: "criteria", kind: kStrings, req: true}, {name: "expires_on", kind: kDate}},
			extra: []badCase{{name: "a member proposes", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/bounties/{b1}/approve", actor: "bea", noBody: true,
			extra: []badCase{{name: "ops approve", actor: "olga", status: 403}, {name: "an open bounty", path: "/api/v1/bounties/{b2}/approve", status: 409},
				{name: "more than the fund holds", path: "/api/v1/bounties/{b5}/approve", status: 400, field: "amount"}}},
		{method: "POST", path: "/api/v1/bounties/{b2}/claim", actor: "mia", noBody: true,
			extra: []badCase{{name: "a claimed bounty, as someone else", actor: "bea", path: "/api/v1/bounties/{b4}/claim", status: 409},
				{name: "a proposed bounty", path: "/api/v1/bounties/{b1}/claim", status: 409}}},
		{method: "POST", path: "/api/v1/bounties/{b4}/submit", actor: "mia", body: `{"note":"PR 12","done":[0]}`,
			fields: []fld{text("note", true), {name: "done", kind: kInts}},
			extra: []badCase{{name: "someone else submits the claimant's work", actor: "oscar", status: 403},
				{name: "a criterion that does not exist", body: `{"note":"x","done":[5]}`, status: 400, field: "done"}}},
		{method: "POST", path: "/api/v1/bounties/{b3}/accept", actor: "olga", body: `{"note":"thanks"}`, optional: true, fields: []fld{text("note", false)},
			extra: []badCase{{name: "the claimant accepts their own", actor: "mia", status: 403}, {name: "an open bounty", path: "/api/v1/bounties/{b2}/accept", status: 409}}},
		{method: "POST", path: "/api/v1/bounties/{b3}/reject", actor: "olga", body: `{"note":"needs a test"}`, optional: true, fields: []fld{text("note", false)},
			extra: []badCase{{name: "the claimant rejects their own", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/bounties/{b1}/cancel", actor: "bea", body: `{"note":"no longer needed"}`, optional: true, fields: []fld{text("note", false)},
			extra: []badCase{{name: "a member cancels", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/polls", actor: "olga",
			body: `{"title":"Spend","description":"the budget","kind":"dots","options":["Docs","Tests"],"quorum":"0.5","points":10,"closes_at":"2024-07-01T00:00:00Z","electorate":{"classes":["ops"]},"weights":{"ops":"1"},"secret":true}`,
			fields: []fld{text("title", true), text("description", false), {name: "kind", kind: kEnum, req: true}, {name: "options", kind: kStrings, req: true},
				{name: "quorum", kind: kDecimal}, {name: "points", kind: kInt, req: true}, {name: "closes_at", kind: kTime, req: true},
				{name: "electorate", kind: kObject}, {name: "weights", kind: kObject}, {name: "secret", kind: kBool}},
			extra: []badCase{{name: "a threshold on a dots poll", body: `{"title":"x","kind":"dots","options":["a","b"],"points":3,"threshold":"0.5","closes_at":"2024-07-01T00:00:00Z"}`, status: 400, field: "threshold"},
				{name: "closing in the past", body: `{"title":"x","kind":"yes_no","closes_at":"2024-01-01T00:00:00Z"}`, status: 400, field: "closes_at"}}},
		{method: "POST", path: "/api/v1/polls/{po2}/ballots", actor: "mia", body: `{"choice":"yes"}`, fields: []fld{{name: "choice", kind: kEnum, req: true}},
			extra: []badCase{
				{name: "outside the electorate", path: "/api/v1/polls/{po1}/ballots", body: `{"ranking":["o1"]}`, status: 403},
				{name: "an unknown option", actor: "olga", path: "/api/v1/polls/{po1}/ballots", body: `{"ranking":["o9"]}`, status: 400, field: "ranking"},
				{name: "a ranking of numbers", actor: "olga", path: "/api/v1/polls/{po1}/ballots", body: `{"ranking":[1,2]}`, status: 400, field: "ranking"},
				{name: "points on a ranked poll", actor: "olga", path: "/api/v1/polls/{po1}/ballots", body: `{"points":{"o1":99999999999999999999}}`, status: 400, field: "points"},
				{name: "a closed poll", path: "/api/v1/polls/{po3}/ballots", status: 409},
			}},
		{method: "POST", path: "/api/v1/polls/{po2}/close", actor: "mia", noBody: true,
			extra: []badCase{{name: "someone else's poll", actor: "olga", status: 403}, {name: "a closed poll", path: "/api/v1/polls/{po3}/close", status: 409}}},
		{method: "POST", path: "/api/v1/meetings", actor: "bea", body: `{"title":"All-hands","date":"2024-07-01","time":"18:30","place":"Jitsi"}`,
			fields: []fld{text("title", false), {name: "date", kind: kDate, req: true}, {name: "time", kind: kEnum}, text("place", false)},
			extra:  []badCase{{name: "a member schedules", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/agenda", actor: "mia", body: `{"text":"Hiring"}`, fields: []fld{text("text", true)}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/agenda/order", actor: "olga", body: `{"items":["a1"]}`, fields: []fld{{name: "items", kind: kStrings, req: true}},
			extra: []badCase{{name: "a member orders the agenda", actor: "mia", status: 403}, {name: "an item twice", body: `{"items":["a1","a1"]}`, status: 400, field: "items"}}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/volunteers", actor: "mia", body: `{"role":"note_taker","withdraw":false}`,
			fields: []fld{{name: "role", kind: kEnum, req: true}, {name: "withdraw", kind: kBool}}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/rsvp", actor: "mia", body: `{"answer":"maybe"}`, fields: []fld{{name: "answer", kind: kEnum, req: true}}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/attendance", actor: "olga", body: `{"member_ids":["{mia}","{olga}"]}`, fields: []fld{{name: "member_ids", kind: kStrings}},
			extra: []badCase{{name: "a member records attendance", actor: "mia", status: 403}}},
		{method: "POST", path: "/api/v1/meetings/{mt1}/minutes", actor: "olga", body: `{"minutes":"We met.","decisions":[{"text":"Adopt dark mode","poll_id":"{po2}"}]}`,
			fields: []fld{text("minutes", false), {name: "decisions", kind: kObject}},
			extra: []badCase{{name: "a member writes the minutes", actor: "mia", status: 403},
				{name: "a decision linking an unknown poll", body: `{"minutes":"x","decisions":[{"text":"y","poll_id":"po999999"}]}`, status: 400, field: "decisions"}}},
		{method: "POST", path: "/api/v1/activity/rules", actor: "bea", body: `{"class":"ops","hours":"40","compensation":"contribution","attendance":"0.5"}`,
			fields: []fld{{name: "class", kind: kEnum, req: true}, {name: "hours", kind: kDecimal}, {name: "compensation", kind: kEnum}, {name: "attendance", kind: kDecimal}},
			extra:  []badCase{{name: "a member sets a rule", actor: "mia", status: 403}}},
	}
}

// wrongTypes are values of the wrong JSON type for each kind.
func wrongTypes(k kind) []string {
	switch k {
	case kText, kID, kEnum, kDate, kMonth, kTime:
		return []string{`42`, `true`, `[]`, `{}`}
	case kDecimal:
		return []string{`true`, `[]`, `{}`, `"abc"`, `"1e999999999"`}
	case kInt:
		return []string{`"3"`, `true`, `1.5`, `[]`, `99999999999999999999`}
	case kStrings:
		return []string{`"x"`, `42`, `{}`, `[1]`, `[["x"]]`}
	case kInts:
		return []string{`"x"`, `[1.5]`, `["0"]`, `{}`}
	case kBool:
		return []string{`"yes"`, `1`, `[]`}
	case kObject:
		return []string{`"x"`, `42`, `true`}
	}
	return nil
}

// badValues are values of the right type that no field of the kind takes.
func badValues(f fld) []string {
	hugeText := `"` + strings.Repeat("x", huge) + `"`
	var out []string
	switch f.kind {
	case kText, kID, kEnum:
		out = append(out, hugeText, `"a\u0000b"`, "\"a\xffb\"")
		if f.kind != kText {
			out = append(out, `"zz999999"`)
		}
	case kDate:
		out = append(out, `"bogus"`, `"2024-02-30"`, `"10000-01-01"`, `"a\u0000b"`, hugeText)
	case kMonth:
		out = append(out, `"bogus"`, `"2024-13"`, `"a\u0000b"`, hugeText)
	case kTime:
		out = append(out, `"bogus"`, `"2024-07-01"`, hugeText)
	case kDecimal:
		out = append(out, `1e308`, `99999999999999999999`, `"1e308"`)
		if !f.neg {
			out = append(out, `-1`, `"-0.5"`)
		}
	case kInt:
		out = append(out, `99999999999`)
		if !f.neg {
			out = append(out, `-1`)
		}
	case kStrings:
		out = append(out, `[`+hugeText+`]`, `["a\u0000b"]`, "[\"a\xffb\"]")
	case kInts:
		out = append(out, `[-1]`, `[999999999]`)
	}
	return out
}

// caseBody replaces one field's value in a body (drop when value is "").
func caseBody(t *testing.T, body, field, value string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("endpoint body %s: %v", body, err)
	}
	keys := []string{}
	for k := range m {
		if k != field {
			keys = append(keys, k)
		}
	}
	if value != "" {
		keys = append(keys, field)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		v := string(m[k])
		if k == field {
			v = value
		}
		fmt.Fprintf(&b, "%q:%s", k, v)
	}
	b.WriteString("}")
	return b.String()
}

// malformed are bodies that are not a JSON object of the endpoint's fields;
// the error names "body" except for an unknown field, which it names.
var malformed = []struct{ name, body, field string }{
	{"truncated JSON", `{"a":`, "body"},
	{"a JSON array", `[{"a":1}]`, "body"},
	{"a JSON string", `"hello"`, "body"},
	{"JSON null", `null`, "body"},
	{"two objects", `{}{}`, "body"},
	{"a raw NUL byte", "{\"a\x00\":1}", "body"},
	{"invalid UTF-8 outside strings", "{\xff}", "body"},
	{"an unknown field", `{"sneaky":1}`, "sneaky"},
}

func TestAPI_BadInput(t *testing.T) {
	total := 0
	base := newFixture(t)
	seedBadInput(t, base)
	for _, ep := range writeEndpoints() {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			cases := badCases(t, ep)
			total += len(cases)
			f := base.clone(t)
			sub := func(s string) string {
				for k, v := range f.ids {
					s = strings.ReplaceAll(s, "{"+k+"}", v)
				}
				return s
			}
			before := storetest.Snapshot(t, f.db)
			for _, bc := range cases {
				status, body := f.do(t, ep.method, sub(bc.path), bc.actor, sub(bc.body))
				checkRefusal(t, bc, status, body)
				if after := storetest.Snapshot(t, f.db); after != before {
					t.Errorf("%s: a refused request changed the store", bc.name)
					before = after
				}
			}
			if t.Failed() {
				return
			}
			// The valid body is accepted: each refusal above was its
			// mutation's doing, not the rest of the body's.
			body := ""
			if !ep.noBody {
				body = sub(ep.body)
			}
			if status, resp := f.do(t, ep.method, sub(ep.path), ep.actor, body); status >= 300 {
				t.Errorf("the valid request: status %d: %s", status, resp)
			}
		})
	}
	if total < 200 {
		t.Errorf("only %d bad-input cases; the suite promises at least 200", total)
	}
	t.Logf("%d bad-input cases", total)
}

// badCases generates an endpoint's cases.
func badCases(t *testing.T, ep endpoint) []badCase {
	var out []badCase
	add := func(name, body string, status int, field string) {
		out = append(out, badCase{name: name, actor: ep.actor, path: ep.path, body: body, status: status, field: field})
	}
	if strings.Contains(ep.path, "/{") || strings.Contains(ep.path, "/e0000") {
		p := ep.path
		for _, seg := range strings.Split(ep.path, "/") {
			if strings.HasPrefix(seg, "{") || strings.HasPrefix(seg, "e0000") {
				p = strings.Replace(p, seg, "zz999999", 1)
				break
			}
		}
		out = append(out, badCase{name: "an unknown id", actor: ep.actor, path: p, body: ep.body, status: 404})
	}
	out = append(out, badCase{name: "anonymous", path: ep.path, body: ep.body, status: 401})
	for _, x := range ep.extra {
		if x.actor == "" {
			x.actor = ep.actor
		}
		if x.path == "" {
			x.path = ep.path
		}
		if x.body == "" && !ep.noBody {
			x.body = ep.body
		}
		out = append(out, x)
	}
	if ep.noBody {
		return out
	}
	if !ep.optional {
		add("an empty body", "", 400, "body")
	}
	for _, m := range malformed {
		add(m.name, m.body, 400, m.field)
	}
	for _, f := range ep.fields {
		if f.req {
			add(f.name+" missing", caseBody(t, ep.body, f.name, ""), 400, f.name)
			add(f.name+" null", caseBody(t, ep.body, f.name, "null"), 400, f.name)
		}
		for _, v := range wrongTypes(f.kind) {
			add(f.name+" = "+v, caseBody(t, ep.body, f.name, v), 400, f.name)
		}
		for _, v := range badValues(f) {
			if f.self && !strings.Contains(v, "\xff") {
				add(f.name+" = "+trunc(v), caseBody(t, ep.body, f.name, v), 403, "")
				continue
			}
			add(f.name+" = "+trunc(v), caseBody(t, ep.body, f.name, v), 400, f.name)
		}
	}
	return out
}

func trunc(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%.12s…(%d bytes)", s, len(s))
	}
	return s
}

// checkRefusal checks the status, the error shape and the named field.
func checkRefusal(t *testing.T, bc badCase, status int, body string) {
	t.Helper()
	if status != bc.status {
		t.Errorf("%s: status %d, want %d; body %.300s", bc.name, status, bc.status, body)
		return
	}
	var eb ui.ErrorBody
	if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Errorf("%s: error body not in the documented shape: %.300s", bc.name, body)
		return
	}
	if bc.field == "" {
		return
	}
	for k := range eb.Error.Fields {
		if k == bc.field || strings.HasPrefix(k, bc.field+"[") || strings.HasPrefix(k, bc.field+".") {
			return
		}
	}
	t.Errorf("%s: error does not name field %q: %.300s", bc.name, bc.field, body)
}

// clone copies f's store into a new file in t.TempDir() and serves it
// with a new app: the same personas, tokens and ids, at the cost of a
// file copy rather than a fresh seed.
func (f *fixture) clone(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "coopledger.db")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Backup(out); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	c := &fixture{db: storetest.OpenPath(t, path, func() time.Time { return fixtureNow }), tokens: f.tokens, ids: maps.Clone(f.ids)}
	if c.app, err = ui.New(ui.Config{DB: c.db}); err != nil {
		t.Fatal(err)
	}
	return c
}

// seedBadInput gives every write endpoint a record to act on, besides
// the fixture's entries: requests r1 and r2 (seedRequests), 100.00 in the
// bounty fund with b1 proposed (seedBounties), b2 open, b3 submitted and
// b4 claimed by mia, b5 proposed for more than the fund; polls po1 and po2
// (seedPoll's), po3 closed; meeting mt1 with agenda item a1; income t1;
// olga's opening debt of 500.00; and a draft close of May 2024.
func seedBadInput(t *testing.T, f *fixture) {
	t.Helper()
	seedBounties(t, f)
	for i, key := range []string{"b2", "b3", "b4"} {
		f.seed(t, "olga", "POST", "/api/v1/bounties", fmt.Sprintf(`{"request_id":"{r2}","title":"Part %d","amount":"10","criteria":["done"]}`, i), key)
		f.seed(t, "bea", "POST", "/api/v1/bounties/{"+key+"}/approve", "", "")
	}
	f.seed(t, "olga", "POST", "/api/v1/bounties", `{"request_id":"{r2}","title":"Too dear","amount":"500","criteria":["done"]}`, "b5")
	f.seed(t, "mia", "POST", "/api/v1/bounties/{b3}/claim", "", "")
	f.seed(t, "mia", "POST", "/api/v1/bounties/{b3}/submit", `{"note":"PR 9","done":[0]}`, "")
	f.seed(t, "mia", "POST", "/api/v1/bounties/{b4}/claim", "", "")
	f.seed(t, "mia", "POST", "/api/v1/polls", `{"title":"Next big thing","kind":"ranked","options":["Dark mode","CSV","API"],"closes_at":"2024-06-22T12:00:00Z","electorate":{"classes":["ops"]}}`, "po1")
	f.seed(t, "mia", "POST", "/api/v1/polls", `{"title":"Adopt the budget","kind":"yes_no","quorum":"0.5","threshold":"0.5","closes_at":"2024-06-22T12:00:00Z"}`, "po2")
	f.seed(t, "mia", "POST", "/api/v1/polls", `{"title":"Done already","kind":"consent","closes_at":"2024-06-22T12:00:00Z"}`, "po3")
	f.seed(t, "mia", "POST", "/api/v1/polls/{po3}/close", "", "")
	f.seed(t, "bea", "POST", "/api/v1/meetings", `{"date":"2024-06-15","time":"18:30","place":"Jitsi"}`, "mt1")
	f.seed(t, "mia", "POST", "/api/v1/meetings/{mt1}/agenda", `{"text":"Budget"}`, "")
	f.seed(t, "bea", "POST", "/api/v1/policies", `{"from":"2024-01","bounty_share":"0.1","payback_share":"0.5"}`, "")
	f.seed(t, "bea", "POST", "/api/v1/income", `{"month":"2024-05","amount":"1167.00"}`, "t1")
	f.seed(t, "ada", "POST", "/api/v1/opening-balances", `{"member_id":"{olga}","as_of":"2023-12-31","deferred":"500"}`, "")
	f.seed(t, "bea", "POST", "/api/v1/closes/2024-05", "", "")
}

// An oversized body is refused with 413 before any handler reads it, on
// a write endpoint other than TestAPI_BodyTooLarge's, and writes nothing.
func TestAPI_BadInput_BodyOverLimit(t *testing.T) {
	f := newFixture(t)
	seedRequests(t, f)
	before := storetest.Snapshot(t, f.db)
	status, body := announceBody(t, f.app, "POST /api/v1/requests/"+f.ids["r1"]+"/comments HTTP/1.1\r\nAuthorization: Bearer "+f.tokens["mia"]+
		"\r\nContent-Type: application/json", 1<<20+1)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"code":"too_large"`) {
		t.Fatalf("status %d, want 413 in the error shape: %.200s", status, body)
	}
	if storetest.Snapshot(t, f.db) != before {
		t.Error("an oversized request changed the store")
	}
}
