package sso

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestGroups_ClaimShapes(t *testing.T) {
	raw := func(s string) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name, claims, claim string
		want                []string
	}{
		{"list", `{"groups":["coop-ops","coop-board",7]}`, "groups", []string{"coop-ops", "coop-board"}},
		{"one name", `{"groups":"coop-ops"}`, "groups", []string{"coop-ops"}},
		{"object keys (Zitadel roles)", `{"urn:zitadel:iam:org:project:roles":{"ops":{"1":"x"},"board":{}}}`,
			"urn:zitadel:iam:org:project:roles", []string{"board", "ops"}},
		{"dotted path (Keycloak realm roles)", `{"realm_access":{"roles":["coop-board"]}}`, "realm_access.roles", []string{"coop-board"}},
		{"absent", `{"email":"a@example.org"}`, "groups", nil},
		{"dotted path, absent", `{"realm_access":{"other":1}}`, "realm_access.roles", nil},
		{"not names", `{"groups":{"x":1}, "n": 3}`, "n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := groups(raw(tc.claims), tc.claim); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("groups = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestNew_RefusesIncompleteConfig(t *testing.T) {
	ok := Config{Issuer: "https://id.example.org/realms/coop", ClientID: "c", RedirectURL: "https://books.example.org/auth/oidc/callback"}
	if _, err := New(ok); err != nil {
		t.Fatalf("New(%+v) = %v", ok, err)
	}
	for _, change := range []func(*Config){
		func(c *Config) { c.Issuer = "" },
		func(c *Config) { c.Issuer = "id.example.org" },
		func(c *Config) { c.ClientID = "" },
		func(c *Config) { c.RedirectURL = "/auth/oidc/callback" },
	} {
		c := ok
		change(&c)
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestPending_UsedOnceAndExpires(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	p := NewPending(func() time.Time { return now })
	f := NewFlow()
	p.Put(f, "/statement")
	got, next, ok := p.Take(f.State)
	if !ok || got != f || next != "/statement" {
		t.Fatalf("Take = %+v %q %v", got, next, ok)
	}
	if _, _, ok := p.Take(f.State); ok {
		t.Fatal("a state worked twice")
	}
	g := NewFlow()
	p.Put(g, "/")
	now = now.Add(FlowTTL)
	if _, _, ok := p.Take(g.State); ok {
		t.Fatal("an expired state worked")
	}
}
