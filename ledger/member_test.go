package ledger

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func str(s string) *string { return &s }

func TestMemberInput_Apply_Create(t *testing.T) {
	tests := []struct {
		name   string
		in     MemberInput
		fields []string // refused fields; none when valid
	}{
		{name: "name and email", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org")}},
		{name: "missing name", in: MemberInput{Email: str("alice@example.org")}, fields: []string{"name"}},
		{name: "blank name", in: MemberInput{Name: str("   "), Email: str("alice@example.org")}, fields: []string{"name"}},
		{name: "name with NUL", in: MemberInput{Name: str("Al\x00ice"), Email: str("alice@example.org")}, fields: []string{"name"}},
		{name: "name of 201 characters", in: MemberInput{Name: str(strings.Repeat("a", 201)), Email: str("alice@example.org")}, fields: []string{"name"}},
		{name: "missing email", in: MemberInput{Name: str("Alice")}, fields: []string{"email"}},
		{name: "email without @", in: MemberInput{Name: str("Alice"), Email: str("alice.example.org")}, fields: []string{"email"}},
		{name: "email with display name", in: MemberInput{Name: str("Alice"), Email: str("Alice <alice@example.org>")}, fields: []string{"email"}},
		{name: "email with a space", in: MemberInput{Name: str("Alice"), Email: str("alice smith@example.org")}, fields: []string{"email"}},
		{name: "email too long", in: MemberInput{Name: str("Alice"), Email: str(strings.Repeat("a", 250) + "@x.org")}, fields: []string{"email"}},
		{name: "bad second address", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Emails: &[]string{"al@example.net", "nope"}}, fields: []string{"emails[1]"}},
		{name: "eleven other addresses", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Emails: &[]string{"a1@x.org", "a2@x.org", "a3@x.org", "a4@x.org", "a5@x.org", "a6@x.org", "a7@x.org", "a8@x.org", "a9@x.org", "a10@x.org", "a11@x.org"}},
			fields: []string{"emails"}},
		{name: "primary repeated in other addresses, other case", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Emails: &[]string{"ALICE@Example.org"}}, fields: []string{"emails"}},
		{name: "other address listed twice", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Emails: &[]string{"al@example.net", "Al@Example.NET"}}, fields: []string{"emails"}},
		{name: "left before joined", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Joined: str("2022-03-01"), Left: str("2022-02-28")}, fields: []string{"left"}},
		{name: "left on the day joined", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Joined: str("2022-03-01"), Left: str("2022-03-01")}},
		{name: "bad joined date", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Joined: str("01/03/2022")}, fields: []string{"joined"}},
		{name: "bad left date", in: MemberInput{Name: str("Alice"), Email: str("alice@example.org"),
			Left: str("2022-02-30")}, fields: []string{"left"}},
		{name: "every problem at once", in: MemberInput{Name: str(""), Email: str("x"), Joined: str("soon")},
			fields: []string{"name", "email", "joined"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Member{Joined: "2024-06-15"}
			err := tc.in.Apply(&m, true)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				return
			}
			wantFields(t, err, tc.fields...)
		})
	}
}

func TestMemberInput_Apply_TrimsAndDefaults(t *testing.T) {
	m := Member{Joined: "2024-06-15"}
	in := MemberInput{Name: str("  Alice Smith "), Email: str(" Alice@Example.org "),
		Emails: &[]string{" al@example.net"}, Roles: &[]Role{RoleOps, RoleBoard, RoleOps},
		Classes: &[]Class{ClassOps, ClassUser, ClassOps}}
	if err := in.Apply(&m, true); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := Member{Name: "Alice Smith", Email: "Alice@Example.org", Emails: []string{"al@example.net"},
		Roles: []Role{RoleBoard, RoleOps}, Classes: []Class{ClassOps, ClassUser}, Circles: []string{},
		Joined: "2024-06-15"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("member = %+v\nwant     %+v", m, want)
	}

	bare := Member{}
	if err := (MemberInput{Name: str("Bo"), Email: str("bo@example.org")}).Apply(&bare, true); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !reflect.DeepEqual(bare.Roles, []Role{RoleMember}) {
		t.Errorf("default roles = %v, want [member]", bare.Roles)
	}
	if bare.Emails == nil || bare.Classes == nil || bare.Circles == nil {
		t.Errorf("lists must be empty, not nil (they encode as [] in JSON): %+v", bare)
	}
}

func TestMemberInput_Apply_Patch(t *testing.T) {
	base := Member{ID: "m000001", Name: "Alice", Email: "alice@example.org", Emails: []string{},
		Roles: []Role{RoleOps}, Classes: []Class{ClassOps}, Circles: []string{"c000001"}, Joined: "2021-01-01"}
	tests := []struct {
		name   string
		in     MemberInput
		want   func(m *Member)
		fields []string
	}{
		{name: "nothing sent changes nothing", in: MemberInput{}, want: func(*Member) {}},
		{name: "only the name", in: MemberInput{Name: str(" Alicia ")}, want: func(m *Member) { m.Name = "Alicia" }},
		{name: "name cleared", in: MemberInput{Name: str("")}, fields: []string{"name"}},
		{name: "email cleared", in: MemberInput{Email: str("")}, fields: []string{"email"}},
		{name: "joined cleared", in: MemberInput{Joined: str(" ")}, fields: []string{"joined"}},
		{name: "left set", in: MemberInput{Left: str("2023-12-31")}, want: func(m *Member) { m.Left = "2023-12-31" }},
		{name: "left before joined", in: MemberInput{Left: str("2020-12-31")}, fields: []string{"left"}},
		{name: "joined moved after left", in: MemberInput{Joined: str("2024-01-01"), Left: str("2023-12-31")}, fields: []string{"left"}},
		{name: "roles emptied falls back to member", in: MemberInput{Roles: &[]Role{}}, want: func(m *Member) { m.Roles = []Role{RoleMember} }},
		{name: "other address equal to primary", in: MemberInput{Emails: &[]string{"ALICE@example.org"}}, fields: []string{"emails"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.Emails = append([]string{}, base.Emails...)
			err := tc.in.Apply(&m, false)
			if len(tc.fields) > 0 {
				wantFields(t, err, tc.fields...)
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			want := base
			want.Emails = []string{}
			tc.want(&want)
			if !reflect.DeepEqual(m, want) {
				t.Errorf("member = %+v\nwant     %+v", m, want)
			}
		})
	}
}

func TestMemberInput_JSON_UnknownRoleOrClassRefused(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{body: `{"roles":["ops","board"],"classes":["user","collaborator"]}`, ok: true},
		{body: `{"roles":["superuser"]}`},
		{body: `{"roles":["Admin"]}`},
		{body: `{"roles":[""]}`},
		{body: `{"roles":[1]}`},
		{body: `{"classes":["investor"]}`},
		{body: `{"classes":["Ops"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			var in MemberInput
			err := json.Unmarshal([]byte(tc.body), &in)
			if tc.ok != (err == nil) {
				t.Fatalf("decode %s: err = %v, want ok=%v", tc.body, err, tc.ok)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for _, s := range []string{"member", "ops", "board", "admin"} {
		got, err := ParseRole(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseRole(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Member", "OPS", " board", "root", "treasurer"} {
		t.Run(s, func(t *testing.T) {
			if got, err := ParseRole(s); err == nil {
				t.Errorf("ParseRole(%q) = %q, want an error", s, got)
			}
			var r Role
			if err := json.Unmarshal([]byte(fmt.Sprintf("%q", s)), &r); err == nil {
				t.Errorf("decoding %q = %q, want an error", s, r)
			}
		})
	}
}

func TestParseClass(t *testing.T) {
	for _, s := range []string{"user", "ops", "collaborator"} {
		got, err := ParseClass(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseClass(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "User", "board", "admin", "member", "investor"} {
		t.Run(s, func(t *testing.T) {
			if got, err := ParseClass(s); err == nil {
				t.Errorf("ParseClass(%q) = %q, want an error", s, got)
			}
			var c Class
			if err := json.Unmarshal([]byte(fmt.Sprintf("%q", s)), &c); err == nil {
				t.Errorf("decoding %q = %q, want an error", s, c)
			}
		})
	}
}

func TestMember_Roles(t *testing.T) {
	tests := []struct {
		m                               Member
		member, reviewer, admin, seeAll bool
	}{
		{m: plain, member: true},
		{m: owner, member: true, reviewer: true, seeAll: true},
		{m: boardM, member: true, reviewer: true, seeAll: true},
		{m: admin, member: true, admin: true, seeAll: true},
		{m: System, admin: true, seeAll: true},
	}
	for _, tc := range tests {
		t.Run(tc.m.Name, func(t *testing.T) {
			got := [4]bool{tc.m.HasRole(RoleMember), tc.m.IsReviewer(), tc.m.IsAdmin(), tc.m.CanSeeAll()}
			want := [4]bool{tc.member, tc.reviewer, tc.admin, tc.seeAll}
			if got != want {
				t.Errorf("member, reviewer, admin, see all = %v, want %v", got, want)
			}
		})
	}
}

func TestMember_Active(t *testing.T) {
	m := Member{ID: "m000001", Joined: "2022-03-01", Left: "2023-12-31"}
	tests := []struct {
		date string
		want bool
	}{
		{"2022-02-28", false}, {"2022-03-01", true}, {"2023-06-30", true},
		{"2023-12-31", true}, {"2024-01-01", false},
	}
	for _, tc := range tests {
		if got := m.Active(tc.date); got != tc.want {
			t.Errorf("Active(%s) = %v, want %v", tc.date, got, tc.want)
		}
	}
	if !(Member{Joined: "2022-03-01"}).Active("2099-01-01") {
		t.Errorf("a member who has not left is active on any later date")
	}
}

func TestCircleInput_Validate(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{name: "trimmed", in: "  Tech ", want: "Tech", ok: true},
		{name: "empty", in: "  "},
		{name: "newline", in: "Tech\nOps"},
		{name: "NUL", in: "Te\x00ch"},
		{name: "81 characters", in: strings.Repeat("c", 81)},
		{name: "80 characters", in: strings.Repeat("c", 80), want: strings.Repeat("c", 80), ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := CircleInput{Name: tc.in}
			err := in.Validate()
			if !tc.ok {
				wantFields(t, err, "name")
				return
			}
			if err != nil || in.Name != tc.want {
				t.Errorf("Validate = %v, name %q; want nil, %q", err, in.Name, tc.want)
			}
		})
	}
}
