package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

func ssoID(email string, verified bool, groups ...string) store.SSOIdentity {
	return store.SSOIdentity{Issuer: "https://id.example.org", Subject: "sub-" + email, Email: email,
		EmailVerified: verified, Name: "From SSO", Groups: groups}
}

func TestSignInSSO_LinksByAnyAddress(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.alice.ID, ledger.MemberInput{Emails: &[]string{"alice@coop.example"}}); err != nil {
		t.Fatal(err)
	}
	p := store.SSOPolicy{TTL: time.Hour}
	for _, email := range []string{"alice@example.org", "Alice@Coop.Example"} {
		in, err := c.db.SignInSSO(ssoID(email, true), p)
		if err != nil || in.Member.ID != c.alice.ID || in.Created || in.Session.Via != store.ViaSSO || in.Session.ReadOnly {
			t.Fatalf("sign in as %s = %+v, %v", email, in, err)
		}
		if _, m, err := c.db.ResumeSession(in.Token, time.Hour); err != nil || m.ID != c.alice.ID {
			t.Fatalf("session of %s = %s, %v", email, m.ID, err)
		}
		// Without a group map the name and roles stay the store's.
		if in.Member.Name != "Alice" || !reflect.DeepEqual(in.Member.Roles, c.alice.Roles) {
			t.Errorf("member changed at sign-in: %+v", in.Member)
		}
	}
}

func TestSignInSSO_Refusals(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Left: s("2024-06-01")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   store.SSOIdentity
		p    store.SSOPolicy
		want error
	}{
		{"unverified address", ssoID("alice@example.org", false), store.SSOPolicy{CreateMembers: true}, store.ErrEmailUnverified},
		{"no address", ssoID("", true), store.SSOPolicy{CreateMembers: true}, store.ErrEmailUnverified},
		{"unknown address", ssoID("carol@example.org", true), store.SSOPolicy{}, store.ErrNoMember},
		{"member who left", ssoID("bob@example.org", true), store.SSOPolicy{}, store.ErrMemberInactive},
		{"unusable address to create", ssoID("carol <carol@example.org>", true), store.SSOPolicy{CreateMembers: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.TTL = time.Hour
			err := refused(t, c.db, func() error { _, err := c.db.SignInSSO(tc.id, tc.p); return err })
			if tc.want != nil {
				wantIs(t, err, tc.want)
				wantIs(t, err, ledger.ErrForbidden)
			}
		})
	}
}

func TestSignInSSO_ReadOnlyForMemberWhoLeft(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Left: s("2024-06-01")}); err != nil {
		t.Fatal(err)
	}
	g, _ := ledger.ParseGroupMap("coop-board=board")
	in, err := c.db.SignInSSO(ssoID("bob@example.org", true, "coop-board"),
		store.SSOPolicy{TTL: time.Hour, InactiveReadOnly: true, GroupMap: g})
	if err != nil || !in.Session.ReadOnly || in.Member.ID != c.bob.ID {
		t.Fatalf("sign-in = %+v, %v; want a read-only session", in, err)
	}
	if in.Member.HasRole(ledger.RoleBoard) {
		t.Error("groups changed the roles of a member who left")
	}
}

func TestSignInSSO_CreatesMember(t *testing.T) {
	c := newCoop(t)
	g, _ := ledger.ParseGroupMap("coop-board=board,coop-ops=ops,coop-ops=class:ops")
	p := store.SSOPolicy{TTL: time.Hour, CreateMembers: true, GroupMap: g}
	in, err := c.db.SignInSSO(ssoID("carol@example.org", true, "coop-ops"), p)
	if err != nil || !in.Created {
		t.Fatalf("sign-in = %+v, %v", in, err)
	}
	m := in.Member
	if m.Name != "From SSO" || m.Email != "carol@example.org" || m.Joined != "2024-06-15" ||
		!reflect.DeepEqual(m.Roles, []ledger.Role{ledger.RoleOps}) || !reflect.DeepEqual(m.Classes, []ledger.Class{ledger.ClassOps}) {
		t.Errorf("created %+v", m)
	}
	plain, err := c.db.SignInSSO(ssoID("dan@example.org", true, "unmapped"), p)
	if err != nil || !reflect.DeepEqual(plain.Member.Roles, []ledger.Role{ledger.RoleMember}) ||
		!reflect.DeepEqual(plain.Member.Classes, []ledger.Class{ledger.ClassUser}) {
		t.Errorf("created without mapped groups: %+v, %v; want role member, class user", plain.Member, err)
	}
	again, err := c.db.SignInSSO(ssoID("carol@example.org", true, "coop-ops"), p)
	if err != nil || again.Created || again.Member.ID != m.ID {
		t.Errorf("second sign-in = %+v, %v; want the same member", again, err)
	}
}

func TestSignInSSO_SyncsMappedRolesAndAudits(t *testing.T) {
	c := newCoop(t)
	g, _ := ledger.ParseGroupMap("coop-board=board,coop-ops=ops,coop-ops=class:ops")
	p := store.SSOPolicy{TTL: time.Hour, GroupMap: g}
	// Ada is admin by hand: the map never names admin, so it stays.
	in, err := c.db.SignInSSO(ssoID("ada@example.org", true, "coop-board"), p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ledger.Role{ledger.RoleAdmin, ledger.RoleBoard}; !reflect.DeepEqual(in.Member.Roles, want) {
		t.Errorf("roles = %v, want %v", in.Member.Roles, want)
	}
	// Alice (ops, class ops) is in no mapped group any more.
	in, err = c.db.SignInSSO(ssoID("alice@example.org", true), p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Member.Roles, []ledger.Role{ledger.RoleMember}) || len(in.Member.Classes) != 0 {
		t.Errorf("alice after leaving coop-ops: %v %v", in.Member.Roles, in.Member.Classes)
	}
	var updates []store.AuditEvent
	for _, e := range storetest.AuditEvents(t, c.db) {
		if e.Action == "member.update" && e.Actor == "sso" {
			updates = append(updates, e)
		}
	}
	if len(updates) != 2 || updates[0].Subject != c.ada.ID || updates[1].Subject != c.alice.ID {
		t.Errorf("audited sso updates = %+v", updates)
	}
	// In sync already: the sign-in writes its session and nothing else.
	before := len(storetest.AuditEvents(t, c.db))
	if _, err := c.db.SignInSSO(ssoID("alice@example.org", true), p); err != nil {
		t.Fatal(err)
	}
	if n := len(storetest.AuditEvents(t, c.db)) - before; n != 1 {
		t.Errorf("a sign-in in sync wrote %d audit events, want 1 (session.create)", n)
	}
}
