package ledger

import (
	"fmt"
	"slices"
	"strings"
)

// GroupMap turns the groups a single sign-on provider reports for a person
// into Coopledger roles and classes (serve --oidc-group-map). A group may
// grant several roles and classes; several groups may grant the same one.
//
// The roles and classes the map names are the ones it manages: on every
// sign-in a member's managed roles and classes are set to exactly those
// their groups grant, adding and removing. Roles and classes the map never
// names (an admin role given by hand, say) are left as they are.
type GroupMap struct {
	roles   map[string][]Role
	classes map[string][]Class
}

// ParseGroupMap reads "group=role" and "group=class:NAME" entries,
// comma-separated, e.g. "coop-board=board,coop-ops=ops,coop-ops=class:ops".
// An empty string is an empty map.
func ParseGroupMap(s string) (GroupMap, error) {
	g := GroupMap{roles: map[string][]Role{}, classes: map[string][]Class{}}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		group, target, ok := strings.Cut(entry, "=")
		group, target = strings.TrimSpace(group), strings.TrimSpace(target)
		if !ok || group == "" || target == "" {
			return GroupMap{}, fmt.Errorf("%q: want group=role or group=class:NAME", entry)
		}
		if name, isClass := strings.CutPrefix(target, "class:"); isClass {
			c, err := ParseClass(name)
			if err != nil {
				return GroupMap{}, fmt.Errorf("%q: %v", entry, err)
			}
			if !slices.Contains(g.classes[group], c) {
				g.classes[group] = append(g.classes[group], c)
			}
			continue
		}
		r, err := ParseRole(target)
		if err != nil {
			return GroupMap{}, fmt.Errorf("%q: %v (a class is written class:NAME)", entry, err)
		}
		if !slices.Contains(g.roles[group], r) {
			g.roles[group] = append(g.roles[group], r)
		}
	}
	return g, nil
}

// Empty reports whether the map has no entries: roles and classes are then
// never changed at sign-in.
func (g GroupMap) Empty() bool { return len(g.roles) == 0 && len(g.classes) == 0 }

// Grant returns the roles and classes groups grant, sorted and without
// repeats.
func (g GroupMap) Grant(groups []string) (roles []Role, classes []Class) {
	roles, classes = []Role{}, []Class{}
	for _, grp := range groups {
		roles = append(roles, g.roles[grp]...)
		classes = append(classes, g.classes[grp]...)
	}
	return UniqueSorted(roles), UniqueSorted(classes)
}

// Sync returns m's roles and classes after a sign-in with groups: the
// managed ones replaced by what groups grant, the others kept. changed is
// false when nothing differs, so an unchanged member is not rewritten.
func (g GroupMap) Sync(m Member, groups []string) (roles []Role, classes []Class, changed bool) {
	grantRoles, grantClasses := g.Grant(groups)
	managedRoles, managedClasses := map[Role]bool{}, map[Class]bool{}
	for _, rs := range g.roles {
		for _, r := range rs {
			managedRoles[r] = true
		}
	}
	for _, cs := range g.classes {
		for _, c := range cs {
			managedClasses[c] = true
		}
	}
	for _, r := range m.Roles {
		if !managedRoles[r] {
			grantRoles = append(grantRoles, r)
		}
	}
	for _, c := range m.Classes {
		if !managedClasses[c] {
			grantClasses = append(grantClasses, c)
		}
	}
	roles, classes = UniqueSorted(grantRoles), UniqueSorted(grantClasses)
	if len(roles) == 0 {
		roles = []Role{RoleMember}
	}
	have := UniqueSorted(slices.Clone(m.Roles))
	if len(have) == 0 {
		have = []Role{RoleMember}
	}
	changed = !slices.Equal(roles, have) || !slices.Equal(classes, UniqueSorted(slices.Clone(m.Classes)))
	return roles, classes, changed
}
