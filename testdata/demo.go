// Package testdata holds Coopledger's synthetic sample co-op, loaded by
// `coopledger serve --demo` and by tests, and (later) golden files.
//
// The co-op is described in demo/coop.json, embedded in the binary: three
// circles (tech, ops, marketing), fourteen invented members across the
// user, ops and collaborator classes, and the accounts to sign in as.
// Every person, address and figure in it is invented. Load adds seven
// calendar months of time entries in every review state, generated
// deterministically from the load date, the books (opening debt, income
// and costs), and a close policy under which the six finished months are
// closed and posted, so the board's pages show real figures at once; and
// the co-op's governance: meetings, requests, bounties and polls.
//
// The go tool skips directories named testdata for ./... patterns, so this
// package is neither vetted nor tested by `go test ./...`; it is still
// importable as github.com/coopledger/coopledger/testdata, and its loader
// is tested by ledger/store/demo_test.go.
package testdata

import (
	"fmt"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// DemoPassword is the sign-in password of every demo member. It is public
// on purpose: the demo holds nothing worth protecting.
const DemoPassword = "coopledger-demo"

// Account is a demo member to sign in as, shown by `serve --demo`. Role
// names what the account is there to show: admin, board, ops or member.
type Account struct {
	Email string
	Name  string
	Role  string
}

// Demo is what Load created: the members and circles in creation (id)
// order, and the accounts to sign in as.
type Demo struct {
	Members  []ledger.Member
	Circles  []ledger.Circle
	Accounts []Account
}

// Load creates the sample co-op in tx, as the offline admin
// (ledger.System) for circles, members and passwords, and as each member
// for their own hours, which a different ops or board member reviews. It
// goes through the same store methods as the API, so every rule and the
// audit log apply.
//
// now is the reference date: members' joined dates count back from it, and
// hours are generated for the seven calendar months ending with its month,
// never after its date and never before a member joined. The same now
// always gives the same data. Pass tx.Now() (LoadInto does); a now whose
// date is after the store's today is refused, as the store refuses hours
// in the future.
//
// Load refuses a store that already has members: the demo's addresses and
// circle names would collide, and a demo mixed into real books is never
// wanted.
func Load(tx *store.Tx, now time.Time) (Demo, error) {
	if tx.HasMembers() {
		return Demo{}, fmt.Errorf("load demo: the store already has members; use an empty database: %w", ledger.ErrConflict)
	}
	if today, storeToday := ledger.Today(now), ledger.Today(tx.Now()); today > storeToday {
		return Demo{}, fmt.Errorf("load demo: reference date %s is after the store's today %s", today, storeToday)
	}
	sp, err := parseSpec()
	if err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	people := resolvePeople(sp, now)
	plan, err := planEntries(sp, people, now)
	if err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}

	var d Demo
	circles := map[string]ledger.Circle{}
	for _, name := range sp.Circles {
		c, err := tx.CreateCircle(ledger.System, ledger.CircleInput{Name: name})
		if err != nil {
			return Demo{}, fmt.Errorf("load demo: circle %s: %w", name, err)
		}
		circles[name] = c
		d.Circles = append(d.Circles, c)
	}
	members := make([]ledger.Member, len(people))
	for i, p := range people {
		m, err := tx.CreateMember(ledger.System, memberInput(p, circles))
		if err != nil {
			return Demo{}, fmt.Errorf("load demo: member %s: %w", p.spec.Key, err)
		}
		if err := tx.SetPassword(ledger.System, m.ID, DemoPassword); err != nil {
			return Demo{}, fmt.Errorf("load demo: password of %s: %w", p.spec.Key, err)
		}
		members[i] = m
		if r := p.spec.Rate; r != nil {
			hourly, err := decimal.NewFromString(r.Hourly)
			if err != nil {
				return Demo{}, fmt.Errorf("load demo: rate of %s: %w", p.spec.Key, err)
			}
			in := ledger.RateInput{From: m.Joined, Hourly: &hourly, Currency: r.Currency}
			if _, err := tx.AddRate(ledger.System, m.ID, in); err != nil {
				return Demo{}, fmt.Errorf("load demo: rate of %s: %w", p.spec.Key, err)
			}
		}
	}
	d.Members = members

	ids := make([]string, len(plan))
	for i, pe := range plan {
		owner := members[pe.owner]
		minutes := int64(pe.minutes)
		comp := pe.comp
		in := ledger.TimeEntryInput{
			MemberID: owner.ID, Date: pe.date, Minutes: &minutes,
			CircleID: circles[pe.circle].ID, Task: pe.task, Note: pe.note,
			Compensation: &comp, Submit: pe.state != ledger.StateDraft,
		}
		if pe.corrects >= 0 {
			in.Corrects = ids[pe.corrects]
		}
		e, err := tx.LogTime(owner, in)
		if err != nil {
			return Demo{}, fmt.Errorf("load demo: hours of %s on %s: %w", people[pe.owner].spec.Key, pe.date, err)
		}
		ids[i] = e.ID
		if pe.state == ledger.StateApproved || pe.state == ledger.StateRejected {
			approve := pe.state == ledger.StateApproved
			if _, err := tx.ReviewTimeEntry(members[pe.reviewer], e.ID, approve, pe.comment); err != nil {
				return Demo{}, fmt.Errorf("load demo: review of %s: %w", e.ID, err)
			}
		}
	}

	if err := loadBooks(tx, sp, people, members, now); err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	if err := closeMonths(tx, sp, people, members, now); err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	if err := loadGovernance(tx, people, members, now); err != nil {
		return Demo{}, fmt.Errorf("load demo: governance: %w", err)
	}
	d.Accounts = accounts(sp)
	return d, nil
}

// loadBooks posts the demo's money: opening balances dated 31 December of
// the years before the load date's, and income by tier and costs for every
// finished month of the entries' window.
func loadBooks(tx *store.Tx, sp spec, people []person, members []ledger.Member, now time.Time) error {
	byKey := map[string]ledger.Member{}
	for i, p := range people {
		byKey[p.spec.Key] = members[i]
	}
	for _, o := range sp.Books.Opening {
		m, ok := byKey[o.Member]
		if !ok {
			return fmt.Errorf("opening balance for unknown member %q", o.Member)
		}
		amount, err := decimal.NewFromString(o.Deferred)
		if err != nil {
			return fmt.Errorf("opening balance of %s: %w", o.Member, err)
		}
		asOf := fmt.Sprintf("%d-12-31", now.Year()-o.YearsAgo)
		in := ledger.OpeningInput{MemberID: m.ID, AsOf: asOf, Deferred: &amount,
			Note: fmt.Sprintf("Unpaid hours of %d, brought in from the spreadsheet", now.Year()-o.YearsAgo)}
		if _, err := tx.AddOpeningBalance(ledger.System, in); err != nil {
			return fmt.Errorf("opening balance of %s: %w", o.Member, err)
		}
	}
	y, mo, _ := now.Date()
	for k := windowMonths - 1; k >= 1; k-- {
		month := time.Date(y, mo-time.Month(k), 1, 12, 0, 0, 0, time.UTC).Format(ledger.MonthLayout)
		tiers := make([]ledger.Tier, len(sp.Books.Tiers))
		for i, t := range sp.Books.Tiers {
			price, err := decimal.NewFromString(t.Price)
			if err != nil {
				return fmt.Errorf("tier %s: %w", t.Name, err)
			}
			// Subscribers drift by up to two either way, month by month.
			drift := int64((k*7+i*3)%5) - 2
			tiers[i] = ledger.Tier{Name: t.Name, Price: price, Subscribers: t.Subscribers + drift}
		}
		if _, err := tx.RecordMoney(ledger.System, ledger.MoneyInput{Month: month, Tiers: tiers, Note: "Subscriptions " + month}, false); err != nil {
			return fmt.Errorf("income of %s: %w", month, err)
		}
		for _, c := range sp.Books.Costs {
			amount, err := decimal.NewFromString(c.Amount)
			if err != nil {
				return fmt.Errorf("cost %s: %w", c.Account, err)
			}
			in := ledger.MoneyInput{Month: month, Account: c.Account, Amount: &amount}
			if _, err := tx.RecordMoney(ledger.System, in, true); err != nil {
				return fmt.Errorf("cost %s of %s: %w", c.Account, month, err)
			}
		}
	}
	return nil
}

// closeMonths adds the close policy from the first month of the window,
// its team the members with paid_team, and closes every finished month of
// the window in order: drafted by the system, as the scheduler would,
// and approved by the close approver, a board member the closes pay
// nothing. The current month stays open. Entries of those months still
// waiting for review (drafts and submitted ones) stay so: a closed month
// takes no more hours, as in real books a month closed with a late
// timesheet.
func closeMonths(tx *store.Tx, sp spec, people []person, members []ledger.Member, now time.Time) error {
	p := sp.Books.Policy
	if p == nil {
		return nil
	}
	var team []string
	var approver ledger.Member
	for i, pe := range people {
		if pe.spec.PaidTeam {
			team = append(team, members[i].ID)
		}
		if pe.spec.Key == sp.Books.CloseApprover {
			approver = members[i]
		}
	}
	bounty, err := decimal.NewFromString(p.BountyShare)
	if err != nil {
		return fmt.Errorf("policy bounty_share: %w", err)
	}
	payback, err := decimal.NewFromString(p.PaybackShare)
	if err != nil {
		return fmt.Errorf("policy payback_share: %w", err)
	}
	y, mo, _ := now.Date()
	month := func(back int) string {
		return time.Date(y, mo-time.Month(back), 1, 12, 0, 0, 0, time.UTC).Format(ledger.MonthLayout)
	}
	in := ledger.PolicyInput{From: month(windowMonths - 1), BountyShare: &bounty, Team: team, Split: p.Split,
		PaybackShare: &payback, PaybackMethod: p.PaybackMethod}
	if _, err := tx.AddPolicy(ledger.System, in); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	for k := windowMonths - 1; k >= 1; k-- {
		if _, err := tx.DraftClose(ledger.System, month(k)); err != nil {
			return err
		}
		if _, err := tx.ApproveClose(approver, month(k)); err != nil {
			return err
		}
	}
	return nil
}

// Accounts lists the demo accounts to sign in as, read from the embedded
// coop.json without a store: `serve --demo` prints them again when it
// restarts on a store that already holds the demo. It is the same list
// Load returns; it is empty only if coop.json is broken, which Load
// reports (and the loader's test catches).
func Accounts() []Account {
	sp, err := parseSpec()
	if err != nil {
		return nil
	}
	return accounts(sp)
}

func accounts(sp spec) []Account {
	byKey := map[string]memberSpec{}
	for _, m := range sp.Members {
		byKey[m.Key] = m
	}
	out := make([]Account, 0, len(sp.Accounts))
	for _, a := range sp.Accounts {
		m := byKey[a.Member]
		out = append(out, Account{Email: m.Email, Name: m.Name, Role: a.Role})
	}
	return out
}

// memberInput is the create request for a persona.
func memberInput(p person, circles map[string]ledger.Circle) ledger.MemberInput {
	m := p.spec
	ids := make([]string, 0, len(m.Circles))
	for _, name := range m.Circles {
		ids = append(ids, circles[name].ID)
	}
	emails := append([]string{}, m.Emails...)
	classes := append([]ledger.Class{}, m.Classes...)
	roles := append([]ledger.Role{}, m.Roles...)
	in := ledger.MemberInput{
		Name: &m.Name, Email: &m.Email, Emails: &emails, Classes: &classes,
		Roles: &roles, Circles: &ids, Joined: &p.joined,
	}
	if p.left != "" {
		in.Left = &p.left
	}
	return in
}

// LoadInto loads the demo into db in one read-write transaction, so the
// whole co-op commits with a single fsync or not at all. The reference
// date is the store's clock (db.Now(), read once as the transaction
// starts). It refuses a store that already has members.
func LoadInto(db *store.DB) (Demo, error) {
	var d Demo
	err := db.Update(func(tx *store.Tx) error {
		if tx.HasMembers() {
			return fmt.Errorf("load demo: the store already has members; use an empty database: %w", ledger.ErrConflict)
		}
		var err error
		d, err = Load(tx, tx.Now())
		return err
	})
	if err != nil {
		return Demo{}, err
	}
	return d, nil
}
