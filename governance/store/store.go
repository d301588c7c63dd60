// Package store keeps the governance records (requests, votes, polls,
// ballots, bounties, meetings) in their own buckets of the Coopledger bbolt
// file. Every write shares a transaction with the ledger store, so its audit
// event joins the same hash chain and a bounty payout posts to the journal
// in the same commit as the bounty's new state.
package store

import (
	"encoding/binary"
	"fmt"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// Bucket names. The ledger store's schema step 4 creates them (New checks),
// so code may assume they exist.
var (
	bucketRequests      = []byte("gov_requests")        // seq → Request
	bucketVotes         = []byte("gov_request_votes")   // request seq | member id → present
	bucketCounts        = []byte("gov_request_counts")  // request seq → uint64 votes, apart so a vote rewrites 8 bytes
	bucketComments      = []byte("gov_comments")        // request seq | comment seq → Comment
	bucketBounties      = []byte("gov_bounties")        // seq → Bounty
	bucketPolls         = []byte("gov_polls")           // seq → Poll
	bucketElectorate    = []byte("gov_poll_electorate") // poll seq | member id → classes, fixed at opening
	bucketPollVoted     = []byte("gov_poll_voted")      // poll seq | member id → present: who voted
	bucketBallots       = []byte("gov_ballots")         // poll seq | member id, or HMAC of it (secret) → Ballot
	bucketPollKeys      = []byte("gov_poll_keys")       // poll seq → HMAC key of an open secret poll
	bucketResults       = []byte("gov_poll_results")    // poll seq → Result, written once at close
	bucketMeetings      = []byte("gov_meetings")        // seq → Meeting
	bucketActivityRules = []byte("gov_activity_rules")  // class → ActivityRule
	buckets             = [][]byte{bucketRequests, bucketVotes, bucketCounts, bucketComments, bucketBounties,
		bucketPolls, bucketElectorate, bucketPollVoted, bucketBallots, bucketPollKeys, bucketResults, bucketMeetings, bucketActivityRules}
)

// present is the value of set-membership keys: bbolt's Get answers nil for
// an empty value, which would read as absent.
var present = []byte{1}

// Id prefixes: opaque outside, fixed-width so id order is creation order.
const (
	prefixRequest = "r"
	prefixComment = "rc"
	prefixBounty  = "b"
	prefixMeeting = "mt"
	prefixPoll    = "po"
)

// Store is the governance side of one Coopledger file. A Store from InTx
// works inside a transaction the caller already holds.
type Store struct {
	db    *lstore.DB
	tx    *lstore.Tx
	polls *lstore.DecodeCache[governance.Poll]
}

// InTx returns a store whose every call runs inside tx, for callers that
// write governance records in a larger transaction (the demo loader): all
// of it commits together or not at all.
func InTx(tx *lstore.Tx) *Store { return &Store{tx: tx} }

// write runs fn in a write transaction grouped with concurrent writers, or
// in the store's own transaction.
func (s *Store) write(fn func(*lstore.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.Write(fn)
}

// update runs fn in a write transaction of its own (sweeps over many
// records), or in the store's own transaction.
func (s *Store) update(fn func(*lstore.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.Update(fn)
}

// view runs fn in a read transaction, or in the store's own transaction.
func (s *Store) view(fn func(*lstore.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.View(fn)
}

// New opens the governance side of db. The ledger's schema steps create
// the buckets (schema version 4); New only checks they are all there, so a
// bucket named here and not there fails at start-up, not at first use.
func New(db *lstore.DB) (*Store, error) {
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("bucket %s is missing: the file predates governance or was damaged", name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("governance store: %w", err)
	}
	return &Store{db: db, polls: &lstore.DecodeCache[governance.Poll]{}}, nil
}

// DB is the ledger store underneath, for callers that need both.
func (s *Store) DB() *lstore.DB { return s.db }

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// Records and ids are kept as the ledger store keeps its own.
var (
	formatID      = lstore.FormatID
	parseID       = lstore.ParseID
	put           = lstore.PutJSON
	get           = lstore.GetJSON
	jsonUnmarshal = lstore.DecodeJSON
)

// joinKey builds prefix-then-suffix keys for per-record ranges.
func joinKey(a []byte, b []byte) []byte {
	k := make([]byte, 0, len(a)+len(b))
	return append(append(k, a...), b...)
}

func notFound(kind, id string) error { return fmt.Errorf("%s %q: %w", kind, id, ledger.ErrNotFound) }

// binaryKey reads a big-endian sequence key.
func binaryKey(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

// pollExists reports whether a poll with id is stored.
func pollExists(tx *bolt.Tx, id string) bool {
	seq, ok := parseID(prefixPoll, id)
	return ok && tx.Bucket(bucketPolls).Get(u64(seq)) != nil
}
