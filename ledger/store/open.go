// Package store keeps Coopledger's records in one bbolt file. Each domain
// operation is a method on Tx, so several can share one transaction (the
// demo loader, imports, a bounty payout posting to the journal); DB wraps
// the common ones in a transaction of their own. The rules themselves live
// in package ledger as plain functions; the store reads what they need,
// calls them and writes the result.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the version this build writes. Open upgrades older files
// step by step and refuses newer ones.
var SchemaVersion = uint64(len(migrations))

// ErrSchemaTooNew means the file was written by a newer Coopledger.
var ErrSchemaTooNew = errors.New("database was written by a newer version of coopledger")

// ErrLocked means another process (usually `coopledger serve`) holds the file.
var ErrLocked = errors.New("database is in use by another process")

// Options tune how the file is opened.
type Options struct {
	// Timeout bounds the wait for the file lock, so an offline command fails
	// fast while `serve` holds it. Default 1 s.
	Timeout time.Duration
	// Now is the clock; tests fix it. Default time.Now.
	Now func() time.Time
	// ReadOnly opens the file for reading only (verify, export).
	ReadOnly bool
	// MaxBatchSize and MaxBatchDelay tune group commit for concurrent
	// writes. bbolt's defaults (1000 and 10 ms) make every concurrent
	// writer wait 10 ms; a batch as large as the usual number of concurrent
	// writers with a delay of at most 1 ms keeps latency low and
	// throughput near the disk's fsync rate. Defaults 64 and 1 ms.
	MaxBatchSize  int
	MaxBatchDelay time.Duration
	// Password sets the argon2id cost; zero means DefaultPasswordParams.
	Password PasswordParams
}

// DB is an open Coopledger store.
type DB struct {
	bolt    *bolt.DB
	now     func() time.Time
	pw      PasswordParams
	writers atomic.Int32
	// readOnly is set when the file was opened for reading only: then
	// nothing remaps it, and verify may drop pages it has read (mmap.go).
	readOnly bool
	members  decodeCache[ledger.Member]
	circles  decodeCache[ledger.Circle]
	entries  decodeCache[*cachedEntry]
	sessions decodeCache[Session]
	// tokenHits remembers the member each bearer token signed in.
	tokenHits tokenCache
	// lastShared is when (UnixNano) a write last found others in flight.
	lastShared atomic.Int64
}

// soloAfter is how long writes must have been alone before one commits
// without batching.
const soloAfter = 20 * time.Millisecond

// Open opens (creating if needed) the store at path and brings its schema
// up to date.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatchSize == 0 {
		opts.MaxBatchSize = 64
	}
	if opts.MaxBatchDelay == 0 {
		opts.MaxBatchDelay = time.Millisecond
	}
	if opts.Password == (PasswordParams{}) {
		opts.Password = DefaultPasswordParams
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	b.MaxBatchSize = opts.MaxBatchSize
	b.MaxBatchDelay = opts.MaxBatchDelay
	db := &DB{bolt: b, now: opts.Now, pw: opts.Password, readOnly: opts.ReadOnly}
	if opts.ReadOnly {
		err = db.checkVersion()
	} else {
		err = db.migrate()
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close releases the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Bolt exposes the underlying file for backups, checks and the governance
// store, which keeps its buckets in the same file.
func (db *DB) Bolt() *bolt.DB { return db.bolt }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// migrations is the ordered, append-only list of schema steps. Step i
// brings the file from version i to i+1. Never edit a released step: add one.
var migrations = []func(*bolt.Tx) error{
	// 1: the foundation buckets.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{
			bucketMembers, bucketMemberEmails, bucketCircles, bucketCircleNames,
			bucketEntries, bucketEntriesMember, bucketEntriesDate, bucketEntriesPending,
			bucketCorrections, bucketLockedMonths, bucketCredentials, bucketSessions,
			bucketTokens, bucketLoginLinks, bucketAudit,
		} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	},
	// 2: money — rates, the journal with its running balances, debt lots
	// for aging, per-member monthly figures, income tiers.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{
			bucketRates, bucketJournal, bucketBalances, bucketAccounts, bucketDebtLots,
			bucketMemberMonths, bucketIncome, bucketReversals, bucketDebtDraws,
		} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	},
	// 3: the monthly close — policies, drafts and posted closes, and the
	// months with activity (so "close earlier months first" is a range
	// scan), filled in from what version 2 recorded.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketPolicies, bucketCloses, bucketActivity} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		activity := tx.Bucket(bucketActivity)
		err := tx.Bucket(bucketBalances).ForEach(func(k, _ []byte) error {
			if bytes.HasPrefix(k, []byte("Income:")) || bytes.HasPrefix(k, []byte("Expenses:")) {
				return activity.Put(k[bytes.IndexByte(k, 0)+1:], nil)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketEntries).ForEach(func(_, v []byte) error {
			var e struct {
				Date  string `json:"date"`
				State string `json:"state"`
			}
			if err := json.Unmarshal(v, &e); err != nil || e.State != "approved" || len(e.Date) < 7 {
				return err
			}
			return activity.Put([]byte(e.Date[:7]), nil)
		})
	},
	// 4: governance — requests and votes, polls and ballots, bounties,
	// meetings and activity rules (package governance/store).
	func(tx *bolt.Tx) error {
		for _, name := range governanceBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	},
	// 5: new keys of the member index gather in a small bucket of their
	// own and move into the index in groups (memberindex.go), so a commit
	// of many members' entries writes few of its pages. The keys already
	// in the index stay there.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketEntriesMemberNew)
		return err
	},
}

func readVersion(tx *bolt.Tx) uint64 {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	v := meta.Get(keySchemaVersion)
	if len(v) != 8 {
		return 0
	}
	return fromU64(v)
}

func (db *DB) checkVersion() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		v := readVersion(tx)
		switch {
		case v > SchemaVersion:
			return fmt.Errorf("schema version %d, this build knows %d: %w", v, SchemaVersion, ErrSchemaTooNew)
		case v < SchemaVersion:
			return fmt.Errorf("schema version %d needs an upgrade to %d: open it read-write once", v, SchemaVersion)
		}
		return nil
	})
}

// migrate runs every missing step in one transaction, so a crash leaves the
// file at its old version or fully upgraded.
func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		v := readVersion(tx)
		if v > SchemaVersion {
			return fmt.Errorf("schema version %d, this build knows %d: %w", v, SchemaVersion, ErrSchemaTooNew)
		}
		for i := v; i < SchemaVersion; i++ {
			if err := migrations[i](tx); err != nil {
				return fmt.Errorf("upgrade schema to version %d: %w", i+1, err)
			}
		}
		if v != SchemaVersion {
			return meta.Put(keySchemaVersion, u64(SchemaVersion))
		}
		return nil
	})
}

// Generation is the id of the last committed write transaction. Every
// commit changes it, so an answer computed from the store may be kept and
// served again for as long as the generation read before computing it is
// still the current one.
func (db *DB) Generation() (uint64, error) {
	var g uint64
	err := db.bolt.View(func(tx *bolt.Tx) error { g = uint64(tx.ID()); return nil })
	return g, err
}

// Version reports the schema version of the open file.
func (db *DB) Version() (uint64, error) {
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) error { v = readVersion(tx); return nil })
	return v, err
}

// Tx is one transaction with the store's clock read once at its start, so
// every record it writes carries the same time.
type Tx struct {
	tx  *bolt.Tx
	now time.Time
	db  *DB
}

// Now is the transaction's clock reading.
func (tx *Tx) Now() time.Time { return tx.now }

// Bolt exposes the bbolt transaction to packages that keep their own
// buckets in this file (governance).
func (tx *Tx) Bolt() *bolt.Tx { return tx.tx }

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, now: db.now(), db: db})
	})
}

// Update runs fn in a read-write transaction: all of fn's writes commit
// together, or none do when it returns an error.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.bolt.Update(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, now: db.now(), db: db})
	})
}

// Write runs fn in a read-write transaction, grouping it with concurrent
// writers into one commit (one fsync) when there are any. fn may run more
// than once (bbolt retries a batch without a failing member), so it must
// not have effects outside the transaction other than setting its results.
func (db *DB) Write(fn func(*Tx) error) error {
	n := db.writers.Add(1)
	defer db.writers.Add(-1)
	now := time.Now().UnixNano()
	if n > 1 {
		db.lastShared.Store(now)
	} else if now-db.lastShared.Load() > int64(soloAfter) {
		// Alone, and nobody else has written lately: commit at once rather
		// than wait for a batch that will not fill. Under steady
		// concurrency writers return between batches and briefly look
		// alone; they still batch, or one of them would commit on its own
		// while the rest wait for the batch delay.
		return db.Update(fn)
	}
	return db.bolt.Batch(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, now: db.now(), db: db})
	})
}
