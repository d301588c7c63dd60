package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coopledger/coopledger/ledger"
)

// CreateMember adds a member. Only admins create members.
func (tx *Tx) CreateMember(actor ledger.Member, in ledger.MemberInput) (ledger.Member, error) {
	if !actor.IsAdmin() {
		return ledger.Member{}, fmt.Errorf("create member: %w", ledger.ErrForbidden)
	}
	m := ledger.Member{Joined: ledger.Today(tx.now)}
	if err := in.Apply(&m, true); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.checkMemberRefs(m, ""); err != nil {
		return ledger.Member{}, err
	}
	b := tx.tx.Bucket(bucketMembers)
	seq, err := b.NextSequence()
	if err != nil {
		return ledger.Member{}, err
	}
	m.ID = formatID(prefixMember, seq)
	m.CreatedAt = tx.now.UTC()
	if err := put(b, u64(seq), m); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.indexEmails(m, nil); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.audit(actor, "member.create", m.ID, m); err != nil {
		return ledger.Member{}, err
	}
	return m, nil
}

// UpdateMember changes the fields in sets. Admins change anything; a member
// may change their own name. Addresses are the admin's: single sign-on
// links accounts by address, so a self-added one could claim another
// person's future sign-in.
func (tx *Tx) UpdateMember(actor ledger.Member, id string, in ledger.MemberInput) (ledger.Member, error) {
	m, err := tx.Member(id)
	if err != nil {
		return ledger.Member{}, err
	}
	if !actor.IsAdmin() {
		self := actor.ID == m.ID && in.Email == nil && in.Emails == nil && in.Classes == nil &&
			in.Roles == nil && in.Circles == nil && in.Joined == nil && in.Left == nil
		if !self {
			return ledger.Member{}, fmt.Errorf("update member %s: %w", id, ledger.ErrForbidden)
		}
	}
	old := m
	if err := in.Apply(&m, false); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.checkMemberRefs(m, m.ID); err != nil {
		return ledger.Member{}, err
	}
	if actor.ID == m.ID && old.IsAdmin() && !m.IsAdmin() {
		return ledger.Member{}, ledger.FieldError("roles", "you cannot remove your own admin role")
	}
	seq, _ := parseID(prefixMember, m.ID)
	tx.membersChanged()
	if err := put(tx.tx.Bucket(bucketMembers), u64(seq), m); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.indexEmails(m, &old); err != nil {
		return ledger.Member{}, err
	}
	if err := tx.audit(actor, "member.update", m.ID, in); err != nil {
		return ledger.Member{}, err
	}
	return m, nil
}

// checkMemberRefs enforces the rules that need other records: every address
// unused by another member, every circle known.
func (tx *Tx) checkMemberRefs(m ledger.Member, self string) error {
	v := &ledger.ValidationError{}
	idx := tx.tx.Bucket(bucketMemberEmails)
	for i, e := range m.AllEmails() {
		if owner := idx.Get([]byte(ledger.EmailKey(e))); owner != nil && string(owner) != self {
			field := "email"
			if i > 0 || m.Email == "" {
				field = "emails"
			}
			v.Add(field, "address "+e+" already belongs to another member")
		}
	}
	for _, c := range m.Circles {
		if _, err := tx.Circle(c); err != nil {
			v.Add("circles", "unknown circle "+c)
		}
	}
	return v.Err()
}

func (tx *Tx) indexEmails(m ledger.Member, old *ledger.Member) error {
	idx := tx.tx.Bucket(bucketMemberEmails)
	if old != nil {
		for _, e := range old.AllEmails() {
			if err := idx.Delete([]byte(ledger.EmailKey(e))); err != nil {
				return err
			}
		}
	}
	for _, e := range m.AllEmails() {
		if err := idx.Put([]byte(ledger.EmailKey(e)), []byte(m.ID)); err != nil {
			return err
		}
	}
	return nil
}

// Member returns the member with id, or ErrNotFound. The returned
// member's slices are its own to change.
func (tx *Tx) Member(id string) (ledger.Member, error) {
	m, err := tx.sharedMember(id)
	if err != nil {
		return m, err
	}
	return ownCopy(m), nil
}

// sharedMember is Member for callers that only read the member: its
// slices may be the cache's, so they must not be changed.
func (tx *Tx) sharedMember(id string) (ledger.Member, error) {
	var m ledger.Member
	seq, ok := parseID(prefixMember, id)
	if !ok {
		return m, fmt.Errorf("member %q: %w", id, ledger.ErrNotFound)
	}
	key := u64(seq)
	raw := tx.tx.Bucket(bucketMembers).Get(key)
	if raw == nil {
		return m, fmt.Errorf("member %q: %w", id, ledger.ErrNotFound)
	}
	if m, ok := tx.db.members.get(key, raw); ok {
		return m, nil
	}
	if err := jsonUnmarshal(raw, &m); err != nil {
		return m, err
	}
	tx.db.members.put(key, raw, m)
	return m, nil
}

// ownCopy gives the caller slices the cache does not share.
func ownCopy(m ledger.Member) ledger.Member {
	m.Emails = slices.Clone(m.Emails)
	m.Classes = slices.Clone(m.Classes)
	m.Roles = slices.Clone(m.Roles)
	m.Circles = slices.Clone(m.Circles)
	return m
}

// MemberByEmail finds a member by any of their addresses, ignoring case.
func (tx *Tx) MemberByEmail(email string) (ledger.Member, error) {
	id := tx.tx.Bucket(bucketMemberEmails).Get([]byte(ledger.EmailKey(email)))
	if id == nil {
		return ledger.Member{}, fmt.Errorf("member with email %q: %w", strings.TrimSpace(email), ledger.ErrNotFound)
	}
	return tx.Member(string(id))
}

// Members lists every member in id order.
func (tx *Tx) Members() ([]ledger.Member, error) {
	out := []ledger.Member{}
	err := tx.tx.Bucket(bucketMembers).ForEach(func(_, v []byte) error {
		var m ledger.Member
		if err := jsonUnmarshal(v, &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// HasMembers reports whether any member exists (first start detection).
func (tx *Tx) HasMembers() bool {
	k, _ := tx.tx.Bucket(bucketMembers).Cursor().First()
	return k != nil
}

// CreateMember adds a member in a transaction of its own.
func (db *DB) CreateMember(actor ledger.Member, in ledger.MemberInput) (m ledger.Member, err error) {
	err = db.Write(func(tx *Tx) error { m, err = tx.CreateMember(actor, in); return err })
	return m, err
}

// UpdateMember changes a member in a transaction of its own.
func (db *DB) UpdateMember(actor ledger.Member, id string, in ledger.MemberInput) (m ledger.Member, err error) {
	err = db.Write(func(tx *Tx) error { m, err = tx.UpdateMember(actor, id, in); return err })
	return m, err
}

// Member reads one member.
func (db *DB) Member(id string) (m ledger.Member, err error) {
	err = db.View(func(tx *Tx) error { m, err = tx.Member(id); return err })
	return m, err
}

// MemberByEmail reads one member by address.
func (db *DB) MemberByEmail(email string) (m ledger.Member, err error) {
	err = db.View(func(tx *Tx) error { m, err = tx.MemberByEmail(email); return err })
	return m, err
}

// Members lists every member.
func (db *DB) Members() (ms []ledger.Member, err error) {
	err = db.View(func(tx *Tx) error { ms, err = tx.Members(); return err })
	return ms, err
}
