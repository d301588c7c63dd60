package store

import (
	"bytes"
	"fmt"

	"github.com/coopledger/coopledger/ledger"
)

// BaseCurrency is the co-op's currency for debt, wages and reports.
func (tx *Tx) BaseCurrency() string {
	if c := tx.tx.Bucket(bucketMeta).Get(keyBaseCurrency); c != nil {
		return string(c)
	}
	return ledger.DefaultCurrency
}

// SetBaseCurrency chooses the co-op's currency; only before any money has
// been recorded, since amounts already posted would not convert.
func (tx *Tx) SetBaseCurrency(actor ledger.Member, currency string) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("set base currency: %w", ledger.ErrForbidden)
	}
	c, err := ledger.ParseCurrency(currency)
	if err != nil {
		return ledger.FieldError("currency", err.Error())
	}
	if k, _ := tx.tx.Bucket(bucketJournal).Cursor().First(); k != nil && c != tx.BaseCurrency() {
		return fmt.Errorf("set base currency: the journal already holds amounts in %s: %w", tx.BaseCurrency(), ledger.ErrConflict)
	}
	if err := tx.tx.Bucket(bucketMeta).Put(keyBaseCurrency, []byte(c)); err != nil {
		return err
	}
	return tx.audit(actor, "settings.currency", c, nil)
}

// AddRate adds a rate to a member's schedule. Rates are never edited,
// since approved hours were valued with them: a change is a new rate from a
// later date, and two rates cannot start on one day. Admin and board only.
func (tx *Tx) AddRate(actor ledger.Member, memberID string, in ledger.RateInput) (ledger.Rate, error) {
	if !actor.IsAdmin() && !actor.HasRole(ledger.RoleBoard) {
		return ledger.Rate{}, fmt.Errorf("set rate of %s: %w", memberID, ledger.ErrForbidden)
	}
	m, err := tx.Member(memberID)
	if err != nil {
		return ledger.Rate{}, err
	}
	r, err := in.Validate(m.ID, tx.BaseCurrency())
	if err != nil {
		return ledger.Rate{}, err
	}
	if err := ledger.CheckCurrency(r.Currency, tx.BaseCurrency()); err != nil {
		return ledger.Rate{}, ledger.FieldError("currency", err.Error())
	}
	if tx.MonthLocked(ledger.MonthOf(r.From)) {
		return ledger.Rate{}, ledger.FieldError("from", "falls in "+ledger.MonthOf(r.From)+", which is closed; start the rate in an open month")
	}
	mseq, _ := parseID(prefixMember, m.ID)
	key := concat(u64(mseq), []byte(r.From))
	b := tx.tx.Bucket(bucketRates)
	if b.Get(key) != nil {
		return ledger.Rate{}, ledger.FieldError("from", "a rate from "+r.From+" already exists; start the new one on another date")
	}
	if err := put(b, key, r); err != nil {
		return ledger.Rate{}, err
	}
	return r, tx.audit(actor, "rate.create", m.ID, r)
}

// Rates returns a member's schedule in date order.
func (tx *Tx) Rates(memberID string) ([]ledger.Rate, error) {
	mseq, ok := parseID(prefixMember, memberID)
	if !ok {
		return nil, fmt.Errorf("member %q: %w", memberID, ledger.ErrNotFound)
	}
	out := []ledger.Rate{}
	prefix := u64(mseq)
	c := tx.tx.Bucket(bucketRates).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r ledger.Rate
		if err := jsonUnmarshal(v, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// hasRate reports whether the member has a non-zero hourly rate on date,
// which makes `required` the default compensation.
func (tx *Tx) hasRate(memberID, date string) bool {
	rs, err := tx.Rates(memberID)
	if err != nil {
		return false
	}
	_, ok := ledger.RateOn(rs, date)
	return ok
}

// AddRate adds a rate in a transaction of its own.
func (db *DB) AddRate(actor ledger.Member, memberID string, in ledger.RateInput) (r ledger.Rate, err error) {
	err = db.Write(func(tx *Tx) error { r, err = tx.AddRate(actor, memberID, in); return err })
	return r, err
}

// Rates reads a member's schedule: their own, or anyone's for board,
// admin and ops.
func (db *DB) Rates(actor ledger.Member, memberID string) (rs []ledger.Rate, err error) {
	if actor.ID != memberID && !actor.CanSeeAll() {
		return nil, fmt.Errorf("rates of %s: %w", memberID, ledger.ErrForbidden)
	}
	err = db.View(func(tx *Tx) error {
		if _, err := tx.Member(memberID); err != nil {
			return err
		}
		rs, err = tx.Rates(memberID)
		return err
	})
	return rs, err
}
