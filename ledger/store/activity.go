package store

import (
	"bytes"
	"encoding/binary"

	"github.com/coopledger/coopledger/ledger"
)

// eachApproved calls fn with every approved entry dated from..to (dates or
// month prefixes, to inclusive), read from the date index alone (id,
// member, date, minutes, state and compensation filled in). An entry
// replaced by an approved correction is left out.
func (tx *Tx) eachApproved(from, to string, fn func(ledger.TimeEntry)) error {
	c := tx.tx.Bucket(bucketEntriesDate).Cursor()
	for k, v := c.Seek([]byte(from)); k != nil && (string(k[:10]) <= to || bytes.HasPrefix(k, []byte(to))); k, v = c.Next() {
		seq := k[len(k)-8:]
		var e ledger.TimeEntry
		if len(v) == 14 {
			e = ledger.TimeEntry{ID: formatID(prefixEntry, fromU64(seq)), MemberID: formatID(prefixMember, binary.BigEndian.Uint64(v)),
				Date: string(k[:10]), Minutes: int(binary.BigEndian.Uint32(v[8:])), State: codeState[v[12]], Compensation: codeComp[v[13]]}
		} else {
			var err error
			if e, err = tx.TimeEntry(formatID(prefixEntry, fromU64(seq))); err != nil {
				return err
			}
		}
		if e.State != ledger.StateApproved {
			continue
		}
		if tx.superseded(seq) {
			continue
		}
		fn(e)
	}
	return nil
}

// ApprovedMinutes sums each member's approved minutes dated from..to
// (YYYY-MM-DD, inclusive) by compensation: what activity commitments are
// measured against.
func (tx *Tx) ApprovedMinutes(from, to string) (map[string]map[ledger.Compensation]int64, error) {
	out := map[string]map[ledger.Compensation]int64{}
	err := tx.eachApproved(from, to, func(e ledger.TimeEntry) {
		if out[e.MemberID] == nil {
			out[e.MemberID] = map[ledger.Compensation]int64{}
		}
		out[e.MemberID][e.Compensation] += int64(e.Minutes)
	})
	return out, err
}

// MemberApprovedMinutes is ApprovedMinutes for one member, read from their
// own range of the member index, so a member's dashboard never walks the
// whole co-op's year. Entries are decoded (from the cache, mostly) only
// when approved, for their compensation.
func (tx *Tx) MemberApprovedMinutes(memberID, from, to string) (map[ledger.Compensation]int64, error) {
	out := map[ledger.Compensation]int64{}
	mseq, ok := parseID(prefixMember, memberID)
	if !ok {
		return out, nil
	}
	start := concat(u64(mseq), []byte(from))
	var err error
	tx.memberRange(start, u64(mseq), false, func(k, v []byte) bool {
		if string(k[8:18]) > to {
			return false
		}
		if len(v) == 5 && codeState[v[4]] != ledger.StateApproved {
			return true
		}
		seq := k[len(k)-8:]
		var e ledger.TimeEntry
		if e, err = tx.TimeEntry(formatID(prefixEntry, fromU64(seq))); err != nil {
			return false
		}
		if e.State != ledger.StateApproved {
			return true
		}
		if tx.superseded(seq) {
			return true
		}
		out[e.Compensation] += int64(e.Minutes)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// superseded reports whether the entry at seq (its 8-byte key) has been
// replaced by an approved correction, which then counts in its place.
func (tx *Tx) superseded(seq []byte) bool {
	by := tx.tx.Bucket(bucketCorrections).Get(seq)
	if by == nil {
		return false
	}
	fix, err := tx.TimeEntry(string(by))
	return err == nil && fix.State == ledger.StateApproved
}
