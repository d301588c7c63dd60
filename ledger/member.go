package ledger

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a member may do. Roles are ordered member < ops < board for
// the review and approval rules; admin stands beside them and manages the
// installation (members, circles, settings) without being a reviewer.
type Role string

// The roles DESIGN.md names.
const (
	RoleMember Role = "member"
	RoleOps    Role = "ops"
	RoleBoard  Role = "board"
	RoleAdmin  Role = "admin"
)

// Roles lists every valid role, in rank order.
var Roles = []Role{RoleMember, RoleOps, RoleBoard, RoleAdmin}

// ParseRole accepts only the known role names, so a typo never becomes a
// silent zero value.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want member, ops, board or admin)", s)
}

// UnmarshalJSON rejects unknown role names.
func (r *Role) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseRole(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Class is the stakeholder class a member belongs to, used for governance
// weights and activity commitments.
type Class string

// The member classes DESIGN.md names.
const (
	ClassUser         Class = "user"
	ClassOps          Class = "ops"
	ClassCollaborator Class = "collaborator"
)

// Classes lists every valid class.
var Classes = []Class{ClassUser, ClassOps, ClassCollaborator}

// ParseClass accepts only the known class names.
func ParseClass(s string) (Class, error) {
	for _, c := range Classes {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown class %q (want user, ops or collaborator)", s)
}

// UnmarshalJSON rejects unknown class names.
func (c *Class) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseClass(s)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Member is a person in the co-op. Email is the primary address; Emails are
// further addresses (sign-in and payment addresses often differ). All
// addresses are unique across members, compared case-insensitively.
type Member struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Emails    []string  `json:"emails"`
	Classes   []Class   `json:"classes"`
	Roles     []Role    `json:"roles"`
	Circles   []string  `json:"circles"`
	Joined    string    `json:"joined"`
	Left      string    `json:"left,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// HasRole reports whether m holds role r. Every member holds RoleMember.
func (m Member) HasRole(r Role) bool {
	if r == RoleMember && m.ID != "" {
		return true
	}
	for _, have := range m.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// IsAdmin reports whether m may manage members, circles and settings.
func (m Member) IsAdmin() bool { return m.HasRole(RoleAdmin) }

// IsReviewer reports whether m may review other members' hours: ops or board.
func (m Member) IsReviewer() bool { return m.HasRole(RoleOps) || m.HasRole(RoleBoard) }

// IsBoardOrAdmin reports whether m holds the co-op's trust beyond review:
// keeps the books, oversees everyone's activity, runs any meeting's
// attendance, reads any member's record.
func (m Member) IsBoardOrAdmin() bool { return m.IsAdmin() || m.HasRole(RoleBoard) }

// CanSeeAll reports whether m may read every member's records (board, admin,
// and ops, who review their peers' hours).
func (m Member) CanSeeAll() bool {
	return m.IsAdmin() || m.HasRole(RoleBoard) || m.HasRole(RoleOps)
}

// Active reports whether m is a member on date (YYYY-MM-DD): joined on or
// before it and not left before it.
func (m Member) Active(date string) bool {
	if m.Joined != "" && date < m.Joined {
		return false
	}
	return m.Left == "" || date <= m.Left
}

// AllEmails returns the primary address followed by the others.
func (m Member) AllEmails() []string {
	out := make([]string, 0, 1+len(m.Emails))
	if m.Email != "" {
		out = append(out, m.Email)
	}
	return append(out, m.Emails...)
}

// System is the actor for offline administration (the CLI and the first-run
// bootstrap): it holds the admin role but is not a member.
var System = Member{ID: "", Name: "system", Roles: []Role{RoleAdmin}}

// MemberInput is what a client sends to create or change a member. Pointer
// fields distinguish "not sent" from "sent empty" for PATCH.
type MemberInput struct {
	Name    *string   `json:"name"`
	Email   *string   `json:"email"`
	Emails  *[]string `json:"emails"`
	Classes *[]Class  `json:"classes"`
	Roles   *[]Role   `json:"roles"`
	Circles *[]string `json:"circles"`
	Joined  *string   `json:"joined"`
	Left    *string   `json:"left"`
}

const (
	maxNameLen  = 200
	maxEmailLen = 254
	maxEmails   = 10
)

// Apply validates in and copies what it sets onto m, trimming text first.
// It checks every field and reports all problems at once. Cross-record rules
// (unique emails, known circles) are checked by the store inside its
// transaction.
func (in MemberInput) Apply(m *Member, create bool) error {
	v := &ValidationError{}
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		switch {
		case name == "":
			v.Add("name", "is required")
		case !validText(name, maxNameLen):
			v.Add("name", fmt.Sprintf("must be at most %d characters of printable text", maxNameLen))
		default:
			m.Name = name
		}
	}
	if in.Email != nil || create {
		email := ""
		if in.Email != nil {
			email = *in.Email
		}
		e, err := NormalizeEmail(email)
		if err != nil {
			v.Add("email", err.Error())
		} else {
			m.Email = e
		}
	}
	if in.Emails != nil {
		if len(*in.Emails) > maxEmails {
			v.Add("emails", fmt.Sprintf("at most %d addresses", maxEmails))
		} else {
			out := make([]string, 0, len(*in.Emails))
			for i, raw := range *in.Emails {
				e, err := NormalizeEmail(raw)
				if err != nil {
					v.Add(fmt.Sprintf("emails[%d]", i), err.Error())
					continue
				}
				out = append(out, e)
			}
			m.Emails = out
		}
	}
	if m.Emails == nil {
		m.Emails = []string{}
	}
	seen := map[string]bool{}
	for _, e := range m.AllEmails() {
		k := strings.ToLower(e)
		if seen[k] {
			v.Add("emails", "lists the address "+e+" twice")
		}
		seen[k] = true
	}
	if in.Classes != nil {
		for _, c := range *in.Classes {
			if _, err := ParseClass(string(c)); err != nil {
				v.Add("classes", err.Error())
			}
		}
		m.Classes = UniqueSorted(*in.Classes)
	}
	if m.Classes == nil {
		m.Classes = []Class{}
	}
	if in.Roles != nil {
		for _, r := range *in.Roles {
			if _, err := ParseRole(string(r)); err != nil {
				v.Add("roles", err.Error())
			}
		}
		m.Roles = UniqueSorted(*in.Roles)
	}
	if len(m.Roles) == 0 {
		m.Roles = []Role{RoleMember}
	}
	if in.Circles != nil {
		m.Circles = UniqueSorted(*in.Circles)
	}
	if m.Circles == nil {
		m.Circles = []string{}
	}
	if in.Joined != nil {
		j := strings.TrimSpace(*in.Joined)
		if j == "" && !create {
			v.Add("joined", "cannot be cleared")
		} else if j != "" {
			if _, err := ParseDate(j); err != nil {
				v.Add("joined", err.Error())
			} else {
				m.Joined = j
			}
		}
	}
	if in.Left != nil {
		l := strings.TrimSpace(*in.Left)
		if l == "" {
			m.Left = ""
		} else if _, err := ParseDate(l); err != nil {
			v.Add("left", err.Error())
		} else {
			m.Left = l
		}
	}
	if m.Left != "" && m.Joined != "" && m.Left < m.Joined {
		v.Add("left", "must not be before joined")
	}
	return v.Err()
}

// NormalizeEmail trims and checks an address; it keeps the case the member
// typed (uniqueness is checked on the lower-cased form).
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("is required")
	}
	if len(s) > maxEmailLen || !utf8.ValidString(s) {
		return "", fmt.Errorf("must be a valid address of at most %d characters", maxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", fmt.Errorf("must be a plain address like name@example.org")
	}
	return s, nil
}

// EmailKey is the form under which addresses are unique.
func EmailKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// UniqueSorted returns a sorted copy of in without repeats: roles,
// classes and circles are sets, stored in one order.
func UniqueSorted[T ~string](in []T) []T {
	out := append(make([]T, 0, len(in)), in...) // never nil: JSON shows []
	slices.Sort(out)
	return slices.Compact(out)
}

// ValidLine reports whether s is printable text of at most max characters
// on one line: what names and labels may hold.
func ValidLine(s string, max int) bool {
	return validText(s, max) && !strings.ContainsAny(s, "\n\t")
}

// validText reports whether s is valid UTF-8 of at most max runes with no
// control characters (NUL bytes and the like never reach the store).
func validText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}
