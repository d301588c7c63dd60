package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"
)

// memberIndexKeys lists every key and value of the member index as
// readers see it (memberRange over each member, both ways), failing the
// test when a key is in both of its buckets or the two ways disagree.
func memberIndexKeys(t *rapid.T, db *DB, members []ledger.Member) []string {
	var out []string
	err := db.View(func(tx *Tx) error {
		fresh := tx.tx.Bucket(bucketEntriesMemberNew)
		tx.tx.Bucket(bucketEntriesMember).ForEach(func(k, _ []byte) error {
			if fresh.Get(k) != nil {
				t.Fatalf("key %x is in both buckets", k)
			}
			return nil
		})
		for _, m := range members {
			mseq, _ := parseID(prefixMember, m.ID)
			var fwd, back []string
			tx.memberRange(u64(mseq), u64(mseq), false, func(k, v []byte) bool {
				fwd = append(fwd, fmt.Sprintf("%x=%x", k, v))
				return true
			})
			tx.memberRange(u64(mseq), u64(mseq), true, func(k, v []byte) bool {
				back = append(back, fmt.Sprintf("%x=%x", k, v))
				return true
			})
			slices.Reverse(back)
			if !slices.Equal(fwd, back) || !slices.IsSorted(fwd) {
				t.Fatalf("member %s: forward %v, backward reversed %v", m.ID, fwd, back)
			}
			out = append(out, fwd...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantMemberIndex is the member index as the entries define it.
func wantMemberIndex(t *rapid.T, db *DB) []string {
	var out []string
	err := db.View(func(tx *Tx) error {
		return tx.tx.Bucket(bucketEntries).ForEach(func(k, v []byte) error {
			e, err := tx.decodeEntry(k, v)
			if err != nil {
				return err
			}
			mseq, _ := parseID(prefixMember, e.MemberID)
			out = append(out, fmt.Sprintf("%x=%x", concat(u64(mseq), []byte(e.Date), k), dayValue(e)))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Whatever is logged, changed and deleted, and however often new keys
// move into the index, readers see the index the entries define, each key
// once, and lists and totals agree with it.
func TestMemberIndex_NewKeysAndMoves_ReadAsOneIndex(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		db, err := Open(filepath.Join(tempDir(t), "idx.db"), Options{Now: func() time.Time { return now },
			Password: PasswordParams{Memory: 64, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.bolt.NoSync = true // what is checked is what readers see, not durability
		var members []ledger.Member
		var circle ledger.Circle
		err = db.Update(func(tx *Tx) error {
			if circle, err = tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"}); err != nil {
				return err
			}
			roles := []ledger.Role{ledger.RoleAdmin, ledger.RoleOps}
			for i := range 4 {
				name, email, joined := fmt.Sprintf("M%d", i), fmt.Sprintf("m%d@example.org", i), "2020-01-01"
				m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined, Roles: &roles})
				if err != nil {
					return err
				}
				members = append(members, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		steps := rapid.IntRange(1, 700).Draw(t, "steps")
		one := int64(1)
		for i := range steps {
			m := members[rapid.IntRange(0, len(members)-1).Draw(t, "member")]
			date := fmt.Sprintf("2024-0%d-%02d", rapid.IntRange(4, 6).Draw(t, "month"), rapid.IntRange(1, 14).Draw(t, "day"))
			op := rapid.IntRange(0, 9).Draw(t, "op")
			switch {
			case op < 6 || len(ids) == 0:
				e, err := db.LogTime(m, ledger.TimeEntryInput{Date: date, Minutes: &one, CircleID: circle.ID, Task: "t"})
				if err != nil {
					t.Fatalf("step %d: log: %v", i, err)
				}
				ids = append(ids, e.ID)
			default:
				id := ids[rapid.IntRange(0, len(ids)-1).Draw(t, "entry")]
				e, err := db.TimeEntry(ledger.System, id)
				if err != nil {
					continue // deleted
				}
				at := slices.IndexFunc(members, func(x ledger.Member) bool { return x.ID == e.MemberID })
				owner := members[at]
				switch op {
				case 6:
					_, err = db.UpdateTimeEntry(owner, id, ledger.TimeEntryInput{Date: date, Minutes: &one, CircleID: circle.ID, Task: "moved"})
				case 7:
					err = db.DeleteTimeEntry(owner, id)
				case 8:
					_, err = db.SubmitTimeEntry(owner, id)
				case 9:
					reviewer := members[(at+1)%len(members)]
					_, err = db.ReviewTimeEntry(reviewer, id, true, "")
				}
				_ = err // refusals (not a draft, not submitted) are fine
			}
		}
		got, want := memberIndexKeys(t, db, members), wantMemberIndex(t, db)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("member index as read:\n%v\nas the entries define it:\n%v", got, want)
		}
		for _, m := range members {
			for _, month := range []string{"2024-04", "2024-05", "2024-06"} {
				var es []ledger.TimeEntry
				var totals map[ledger.EntryState]EntryTotal
				err := db.View(func(tx *Tx) error {
					var err error
					if es, err = tx.TimeEntries(m, EntryQuery{MemberID: m.ID, Month: month}); err != nil {
						return err
					}
					totals, err = tx.MonthTotals(m, m.ID, month)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				sum := map[ledger.EntryState]EntryTotal{}
				for i, e := range es {
					if e.MemberID != m.ID || e.Date[:7] != month || (i > 0 && e.Date > es[i-1].Date) {
						t.Fatalf("list of %s %s: %+v out of place at %d", m.ID, month, e, i)
					}
					s := sum[e.State]
					s.Entries++
					s.Minutes += e.Minutes
					sum[e.State] = s
				}
				if fmt.Sprint(sum) != fmt.Sprint(totals) {
					t.Fatalf("totals of %s %s: %v, the list's %v", m.ID, month, totals, sum)
				}
			}
		}
		if _, err := db.VerifyAudit(); err != nil {
			t.Fatal(err)
		}
	})
}

func tempDir(t *rapid.T) string {
	dir, err := os.MkdirTemp("", "memberindex-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// A file of schema version 4 keeps its member index; the new keys' bucket
// is added, and entries from before and after read as one index.
func TestMigration5_KeepsTheIndex_AddsTheNewKeysBucket(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "v4.db")
	opts := Options{Now: func() time.Time { return now }, Password: PasswordParams{Memory: 64, Time: 1, Threads: 1}}
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	var m ledger.Member
	var c ledger.Circle
	err = db.Update(func(tx *Tx) error {
		if c, err = tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"}); err != nil {
			return err
		}
		name, email, joined := "Ada", "ada@example.org", "2020-01-01"
		m, err = tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	one := int64(1)
	var before []string
	for _, d := range []string{"2024-06-03", "2024-06-01", "2024-06-10"} {
		e, err := db.LogTime(m, ledger.TimeEntryInput{Date: d, Minutes: &one, CircleID: c.ID, Task: "before"})
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, e.ID)
	}
	// Make it a version 4 file: its index keys all in entries_member, the
	// first entry's with the empty value of the oldest files.
	err = db.Bolt().Update(func(tx *bolt.Tx) error {
		main := tx.Bucket(bucketEntriesMember)
		if err := tx.Bucket(bucketEntriesMemberNew).ForEach(func(k, v []byte) error {
			if bytes.HasSuffix(k, u64(1)) {
				v = nil
			}
			return main.Put(bytes.Clone(k), bytes.Clone(v))
		}); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketEntriesMemberNew); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(4))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	if db, err = Open(path, opts); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Version(); v != 5 || SchemaVersion != 5 {
		t.Fatalf("migrated to version %d (this build %d), want 5", v, SchemaVersion)
	}
	// Changing the entry with the empty index value keeps its one key.
	if _, err := db.SubmitTimeEntry(m, before[0]); err != nil {
		t.Fatal(err)
	}
	var after []string
	for _, d := range []string{"2024-06-02", "2024-06-10"} {
		e, err := db.LogTime(m, ledger.TimeEntryInput{Date: d, Minutes: &one, CircleID: c.ID, Task: "after"})
		if err != nil {
			t.Fatal(err)
		}
		after = append(after, e.ID)
	}
	es, err := db.TimeEntries(m, EntryQuery{MemberID: m.ID, Month: "2024-06"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Date+" "+e.ID)
	}
	want := []string{"2024-06-10 " + after[1], "2024-06-10 " + before[2], "2024-06-03 " + before[0],
		"2024-06-02 " + after[0], "2024-06-01 " + before[1]}
	if !slices.Equal(got, want) {
		t.Errorf("June after the upgrade lists %v, want %v", got, want)
	}
	err = db.View(func(tx *Tx) error {
		n := 0
		tx.tx.Bucket(bucketEntriesMemberNew).ForEach(func(_, _ []byte) error { n++; return nil })
		if n != 2 {
			t.Errorf("%d keys in the new keys' bucket, want the 2 logged after the upgrade", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
