package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Close states.
const (
	CloseDraft  = "draft"
	ClosePosted = "posted"
)

// MonthClose is a month's close as stored: the computed waterfall, its
// state, and who drafted and approved it.
type MonthClose struct {
	ledger.CloseResult
	State        string     `json:"state"`
	DraftedAt    time.Time  `json:"drafted_at"`
	DraftedBy    string     `json:"drafted_by,omitempty"`
	ApprovedBy   string     `json:"approved_by,omitempty"`
	PostedAt     *time.Time `json:"posted_at,omitempty"`
	Transactions []string   `json:"transactions,omitempty"`
}

// AddPolicy adds a close policy from a month on. Board and admin only;
// a month already posted keeps the policy it was closed with.
func (tx *Tx) AddPolicy(actor ledger.Member, in ledger.PolicyInput) (ledger.Policy, error) {
	if !canKeepBooks(actor) {
		return ledger.Policy{}, fmt.Errorf("add policy: %w", ledger.ErrForbidden)
	}
	p, err := in.Validate()
	if err != nil {
		return p, err
	}
	v := &ledger.ValidationError{}
	for _, id := range p.Team {
		if _, err := tx.Member(id); err != nil {
			v.Add("team", "unknown member "+id)
		}
	}
	if tx.MonthLocked(p.From) || tx.postedAfter(p.From) {
		v.Add("from", p.From+" or a later month is already closed; start the policy after the last closed month")
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	b := tx.tx.Bucket(bucketPolicies)
	seq, err := b.NextSequence()
	if err != nil {
		return p, err
	}
	p.ID = formatID(prefixPolicy, seq)
	p.CreatedBy = actor.ID
	if err := put(b, u64(seq), p); err != nil {
		return p, err
	}
	return p, tx.audit(actor, "policy.create", p.ID, p)
}

// postedAfter reports whether any month from month on is posted.
func (tx *Tx) postedAfter(month string) bool {
	c := tx.tx.Bucket(bucketLockedMonths).Cursor()
	k, _ := c.Seek([]byte(month))
	return k != nil
}

// Policies lists every policy in the order added.
func (tx *Tx) Policies() ([]ledger.Policy, error) {
	out := []ledger.Policy{}
	err := tx.tx.Bucket(bucketPolicies).ForEach(func(_, v []byte) error {
		var p ledger.Policy
		if err := jsonUnmarshal(v, &p); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// CloseInput gathers what the close of month needs from the books: income
// and costs from the month's balances, each member's earned from their
// approved entries at their rates, the debt by accrual month, and the
// policy in force.
func (tx *Tx) CloseInput(month string) (ledger.CloseInput, error) {
	base := tx.BaseCurrency()
	in := ledger.CloseInput{Month: month, Currency: base, Earned: map[string]decimal.Decimal{},
		Debt: map[string]map[string]decimal.Decimal{}}
	policies, err := tx.Policies()
	if err != nil {
		return in, err
	}
	p, ok := ledger.PolicyFor(policies, month)
	if !ok {
		return in, fmt.Errorf("close %s: no policy is in force for it; add one with POST /policies: %w", month, ledger.ErrConflict)
	}
	in.Policy = p
	// One lookup per income or expense account: the cost follows the
	// accounts, not the months of history.
	balances := tx.tx.Bucket(bucketBalances)
	for _, root := range []string{"Income:", "Expenses:"} {
		c := tx.tx.Bucket(bucketAccounts).Cursor()
		for k, _ := c.Seek([]byte(root)); k != nil && bytes.HasPrefix(k, []byte(root)); k, _ = c.Next() {
			account := string(k)
			if account == ledger.AccountWages || account == ledger.AccountBounties {
				continue // wages and bounties are paid out of the margin, not costs
			}
			var bal ledger.Balance
			if _, err := get(balances, balanceKey(account, month), &bal); err != nil {
				return in, err
			}
			if root == "Income:" {
				in.Income = in.Income.Sub(bal[base])
			} else {
				in.Costs = in.Costs.Add(bal[base])
			}
		}
	}
	byMember, err := tx.approvedRequired(month)
	if err != nil {
		return in, err
	}
	for id, es := range byMember {
		rates, err := tx.Rates(id)
		if err != nil {
			return in, err
		}
		if e := ledger.Earned(es, rates)[base]; e.IsPositive() {
			in.Earned[id] = e
		}
	}
	if p.PaybackMethod != ledger.PaybackOldestFirst {
		// Only oldest_first needs the debt by accrual month; the others
		// share by balance, which each member's deferred account keeps.
		return in, tx.debtByMember(in.Debt, month, base)
	}
	err = tx.tx.Bucket(bucketDebtLots).ForEach(func(k, v []byte) error {
		accrual := string(k[8:])
		if accrual > month {
			return nil
		}
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return err
		}
		id := formatID(prefixMember, fromU64(k[:8]))
		if a := bal[base]; a.IsPositive() {
			if in.Debt[id] == nil {
				in.Debt[id] = map[string]decimal.Decimal{}
			}
			in.Debt[id][accrual] = a
		}
		return nil
	})
	return in, err
}

// approvedRequired returns the month's approved `required` entries by
// member (id, date, minutes, state and compensation filled in), read from
// the date index alone. An entry replaced by an approved correction is
// left out.
func (tx *Tx) approvedRequired(month string) (map[string][]ledger.TimeEntry, error) {
	out := map[string][]ledger.TimeEntry{}
	err := tx.eachApproved(month, month, func(e ledger.TimeEntry) {
		if e.Compensation == ledger.CompRequired {
			out[e.MemberID] = append(out[e.MemberID], e)
		}
	})
	return out, err
}

// debtByMember fills debt with each member's balance as one lot (filed
// under month), read from the all-time totals of their deferred accounts.
// Debt accrued after month cannot exist when months close in order, except
// from an opening balance dated later, which this then includes.
func (tx *Tx) debtByMember(debt map[string]map[string]decimal.Decimal, month, base string) error {
	prefix := []byte("Liabilities:Deferred:")
	c := tx.tx.Bucket(bucketAccounts).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return err
		}
		if owed := bal[base].Neg(); owed.IsPositive() {
			debt[string(k[len(prefix):])] = map[string]decimal.Decimal{month: owed}
		}
	}
	return nil
}

// checkClosable refuses a month that has not ended or is already posted.
func (tx *Tx) checkClosable(month string) error {
	if _, err := ledger.ParseMonth(month); err != nil {
		return ledger.FieldError("month", err.Error())
	}
	if month >= ledger.MonthOf(ledger.Today(tx.now)) {
		return ledger.FieldError("month", month+" has not ended yet")
	}
	if tx.MonthLocked(month) {
		return fmt.Errorf("close %s: already posted: %w", month, ledger.ErrConflict)
	}
	return nil
}

// DraftClose computes the month's close and stores it as a draft,
// replacing an earlier draft. Board and admin only (the scheduler drafts
// as ledger.System).
func (tx *Tx) DraftClose(actor ledger.Member, month string) (MonthClose, error) {
	if !canKeepBooks(actor) {
		return MonthClose{}, fmt.Errorf("draft close %s: %w", month, ledger.ErrForbidden)
	}
	if err := tx.checkClosable(month); err != nil {
		return MonthClose{}, err
	}
	in, err := tx.CloseInput(month)
	if err != nil {
		return MonthClose{}, err
	}
	r, err := ledger.Close(in)
	if err != nil {
		return MonthClose{}, err
	}
	mc := MonthClose{CloseResult: r, State: CloseDraft, DraftedAt: tx.now.UTC(), DraftedBy: actor.ID}
	if err := put(tx.tx.Bucket(bucketCloses), []byte(month), mc); err != nil {
		return mc, err
	}
	return mc, tx.audit(actor, "close.draft", month, nil)
}

// MonthClose reads a month's close, draft or posted.
func (tx *Tx) MonthClose(month string) (MonthClose, error) {
	var mc MonthClose
	found, err := get(tx.tx.Bucket(bucketCloses), []byte(month), &mc)
	if err == nil && !found {
		err = fmt.Errorf("close %s: not drafted: %w", month, ledger.ErrNotFound)
	}
	return mc, err
}

// ApproveClose posts a drafted month: the board approves it, and not a
// board member it pays when another board member exists. Months post in
// order; the month is recomputed and must still match its draft; posting
// writes the journal and locks the month in the same transaction, so a
// month never posts twice.
func (tx *Tx) ApproveClose(actor ledger.Member, month string) (MonthClose, error) {
	if !actor.HasRole(ledger.RoleBoard) {
		return MonthClose{}, fmt.Errorf("approve close %s: only the board approves a close: %w", month, ledger.ErrForbidden)
	}
	if err := tx.checkClosable(month); err != nil {
		return MonthClose{}, err
	}
	draft, err := tx.MonthClose(month)
	if err != nil {
		return draft, err
	}
	if earlier := tx.firstOpenActivityBefore(month); earlier != "" {
		return draft, fmt.Errorf("approve close %s: close %s first (months post in order): %w", month, earlier, ledger.ErrConflict)
	}
	if paid(draft, actor.ID) {
		others, err := tx.unpaidBoard(draft, actor.ID)
		if err != nil {
			return draft, err
		}
		if others {
			return draft, fmt.Errorf("approve close %s: it pays you, so another board member must approve it: %w", month, ledger.ErrForbidden)
		}
	}
	in, err := tx.CloseInput(month)
	if err != nil {
		return draft, err
	}
	now, err := ledger.Close(in)
	if err != nil {
		return draft, err
	}
	if !sameClose(now, draft.CloseResult) {
		return draft, fmt.Errorf("approve close %s: the books changed since it was drafted; draft it again and review: %w", month, ledger.ErrConflict)
	}
	ids, err := tx.postClose(actor, now)
	if err != nil {
		return draft, err
	}
	at := tx.now.UTC()
	mc := MonthClose{CloseResult: now, State: ClosePosted, DraftedAt: draft.DraftedAt, DraftedBy: draft.DraftedBy,
		ApprovedBy: actor.ID, PostedAt: &at, Transactions: ids}
	if err := put(tx.tx.Bucket(bucketCloses), []byte(month), mc); err != nil {
		return mc, err
	}
	if err := tx.tx.Bucket(bucketLockedMonths).Put([]byte(month), []byte(actor.ID)); err != nil {
		return mc, err
	}
	return mc, tx.audit(actor, "close.approve", month, map[string]any{"transactions": ids})
}

func paid(mc MonthClose, id string) bool {
	return mc.Wages[id].IsPositive() || mc.Payback[id].IsPositive()
}

// unpaidBoard reports whether a board member other than approver, active
// today and not paid by the close, exists.
func (tx *Tx) unpaidBoard(mc MonthClose, approver string) (bool, error) {
	ms, err := tx.Members()
	if err != nil {
		return false, err
	}
	today := ledger.Today(tx.now)
	for _, m := range ms {
		if m.ID != approver && m.HasRole(ledger.RoleBoard) && m.Active(today) && !paid(mc, m.ID) {
			return true, nil
		}
	}
	return false, nil
}

// firstOpenActivityBefore returns the earliest month before month with
// activity that is not posted, or "".
func (tx *Tx) firstOpenActivityBefore(month string) string {
	c := tx.tx.Bucket(bucketActivity).Cursor()
	for k, _ := c.First(); k != nil && string(k) < month; k, _ = c.Next() {
		if !tx.MonthLocked(string(k)) {
			return string(k)
		}
	}
	return ""
}

func sameClose(a, b ledger.CloseResult) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// postClose writes the close's journal transactions, dated the month's
// last day: the bounty fund, each member's wages, deferral and payback,
// and the reserve.
func (tx *Tx) postClose(actor ledger.Member, r ledger.CloseResult) ([]string, error) {
	first, _ := ledger.ParseMonth(r.Month)
	date := first.AddDate(0, 1, -1).Format(ledger.DateLayout)
	c := r.Currency
	var ids []string
	post := func(kind ledger.TxKind, member, desc, debit, credit string, amount decimal.Decimal) error {
		if !amount.IsPositive() {
			return nil
		}
		t := ledger.Transaction{Date: date, Kind: kind, MemberID: member, Description: desc, Postings: []ledger.Posting{
			{Account: debit, Amount: amount, Currency: c}, {Account: credit, Amount: amount.Neg(), Currency: c}}}
		if kind == ledger.KindDeferral {
			t.Accrual = r.Month
		}
		posted, err := tx.Post(actor, t)
		if err != nil {
			return fmt.Errorf("post %s of %s: %w", kind, member, err)
		}
		ids = append(ids, posted.ID)
		return nil
	}
	if err := post(ledger.KindBounty, "", "Bounty fund share "+r.Month, ledger.AccountBountyFund, ledger.AccountBank, r.Bounty); err != nil {
		return nil, err
	}
	for _, id := range sortedIDs(r.Earned) {
		if err := post(ledger.KindWages, id, "Wages "+r.Month, ledger.AccountWages, ledger.AccountBank, r.Wages[id]); err != nil {
			return nil, err
		}
		if err := post(ledger.KindDeferral, id, "Deferred pay "+r.Month, ledger.AccountWages, ledger.DeferredAccount(id), r.Deferred[id]); err != nil {
			return nil, err
		}
	}
	for _, id := range sortedIDs(r.Payback) {
		if err := post(ledger.KindPayback, id, "Payback "+r.Month, ledger.DeferredAccount(id), ledger.AccountBank, r.Payback[id]); err != nil {
			return nil, err
		}
	}
	if err := post(ledger.KindReserve, "", "Reserve "+r.Month, ledger.AccountReserve, ledger.AccountBank, r.Reserve); err != nil {
		return nil, err
	}
	return ids, nil
}

func sortedIDs(m map[string]decimal.Decimal) []string {
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// DueCloses lists the months to draft: every ended month with activity
// (approved hours, income or costs) not yet posted and not yet drafted,
// oldest first. Months without activity need no close. The scheduler
// drafts each in turn; running it again drafts nothing new.
func (tx *Tx) DueCloses() []string {
	current := ledger.MonthOf(ledger.Today(tx.now))
	closes := tx.tx.Bucket(bucketCloses)
	var due []string
	c := tx.tx.Bucket(bucketActivity).Cursor()
	for k, _ := c.First(); k != nil && string(k) < current; k, _ = c.Next() {
		month := string(k)
		if !tx.MonthLocked(month) && closes.Get(k) == nil {
			due = append(due, month)
		}
	}
	return due
}

// AddPolicy adds a policy in a write of its own.
func (db *DB) AddPolicy(actor ledger.Member, in ledger.PolicyInput) (p ledger.Policy, err error) {
	err = db.Write(func(tx *Tx) error { p, err = tx.AddPolicy(actor, in); return err })
	return p, err
}

// Policies reads every policy.
func (db *DB) Policies() (ps []ledger.Policy, err error) {
	err = db.View(func(tx *Tx) error { ps, err = tx.Policies(); return err })
	return ps, err
}

// DraftClose drafts a month in a write of its own.
func (db *DB) DraftClose(actor ledger.Member, month string) (mc MonthClose, err error) {
	err = db.Update(func(tx *Tx) error { mc, err = tx.DraftClose(actor, month); return err })
	return mc, err
}

// ApproveClose posts a month in a write of its own.
func (db *DB) ApproveClose(actor ledger.Member, month string) (mc MonthClose, err error) {
	err = db.Update(func(tx *Tx) error { mc, err = tx.ApproveClose(actor, month); return err })
	return mc, err
}

// MonthClose reads a month's close.
func (db *DB) MonthClose(month string) (mc MonthClose, err error) {
	err = db.View(func(tx *Tx) error { mc, err = tx.MonthClose(month); return err })
	return mc, err
}

// DraftDueCloses drafts every month that is due (see DueCloses), oldest
// first, each in a transaction of its own, and returns the months drafted.
// A month that cannot be drafted (no policy yet) is reported, and the rest
// still drafted. The scheduler and `coopledger close` both call it.
func (db *DB) DraftDueCloses(actor ledger.Member) ([]string, error) {
	var due []string
	if err := db.View(func(tx *Tx) error { due = tx.DueCloses(); return nil }); err != nil {
		return nil, err
	}
	var done []string
	var firstErr error
	for _, month := range due {
		if _, err := db.DraftClose(actor, month); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		done = append(done, month)
	}
	return done, firstErr
}

// Closes lists every drafted or posted month, newest first.
func (tx *Tx) Closes() ([]MonthClose, error) {
	out := []MonthClose{}
	c := tx.tx.Bucket(bucketCloses).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var mc MonthClose
		if err := jsonUnmarshal(v, &mc); err != nil {
			return nil, err
		}
		out = append(out, mc)
	}
	return out, nil
}

// CloseOverview is what the board's close page lists: the months drafted
// or posted, and those due for a draft.
type CloseOverview struct {
	Closes []MonthClose
	Due    []string
}

// CloseOverview reads the close page's list.
func (db *DB) CloseOverview() (o CloseOverview, err error) {
	err = db.View(func(tx *Tx) error {
		o.Due = tx.DueCloses()
		o.Closes, err = tx.Closes()
		return err
	})
	return o, err
}
