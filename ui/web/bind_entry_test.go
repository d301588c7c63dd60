package web

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/coopledger/coopledger/ledger"
)

// bindReflect is BindJSON without the time-entry fast path.
func bindReflect(body []byte, dst *ledger.TimeEntryInput) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return BindJSON(body, dst)
	}
	return bindGeneral(body, dst)
}

var entryBodies = []string{
	`{"date":"2024-06-14","minutes":90,"circle_id":"c000001","task":"docs","note":"n"}`,
	`{"date":"2024-06-14","hours":"2.5","circle_id":"c000001"}`,
	`{"date":"2024-06-14","hours":2.5,"circle_id":"c000001","submit":true}`,
	`{"hours":1e3}`, `{"hours":-0.5E-2}`, `{"hours":"x"}`, `{"hours":null}`, `{"hours":"1e999999999"}`,
	`{"minutes":-0}`, `{"minutes":01}`, `{"minutes":1.0}`, `{"minutes":1e2}`, `{"minutes":99999999999999999999}`,
	`{"minutes":"5"}`, `{"minutes":null}`, `{"submit":false}`, `{"submit":1}`, `{"submit":truex}`,
	`{"compensation":"volunteer"}`, `{"compensation":"bogus"}`, `{"compensation":null}`, `{"compensation":1}`,
	`{}`, ` { } `, `{"date":"a","date":"b"}`, `{"Date":"2024-06-14"}`, `{"bogus":1}`, `{"date":"a\u00e9"}`,
	`{"task":"caf\u00e9 ☕"}`, "{\"task\":\"\xff\"}", "{\"task\":\"a\tb\"}", `{"task":"a\"b"}`, `{"task":123}`,
	`{"member_id":"m000002","corrects":"te000001"}`, `{"date":"2024-06-14",}`, `{"date":"2024-06-14"} x`,
	`{"date":"2024-06-14"}{}`, `[]`, `null`, `"x"`, `{`, `{"date"}`, `{"date":}`, `{"date" : "d" , "note" : "" }`,
	`{"note":{"a":1}}`, `{"note":["a"]}`, `{"a\u0000":1}`, "{\"date\":\"d\"}\v",
}

// TestBindTimeEntryMatchesGeneral: the fast path gives what the general
// decoder gives, or leaves the body to it.
func TestBindTimeEntryMatchesGeneral(t *testing.T) {
	for _, body := range entryBodies {
		checkSameBinding(t, []byte(body))
	}
}

func FuzzBindTimeEntry(f *testing.F) {
	for _, body := range entryBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkSameBinding(t, body) })
}

func checkSameBinding(t *testing.T, body []byte) {
	t.Helper()
	var fast, slow ledger.TimeEntryInput
	errFast := BindJSON(body, &fast)
	errSlow := bindReflect(body, &slow)
	if !reflect.DeepEqual(errFast, errSlow) {
		t.Fatalf("%q: error %v, general decoder %v", body, errFast, errSlow)
	}
	if errFast == nil && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: bound %+v, general decoder %+v", body, fast, slow)
	}
}

// TestBindTimeEntryTakesPlainBodies: what clients usually send does not
// fall back to the general decoder.
func TestBindTimeEntryTakesPlainBodies(t *testing.T) {
	for _, body := range entryBodies[:5] {
		var in ledger.TimeEntryInput
		if !bindTimeEntry([]byte(body), &in) {
			t.Errorf("%s: left to the general decoder", body)
		}
	}
}
