package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// MemberMonth is what the journal moved for one member in one month, per
// currency, kept current as transactions post so statements never scan
// the journal.
type MemberMonth struct {
	Paid     ledger.Balance `json:"paid,omitempty"`
	Deferred ledger.Balance `json:"deferred,omitempty"`
	PaidBack ledger.Balance `json:"paid_back,omitempty"`
	Waived   ledger.Balance `json:"waived,omitempty"`
	Opening  ledger.Balance `json:"opening,omitempty"`
}

// Post records a balanced transaction and brings every running figure up
// to date in the same write: the account's monthly balance, the member's
// debt lots (for aging) and monthly figures. Posted transactions are never
// changed; see Reverse.
func (tx *Tx) Post(actor ledger.Member, t ledger.Transaction) (ledger.Transaction, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	month := ledger.MonthOf(t.Date)
	if tx.MonthLocked(month) {
		return t, ledger.FieldError("date", "falls in "+month+", which is closed")
	}
	b := tx.tx.Bucket(bucketJournal)
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return t, err
	}
	t.ID = formatID(prefixTx, seq)
	t.CreatedBy = actor.ID
	t.CreatedAt = tx.now.UTC()
	data, err := json.Marshal(t)
	if err != nil {
		return t, err
	}
	if err := b.Put(u64(seq), data); err != nil {
		return t, err
	}
	for _, p := range t.Postings {
		if err := tx.addBalance(p.Account, month, p.Currency, p.Amount); err != nil {
			return t, err
		}
		if member, ok := ledger.DeferredMember(p.Account); ok {
			if err := tx.moveDebt(member, t, seq, p); err != nil {
				return t, fmt.Errorf("post %s: %w", t.ID, err)
			}
		}
	}
	if t.MemberID != "" {
		if err := tx.addMemberMonth(t, month); err != nil {
			return t, err
		}
	}
	return t, tx.audit(actor, "journal.post", t.ID, json.RawMessage(data))
}

func balanceKey(account, month string) []byte {
	return concat([]byte(account), []byte{0}, []byte(month))
}

func (tx *Tx) addBalance(account, month, currency string, amount decimal.Decimal) error {
	b := tx.tx.Bucket(bucketBalances)
	key := balanceKey(account, month)
	bal := ledger.Balance{}
	if _, err := get(b, key, &bal); err != nil {
		return err
	}
	bal.Add(currency, amount)
	if err := put(b, key, bal); err != nil {
		return err
	}
	// The all-time total too, so the balance report reads one key an
	// account.
	accounts := tx.tx.Bucket(bucketAccounts)
	total := ledger.Balance{}
	if _, err := get(accounts, []byte(account), &total); err != nil {
		return err
	}
	total.Add(currency, amount)
	return put(accounts, []byte(account), total)
}

// debtDraw is how much a debit to a member's deferred account took from
// the debt of one accrual month, kept so a reversal can put it back there.
type debtDraw struct {
	Month  string          `json:"month"`
	Amount decimal.Decimal `json:"amount"`
}

// moveDebt keeps a member's debt lots: a credit to their deferred account
// (debt grows) adds to the lot of its accrual month, or, when it reverses a
// payback or waiver, back to the lots that one drew from; a debit (paid
// back, waived, reversed) takes from the lot of its accrual month first when
// it names one that exists, then from the oldest lots, first in first out,
// and records what it took.
func (tx *Tx) moveDebt(memberID string, t ledger.Transaction, seq uint64, p ledger.Posting) error {
	mseq, ok := parseID(prefixMember, memberID)
	if !ok {
		return ledger.FieldError("postings", "account "+p.Account+" names no member")
	}
	if _, err := tx.Member(memberID); err != nil {
		return ledger.FieldError("postings", "account "+p.Account+" names no member")
	}
	lots := tx.tx.Bucket(bucketDebtLots)
	draws := tx.tx.Bucket(bucketDebtDraws)
	accrual := t.AccrualMonth()
	owed := p.Amount.Neg() // a credit (negative) increases what is owed
	if owed.IsPositive() {
		if t.Reverses != "" {
			rseq, _ := parseID(prefixTx, t.Reverses)
			var taken []debtDraw
			if _, err := get(draws, concat(u64(rseq), u64(mseq)), &taken); err != nil {
				return err
			}
			for _, d := range taken {
				back := decimal.Min(d.Amount, owed)
				if !back.IsPositive() {
					break
				}
				if err := addLot(lots, concat(u64(mseq), []byte(d.Month)), p.Currency, back); err != nil {
					return err
				}
				owed = owed.Sub(back)
			}
			if !owed.IsPositive() {
				return nil
			}
		}
		return addLot(lots, concat(u64(mseq), []byte(accrual)), p.Currency, owed)
	}
	left := p.Amount // what to take off, positive
	var took []debtDraw
	take := func(key []byte) error {
		bal := ledger.Balance{}
		if found, err := get(lots, key, &bal); err != nil || !found {
			return err
		}
		have := bal[p.Currency]
		if !have.IsPositive() {
			return nil
		}
		cut := decimal.Min(have, left)
		left = left.Sub(cut)
		took = append(took, debtDraw{Month: string(key[8:]), Amount: cut})
		return addLot(lots, key, p.Currency, cut.Neg())
	}
	if err := take(concat(u64(mseq), []byte(accrual))); err != nil {
		return err
	}
	// A member has a lot per month of debt at most: collect the keys, then
	// write (a cursor does not survive writes to its bucket).
	var keys [][]byte
	c := lots.Cursor()
	prefix := u64(mseq)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, key := range keys {
		if !left.IsPositive() {
			break
		}
		if err := take(key); err != nil {
			return err
		}
	}
	if left.IsPositive() {
		return ledger.FieldError("amount", fmt.Sprintf("is more than the %s owed to %s", p.Currency, memberID))
	}
	return put(draws, concat(u64(seq), u64(mseq)), took)
}

func addLot(lots interface {
	Get([]byte) []byte
	Put([]byte, []byte) error
	Delete([]byte) error
}, key []byte, currency string, delta decimal.Decimal) error {
	bal := ledger.Balance{}
	if v := lots.Get(key); v != nil {
		if err := json.Unmarshal(v, &bal); err != nil {
			return err
		}
	}
	bal.Add(currency, delta)
	if bal[currency].IsZero() {
		delete(bal, currency)
	}
	if len(bal) == 0 {
		return lots.Delete(key)
	}
	data, err := json.Marshal(bal)
	if err != nil {
		return err
	}
	return lots.Put(key, data)
}

// addMemberMonth files a member's transaction under its kind.
func (tx *Tx) addMemberMonth(t ledger.Transaction, month string) error {
	mseq, ok := parseID(prefixMember, t.MemberID)
	if !ok {
		return ledger.FieldError("member_id", "unknown member "+t.MemberID)
	}
	b := tx.tx.Bucket(bucketMemberMonths)
	key := concat(u64(mseq), []byte(month))
	var mm MemberMonth
	if _, err := get(b, key, &mm); err != nil {
		return err
	}
	// A reversal files under the kind it undoes; its postings already carry
	// the opposite signs.
	kind := t.Kind
	if kind == ledger.KindReversal {
		if orig, err := tx.Transaction(t.Reverses); err == nil {
			kind = orig.Kind
		}
	}
	add := func(bal *ledger.Balance, account func(string) bool, flip bool) {
		for _, p := range t.Postings {
			if account(p.Account) {
				if *bal == nil {
					*bal = ledger.Balance{}
				}
				amt := p.Amount
				if flip {
					amt = amt.Neg()
				}
				bal.Add(p.Currency, amt)
			}
		}
	}
	deferred := func(a string) bool { return a == ledger.DeferredAccount(t.MemberID) }
	switch kind {
	case ledger.KindWages:
		add(&mm.Paid, func(a string) bool { return a == ledger.AccountWages }, false)
	case ledger.KindDeferral:
		add(&mm.Deferred, deferred, true)
	case ledger.KindPayback:
		add(&mm.PaidBack, deferred, false)
	case ledger.KindWaiver:
		add(&mm.Waived, deferred, false)
	case ledger.KindOpening:
		add(&mm.Opening, deferred, true)
	default:
		return nil
	}
	return put(b, key, mm)
}

// Transaction reads one posted transaction.
func (tx *Tx) Transaction(id string) (ledger.Transaction, error) {
	var t ledger.Transaction
	seq, ok := parseID(prefixTx, id)
	if !ok {
		return t, fmt.Errorf("transaction %q: %w", id, ledger.ErrNotFound)
	}
	found, err := get(tx.tx.Bucket(bucketJournal), u64(seq), &t)
	if err == nil && !found {
		err = fmt.Errorf("transaction %q: %w", id, ledger.ErrNotFound)
	}
	return t, err
}

// maxReversalNote leaves room in a reversal's description for "Reversal
// of <id>: ".
const maxReversalNote = 400

// Reverse posts the reversal of a transaction, dated date. Reversing twice
// is refused.
func (tx *Tx) Reverse(actor ledger.Member, id, date, note string) (ledger.Transaction, error) {
	if !actor.IsAdmin() && !actor.HasRole(ledger.RoleBoard) {
		return ledger.Transaction{}, fmt.Errorf("reverse %s: %w", id, ledger.ErrForbidden)
	}
	orig, err := tx.Transaction(id)
	if err != nil {
		return orig, err
	}
	if orig.Kind == ledger.KindReversal {
		return orig, fmt.Errorf("reverse %s: it is itself a reversal: %w", id, ledger.ErrConflict)
	}
	// The note ends the reversal's description (at most 500 characters),
	// so it is checked here, under its own name.
	if note = strings.TrimSpace(note); !ledger.ValidLine(note, maxReversalNote) {
		return ledger.Transaction{}, ledger.FieldError("note", fmt.Sprintf("must be at most %d characters on one line", maxReversalNote))
	}
	seq, _ := parseID(prefixTx, id)
	reversals := tx.tx.Bucket(bucketReversals)
	if by := reversals.Get(u64(seq)); by != nil {
		return orig, fmt.Errorf("reverse %s: already reversed by %s: %w", id, by, ledger.ErrConflict)
	}
	r, err := tx.Post(actor, orig.Reversal(date, note))
	if err != nil {
		return r, err
	}
	return r, reversals.Put(u64(seq), []byte(r.ID))
}

// ForEachTransaction walks the journal in posting order.
func (tx *Tx) ForEachTransaction(fn func(ledger.Transaction) error) error {
	return tx.tx.Bucket(bucketJournal).ForEach(func(_, v []byte) error {
		var t ledger.Transaction
		if err := jsonUnmarshal(v, &t); err != nil {
			return err
		}
		return fn(t)
	})
}

// Transactions returns the whole journal in posting order.
func (tx *Tx) Transactions() ([]ledger.Transaction, error) {
	out := []ledger.Transaction{}
	err := tx.ForEachTransaction(func(t ledger.Transaction) error { out = append(out, t); return nil })
	return out, err
}

// AccountBalances returns every account's balance up to and including
// month ("" for all time). All-time balances are kept per account, so the
// report reads one record an account; balances up to a month sum the
// stored monthly movements, whose number follows accounts and months, never
// postings.
func (tx *Tx) AccountBalances(month string) (map[string]ledger.Balance, error) {
	out := map[string]ledger.Balance{}
	if month == "" {
		err := tx.tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			bal := ledger.Balance{}
			if err := jsonUnmarshal(v, &bal); err != nil {
				return err
			}
			out[string(k)] = bal
			return nil
		})
		return out, err
	}
	err := tx.tx.Bucket(bucketBalances).ForEach(func(k, v []byte) error {
		i := bytes.IndexByte(k, 0)
		account, m := string(k[:i]), string(k[i+1:])
		if month != "" && m > month {
			return nil
		}
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return err
		}
		if out[account] == nil {
			out[account] = ledger.Balance{}
		}
		for c, a := range bal {
			out[account].Add(c, a)
		}
		return nil
	})
	return out, err
}

// AccountBalance is an account's balance over all time, one read.
func (tx *Tx) AccountBalance(account string) (ledger.Balance, error) {
	bal := ledger.Balance{}
	_, err := get(tx.tx.Bucket(bucketAccounts), []byte(account), &bal)
	return bal, err
}
