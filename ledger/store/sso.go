package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
)

// SSOIdentity is what a single sign-on provider vouched for: the claims of
// a verified ID token (and its userinfo). ui/sso builds it; nothing here
// knows OIDC.
type SSOIdentity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// Groups are the values of the groups claim; empty when the claim is
	// absent, which takes every managed role and class away.
	Groups []string
}

// SSOPolicy is how a server treats single sign-on (serve --oidc-* flags).
type SSOPolicy struct {
	// GroupMap, when not empty, sets the roles and classes it manages on
	// every sign-in (see ledger.GroupMap).
	GroupMap ledger.GroupMap
	// CreateMembers makes an unknown verified address a new member, with
	// the roles and classes its groups grant (default member, class user).
	CreateMembers bool
	// InactiveReadOnly lets a member who has left (or not yet joined) sign
	// in to a read-only session; otherwise they are refused.
	InactiveReadOnly bool
	// TTL is the session's absolute lifetime.
	TTL time.Duration
}

// The ways single sign-on refuses someone. Each also wraps
// ledger.ErrForbidden: the provider knows them, Coopledger will not let
// them in.
var (
	// ErrEmailUnverified: the provider sent no address, or did not say it
	// verified it (email_verified true). An unverified address proves
	// nothing, so it never links to a member.
	ErrEmailUnverified = errors.New("the sign-in provider has not verified this email address")
	// ErrNoMember: no member has the address and members are not created
	// at sign-in.
	ErrNoMember = errors.New("no member has this email address")
	// ErrMemberInactive: the member has left, or has not joined yet.
	ErrMemberInactive = errors.New("this member is not active")
)

// ssoActor is the audit actor of the changes single sign-on makes to
// members (creating them, syncing roles from groups).
var ssoActor = ledger.Member{ID: "sso", Name: "single sign-on", Roles: []ledger.Role{ledger.RoleAdmin}}

// SSOSignIn is the outcome of a single sign-on: the session opened and the
// member it is for.
type SSOSignIn struct {
	Token   string
	Session Session
	Member  ledger.Member
	// Created is true when the sign-in made the member.
	Created bool
}

// SignInSSO links a verified identity to a member by any of the member's
// addresses, creates the member or refuses as p says, syncs roles and
// classes from groups, and opens a session, all in one transaction.
func (db *DB) SignInSSO(id SSOIdentity, p SSOPolicy) (out SSOSignIn, err error) {
	email := strings.TrimSpace(id.Email)
	if email == "" || !id.EmailVerified {
		return SSOSignIn{}, fmt.Errorf("sso sign-in of %q: %w: %w", email, ErrEmailUnverified, ledger.ErrForbidden)
	}
	err = db.Write(func(tx *Tx) error {
		out, err = tx.signInSSO(id, email, p)
		return err
	})
	return out, err
}

func (tx *Tx) signInSSO(id SSOIdentity, email string, p SSOPolicy) (SSOSignIn, error) {
	var out SSOSignIn
	m, err := tx.MemberByEmail(email)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		if !p.CreateMembers {
			return out, fmt.Errorf("sso sign-in of %s: %w: %w", email, ErrNoMember, ledger.ErrForbidden)
		}
		if m, err = tx.createSSOMember(id, email, p.GroupMap); err != nil {
			return out, err
		}
		out.Created = true
	case err != nil:
		return out, err
	}
	readOnly := false
	if !m.Active(ledger.Today(tx.now)) {
		if !p.InactiveReadOnly {
			return out, fmt.Errorf("sso sign-in of %s (joined %s, left %q): %w: %w", m.ID, m.Joined, m.Left, ErrMemberInactive, ledger.ErrForbidden)
		}
		// A read-only visit leaves the record of someone who has gone
		// as it was.
		readOnly = true
	} else if !p.GroupMap.Empty() && !out.Created {
		if roles, classes, changed := p.GroupMap.Sync(m, id.Groups); changed {
			if m, err = tx.UpdateMember(ssoActor, m.ID, ledger.MemberInput{Roles: &roles, Classes: &classes}); err != nil {
				return out, fmt.Errorf("sync roles of %s from groups: %w", m.ID, err)
			}
		}
	}
	out.Member = m
	out.Token, out.Session, err = tx.createSession(m.ID, SessionOptions{TTL: p.TTL, Via: ViaSSO, ReadOnly: readOnly,
		Subject: id.Issuer + " " + id.Subject})
	return out, err
}

// createSSOMember makes a member for a verified address: named as the
// provider names them (or by the address), with the roles and classes
// their groups grant, else role member and class user.
func (tx *Tx) createSSOMember(id SSOIdentity, email string, g ledger.GroupMap) (ledger.Member, error) {
	roles, classes := g.Grant(id.Groups)
	if len(classes) == 0 {
		classes = []ledger.Class{ledger.ClassUser}
	}
	name := strings.TrimSpace(id.Name)
	if name == "" || !ledger.ValidLine(name, 200) {
		name, _, _ = strings.Cut(email, "@")
	}
	m, err := tx.CreateMember(ssoActor, ledger.MemberInput{Name: &name, Email: &email, Roles: &roles, Classes: &classes})
	if err != nil {
		return m, fmt.Errorf("create member for %s: %w", email, err)
	}
	return m, nil
}
