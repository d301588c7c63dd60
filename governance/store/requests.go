package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// RequestView is one request as a member sees it: with its comments and
// whether they vote for it.
type RequestView struct {
	governance.Request
	Voted    bool                 `json:"voted"`
	Comments []governance.Comment `json:"comments"`
}

// FileRequest records a new incident or feature request. Any member may
// file one.
func (s *Store) FileRequest(actor ledger.Member, in governance.RequestInput) (r governance.Request, err error) {
	if err := in.Validate(); err != nil {
		return r, err
	}
	err = s.write(func(tx *lstore.Tx) error {
		if in.CircleID != "" {
			if _, err := tx.Circle(in.CircleID); err != nil {
				return ledger.FieldError("circle_id", "no circle "+in.CircleID)
			}
		}
		b := tx.Bolt().Bucket(bucketRequests)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := tx.Now().UTC()
		r = governance.Request{ID: formatID(prefixRequest, seq), Kind: in.Kind, Title: in.Title, Body: in.Body,
			Category: in.Category, CircleID: in.CircleID, AuthorID: actor.ID, Status: governance.StatusOpen,
			CreatedAt: now, UpdatedAt: now,
			History: []governance.StatusChange{{Status: governance.StatusOpen, By: actor.ID, At: now}}}
		if err := putRequest(tx.Bolt(), seq, r); err != nil {
			return err
		}
		return tx.Audit(actor, "request.file", r.ID, in)
	})
	return r, err
}

// request reads a request by id inside tx.
func request(tx *bolt.Tx, id string) (governance.Request, uint64, error) {
	var r governance.Request
	seq, ok := parseID(prefixRequest, id)
	if !ok {
		return r, 0, notFound("request", id)
	}
	found, err := get(tx.Bucket(bucketRequests), u64(seq), &r)
	if err == nil && !found {
		err = notFound("request", id)
	}
	r.Votes = voteCount(tx, seq)
	return r, seq, err
}

// voteCount is the number of members voting for the request at seq.
func voteCount(tx *bolt.Tx, seq uint64) int {
	v := tx.Bucket(bucketCounts).Get(u64(seq))
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

func setVoteCount(tx *bolt.Tx, seq uint64, n int) error {
	return tx.Bucket(bucketCounts).Put(u64(seq), u64(uint64(n)))
}

// putRequest stores r; its vote count lives apart (voteCount).
func putRequest(tx *bolt.Tx, seq uint64, r governance.Request) error {
	r.Votes = 0
	return put(tx.Bucket(bucketRequests), u64(seq), r)
}

// Request returns a request with its comments, and whether actor votes
// for it.
func (s *Store) Request(actor ledger.Member, id string) (v RequestView, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		r, seq, err := request(tx.Bolt(), id)
		if err != nil {
			return err
		}
		v.Request = r
		v.Voted = tx.Bolt().Bucket(bucketVotes).Get(joinKey(u64(seq), []byte(actor.ID))) != nil
		v.Comments = []governance.Comment{}
		c := tx.Bolt().Bucket(bucketComments).Cursor()
		prefix := u64(seq)
		for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
			var cm governance.Comment
			if err := jsonUnmarshal(raw, &cm); err != nil {
				return err
			}
			v.Comments = append(v.Comments, cm)
		}
		return nil
	})
	return v, err
}

// RequestTitles maps the request ids given to their titles, reading just
// those requests (a page linking to a few). An id no request has is left
// out.
func (s *Store) RequestTitles(ids []string) (titles map[string]string, err error) {
	titles = make(map[string]string, len(ids))
	err = s.view(func(tx *lstore.Tx) error {
		for _, id := range ids {
			if _, done := titles[id]; done || id == "" {
				continue
			}
			r, _, err := request(tx.Bolt(), id)
			if errors.Is(err, ledger.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			titles[id] = r.Title
		}
		return nil
	})
	return titles, err
}

// Requests lists the requests matching f, most votes first and, among
// equal votes, the oldest first. voted holds the ids actor votes for.
func (s *Store) Requests(actor ledger.Member, f governance.RequestFilter) (rs []governance.Request, voted map[string]bool, err error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	rs = []governance.Request{}
	voted = map[string]bool{}
	err = s.view(func(tx *lstore.Tx) error {
		votes := tx.Bolt().Bucket(bucketVotes)
		return tx.Bolt().Bucket(bucketRequests).ForEach(func(k, raw []byte) error {
			var r governance.Request
			if err := jsonUnmarshal(raw, &r); err != nil {
				return err
			}
			r.Votes = voteCount(tx.Bolt(), binary.BigEndian.Uint64(k))
			if !f.Match(r) {
				return nil
			}
			rs = append(rs, r)
			if votes.Get(joinKey(k, []byte(actor.ID))) != nil {
				voted[r.ID] = true
			}
			return nil
		})
	})
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Votes > rs[j].Votes })
	return rs, voted, err
}

// Vote records actor's vote for a request. Voting again changes nothing
// (changed is false): each member counts once.
func (s *Store) Vote(actor ledger.Member, id string) (r governance.Request, changed bool, err error) {
	return s.setVote(actor, id, true)
}

// Unvote withdraws actor's vote; withdrawing a vote never cast changes
// nothing.
func (s *Store) Unvote(actor ledger.Member, id string) (r governance.Request, changed bool, err error) {
	return s.setVote(actor, id, false)
}

func (s *Store) setVote(actor ledger.Member, id string, on bool) (r governance.Request, changed bool, err error) {
	err = s.write(func(tx *lstore.Tx) error {
		changed = false
		var seq uint64
		var err error
		if r, seq, err = request(tx.Bolt(), id); err != nil {
			return err
		}
		if r.Status == governance.StatusDuplicate {
			return fmt.Errorf("request %s was merged into %s; vote there: %w", r.ID, r.DuplicateOf, ledger.ErrConflict)
		}
		if on && !governance.Votable(r.Status) {
			return fmt.Errorf("request %s is %s and takes no more votes: %w", r.ID, r.Status, ledger.ErrConflict)
		}
		votes := tx.Bolt().Bucket(bucketVotes)
		key := joinKey(u64(seq), []byte(actor.ID))
		has := votes.Get(key) != nil
		if has == on {
			return nil
		}
		action := "request.vote"
		if on {
			err = votes.Put(key, present)
			r.Votes++
		} else {
			action = "request.unvote"
			err = votes.Delete(key)
			r.Votes--
		}
		if err != nil {
			return err
		}
		changed = true
		if err := setVoteCount(tx.Bolt(), seq, r.Votes); err != nil {
			return err
		}
		return tx.Audit(actor, action, r.ID, nil)
	})
	return r, changed, err
}

// Triage moves a request through the workflow and may set its category.
// Ops and board triage. Marking a request a duplicate moves its votes to
// the original, counting each member once.
func (s *Store) Triage(actor ledger.Member, id string, in governance.TriageInput) (r governance.Request, err error) {
	if !actor.IsReviewer() {
		return r, fmt.Errorf("triage request %s: only ops and board triage: %w", id, ledger.ErrForbidden)
	}
	err = s.write(func(tx *lstore.Tx) error {
		var seq uint64
		var err error
		if r, seq, err = request(tx.Bolt(), id); err != nil {
			return err
		}
		if err := in.Validate(r); err != nil {
			return err
		}
		now := tx.Now().UTC()
		if in.Category != nil {
			r.Category = *in.Category
		}
		merging := in.Status == governance.StatusDuplicate && r.Status != governance.StatusDuplicate
		if in.Status != r.Status {
			r.Status = in.Status
			r.History = append(r.History, governance.StatusChange{Status: in.Status, By: actor.ID, At: now, Note: in.Note})
		}
		r.UpdatedAt = now
		if merging {
			if err := mergeVotes(tx.Bolt(), &r, seq, in.DuplicateOf); err != nil {
				return err
			}
		}
		if err := putRequest(tx.Bolt(), seq, r); err != nil {
			return err
		}
		if err := setVoteCount(tx.Bolt(), seq, r.Votes); err != nil {
			return err
		}
		return tx.Audit(actor, "request.triage", r.ID, in)
	})
	return r, err
}

// mergeVotes moves the votes of dup (at seq) to the request named orig.
func mergeVotes(tx *bolt.Tx, dup *governance.Request, seq uint64, orig string) error {
	o, oseq, err := request(tx, orig)
	if err != nil {
		return ledger.FieldError("duplicate_of", "no request "+orig)
	}
	if o.Status == governance.StatusDuplicate {
		return ledger.FieldError("duplicate_of", fmt.Sprintf("%s is itself a duplicate of %s; name that one", o.ID, o.DuplicateOf))
	}
	votes := tx.Bucket(bucketVotes)
	prefix := u64(seq)
	var moved [][]byte
	c := votes.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		moved = append(moved, append([]byte(nil), k[len(prefix):]...))
	}
	for _, member := range moved {
		if err := votes.Delete(joinKey(prefix, member)); err != nil {
			return err
		}
		key := joinKey(u64(oseq), member)
		if votes.Get(key) == nil {
			if err := votes.Put(key, present); err != nil {
				return err
			}
			o.Votes++
		}
	}
	dup.DuplicateOf = o.ID
	dup.Votes = 0
	o.UpdatedAt = dup.UpdatedAt
	if err := putRequest(tx, oseq, o); err != nil {
		return err
	}
	return setVoteCount(tx, oseq, o.Votes)
}

// Comment adds actor's comment to a request.
func (s *Store) Comment(actor ledger.Member, id string, in governance.CommentInput) (cm governance.Comment, err error) {
	if err := in.Validate(); err != nil {
		return cm, err
	}
	err = s.write(func(tx *lstore.Tx) error {
		r, seq, err := request(tx.Bolt(), id)
		if err != nil {
			return err
		}
		b := tx.Bolt().Bucket(bucketComments)
		cseq, err := b.NextSequence()
		if err != nil {
			return err
		}
		cm = governance.Comment{ID: formatID(prefixComment, cseq), RequestID: r.ID, AuthorID: actor.ID,
			Body: in.Body, CreatedAt: tx.Now().UTC()}
		if err := put(b, joinKey(u64(seq), u64(cseq)), cm); err != nil {
			return err
		}
		return tx.Audit(actor, "request.comment", r.ID, cm)
	})
	return cm, err
}
