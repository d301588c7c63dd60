package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// Ballots of an open poll are keyed by member id. Ballots of a secret poll
// are keyed by an HMAC of the member id under a key of the poll's own,
// which lets a voter change their ballot while the poll is open; the key
// is deleted when the poll closes, and from then on nobody (an admin with
// the file included) can tell whose ballot is whose. Who voted is kept
// for every poll, in its own bucket, and ballot contents of a secret poll
// never enter the audit log.

// PollView is a poll as one member sees it: whether they may vote, whether
// they have, and their current ballot while the poll is open.
type PollView struct {
	governance.Poll
	Eligible bool               `json:"eligible"`
	Voted    bool               `json:"voted"`
	Ballots  int                `json:"ballots"`
	Mine     *governance.Ballot `json:"my_ballot,omitempty"`
}

// OpenPoll validates in, fixes the electorate among today's members and
// opens the poll. Any member may put a question to the co-op; the board
// closes polls early, as does their author.
func (s *Store) OpenPoll(actor ledger.Member, in governance.PollInput) (p governance.Poll, err error) {
	err = s.write(func(tx *lstore.Tx) error {
		var err error
		if p, err = governance.NewPoll(in, tx.Now()); err != nil {
			return err
		}
		members, err := tx.Members()
		if err != nil {
			return err
		}
		voters := p.Electorate.Voters(members, ledger.Today(tx.Now()))
		if len(voters) == 0 {
			return ledger.FieldError("electorate", "no member today is in this electorate")
		}
		b := tx.Bolt().Bucket(bucketPolls)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID, p.AuthorID = formatID(prefixPoll, seq), actor.ID
		if err := put(b, u64(seq), p); err != nil {
			return err
		}
		electorate := tx.Bolt().Bucket(bucketElectorate)
		for _, v := range voters {
			if err := put(electorate, joinKey(u64(seq), []byte(v.MemberID)), v.Classes); err != nil {
				return err
			}
		}
		if p.Secret {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return err
			}
			if err := tx.Bolt().Bucket(bucketPollKeys).Put(u64(seq), key); err != nil {
				return err
			}
		}
		return tx.Audit(actor, "poll.open", p.ID, in)
	})
	return p, err
}

func (s *Store) poll(tx *bolt.Tx, id string) (governance.Poll, uint64, error) {
	var p governance.Poll
	seq, ok := parseID(prefixPoll, id)
	if !ok {
		return p, 0, notFound("poll", id)
	}
	raw := tx.Bucket(bucketPolls).Get(u64(seq))
	if raw == nil {
		return p, 0, notFound("poll", id)
	}
	p, err := s.decodePoll(seq, raw)
	return p, seq, err
}

// decodePoll decodes the stored poll seq, through the cache.
func (s *Store) decodePoll(seq uint64, raw []byte) (governance.Poll, error) {
	if p, ok := s.polls.Get(u64(seq), raw); ok {
		return clonePoll(p), nil
	}
	var p governance.Poll
	if err := jsonUnmarshal(raw, &p); err != nil {
		return p, err
	}
	s.polls.Put(u64(seq), raw, clonePoll(p))
	return p, nil
}

// clonePoll copies the slices and maps a caller could change.
func clonePoll(p governance.Poll) governance.Poll {
	p.Options = slices.Clone(p.Options)
	p.Electorate.Classes = slices.Clone(p.Electorate.Classes)
	p.Electorate.Roles = slices.Clone(p.Electorate.Roles)
	p.Weights = maps.Clone(p.Weights)
	if p.ClosedAt != nil {
		at := *p.ClosedAt
		p.ClosedAt = &at
	}
	return p
}

// voter looks member up in the electorate of the poll at seq, fixed when
// it opened (kept apart from the poll so a ballot reads one small record).
func voter(tx *bolt.Tx, seq uint64, member string) (governance.Voter, bool, error) {
	var classes []ledger.Class
	found, err := get(tx.Bucket(bucketElectorate), joinKey(u64(seq), []byte(member)), &classes)
	return governance.Voter{MemberID: member, Classes: classes}, found, err
}

// electorateSize counts the poll's electorate.
func electorateSize(tx *bolt.Tx, seq uint64) int {
	return countPrefix(tx.Bucket(bucketElectorate), u64(seq))
}

// ballotKey is where member's ballot in the poll at seq is kept, or nil
// when it can no longer be found (a closed secret poll).
func ballotKey(tx *bolt.Tx, p governance.Poll, seq uint64, member string) []byte {
	if !p.Secret {
		return joinKey(u64(seq), []byte(member))
	}
	key := tx.Bucket(bucketPollKeys).Get(u64(seq))
	if key == nil {
		return nil
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(member))
	return joinKey(u64(seq), mac.Sum(nil)[:16])
}

// Poll returns a poll as actor sees it.
func (s *Store) Poll(actor ledger.Member, id string) (v PollView, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		p, seq, err := s.poll(tx.Bolt(), id)
		if err != nil {
			return err
		}
		v.Poll = p
		if _, v.Eligible, err = voter(tx.Bolt(), seq, actor.ID); err != nil {
			return err
		}
		v.Voted = tx.Bolt().Bucket(bucketPollVoted).Get(joinKey(u64(seq), []byte(actor.ID))) != nil
		v.Ballots = countPrefix(tx.Bolt().Bucket(bucketPollVoted), u64(seq))
		if k := ballotKey(tx.Bolt(), p, seq, actor.ID); k != nil && p.State == governance.PollOpen {
			var b governance.Ballot
			if found, err := get(tx.Bolt().Bucket(bucketBallots), k, &b); err != nil {
				return err
			} else if found {
				b.Classes = nil
				v.Mine = &b
			}
		}
		return nil
	})
	return v, err
}

// Polls lists polls, newest first; state, when set, keeps open or closed
// ones only.
func (s *Store) Polls(state governance.PollState) (ps []governance.Poll, err error) {
	if state != "" && state != governance.PollOpen && state != governance.PollClosed {
		return nil, ledger.FieldError("state", "must be open or closed")
	}
	ps = []governance.Poll{}
	err = s.view(func(tx *lstore.Tx) error {
		c := tx.Bolt().Bucket(bucketPolls).Cursor()
		for k, raw := c.Last(); k != nil; k, raw = c.Prev() {
			var p governance.Poll
			if err := jsonUnmarshal(raw, &p); err != nil {
				return err
			}
			if state == "" || p.State == state {
				ps = append(ps, p)
			}
		}
		return nil
	})
	return ps, err
}

// Cast records actor's ballot, replacing any earlier one of theirs while
// the poll is open. Only members of the electorate fixed at opening vote.
func (s *Store) Cast(actor ledger.Member, id string, in governance.BallotInput) (v PollView, err error) {
	// A poll's options, kind and electorate never change, so the ballot is
	// checked and encoded before the write transaction, which every writer
	// waits for; inside it only the poll's state is checked again. The
	// refusals keep their order: closed (409), outside the electorate
	// (403), a bad ballot (400).
	var p governance.Poll
	var b governance.Ballot
	err = s.view(func(tx *lstore.Tx) error {
		var seq uint64
		var err error
		if p, seq, err = s.poll(tx.Bolt(), id); err != nil {
			return err
		}
		if err := ballotsOpen(p, tx.Now()); err != nil {
			return err
		}
		vt, ok, err := voter(tx.Bolt(), seq, actor.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("poll %s: %s was not in its electorate when it opened: %w", p.ID, actor.ID, ledger.ErrForbidden)
		}
		if b, err = governance.CheckBallot(p, in); err != nil {
			return err
		}
		b.Classes = vt.Classes
		return nil
	})
	if err != nil {
		return v, err
	}
	record, err := json.Marshal(b)
	if err != nil {
		return v, err
	}
	var data []byte
	if !p.Secret {
		if data, err = json.Marshal(in); err != nil {
			return v, err
		}
	}
	err = s.write(func(tx *lstore.Tx) error {
		p, seq, err := s.poll(tx.Bolt(), id)
		if err != nil {
			return err
		}
		if err := ballotsOpen(p, tx.Now()); err != nil {
			return err
		}
		if err := tx.Bolt().Bucket(bucketBallots).Put(ballotKey(tx.Bolt(), p, seq, actor.ID), record); err != nil {
			return err
		}
		if err := tx.Bolt().Bucket(bucketPollVoted).Put(joinKey(u64(seq), []byte(actor.ID)), present); err != nil {
			return err
		}
		return tx.AuditEncoded(actor, "poll.ballot", p.ID, data)
	})
	if err != nil {
		return v, err
	}
	b.Classes = nil
	return PollView{Poll: p, Eligible: true, Voted: true, Mine: &b}, nil
}

// ballotsOpen refuses a ballot in a poll that is closed or past its time.
func ballotsOpen(p governance.Poll, now time.Time) error {
	if p.State != governance.PollOpen || p.Due(now) {
		return fmt.Errorf("poll %s closed at %s: %w", p.ID, p.ClosesAt.Format(time.RFC3339), ledger.ErrConflict)
	}
	return nil
}

// ClosePoll closes a poll early. Its author or the board may.
func (s *Store) ClosePoll(actor ledger.Member, id string) (r governance.Result, err error) {
	err = s.write(func(tx *lstore.Tx) error {
		p, seq, err := s.poll(tx.Bolt(), id)
		if err != nil {
			return err
		}
		if p.AuthorID != actor.ID && !actor.HasRole(ledger.RoleBoard) {
			return fmt.Errorf("close poll %s: only its author or the board close a poll early: %w", p.ID, ledger.ErrForbidden)
		}
		r, err = closePoll(tx, p, seq, actor)
		return err
	})
	return r, err
}

// CloseDuePolls closes every open poll whose time has come; the scheduler
// calls it every minute. It returns the ids it closed.
func (s *Store) CloseDuePolls() (ids []string, err error) {
	// Most minutes nothing is due: look first, so the sweep commits (and
	// holds up other writers) only when it closes something.
	var found bool
	err = s.view(func(tx *lstore.Tx) error {
		due, _, err := s.duePolls(tx)
		found = len(due) > 0
		return err
	})
	if err != nil || !found {
		return nil, err
	}
	err = s.update(func(tx *lstore.Tx) error {
		ids = ids[:0]
		due, seqs, err := s.duePolls(tx)
		if err != nil {
			return err
		}
		for i, p := range due {
			if _, err := closePoll(tx, p, seqs[i], ledger.System); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	return ids, err
}

// duePolls lists the open polls whose closing time has come at tx's clock,
// reading each poll through the decode cache.
func (s *Store) duePolls(tx *lstore.Tx) (due []governance.Poll, seqs []uint64, err error) {
	c := tx.Bolt().Bucket(bucketPolls).Cursor()
	for k, raw := c.First(); k != nil; k, raw = c.Next() {
		seq := binaryKey(k)
		p, err := s.decodePoll(seq, raw)
		if err != nil {
			return nil, nil, err
		}
		if p.Due(tx.Now()) {
			due = append(due, p)
			seqs = append(seqs, seq)
		}
	}
	return due, seqs, nil
}

// closePoll tallies the ballots, stores the result for good, and forgets
// a secret poll's ballot key.
func closePoll(tx *lstore.Tx, p governance.Poll, seq uint64, actor ledger.Member) (governance.Result, error) {
	at := tx.Now()
	if p.Due(at) {
		at = p.ClosesAt // closed late by the scheduler: it closed at its time
	}
	if err := p.Close(at); err != nil {
		return governance.Result{}, err
	}
	ballots, err := ballotsOf(tx.Bolt(), seq)
	if err != nil {
		return governance.Result{}, err
	}
	r := governance.Tally(p, electorateSize(tx.Bolt(), seq), ballots)
	if err := put(tx.Bolt().Bucket(bucketPolls), u64(seq), p); err != nil {
		return r, err
	}
	if err := put(tx.Bolt().Bucket(bucketResults), u64(seq), r); err != nil {
		return r, err
	}
	if err := tx.Bolt().Bucket(bucketPollKeys).Delete(u64(seq)); err != nil {
		return r, err
	}
	return r, tx.Audit(actor, "poll.close", p.ID, r)
}

func ballotsOf(tx *bolt.Tx, seq uint64) ([]governance.Ballot, error) {
	var out []governance.Ballot
	prefix := u64(seq)
	c := tx.Bucket(bucketBallots).Cursor()
	for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
		var b governance.Ballot
		if err := jsonUnmarshal(raw, &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func countPrefix(b *bolt.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// Result answers a poll's result: the stored one once it is closed (a poll
// past its time is closed on the spot), and while it is open a live count
// — turnout only for a secret poll.
func (s *Store) Result(id string) (r governance.Result, err error) {
	due := false
	err = s.view(func(tx *lstore.Tx) error {
		p, seq, err := s.poll(tx.Bolt(), id)
		if err != nil {
			return err
		}
		switch {
		case p.State == governance.PollClosed:
			_, err = get(tx.Bolt().Bucket(bucketResults), u64(seq), &r)
			return err
		case p.Due(tx.Now()):
			due = true
			return nil
		}
		ballots, err := ballotsOf(tx.Bolt(), seq)
		if err != nil {
			return err
		}
		r = governance.Tally(p, electorateSize(tx.Bolt(), seq), ballots)
		if p.Secret {
			r = governance.Result{State: governance.PollOpen, Electorate: r.Electorate, Ballots: r.Ballots, Turnout: r.Turnout,
				QuorumMet: r.QuorumMet}
		}
		r.State = governance.PollOpen
		return nil
	})
	if err != nil || !due {
		return r, err
	}
	if _, err := s.CloseDuePolls(); err != nil {
		return r, err
	}
	return s.Result(id)
}
