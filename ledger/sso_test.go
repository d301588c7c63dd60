package ledger_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ledger"
)

func TestParseGroupMap(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{in: ""},
		{in: "coop-board=board, coop-ops=ops ,coop-ops=class:ops,"},
		{in: "coop-admins=admin,coop-admins=admin"},
		{in: "coop-board", err: "want group=role"},
		{in: "=board", err: "want group=role"},
		{in: "coop-board=", err: "want group=role"},
		{in: "coop-board=chair", err: `unknown role "chair"`},
		{in: "coop-ops=class:staff", err: `unknown class "staff"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ledger.ParseGroupMap(tc.in)
			if tc.err == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want one saying %q", err, tc.err)
			}
		})
	}
}

func TestGroupMap_Sync(t *testing.T) {
	g, err := ledger.ParseGroupMap("coop-board=board,coop-ops=ops,coop-ops=class:ops,coop-users=class:user")
	if err != nil {
		t.Fatal(err)
	}
	R := func(rs ...ledger.Role) []ledger.Role { return rs }
	C := func(cs ...ledger.Class) []ledger.Class {
		if cs == nil {
			return []ledger.Class{}
		}
		return cs
	}
	tests := []struct {
		name      string
		roles     []ledger.Role
		classes   []ledger.Class
		groups    []string
		wantRoles []ledger.Role
		wantClass []ledger.Class
		changed   bool
	}{
		{"joins ops", R(ledger.RoleMember), C(ledger.ClassUser), []string{"coop-ops", "coop-users"},
			R(ledger.RoleMember, ledger.RoleOps), C(ledger.ClassOps, ledger.ClassUser), true},
		{"already in sync", R(ledger.RoleMember, ledger.RoleOps), C(ledger.ClassOps), []string{"coop-ops", "unmapped"},
			R(ledger.RoleMember, ledger.RoleOps), C(ledger.ClassOps), false},
		{"leaves the board, keeps admin given by hand", R(ledger.RoleAdmin, ledger.RoleBoard), C(ledger.ClassCollaborator), nil,
			R(ledger.RoleAdmin), C(ledger.ClassCollaborator), true},
		{"no groups, nothing but member left", R(ledger.RoleOps), C(ledger.ClassOps), []string{},
			R(ledger.RoleMember), C(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := ledger.Member{ID: "m1", Roles: tc.roles, Classes: tc.classes}
			roles, classes, changed := g.Sync(m, tc.groups)
			if !reflect.DeepEqual(roles, tc.wantRoles) || !reflect.DeepEqual(classes, tc.wantClass) || changed != tc.changed {
				t.Errorf("Sync = %v %v %v, want %v %v %v", roles, classes, changed, tc.wantRoles, tc.wantClass, tc.changed)
			}
		})
	}
}

func ExampleGroupMap_Grant() {
	g, _ := ledger.ParseGroupMap("coop-board=board,coop-ops=ops,coop-ops=class:ops")
	fmt.Println(g.Grant([]string{"coop-ops", "coop-board", "everyone"}))
	// Output: [board ops] [ops]
}
