// Package storetest opens real Coopledger stores for tests in any package
// (ledger/store, ui, governance, cmd). Every store is a bbolt file in
// t.TempDir() with a fixed or test-controlled clock and a cheap password
// hash; when the test ends its file is checked for consistency with bbolt's
// own tx.Check and then closed (bbolt: internal/btesting/btesting.go).
//
// It is an ordinary package, not a _test.go file, so that tests of other
// packages can import it; nothing outside tests should.
package storetest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// CheapPassword makes argon2id cost next to nothing, so tests that set
// passwords stay fast (the default costs ~30 ms per hash, far more under
// -race).
var CheapPassword = store.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// JoinedDate is the date every member made by MustMember joined: early
// enough that a test may log hours on any recent past date.
const JoinedDate = "2020-01-01"

// OpenDB opens a new store in t.TempDir() whose clock always reads now.
func OpenDB(t testing.TB, now time.Time) *store.DB {
	t.Helper()
	return OpenDBClock(t, func() time.Time { return now })
}

// OpenDBClock opens a new store in t.TempDir() that reads the time from
// clock, for tests that move time on (see Clock).
func OpenDBClock(t testing.TB, clock func() time.Time) *store.DB {
	t.Helper()
	return OpenPath(t, filepath.Join(t.TempDir(), "coopledger.db"), clock)
}

// OpenPath opens (or creates) the store at path with the test options and
// registers the consistency check and close for the end of the test. A test
// may Close the store itself earlier (to reopen the file); the check is then
// skipped, as there is nothing open to check.
func OpenPath(t testing.TB, path string, clock func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(path, Options(clock))
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		err := db.Bolt().View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				t.Errorf("bbolt consistency check of %s: %v", path, err)
			}
			return nil
		})
		if err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
			t.Errorf("bbolt consistency check of %s: %v", path, err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close test store: %v", err)
		}
	})
	return db
}

// Options are the store options tests use: the given clock, cheap argon2,
// and a short lock timeout.
func Options(clock func() time.Time) store.Options {
	return store.Options{Now: clock, Password: CheapPassword, Timeout: time.Second}
}

// Clock is a test clock that is safe to read from the store's goroutines
// while the test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now reads the clock; pass c.Now to OpenDBClock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// MustMember creates a member as the system actor, joined on JoinedDate,
// and fails the test on any error.
func MustMember(t testing.TB, db *store.DB, name, email string, roles []ledger.Role, classes []ledger.Class) ledger.Member {
	t.Helper()
	joined := JoinedDate
	in := ledger.MemberInput{Name: &name, Email: &email, Joined: &joined}
	if roles != nil {
		in.Roles = &roles
	}
	if classes != nil {
		in.Classes = &classes
	}
	m, err := db.CreateMember(ledger.System, in)
	if err != nil {
		t.Fatalf("create member %s <%s>: %v", name, email, err)
	}
	return m
}

// MustCircle creates a circle as the system actor and fails the test on any
// error.
func MustCircle(t testing.TB, db *store.DB, name string) ledger.Circle {
	t.Helper()
	c, err := db.CreateCircle(ledger.System, ledger.CircleInput{Name: name})
	if err != nil {
		t.Fatalf("create circle %s: %v", name, err)
	}
	return c
}

// Snapshot returns the SHA-256 (hex) of the store's whole logical content:
// every bucket, nested buckets included, with every key, value and bucket
// sequence. Two equal snapshots around a refused request prove that it
// wrote nothing, not even an audit event or a consumed id.
func Snapshot(t testing.TB, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	var walk func(b *bolt.Bucket) error
	walk = func(b *bolt.Bucket) error {
		var seq [8]byte
		binary.BigEndian.PutUint64(seq[:], b.Sequence())
		field([]byte("seq"))
		field(seq[:])
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if child := b.Bucket(k); child != nil {
					field([]byte("bucket"))
					field(k)
					if err := walk(child); err != nil {
						return err
					}
					field([]byte("end"))
					return nil
				}
			}
			field([]byte("kv"))
			field(k)
			field(v)
			return nil
		})
	}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			field([]byte("bucket"))
			field(name)
			if err := walk(b); err != nil {
				return err
			}
			field([]byte("end"))
			return nil
		})
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SeedBooks gives db a small set of books (the verify and debt tests'):
// member Alice, opening balances of 2000.00 as of 2021-12-31 and 500.00 as
// of 2022-12-31, May 2024 income of 1167.00 and hosting of 420.00, and
// Alice waiving 2100.00, which takes the 2021 debt whole and 100.00 of the
// 2022 one. It returns Alice.
func SeedBooks(t testing.TB, db *store.DB) ledger.Member {
	t.Helper()
	alice := MustMember(t, db, "Alice", "alice@example.org", []ledger.Role{ledger.RoleOps}, nil)
	dec := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	steps := []func() error{
		func() error {
			_, err := db.AddOpeningBalance(ledger.System, ledger.OpeningInput{MemberID: alice.ID, AsOf: "2021-12-31", Deferred: dec("2000.00")})
			return err
		},
		func() error {
			_, err := db.AddOpeningBalance(ledger.System, ledger.OpeningInput{MemberID: alice.ID, AsOf: "2022-12-31", Deferred: dec("500.00")})
			return err
		},
		func() error {
			_, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: "2024-05", Amount: dec("1167.00")}, false)
			return err
		},
		func() error {
			_, err := db.RecordMoney(ledger.System, ledger.MoneyInput{Month: "2024-05", Account: "Expenses:Hosting", Amount: dec("420.00")}, true)
			return err
		},
		func() error {
			_, err := db.Waive(alice, alice.ID, ledger.WaiverInput{Amount: dec("2100.00")})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("seed books, step %d: %v", i, err)
		}
	}
	return alice
}

// AuditEvents decodes the stored audit records in key (chain) order.
func AuditEvents(t testing.TB, db *store.DB) []store.AuditEvent {
	t.Helper()
	var out []store.AuditEvent
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			var e store.AuditEvent
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
