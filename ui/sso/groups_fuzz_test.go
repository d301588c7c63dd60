package sso

import (
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzGroups feeds any ID-token claims and claim name to the groups
// reader: it never panics, answers the same twice, and every group it
// returns is text of the claims (valid UTF-8, as encoding/json decodes it).
func FuzzGroups(f *testing.F) {
	for _, s := range []struct{ claims, name string }{
		{`{"groups":["coop-ops","coop-board"]}`, "groups"},
		{`{"groups":"coop-ops"}`, "groups"},
		{`{"groups":{"coop-ops":true,"b":1}}`, "groups"},
		{`{"realm_access":{"roles":["ops"]}}`, "realm_access.roles"},
		{`{"a.b":["x"],"a":{"b":["y"]}}`, "a.b"},
		{`{"groups":[1,null,"x",["y"]]}`, "groups"},
		{`{"groups":null}`, "groups"},
		{`{"a":{"b":{"c":"d"}}}`, "a.b.c.d"},
		{`{"":[""]}`, ""},
		{`{"a":"b"}`, "."},
	} {
		f.Add([]byte(s.claims), s.name)
	}
	f.Fuzz(func(t *testing.T, body []byte, name string) {
		var claims map[string]json.RawMessage
		if json.Unmarshal(body, &claims) != nil {
			return
		}
		got := groups(claims, name)
		if again := groups(claims, name); !slices.Equal(got, again) {
			t.Fatalf("groups(%s, %q) = %q, then %q", body, name, got, again)
		}
		for _, g := range got {
			if !utf8.ValidString(g) {
				t.Fatalf("groups(%s, %q) returned %q, not UTF-8", body, name, g)
			}
		}
	})
}
