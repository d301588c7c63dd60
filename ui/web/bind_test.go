package web

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
)

func TestBindJSON_NamesEveryBadField(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		fields []string
	}{
		{"empty body", ``, []string{"body"}},
		{"not an object", `[1]`, []string{"body"}},
		{"broken JSON", `{"date":`, []string{"body"}},
		{"null", `null`, []string{"body"}},
		{"unknown field", `{"dat":"2024-01-01"}`, []string{"dat"}},
		{"wrong type for a string", `{"date":5}`, []string{"date"}},
		{"wrong type for a decimal", `{"hours":true}`, []string{"hours"}},
		{"decimal text that is no number", `{"hours":"2,5h"}`, []string{"hours"}},
		{"wrong type for an integer", `{"minutes":"90"}`, []string{"minutes"}},
		{"fraction for an integer", `{"minutes":1.5}`, []string{"minutes"}},
		{"unknown enum", `{"compensation":"bonus"}`, []string{"compensation"}},
		{"several at once", `{"date":1,"hours":[],"x":0}`, []string{"date", "hours", "x"}},
		{"a field with no name", `{"":1}`, []string{`""`}},
		{"text that is not UTF-8", "{\"task\":\"a\xffb\",\"note\":\"ok\"}", []string{"task"}},
		{"not UTF-8 inside a list", "{\"date\":\"2024-01-01\",\"member_id\":[\"\xc3\"]}", []string{"member_id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in ledger.TimeEntryInput
			err := BindJSON([]byte(tc.body), &in)
			var ve *ledger.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a validation error", err)
			}
			for _, f := range tc.fields {
				if ve.Fields[f] == "" {
					t.Errorf("field %q not named in %v", f, ve.Fields)
				}
			}
			if len(ve.Fields) != len(tc.fields) {
				t.Errorf("fields %v, want exactly %v", ve.Fields, tc.fields)
			}
		})
	}
}

func TestBindJSON_AcceptsStringsAndNumbersForDecimals(t *testing.T) {
	for _, body := range []string{`{"hours":"2.5"}`, `{"hours":2.5}`, `{"hours":"2.50"}`} {
		var in ledger.TimeEntryInput
		if err := BindJSON([]byte(body), &in); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if in.Hours == nil || in.Hours.String() != "2.5" {
			t.Errorf("%s: hours %v, want 2.5", body, in.Hours)
		}
	}
}

// FuzzBindJSON feeds arbitrary bytes to the decoder behind every write
// endpoint: it must never panic, and a failure is always a validation
// error whose field names and messages are printable text.
func FuzzBindJSON(f *testing.F) {
	for _, seed := range []string{
		`{"date":"2024-06-14","hours":"2.5","circle_id":"c000001"}`,
		`{"hours":1e999999999}`, `{"minutes":-1}`, `{"roles":["admin"]}`, `[]`, `{`, "\x00", `{"a\u0000":1}`,
		`{"name":"\xff\xfe"}`, `{"emails":[1,2]}`, `{"classes":"ops"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&ledger.TimeEntryInput{}, &ledger.MemberInput{}, &ledger.CircleInput{}} {
			err := BindJSON(body, dst)
			if err == nil {
				continue
			}
			var ve *ledger.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("error %v is not a validation error naming a field", err)
			}
			for k, v := range ve.Fields {
				if v == "" || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("field %q has message %q", k, v)
				}
			}
		}
	})
}
