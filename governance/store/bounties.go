package store

import (
	"fmt"
	"slices"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// CreateBounty proposes a bounty on a request. Ops and board propose; only
// the board approves (funds) one.
func (s *Store) CreateBounty(actor ledger.Member, in governance.BountyInput) (b governance.Bounty, err error) {
	if !actor.IsReviewer() {
		return b, fmt.Errorf("create bounty: only ops and board propose bounties: %w", ledger.ErrForbidden)
	}
	err = s.write(func(tx *lstore.Tx) error {
		var err error
		if b, err = governance.NewBounty(in, tx.BaseCurrency(), ledger.Today(tx.Now())); err != nil {
			return err
		}
		r, _, err := request(tx.Bolt(), in.RequestID)
		if err != nil {
			return ledger.FieldError("request_id", "no request "+in.RequestID)
		}
		if r.Status == governance.StatusDeclined || r.Status == governance.StatusDuplicate {
			return ledger.FieldError("request_id", fmt.Sprintf("request %s is %s", r.ID, r.Status))
		}
		bk := tx.Bolt().Bucket(bucketBounties)
		seq, err := bk.NextSequence()
		if err != nil {
			return err
		}
		now := tx.Now().UTC()
		b.ID = formatID(prefixBounty, seq)
		b.CreatedBy, b.CreatedAt, b.UpdatedAt = actor.ID, now, now
		b.History = []governance.BountyEvent{{State: b.State, By: actor.ID, At: now}}
		if err := put(bk, u64(seq), b); err != nil {
			return err
		}
		return tx.Audit(actor, "bounty.create", b.ID, b)
	})
	return b, err
}

// bounty reads a bounty by id inside tx.
func bounty(tx *bolt.Tx, id string) (governance.Bounty, uint64, error) {
	var b governance.Bounty
	seq, ok := parseID(prefixBounty, id)
	if !ok {
		return b, 0, notFound("bounty", id)
	}
	found, err := get(tx.Bucket(bucketBounties), u64(seq), &b)
	if err == nil && !found {
		err = notFound("bounty", id)
	}
	b.Amount.Currency = b.Currency
	return b, seq, err
}

// Bounty returns one bounty.
func (s *Store) Bounty(id string) (b governance.Bounty, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		b, _, err = bounty(tx.Bolt(), id)
		return err
	})
	return b, err
}

// Bounties lists every bounty, newest first, with the fund. state, when
// set, keeps only bounties in that state.
func (s *Store) Bounties(state governance.BountyState) (bs []governance.Bounty, f governance.Fund, err error) {
	if state != "" && !slices.Contains(governance.BountyStates, state) {
		return nil, f, ledger.FieldError("state", fmt.Sprintf("unknown state %q", state))
	}
	bs = []governance.Bounty{}
	err = s.view(func(tx *lstore.Tx) error {
		// One walk lists the bounties and adds up the fund's reservations.
		base, reserved := tx.BaseCurrency(), decimal.Zero
		c := tx.Bolt().Bucket(bucketBounties).Cursor()
		for k, raw := c.Last(); k != nil; k, raw = c.Prev() {
			var b governance.Bounty
			if err := jsonUnmarshal(raw, &b); err != nil {
				return err
			}
			b.Amount.Currency = b.Currency
			reserved = reserved.Add(reservation(b, base))
			if state == "" || b.State == state {
				bs = append(bs, b)
			}
		}
		var err error
		f, err = fundWith(tx, base, reserved)
		return err
	})
	return bs, f, err
}

// Fund reports the bounty fund.
func (s *Store) Fund() (f governance.Fund, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		f, err = fund(tx)
		return err
	})
	return f, err
}

// fund sums the fund account and the reservations of approved bounties.
func fund(tx *lstore.Tx) (governance.Fund, error) {
	base, reserved := tx.BaseCurrency(), decimal.Zero
	err := tx.Bolt().Bucket(bucketBounties).ForEach(func(_, raw []byte) error {
		var b governance.Bounty
		if err := jsonUnmarshal(raw, &b); err != nil {
			return err
		}
		reserved = reserved.Add(reservation(b, base))
		return nil
	})
	if err != nil {
		return governance.Fund{}, err
	}
	return fundWith(tx, base, reserved)
}

// reservation is what b holds back from the fund, in base.
func reservation(b governance.Bounty, base string) decimal.Decimal {
	if b.State.Reserves() && b.Currency == base {
		return b.Amount.Amount
	}
	return decimal.Zero
}

// fundWith is the fund given its reservations.
func fundWith(tx *lstore.Tx, base string, reserved decimal.Decimal) (governance.Fund, error) {
	bal, err := tx.AccountBalance(ledger.AccountBountyFund)
	if err != nil {
		return governance.Fund{}, err
	}
	balance := bal[base]
	return governance.Fund{Currency: base, Balance: ledger.NewMoney(balance, base),
		Reserved: ledger.NewMoney(reserved, base), Available: ledger.NewMoney(balance.Sub(reserved), base)}, nil
}

// step loads a bounty, lets change check and alter it, records the new
// state in its history and stores it, all in one write.
func (s *Store) step(actor ledger.Member, id, action, note string, change func(tx *lstore.Tx, b *governance.Bounty) error) (b governance.Bounty, err error) {
	err = s.write(func(tx *lstore.Tx) error {
		var seq uint64
		var err error
		if b, seq, err = bounty(tx.Bolt(), id); err != nil {
			return err
		}
		if expired(b, ledger.Today(tx.Now())) {
			return fmt.Errorf("bounty %s expired on %s: %w", b.ID, b.ExpiresOn, ledger.ErrConflict)
		}
		if err := change(tx, &b); err != nil {
			return err
		}
		now := tx.Now().UTC()
		b.UpdatedAt = now
		b.History = append(b.History, governance.BountyEvent{State: b.State, By: actor.ID, At: now, Note: note})
		if err := put(tx.Bolt().Bucket(bucketBounties), u64(seq), b); err != nil {
			return err
		}
		return tx.Audit(actor, action, b.ID, b.History[len(b.History)-1])
	})
	return b, err
}

// expired reports whether nobody claimed b before its expiry date.
func expired(b governance.Bounty, today string) bool {
	return (b.State == governance.BountyProposed || b.State == governance.BountyOpen) && today > b.ExpiresOn
}

func wrongState(b governance.Bounty, act string, want ...governance.BountyState) error {
	return fmt.Errorf("bounty %s is %s; only a bounty that is %v can be %s: %w", b.ID, b.State, want, act, ledger.ErrConflict)
}

// ApproveBounty funds a proposed bounty: the board reserves its amount
// from the fund, which must hold it.
func (s *Store) ApproveBounty(actor ledger.Member, id string) (governance.Bounty, error) {
	if !actor.HasRole(ledger.RoleBoard) {
		return governance.Bounty{}, fmt.Errorf("approve bounty %s: only the board funds bounties: %w", id, ledger.ErrForbidden)
	}
	return s.step(actor, id, "bounty.approve", "", func(tx *lstore.Tx, b *governance.Bounty) error {
		if b.State != governance.BountyProposed {
			return wrongState(*b, "approved", governance.BountyProposed)
		}
		f, err := fund(tx)
		if err != nil {
			return err
		}
		if b.Amount.Amount.GreaterThan(f.Available.Amount) {
			return ledger.FieldError("amount", fmt.Sprintf("the bounty fund has %s %s available, less than %s", f.Available, f.Currency, b.Amount))
		}
		b.State, b.ApprovedBy = governance.BountyOpen, actor.ID
		return nil
	})
}

// ClaimBounty lets a member take on an open bounty.
func (s *Store) ClaimBounty(actor ledger.Member, id string) (governance.Bounty, error) {
	return s.step(actor, id, "bounty.claim", "", func(_ *lstore.Tx, b *governance.Bounty) error {
		if b.State != governance.BountyOpen {
			return wrongState(*b, "claimed", governance.BountyOpen)
		}
		b.State, b.ClaimantID = governance.BountyClaimed, actor.ID
		return nil
	})
}

// SubmitBounty hands in the claimant's work, ticking the criteria met.
func (s *Store) SubmitBounty(actor ledger.Member, id string, in governance.SubmitInput) (governance.Bounty, error) {
	return s.step(actor, id, "bounty.submit", in.Note, func(_ *lstore.Tx, b *governance.Bounty) error {
		if b.State != governance.BountyClaimed {
			return wrongState(*b, "submitted", governance.BountyClaimed)
		}
		if b.ClaimantID != actor.ID {
			return fmt.Errorf("bounty %s: only its claimant submits it: %w", b.ID, ledger.ErrForbidden)
		}
		if err := in.Validate(*b); err != nil {
			return err
		}
		for i := range b.Criteria {
			b.Criteria[i].Done = slices.Contains(in.Done, i)
		}
		b.State, b.Submission = governance.BountySubmitted, in.Note
		return nil
	})
}

// AcceptBounty accepts submitted work and pays the claimant from the fund,
// in the same write. The reviewer is ops or board and not the claimant,
// and every criterion must be ticked.
func (s *Store) AcceptBounty(actor ledger.Member, id string, in governance.ReviewInput) (governance.Bounty, error) {
	if err := in.Validate(); err != nil {
		return governance.Bounty{}, err
	}
	if !actor.IsReviewer() {
		return governance.Bounty{}, fmt.Errorf("accept bounty %s: only ops and board review bounties: %w", id, ledger.ErrForbidden)
	}
	return s.step(actor, id, "bounty.accept", in.Note, func(tx *lstore.Tx, b *governance.Bounty) error {
		if b.State != governance.BountySubmitted {
			return wrongState(*b, "accepted", governance.BountySubmitted)
		}
		if b.ClaimantID == actor.ID {
			return fmt.Errorf("bounty %s: the claimant cannot accept their own work: %w", b.ID, ledger.ErrForbidden)
		}
		for i, c := range b.Criteria {
			if !c.Done {
				return ledger.FieldError("criteria", fmt.Sprintf("criterion %d (%s) is not met; reject the bounty to send it back", i, c.Text))
			}
		}
		t, err := tx.Post(actor, ledger.Transaction{
			Date: ledger.Today(tx.Now()), Kind: ledger.KindBountyPayout, MemberID: b.ClaimantID,
			Description: "Bounty " + b.ID + ": " + b.Title,
			Postings: []ledger.Posting{
				{Account: ledger.AccountBounties, Amount: b.Amount.Amount, Currency: b.Currency},
				{Account: ledger.AccountBountyFund, Amount: b.Amount.Amount.Neg(), Currency: b.Currency},
			},
		})
		if err != nil {
			return fmt.Errorf("pay bounty %s: %w", b.ID, err)
		}
		b.State, b.ReviewerID, b.PayoutTx = governance.BountyAccepted, actor.ID, t.ID
		return nil
	})
}

// RejectBounty sends submitted work back to its claimant.
func (s *Store) RejectBounty(actor ledger.Member, id string, in governance.ReviewInput) (governance.Bounty, error) {
	if err := in.Validate(); err != nil {
		return governance.Bounty{}, err
	}
	if !actor.IsReviewer() {
		return governance.Bounty{}, fmt.Errorf("reject bounty %s: only ops and board review bounties: %w", id, ledger.ErrForbidden)
	}
	return s.step(actor, id, "bounty.reject", in.Note, func(_ *lstore.Tx, b *governance.Bounty) error {
		if b.State != governance.BountySubmitted {
			return wrongState(*b, "rejected", governance.BountySubmitted)
		}
		if b.ClaimantID == actor.ID {
			return fmt.Errorf("bounty %s: the claimant cannot review their own work: %w", b.ID, ledger.ErrForbidden)
		}
		b.State = governance.BountyClaimed
		return nil
	})
}

// CancelBounty withdraws a bounty nobody has submitted work for, releasing
// its reservation. Board only.
func (s *Store) CancelBounty(actor ledger.Member, id string, in governance.ReviewInput) (governance.Bounty, error) {
	if err := in.Validate(); err != nil {
		return governance.Bounty{}, err
	}
	if !actor.HasRole(ledger.RoleBoard) {
		return governance.Bounty{}, fmt.Errorf("cancel bounty %s: only the board cancels bounties: %w", id, ledger.ErrForbidden)
	}
	return s.step(actor, id, "bounty.cancel", in.Note, func(_ *lstore.Tx, b *governance.Bounty) error {
		switch b.State {
		case governance.BountyProposed, governance.BountyOpen, governance.BountyClaimed:
		default:
			return wrongState(*b, "cancelled", governance.BountyProposed, governance.BountyOpen, governance.BountyClaimed)
		}
		b.State = governance.BountyCancelled
		return nil
	})
}

// ExpireBounties marks every unclaimed bounty past its expiry date expired,
// releasing its reservation; the scheduler runs it hourly. It returns the
// ids it expired. It writes only when some bounty is due.
func (s *Store) ExpireBounties() (ids []string, err error) {
	var found bool
	err = s.view(func(tx *lstore.Tx) error {
		due, _, err := expiring(tx)
		found = len(due) > 0
		return err
	})
	if err != nil || !found {
		return nil, err
	}
	err = s.write(func(tx *lstore.Tx) error {
		ids = ids[:0]
		due, seqs, err := expiring(tx)
		if err != nil {
			return err
		}
		now := tx.Now().UTC()
		bk := tx.Bolt().Bucket(bucketBounties)
		for i, b := range due {
			b.State, b.UpdatedAt = governance.BountyExpired, now
			b.History = append(b.History, governance.BountyEvent{State: b.State, By: "system", At: now,
				Note: "nobody claimed it by " + b.ExpiresOn})
			if err := put(bk, u64(seqs[i]), b); err != nil {
				return err
			}
			if err := tx.Audit(ledger.System, "bounty.expire", b.ID, nil); err != nil {
				return err
			}
			ids = append(ids, b.ID)
		}
		return nil
	})
	return ids, err
}

// expiring lists the bounties nobody claimed by their expiry date, at tx's
// clock.
func expiring(tx *lstore.Tx) (due []governance.Bounty, seqs []uint64, err error) {
	today := ledger.Today(tx.Now())
	err = tx.Bolt().Bucket(bucketBounties).ForEach(func(k, raw []byte) error {
		var b governance.Bounty
		if err := jsonUnmarshal(raw, &b); err != nil {
			return err
		}
		if expired(b, today) {
			b.Amount.Currency = b.Currency
			due = append(due, b)
			seqs = append(seqs, binaryKey(k))
		}
		return nil
	})
	return due, seqs, err
}
