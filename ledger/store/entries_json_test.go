package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// listJSONCases are queries over the entries listJSONCoop logs, each with
// the actor who asks.
func listJSONCases(c *coop) []struct {
	actor ledger.Member
	q     store.EntryQuery
} {
	return []struct {
		actor ledger.Member
		q     store.EntryQuery
	}{
		{c.alice, store.EntryQuery{MemberID: c.alice.ID}},
		{c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-06"}},
		{c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2024-05"}},
		{c.alice, store.EntryQuery{MemberID: c.alice.ID, Month: "2023-01"}},
		{c.alice, store.EntryQuery{MemberID: c.alice.ID, Limit: 2}},
		{c.alice, store.EntryQuery{MemberID: c.alice.ID, State: ledger.StateDraft}},
		{c.bea, store.EntryQuery{}},
		{c.bea, store.EntryQuery{Month: "2024-06"}},
		{c.bea, store.EntryQuery{State: ledger.StateSubmitted}},
		{c.bea, store.EntryQuery{State: ledger.StateRejected, Month: "2024-06"}},
		{c.bea, store.EntryQuery{MemberID: c.max.ID}},
	}
}

// listJSONCoop logs entries in every state, with text that JSON escapes.
func listJSONCoop(t *testing.T) *coop {
	t.Helper()
	c := newCoop(t)
	c.log(t, c.alice, "2024-06-03", "2")
	c.submit(t, c.alice, c.log(t, c.alice, "2024-06-04", "1.5"))
	c.approved(t, c.alice, "2024-05-20", "3")
	in := c.in(c.alice, "2024-06-05", "0.25")
	in.Task, in.Note = `<b>"quoted" & tagged</b>`, "line one\nline two — ünïcödé \u2028"
	e, err := c.db.LogTime(c.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	c.submit(t, c.alice, e)
	if _, err := c.db.ReviewTimeEntry(c.bea, e.ID, false, "too <short>"); err != nil {
		t.Fatal(err)
	}
	c.approved(t, c.bob, "2024-06-04", "8")
	return c
}

func wantSameJSON(t *testing.T, db *store.DB, actor ledger.Member, q store.EntryQuery) {
	t.Helper()
	es, err := db.TimeEntries(actor, q)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	want, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	prefix := []byte("xx")
	got, err := db.TimeEntriesJSON(bytes.Clone(prefix), actor, q)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Errorf("%+v:\n got %s\nwant xx%s", q, got, want)
	}
}

func TestTimeEntriesJSON_SameAsMarshalOfTheList(t *testing.T) {
	c := listJSONCoop(t)
	for round := range 2 { // the second from the cache
		for _, tc := range listJSONCases(c) {
			wantSameJSON(t, c.db, tc.actor, tc.q)
		}
		if t.Failed() {
			t.Fatalf("round %d", round)
		}
	}
}

// An entry whose stored JSON is not json.Marshal's (an older build's, its
// fields in another order) is answered as json.Marshal writes it, and a
// change to its stored bytes is seen at once.
func TestTimeEntriesJSON_StoredInAnotherForm_Reencoded(t *testing.T) {
	c := listJSONCoop(t)
	for _, tc := range listJSONCases(c) {
		wantSameJSON(t, c.db, tc.actor, tc.q) // fill the cache
	}
	rewrite := func(change func(map[string]any)) {
		t.Helper()
		err := c.db.Bolt().Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("entries"))
			return b.ForEach(func(k, v []byte) error {
				var m map[string]any
				if err := json.Unmarshal(v, &m); err != nil {
					return err
				}
				change(m)
				out, err := json.MarshalIndent(m, "", " ") // keys sorted, spaced
				if err != nil {
					return err
				}
				return b.Put(bytes.Clone(k), out)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rewrite(func(map[string]any) {})
	for _, tc := range listJSONCases(c) {
		wantSameJSON(t, c.db, tc.actor, tc.q)
	}
	rewrite(func(m map[string]any) { m["task"] = "changed behind the cache" })
	got, err := c.db.TimeEntriesJSON(nil, c.alice, store.EntryQuery{MemberID: c.alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(got, []byte(`"task":"changed behind the cache"`)); n != 4 {
		t.Errorf("%d of alice's 4 entries show the changed task:\n%s", n, got)
	}
	for _, tc := range listJSONCases(c) {
		wantSameJSON(t, c.db, tc.actor, tc.q)
	}
}

func TestTimeEntriesJSON_Refusals_LeaveDstAsItWas(t *testing.T) {
	c := listJSONCoop(t)
	for _, q := range []store.EntryQuery{{MemberID: c.alice.ID}, {}, {MemberID: c.max.ID, Month: "2024-13"}} {
		got, err := c.db.TimeEntriesJSON([]byte("kept"), c.max, q)
		if err == nil || string(got) != "kept" {
			t.Errorf("max lists %+v: %q, %v; want an error and dst as it was", q, got, err)
		}
	}
}

func TestMonthTotals_FromTheIndex_AsFromTheEntries(t *testing.T) {
	c := listJSONCoop(t)
	want := func(member ledger.Member, month string) map[ledger.EntryState]store.EntryTotal {
		es, err := c.db.TimeEntries(c.bea, store.EntryQuery{MemberID: member.ID, Month: month})
		if err != nil {
			t.Fatal(err)
		}
		out := map[ledger.EntryState]store.EntryTotal{}
		for _, e := range es {
			tot := out[e.State]
			tot.Entries++
			tot.Minutes += e.Minutes
			out[e.State] = tot
		}
		return out
	}
	check := func(when string) {
		t.Helper()
		for _, member := range []ledger.Member{c.alice, c.bob, c.max} {
			for _, month := range []string{"2024-05", "2024-06", "2023-12"} {
				var got map[ledger.EntryState]store.EntryTotal
				err := c.db.View(func(tx *store.Tx) error {
					var err error
					got, err = tx.MonthTotals(member, member.ID, month)
					return err
				})
				if err != nil {
					t.Fatalf("%s: %s %s: %v", when, member.Name, month, err)
				}
				if w := want(member, month); fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("%s: %s %s totals %v, want %v", when, member.Name, month, got, w)
				}
			}
		}
	}
	check("now")
	// Member index values written before they carried minutes and state.
	err := c.db.Bolt().Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("entries_member"))
		var keys [][]byte
		b.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
		for _, k := range keys {
			if err := b.Put(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("old index values")
	err = c.db.View(func(tx *store.Tx) error {
		_, err := tx.MonthTotals(c.max, c.alice.ID, "2024-06")
		return err
	})
	if !errors.Is(err, ledger.ErrForbidden) {
		t.Errorf("max reads alice's totals: %v, want forbidden", err)
	}
}

func TestTimeEntries_Offset_PagesThroughTheList(t *testing.T) {
	c := listJSONCoop(t)
	for _, q := range []store.EntryQuery{{MemberID: c.alice.ID}, {}, {State: ledger.StateSubmitted}, {Month: "2024-06", State: ledger.StateApproved}} {
		all, err := c.db.TimeEntries(c.bea, q)
		if err != nil {
			t.Fatal(err)
		}
		var paged []ledger.TimeEntry
		for off := 0; off <= len(all); off += 2 {
			p := q
			p.Offset, p.Limit = off, 2
			page, err := c.db.TimeEntries(c.bea, p)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
		}
		if fmt.Sprint(ids(paged)) != fmt.Sprint(ids(all)) {
			t.Errorf("%+v: pages of 2 give %v, the whole list %v", q, ids(paged), ids(all))
		}
	}
}
