package store_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	bolt "go.etcd.io/bbolt"
)

func fixed() time.Time { return now }

// storedVersion reads meta/schema_version straight from the file.
func storedVersion(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var v uint64
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		if meta == nil {
			t.Fatalf("no meta bucket")
		}
		raw := meta.Get([]byte("schema_version"))
		if len(raw) != 8 {
			t.Fatalf("schema_version = %x, want 8 bytes", raw)
		}
		v = binary.BigEndian.Uint64(raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpen_Reopen_KeepsVersionAndData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coop.db")
	db := storetest.OpenPath(t, path, fixed)
	v, err := db.Version()
	if err != nil {
		t.Fatal(err)
	}
	if v < 1 || v != store.SchemaVersion || storedVersion(t, db) != v {
		t.Fatalf("new file at version %d (stored %d), want this build's %d", v, storedVersion(t, db), store.SchemaVersion)
	}
	c := seedCoop(t, db)
	e := c.log(t, c.alice, "2024-06-14", "2.5")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = storetest.OpenPath(t, path, fixed)
	if v2, err := db.Version(); err != nil || v2 != v {
		t.Errorf("reopened at version %d, %v; want %d", v2, err, v)
	}
	got, err := db.TimeEntry(c.alice, e.ID)
	if err != nil || got.Minutes != 150 {
		t.Errorf("entry after reopening = %+v, %v", got, err)
	}
	if n, err := db.VerifyAudit(); err != nil || n != seedEvents+1 {
		t.Errorf("audit after reopening = %d, %v; want %d events", n, err, seedEvents+1)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := store.Open(path, store.Options{Now: fixed, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open: %v", err)
	}
	defer ro.Close()
	if _, err := ro.Member(c.alice.ID); err != nil {
		t.Errorf("read-only read: %v", err)
	}
}

func TestOpen_SchemaTooNew_Refused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coop.db")
	db, err := store.Open(path, storetest.Options(fixed))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Bolt().Update(func(tx *bolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, store.SchemaVersion+1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	for _, ro := range []bool{false, true} {
		opts := storetest.Options(fixed)
		opts.ReadOnly = ro
		db, err := store.Open(path, opts)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("Open (read-only %v) = %v, want ErrSchemaTooNew", ro, err)
		}
		if db != nil {
			t.Errorf("Open (read-only %v) returned a store with its error", ro)
			db.Close()
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("refusing a newer file changed it")
	}
	// The refused handles released the lock: the file opens at once.
	opts := storetest.Options(fixed)
	opts.Timeout = 50 * time.Millisecond
	again, err := store.Open(path, opts)
	if errors.Is(err, store.ErrLocked) {
		t.Errorf("a refused Open kept the file locked")
	}
	if again != nil {
		again.Close()
	}
}

func TestOpen_ReadOnly_MissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.db")
	if _, err := store.Open(path, store.Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open read-only = %v, want os.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created the file")
	}
}

func TestOpen_Locked_FailsFast(t *testing.T) {
	db := storetest.OpenDB(t, now)
	opts := storetest.Options(fixed)
	opts.Timeout = 100 * time.Millisecond
	start := time.Now()
	second, err := store.Open(db.Bolt().Path(), opts)
	took := time.Since(start)
	if !errors.Is(err, store.ErrLocked) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if took > 2*time.Second {
		t.Errorf("second Open took %v, want about its 100 ms timeout", took)
	}
	// The first handle still works.
	storetest.MustCircle(t, db, "Tech")
}

func TestVerifyAudit_AfterWrites(t *testing.T) {
	c := newCoop(t)
	e := c.approved(t, c.alice, "2024-06-14", "1") // log, submit, approve: 3 events
	if err := c.db.DeleteTimeEntry(c.alice, c.log(t, c.alice, "2024-06-13", "1").ID); err != nil {
		t.Fatal(err) // log, delete: 2 events
	}
	if _, _, err := c.db.CreateSession(c.bob.ID, time.Hour); err != nil {
		t.Fatal(err) // 1 event
	}
	refused(t, c.db, func() error { _, err := c.db.ReviewTimeEntry(c.bob, e.ID, true, ""); return err })
	n, err := c.db.VerifyAudit()
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if want := seedEvents + 3 + 2 + 1; n != want {
		t.Errorf("audit events = %d, want %d", n, want)
	}
}

func TestVerifyAudit_Tampered_Breaks(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(b *bolt.Bucket) error
		seq    uint64 // the first event that no longer holds
	}{
		{name: "action rewritten", seq: 3, tamper: func(b *bolt.Bucket) error {
			return rewrite(b, 3, func(e *store.AuditEvent) { e.Action = "circle.create" })
		}},
		{name: "actor rewritten", seq: 9, tamper: func(b *bolt.Bucket) error {
			return rewrite(b, 9, func(e *store.AuditEvent) { e.Actor = "m000001" })
		}},
		{name: "data rewritten", seq: 8, tamper: func(b *bolt.Bucket) error {
			return rewrite(b, 8, func(e *store.AuditEvent) { e.Data = json.RawMessage(`{"minutes":1440}`) })
		}},
		{name: "data rewritten with its own hash recomputed", seq: 9, tamper: func(b *bolt.Bucket) error {
			return rewrite(b, 8, func(e *store.AuditEvent) {
				e.Data = json.RawMessage(`{"minutes":1440}`)
				e.Hash = ""
				data, _ := json.Marshal(e)
				sum := sha256.Sum256(data)
				e.Hash = hex.EncodeToString(sum[:])
			})
		}},
		{name: "garbage", seq: 1, tamper: func(b *bolt.Bucket) error { return b.Put(key(1), []byte("{not json")) }},
		{name: "middle event removed", seq: 5, tamper: func(b *bolt.Bucket) error { return b.Delete(key(5)) }},
		{name: "last event removed", seq: 10, tamper: func(b *bolt.Bucket) error { return b.Delete(key(10)) }},
		{name: "two events swapped", seq: 4, tamper: func(b *bolt.Bucket) error {
			four, five := append([]byte(nil), b.Get(key(4))...), append([]byte(nil), b.Get(key(5))...)
			if err := b.Put(key(4), five); err != nil {
				return err
			}
			return b.Put(key(5), four)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCoop(t)
			c.approved(t, c.alice, "2024-06-14", "1") // events 8, 9, 10
			if n, err := c.db.VerifyAudit(); err != nil || n != 10 {
				t.Fatalf("before tampering: %d, %v; want 10 events", n, err)
			}
			err := c.db.Bolt().Update(func(tx *bolt.Tx) error { return tc.tamper(tx.Bucket([]byte("audit"))) })
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.db.VerifyAudit()
			var brk *store.AuditBreak
			if !errors.As(err, &brk) {
				t.Fatalf("VerifyAudit after tampering = %v, want an *AuditBreak", err)
			}
			if brk.Seq != tc.seq {
				t.Errorf("break at event %d (%s), want %d", brk.Seq, brk.Reason, tc.seq)
			}
		})
	}
}

func key(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func rewrite(b *bolt.Bucket, seq uint64, change func(*store.AuditEvent)) error {
	var e store.AuditEvent
	if err := json.Unmarshal(b.Get(key(seq)), &e); err != nil {
		return err
	}
	change(&e)
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(key(seq), data)
}

func TestAuditEvents_RecordActorsAndActions(t *testing.T) {
	c := newCoop(t)
	e := c.log(t, c.alice, "2024-06-14", "1")
	c.submit(t, c.alice, e)
	if _, err := c.db.ReviewTimeEntry(c.bob, e.ID, false, "wrong circle"); err != nil {
		t.Fatal(err)
	}
	events := storetest.AuditEvents(t, c.db)
	if len(events) != seedEvents+3 {
		t.Fatalf("%d events, want %d", len(events), seedEvents+3)
	}
	want := []struct{ actor, action, subject string }{
		{"system", "circle.create", c.tech.ID},
		{"system", "circle.create", c.ops.ID},
		{"system", "member.create", c.ada.ID},
		{"system", "member.create", c.alice.ID},
		{"system", "member.create", c.bob.ID},
		{"system", "member.create", c.bea.ID},
		{"system", "member.create", c.max.ID},
		{c.alice.ID, "entry.create", e.ID},
		{c.alice.ID, "entry.submit", e.ID},
		{c.bob.ID, "entry.reject", e.ID},
	}
	prev := ""
	for i, w := range want {
		got := events[i]
		if got.Seq != uint64(i+1) || got.Actor != w.actor || got.Action != w.action || got.Subject != w.subject {
			t.Errorf("event %d = %d %s %s %s, want %d %s %s %s", i, got.Seq, got.Actor, got.Action, got.Subject, i+1, w.actor, w.action, w.subject)
		}
		if got.Prev != prev || len(got.Hash) != 64 {
			t.Errorf("event %d: prev %q hash %q; want prev %q and a sha256 hash", i, got.Prev, got.Hash, prev)
		}
		if !got.At.Equal(now) {
			t.Errorf("event %d at %v, want %v", i, got.At, now)
		}
		prev = got.Hash
	}
}

func TestGeneration_ChangesWithEveryCommitOnly(t *testing.T) {
	db := storetest.OpenDB(t, time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC))
	g0, err := db.Generation()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Members(); err != nil {
		t.Fatal(err)
	}
	if g, _ := db.Generation(); g != g0 {
		t.Fatalf("a read moved the generation from %d to %d", g0, g)
	}
	storetest.MustCircle(t, db, "tech")
	g1, _ := db.Generation()
	if g1 == g0 {
		t.Fatal("a commit left the generation as it was")
	}
	// A refused write commits nothing.
	if _, err := db.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"}); err == nil {
		t.Fatal("a second circle named tech was created")
	}
	if g, _ := db.Generation(); g != g1 {
		t.Fatalf("a refused write moved the generation from %d to %d", g1, g)
	}
}
