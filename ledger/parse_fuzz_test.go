package ledger

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseDateMonth feeds any text to ParseDate and ParseMonth: what they
// accept is the fixed-width form they print back, from 1900 to 9999, and
// a date's first seven characters are a month ParseMonth accepts too.
func FuzzParseDateMonth(f *testing.F) {
	for _, s := range []string{"2024-05-31", "2024-02-30", "2024-05", "1899-12-31", "9999-12", "10000-01-01",
		"2024-5-1", " 2024-05-31", "2024-05-31\x00", "2024-13", "0000-00", "２０２４-05", "+2024-05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate(s); err == nil {
			if got := d.Format(DateLayout); got != s {
				t.Fatalf("ParseDate(%q) accepted, prints back as %q", s, got)
			}
			if y := d.Year(); y < 1900 || y > 9999 {
				t.Fatalf("ParseDate(%q) accepted year %d", s, y)
			}
			if _, err := ParseMonth(MonthOf(s)); err != nil {
				t.Fatalf("date %q accepted but its month %q refused: %v", s, MonthOf(s), err)
			}
		}
		if m, err := ParseMonth(s); err == nil {
			if got := m.Format(MonthLayout); got != s {
				t.Fatalf("ParseMonth(%q) accepted, prints back as %q", s, got)
			}
			if _, err := ParseDate(s + "-01"); err != nil {
				t.Fatalf("month %q accepted but its first day refused: %v", s, err)
			}
		}
	})
}

// FuzzParseGroupMap feeds any --oidc-group-map text and any groups to the
// map: it never panics, and whatever it accepts grants only known roles
// and classes, sorted without repeats, and nothing for no groups.
func FuzzParseGroupMap(f *testing.F) {
	for _, s := range []string{"coop-board=board,coop-ops=ops,coop-ops=class:ops", "", " , ", "a=", "=ops", "a=class:", "a=class:king",
		"a=king", "a=admin,a=admin", "a=b=c", "a=class:class:ops", "x=member,y=class:user,x=class:collaborator"} {
		f.Add(s, "coop-ops,x")
	}
	f.Fuzz(func(t *testing.T, s, groups string) {
		g, err := ParseGroupMap(s)
		if err != nil {
			return
		}
		if rs, cs := g.Grant(nil); len(rs)+len(cs) != 0 {
			t.Fatalf("map %q grants %v %v for no groups", s, rs, cs)
		}
		rs, cs := g.Grant(strings.Split(groups, ","))
		for _, r := range rs {
			if _, err := ParseRole(string(r)); err != nil {
				t.Fatalf("map %q grants unknown role %q", s, r)
			}
		}
		for _, c := range cs {
			if _, err := ParseClass(string(c)); err != nil {
				t.Fatalf("map %q grants unknown class %q", s, c)
			}
		}
		if !slices.IsSorted(rs) || !slices.IsSorted(cs) || len(slices.Compact(slices.Clone(rs))) != len(rs) || len(slices.Compact(slices.Clone(cs))) != len(cs) {
			t.Fatalf("map %q grants %v %v: not sorted or repeated", s, rs, cs)
		}
	})
}
