package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"pgregory.net/rapid"
)

func anyText() *rapid.Generator[string] {
	return rapid.OneOf(rapid.String(), rapid.StringMatching(`[a-z <>&"\\\x00-\x1f\x7f]{0,12}`),
		rapid.SampledFrom([]string{"", "\u2028\u2029", "\xff\xfe ok", "ünïcödé ✓", "a\xc3", "\xed\xa0\x80"}))
}

func anyTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(-70000000000, 300000000000).Draw(t, "sec")
		ns := rapid.Int64Range(0, 999999999).Draw(t, "ns")
		tm := time.Unix(sec, ns)
		switch rapid.IntRange(0, 3).Draw(t, "zone") {
		case 0:
			return tm.UTC()
		case 1:
			return tm.In(time.FixedZone("x", rapid.IntRange(-26*3600, 26*3600).Draw(t, "offset")))
		case 2:
			return tm.UTC().Truncate(time.Second)
		}
		return tm
	})
}

// appendEntryJSON writes what json.Marshal writes, or fails where it fails.
func TestAppendEntryJSON_AsMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		optTime := func(name string) *time.Time {
			if rapid.Bool().Draw(t, name+" set") {
				v := anyTime().Draw(t, name)
				return &v
			}
			return nil
		}
		e := ledger.TimeEntry{
			ID: anyText().Draw(t, "id"), MemberID: anyText().Draw(t, "member"), Date: anyText().Draw(t, "date"),
			Minutes: rapid.Int().Draw(t, "minutes"), Hours: anyText().Draw(t, "hours"), CircleID: anyText().Draw(t, "circle"),
			Task: anyText().Draw(t, "task"), Note: anyText().Draw(t, "note"),
			Compensation: ledger.Compensation(anyText().Draw(t, "comp")), State: ledger.EntryState(anyText().Draw(t, "state")),
			Corrects: anyText().Draw(t, "corrects"), CreatedBy: anyText().Draw(t, "created by"),
			CreatedAt: anyTime().Draw(t, "created"), SubmittedAt: optTime("submitted"),
			ReviewedBy: anyText().Draw(t, "reviewed by"), ReviewedAt: optTime("reviewed"),
			ReviewComment: anyText().Draw(t, "comment"),
		}
		want, wantErr := json.Marshal(e)
		got, err := appendEntryJSON([]byte("x"), &e)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
		}
		if err == nil && !bytes.Equal(got[1:], want) {
			t.Fatalf("\n got %s\nwant %s", got[1:], want)
		}
	})
}

// appendAuditJSON writes what json.Marshal writes for an event whose data
// json.Marshal (or appendEntryJSON) encoded.
func TestAppendAuditJSON_AsMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := AuditEvent{Seq: rapid.Uint64().Draw(t, "seq"), At: anyTime().Draw(t, "at"),
			Actor: anyText().Draw(t, "actor"), Action: anyText().Draw(t, "action"), Subject: anyText().Draw(t, "subject"),
			Prev: anyText().Draw(t, "prev"), Hash: rapid.SampledFrom([]string{"", "abc"}).Draw(t, "hash")}
		switch rapid.IntRange(0, 3).Draw(t, "data") {
		case 1:
			v := rapid.MapOf(anyText(), rapid.OneOf(anyText().AsAny(), rapid.Float64().AsAny(), rapid.Bool().AsAny())).Draw(t, "map")
			e.Data, _ = json.Marshal(v)
		case 2:
			e.Data, _ = json.Marshal(anyText().Draw(t, "text"))
		case 3:
			entry := ledger.TimeEntry{ID: "e000001", Task: anyText().Draw(t, "task"), CreatedAt: time.Now().UTC()}
			e.Data, _ = appendEntryJSON(nil, &entry)
		}
		want, wantErr := json.Marshal(e)
		got, err := appendAuditJSON(nil, &e)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
