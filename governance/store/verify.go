package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// ErrInconsistent marks governance records that disagree with each other.
var ErrInconsistent = errors.New("governance records disagree")

// VerifyReport says what Verify checked.
type VerifyReport struct {
	Requests, Votes, Polls, Ballots, Bounties int
}

// Verify checks the governance records against each other, as `coopledger
// verify` does after a crash or before a restore: every request's vote
// count equals its votes and every vote names a stored request; every
// poll has one ballot per member recorded as having voted, a closed poll
// has its result and no ballot key left; every accepted bounty's payout
// is in the journal for its amount. It reports the first disagreement.
func (s *Store) Verify() (r VerifyReport, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		btx := tx.Bolt()
		if err := verifyVotes(btx, &r); err != nil {
			return err
		}
		if err := verifyPolls(btx, &r); err != nil {
			return err
		}
		return verifyBounties(tx, &r)
	})
	return r, err
}

func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInconsistent)
}

func verifyVotes(btx *bolt.Tx, r *VerifyReport) error {
	votes := map[uint64]int{}
	err := btx.Bucket(bucketVotes).ForEach(func(k, _ []byte) error {
		if len(k) < 9 {
			return inconsistent("vote key %x is too short", k)
		}
		seq := binary.BigEndian.Uint64(k[:8])
		if btx.Bucket(bucketRequests).Get(k[:8]) == nil {
			return inconsistent("a vote by %s names request %s, which is not stored", k[8:], formatID(prefixRequest, seq))
		}
		votes[seq]++
		r.Votes++
		return nil
	})
	if err != nil {
		return err
	}
	return btx.Bucket(bucketRequests).ForEach(func(k, _ []byte) error {
		seq := binary.BigEndian.Uint64(k)
		r.Requests++
		if n := voteCount(btx, seq); n != votes[seq] {
			return inconsistent("request %s counts %d votes but has %d", formatID(prefixRequest, seq), n, votes[seq])
		}
		return nil
	})
}

func verifyPolls(btx *bolt.Tx, r *VerifyReport) error {
	return btx.Bucket(bucketPolls).ForEach(func(k, raw []byte) error {
		var p governance.Poll
		if err := jsonUnmarshal(raw, &p); err != nil {
			return err
		}
		r.Polls++
		ballots := countPrefix(btx.Bucket(bucketBallots), k)
		voted := countPrefix(btx.Bucket(bucketPollVoted), k)
		r.Ballots += ballots
		if ballots != voted {
			return inconsistent("poll %s holds %d ballots but %d members recorded as voting", p.ID, ballots, voted)
		}
		if voted > countPrefix(btx.Bucket(bucketElectorate), k) {
			return inconsistent("poll %s has more voters than its electorate", p.ID)
		}
		c := btx.Bucket(bucketPollVoted).Cursor()
		for vk, _ := c.Seek(k); vk != nil && bytes.HasPrefix(vk, k); vk, _ = c.Next() {
			if btx.Bucket(bucketElectorate).Get(vk) == nil {
				return inconsistent("%s voted in poll %s without being in its electorate", vk[8:], p.ID)
			}
		}
		closed := p.State == governance.PollClosed
		if hasResult := btx.Bucket(bucketResults).Get(k) != nil; hasResult != closed {
			return inconsistent("poll %s is %s but has a stored result: %v", p.ID, p.State, hasResult)
		}
		if closed && btx.Bucket(bucketPollKeys).Get(k) != nil {
			return inconsistent("closed poll %s still has its ballot key", p.ID)
		}
		return nil
	})
}

func verifyBounties(tx *lstore.Tx, r *VerifyReport) error {
	return tx.Bolt().Bucket(bucketBounties).ForEach(func(_, raw []byte) error {
		var b governance.Bounty
		if err := jsonUnmarshal(raw, &b); err != nil {
			return err
		}
		r.Bounties++
		if b.State != governance.BountyAccepted {
			if b.PayoutTx != "" {
				return inconsistent("bounty %s is %s but names payout %s", b.ID, b.State, b.PayoutTx)
			}
			return nil
		}
		t, err := tx.Transaction(b.PayoutTx)
		if err != nil {
			return inconsistent("bounty %s was paid by %q, which is not in the journal", b.ID, b.PayoutTx)
		}
		paid := false
		for _, p := range t.Postings {
			paid = paid || (p.Account == ledger.AccountBounties && p.Amount.Equal(b.Amount.Amount) && p.Currency == b.Currency)
		}
		if !paid || t.MemberID != b.ClaimantID {
			return inconsistent("payout %s of bounty %s does not pay %s %s to %s", t.ID, b.ID, b.Amount, b.Currency, b.ClaimantID)
		}
		return nil
	})
}
