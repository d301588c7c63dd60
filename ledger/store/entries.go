package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/coopledger/coopledger/ledger"
)

// LogTime records hours as a draft (or straight as submitted when in.Submit
// is set). The member defaults to the actor.
func (tx *Tx) LogTime(actor ledger.Member, in ledger.TimeEntryInput) (ledger.TimeEntry, error) {
	minutes, err := prepareLog(actor, &in, ledger.Today(tx.now))
	if err != nil {
		return ledger.TimeEntry{}, err
	}
	e, _, err := tx.logTime(actor, in, minutes)
	return e, err
}

// prepareLog does what logging hours checks without reading a record:
// the member (default the actor) is one the actor may log for, and the
// input's own fields hold. It trims in and returns the minutes.
func prepareLog(actor ledger.Member, in *ledger.TimeEntryInput, today string) (int, error) {
	if in.MemberID == "" {
		in.MemberID = actor.ID
	}
	if err := ledger.CanLogFor(actor, in.MemberID); err != nil {
		return 0, err
	}
	return in.Validate(today)
}

// logTime is LogTime once prepareLog has passed.
// It also returns the entry's JSON as stored (what json.Marshal writes).
func (tx *Tx) logTime(actor ledger.Member, in ledger.TimeEntryInput, minutes int) (ledger.TimeEntry, encodedJSON, error) {
	// Only read: the cache's copy will do.
	member, err := tx.sharedMember(in.MemberID)
	if err != nil {
		return ledger.TimeEntry{}, nil, ledger.FieldError("member_id", "unknown member "+in.MemberID)
	}
	if err := tx.checkEntryRefs(member, in.Date, in.CircleID); err != nil {
		return ledger.TimeEntry{}, nil, err
	}
	mseq, _ := parseID(prefixMember, member.ID)
	replaced := ""
	if in.Corrects != "" {
		orig, err := tx.TimeEntry(in.Corrects)
		if err != nil {
			return ledger.TimeEntry{}, nil, ledger.FieldError("corrects", "unknown entry "+in.Corrects)
		}
		if err := ledger.CheckCorrection(orig, member.ID); err != nil {
			return ledger.TimeEntry{}, nil, err
		}
		if by, err := tx.correctionOf(orig.ID); err != nil {
			return ledger.TimeEntry{}, nil, err
		} else if by != nil && by.State != ledger.StateRejected {
			return ledger.TimeEntry{}, nil, ledger.FieldError("corrects", "entry "+orig.ID+" is already corrected by "+by.ID)
		}
		if orig.Date == in.Date {
			replaced = orig.ID
		}
	}
	rseq, _ := parseID(prefixEntry, replaced)
	counted, err := tx.dayMinutes(mseq, in.Date, rseq, 0)
	if err != nil {
		return ledger.TimeEntry{}, nil, err
	}
	if err := ledger.CheckDayMinutes(counted, minutes); err != nil {
		return ledger.TimeEntry{}, nil, err
	}
	comp := ledger.DefaultCompensation(tx.hasRate(member.ID, in.Date))
	if in.Compensation != nil {
		comp = *in.Compensation
	}
	b := tx.tx.Bucket(bucketEntries)
	seq, err := b.NextSequence()
	if err != nil {
		return ledger.TimeEntry{}, nil, err
	}
	e := ledger.TimeEntry{
		ID: formatID(prefixEntry, seq), MemberID: member.ID, Date: in.Date,
		Minutes: minutes, Hours: ledger.HoursText(minutes), CircleID: in.CircleID,
		Task: in.Task, Note: in.Note, Compensation: comp, State: ledger.StateDraft,
		Corrects: in.Corrects, CreatedAt: tx.now.UTC(),
	}
	if actor.ID != member.ID {
		e.CreatedBy = actor.ID
	}
	if in.Submit {
		if err := e.Submit(actor, tx.now); err != nil {
			return ledger.TimeEntry{}, nil, err
		}
	}
	data, err := tx.putEntry(seq, mseq, e, true)
	if err != nil {
		return ledger.TimeEntry{}, nil, err
	}
	if in.Corrects != "" {
		oseq, _ := parseID(prefixEntry, in.Corrects)
		if err := tx.tx.Bucket(bucketCorrections).Put(u64(oseq), []byte(e.ID)); err != nil {
			return ledger.TimeEntry{}, nil, err
		}
	}
	return e, data, tx.audit(actor, "entry.create", e.ID, data)
}

// checkEntryRefs enforces the rules on date and circle that need other
// records: the member belongs to the co-op on that date, the circle exists,
// and the month is not closed.
func (tx *Tx) checkEntryRefs(member ledger.Member, date, circleID string) error {
	v := &ledger.ValidationError{}
	if !member.Active(date) {
		v.Add("date", fmt.Sprintf("is outside %s's membership (joined %s)", member.Name, member.Joined))
	} else if tx.MonthLocked(ledger.MonthOf(date)) {
		v.Add("date", "falls in "+ledger.MonthOf(date)+", which is closed; log it in an open month")
	}
	if _, err := tx.Circle(circleID); err != nil {
		v.Add("circle_id", "unknown circle "+circleID)
	}
	return v.Err()
}

// MonthLocked reports whether month (YYYY-MM) has been posted by a close.
func (tx *Tx) MonthLocked(month string) bool {
	return tx.tx.Bucket(bucketLockedMonths).Get([]byte(month)) != nil
}

// UpdateTimeEntry changes a draft. Only drafts change: submitted entries
// are with a reviewer, and reviewed ones are immutable.
func (tx *Tx) UpdateTimeEntry(actor ledger.Member, id string, in ledger.TimeEntryInput) (ledger.TimeEntry, error) {
	e, err := tx.TimeEntry(id)
	if err != nil {
		return e, err
	}
	if err := e.CheckEditable(actor); err != nil {
		return e, err
	}
	if in.MemberID != "" && in.MemberID != e.MemberID {
		return e, ledger.FieldError("member_id", "cannot move an entry to another member")
	}
	in.MemberID = e.MemberID
	if in.Corrects != e.Corrects {
		return e, ledger.FieldError("corrects", "cannot change what an entry corrects")
	}
	minutes, err := in.Validate(ledger.Today(tx.now))
	if err != nil {
		return e, err
	}
	member, err := tx.Member(e.MemberID)
	if err != nil {
		return e, err
	}
	if err := tx.checkEntryRefs(member, in.Date, in.CircleID); err != nil {
		return e, err
	}
	if tx.MonthLocked(ledger.MonthOf(e.Date)) {
		return e, fmt.Errorf("change entry %s: its month %s is closed: %w", id, ledger.MonthOf(e.Date), ledger.ErrConflict)
	}
	mseq, _ := parseID(prefixMember, e.MemberID)
	seq, _ := parseID(prefixEntry, e.ID)
	// A draft correction replaces the entry it corrects.
	cseq, _ := parseID(prefixEntry, e.Corrects)
	counted, err := tx.dayMinutes(mseq, in.Date, seq, cseq)
	if err != nil {
		return e, err
	}
	if err := ledger.CheckDayMinutes(counted, minutes); err != nil {
		return e, err
	}
	if err := tx.unindexEntry(seq, mseq, e); err != nil {
		return e, err
	}
	e.Date, e.Minutes, e.Hours = in.Date, minutes, ledger.HoursText(minutes)
	e.CircleID, e.Task, e.Note = in.CircleID, in.Task, in.Note
	if in.Compensation != nil {
		e.Compensation = *in.Compensation
	}
	if in.Submit {
		if err := e.Submit(actor, tx.now); err != nil {
			return e, err
		}
	}
	data, err := tx.putEntry(seq, mseq, e, false)
	if err != nil {
		return e, err
	}
	return e, tx.audit(actor, "entry.update", e.ID, data)
}

// DeleteTimeEntry removes a draft; anything past draft stays for the record.
func (tx *Tx) DeleteTimeEntry(actor ledger.Member, id string) error {
	e, err := tx.TimeEntry(id)
	if err != nil {
		return err
	}
	if err := e.CheckEditable(actor); err != nil {
		return err
	}
	seq, _ := parseID(prefixEntry, e.ID)
	mseq, _ := parseID(prefixMember, e.MemberID)
	if err := tx.unindexEntry(seq, mseq, e); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketEntries).Delete(u64(seq)); err != nil {
		return err
	}
	if e.Corrects != "" {
		oseq, _ := parseID(prefixEntry, e.Corrects)
		if err := tx.tx.Bucket(bucketCorrections).Delete(u64(oseq)); err != nil {
			return err
		}
	}
	return tx.audit(actor, "entry.delete", e.ID, nil)
}

// SubmitTimeEntry sends a draft for review.
func (tx *Tx) SubmitTimeEntry(actor ledger.Member, id string) (ledger.TimeEntry, error) {
	return tx.changeEntry(actor, id, "entry.submit", func(e *ledger.TimeEntry) error {
		return e.Submit(actor, tx.now)
	})
}

// ReviewTimeEntry approves or rejects a submitted entry.
func (tx *Tx) ReviewTimeEntry(actor ledger.Member, id string, approve bool, comment string) (ledger.TimeEntry, error) {
	action := "entry.reject"
	if approve {
		action = "entry.approve"
	}
	return tx.changeEntry(actor, id, action, func(e *ledger.TimeEntry) error {
		if tx.MonthLocked(ledger.MonthOf(e.Date)) {
			return fmt.Errorf("review entry %s: its month %s is closed: %w", id, ledger.MonthOf(e.Date), ledger.ErrConflict)
		}
		if err := e.Review(actor, approve, comment, tx.now); err != nil {
			return err
		}
		if approve {
			return tx.markActivity(ledger.MonthOf(e.Date))
		}
		return nil
	})
}

// markActivity records that month has something a close must handle.
func (tx *Tx) markActivity(month string) error {
	return tx.tx.Bucket(bucketActivity).Put([]byte(month), nil)
}

// changeEntry applies a state change (which holds the rule) and stores it.
func (tx *Tx) changeEntry(actor ledger.Member, id, action string, change func(*ledger.TimeEntry) error) (ledger.TimeEntry, error) {
	e, err := tx.TimeEntry(id)
	if err != nil {
		return e, err
	}
	if err := change(&e); err != nil {
		return e, err
	}
	seq, _ := parseID(prefixEntry, e.ID)
	mseq, _ := parseID(prefixMember, e.MemberID)
	if _, err := tx.putEntry(seq, mseq, e, false); err != nil {
		return e, err
	}
	return e, tx.audit(actor, action, e.ID, map[string]string{"state": string(e.State), "comment": e.ReviewComment})
}

// putEntry stores e and its index keys and returns its encoding, which
// the audit event reuses. The member index carries the entry's minutes and
// state, so the day-total rule reads no entry records. isNew says e was
// just numbered, so none of its keys exist yet.
func (tx *Tx) putEntry(seq, mseq uint64, e ledger.TimeEntry, isNew bool) (encodedJSON, error) {
	data, err := appendEntryJSON(make([]byte, 0, 512), &e)
	if err != nil {
		return nil, fmt.Errorf("encode entry: %w", err)
	}
	entries := tx.tx.Bucket(bucketEntries)
	entries.FillPercent = appendFill
	if err := entries.Put(u64(seq), data); err != nil {
		return nil, err
	}
	if err := tx.putMemberIndex(concat(u64(mseq), []byte(e.Date), u64(seq)), dayValue(e), isNew); err != nil {
		return nil, err
	}
	byDate := tx.tx.Bucket(bucketEntriesDate)
	byDate.FillPercent = appendFill
	if err := byDate.Put(concat([]byte(e.Date), u64(seq)), dateValue(mseq, e)); err != nil {
		return nil, err
	}
	pending := tx.tx.Bucket(bucketEntriesPending)
	if e.State == ledger.StateSubmitted {
		err = pending.Put(u64(seq), nil)
	} else {
		err = pending.Delete(u64(seq))
	}
	return data, err
}

// dateValue is the date index's value: the member (8 bytes), minutes (4),
// state and compensation (1 each), so a month's close reads no entry
// records.
func dateValue(mseq uint64, e ledger.TimeEntry) []byte {
	v := make([]byte, 14)
	binary.BigEndian.PutUint64(v, mseq)
	binary.BigEndian.PutUint32(v[8:], uint32(e.Minutes))
	v[12] = stateCode[e.State]
	v[13] = compCode[e.Compensation]
	return v
}

var compCode = map[ledger.Compensation]byte{ledger.CompRequired: 'r', ledger.CompContribution: 'c', ledger.CompVolunteer: 'v'}

var codeComp = map[byte]ledger.Compensation{'r': ledger.CompRequired, 'c': ledger.CompContribution, 'v': ledger.CompVolunteer}

// dayValue is the member index's value: minutes (4 bytes) and state.
func dayValue(e ledger.TimeEntry) []byte {
	v := make([]byte, 5)
	binary.BigEndian.PutUint32(v, uint32(e.Minutes))
	v[4] = stateCode[e.State]
	return v
}

var stateCode = map[ledger.EntryState]byte{
	ledger.StateDraft: 'd', ledger.StateSubmitted: 's', ledger.StateApproved: 'a', ledger.StateRejected: 'r',
}

var codeState = map[byte]ledger.EntryState{
	'd': ledger.StateDraft, 's': ledger.StateSubmitted, 'a': ledger.StateApproved, 'r': ledger.StateRejected,
}

func (tx *Tx) unindexEntry(seq, mseq uint64, e ledger.TimeEntry) error {
	if err := tx.deleteMemberIndex(concat(u64(mseq), []byte(e.Date), u64(seq))); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketEntriesDate).Delete(concat([]byte(e.Date), u64(seq))); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketEntriesPending).Delete(u64(seq))
}

// TimeEntry returns one entry, or ErrNotFound.
func (tx *Tx) TimeEntry(id string) (ledger.TimeEntry, error) {
	var e ledger.TimeEntry
	seq, ok := parseID(prefixEntry, id)
	if !ok {
		return e, fmt.Errorf("time entry %q: %w", id, ledger.ErrNotFound)
	}
	key := u64(seq)
	raw := tx.tx.Bucket(bucketEntries).Get(key)
	if raw == nil {
		return e, fmt.Errorf("time entry %q: %w", id, ledger.ErrNotFound)
	}
	return tx.decodeEntry(key, raw)
}

// decodeEntry decodes a stored entry, reusing the decoded copy while its
// stored bytes are unchanged (see decodeCache).
func (tx *Tx) decodeEntry(key, raw []byte) (ledger.TimeEntry, error) {
	ce, err := tx.cachedEntry(key, raw, false)
	if err != nil {
		return ledger.TimeEntry{}, err
	}
	return ce.TimeEntry, nil
}

// cachedEntry is a decoded entry and, once asked for, its JSON as
// json.Marshal writes it (what the API answers).
type cachedEntry struct {
	ledger.TimeEntry
	// encoded says json is known: nil when the stored bytes are that
	// encoding already, as for every entry putEntry wrote.
	encoded bool
	json    []byte
}

// apiJSON is the entry's JSON; raw (its stored bytes) is only valid in
// the transaction that read it.
func (ce *cachedEntry) apiJSON(raw []byte) []byte {
	if ce.json != nil {
		return ce.json
	}
	return raw
}

// cachedEntry decodes a stored entry through the cache and, with
// wantJSON, makes sure its JSON is known. What it returns is shared: the
// caller must not change it.
func (tx *Tx) cachedEntry(key, raw []byte, wantJSON bool) (*cachedEntry, error) {
	hit, ok := tx.db.entries.get(key, raw)
	if ok && (hit.encoded || !wantJSON) {
		return hit, nil
	}
	ce := &cachedEntry{}
	if ok {
		ce.TimeEntry = hit.TimeEntry
	} else if err := jsonUnmarshal(raw, &ce.TimeEntry); err != nil {
		return nil, err
	}
	if wantJSON {
		enc, err := json.Marshal(ce.TimeEntry)
		if err != nil {
			return nil, fmt.Errorf("encode entry: %w", err)
		}
		ce.encoded = true
		if !bytes.Equal(enc, raw) {
			// Written by an older build, or its fields in another order.
			ce.json = enc
		}
	}
	tx.db.entries.put(key, raw, ce)
	return ce, nil
}

// correctionOf returns the entry that corrects id, or nil.
func (tx *Tx) correctionOf(id string) (*ledger.TimeEntry, error) {
	seq, _ := parseID(prefixEntry, id)
	by := tx.tx.Bucket(bucketCorrections).Get(u64(seq))
	if by == nil {
		return nil, nil
	}
	e, err := tx.TimeEntry(string(by))
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// dayMinutes sums the minutes of the member's entries on one date that
// still stand toward the day's total, leaving out the entries numbered
// skip and also (0: none): a range scan over the member index, whose
// values carry each entry's minutes and state. An entry replaced by a
// correction that was not rejected is left out: the correction counts
// instead. It builds no entries: it runs inside every write of an entry.
func (tx *Tx) dayMinutes(mseq uint64, date string, skip, also uint64) (int, error) {
	prefix := concat(u64(mseq), []byte(date))
	// One cursor for every look-up, and none when nothing was corrected.
	corrections := tx.tx.Bucket(bucketCorrections).Cursor()
	anyCorrected := false
	if k, _ := corrections.First(); k != nil {
		anyCorrected = true
	}
	total := 0
	// The sum needs no key order: walk the new keys and the index apart.
	for _, name := range [...][]byte{bucketEntriesMemberNew, bucketEntriesMember} {
		c := tx.tx.Bucket(name).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			seq := k[len(k)-8:]
			if n := fromU64(seq); n == skip || n == also {
				continue
			}
			if anyCorrected {
				if ck, by := corrections.Seek(seq); bytes.Equal(ck, seq) && by != nil {
					fix, err := tx.TimeEntry(string(by))
					if err != nil {
						return 0, err
					}
					if fix.State != ledger.StateRejected {
						continue
					}
				}
			}
			minutes, state, err := tx.indexedDay(k, v)
			if err != nil {
				return 0, err
			}
			if (ledger.TimeEntry{State: state}).Counts() {
				total += minutes
			}
		}
	}
	return total, nil
}

// indexedDay reads the minutes and state of the entry a member-index key
// k (ending in the entry's sequence) and value v stand for: from the value,
// or for keys indexed before values carried them, from the entry.
func (tx *Tx) indexedDay(k, v []byte) (int, ledger.EntryState, error) {
	if len(v) == 5 {
		return int(binary.BigEndian.Uint32(v)), codeState[v[4]], nil
	}
	e, err := tx.TimeEntry(formatID(prefixEntry, fromU64(k[len(k)-8:])))
	return e.Minutes, e.State, err
}

// scanMemberIndex reads the entries whose member-index keys start with
// prefix (memberRange); reverse walks newest first.
func (tx *Tx) scanMemberIndex(prefix []byte, reverse bool, limit int, keep func(ledger.TimeEntry) bool) ([]ledger.TimeEntry, error) {
	return tx.scanKeys(func(fn func(k, v []byte) bool) { tx.memberRange(prefix, prefix, reverse, fn) }, limit, keep)
}

// indexWalk walks index keys in order, calling fn until it returns false.
type indexWalk func(fn func(k, v []byte) bool)

func (tx *Tx) scanKeys(walk indexWalk, limit int, keep func(ledger.TimeEntry) bool) ([]ledger.TimeEntry, error) {
	out := []ledger.TimeEntry{}
	var kept func(*ledger.TimeEntry) bool
	if keep != nil {
		kept = func(e *ledger.TimeEntry) bool { return keep(*e) }
	}
	err := tx.visitIndex(walk, 0, limit, false, kept, func(ce *cachedEntry, _ []byte) { out = append(out, ce.TimeEntry) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// visitIndex visits the entries of the index keys walk yields (the entry
// sequence is a key's last 8 bytes), skipping the first offset and
// stopping after limit (0: no limit) of those keep accepts (nil keeps
// all). With wantJSON each visited entry's JSON is known.
func (tx *Tx) visitIndex(walk indexWalk, offset, limit int, wantJSON bool,
	keep func(*ledger.TimeEntry) bool, visit func(ce *cachedEntry, raw []byte)) error {
	entries := tx.tx.Bucket(bucketEntries).Cursor()
	n := 0
	var err error
	walk(func(k, _ []byte) bool {
		seq := k[len(k)-8:]
		ek, raw := entries.Seek(seq)
		if raw == nil || !bytes.Equal(ek, seq) {
			return true
		}
		var ce *cachedEntry
		if ce, err = tx.cachedEntry(seq, raw, wantJSON); err != nil {
			return false
		}
		if keep != nil && !keep(&ce.TimeEntry) {
			return true
		}
		if offset > 0 {
			offset--
			return true
		}
		visit(ce, raw)
		n++
		return limit <= 0 || n < limit
	})
	return err
}

// EntryQuery selects time entries. MemberID "" means every member (which
// needs a reviewer or overseer); Month and State narrow the list.
type EntryQuery struct {
	MemberID string
	Month    string
	State    ledger.EntryState
	Limit    int
	// Offset skips that many of the selected entries (a later page).
	Offset int
}

// MaxListLimit bounds one page of entries.
const MaxListLimit = 1000

// TimeEntries lists entries newest first (the review queue, State
// submitted across members, oldest first). Every path is a range scan.
func (tx *Tx) TimeEntries(actor ledger.Member, q EntryQuery) ([]ledger.TimeEntry, error) {
	out := []ledger.TimeEntry{}
	err := tx.eachEntry(actor, q, false, func(ce *cachedEntry, _ []byte) { out = append(out, ce.TimeEntry) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TimeEntriesJSON appends to dst the JSON array of TimeEntries(actor, q),
// byte for byte what json.Marshal writes for that list, from each entry's
// stored or cached encoding rather than encoding the list afresh.
func (tx *Tx) TimeEntriesJSON(dst []byte, actor ledger.Member, q EntryQuery) ([]byte, error) {
	start := len(dst)
	dst = append(dst, '[')
	err := tx.eachEntry(actor, q, true, func(ce *cachedEntry, raw []byte) {
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
		dst = append(dst, ce.apiJSON(raw)...)
	})
	if err != nil {
		return dst[:start], err
	}
	return append(dst, ']'), nil
}

// eachEntry checks q and the actor's right to it, then visits the entries
// it selects in list order.
func (tx *Tx) eachEntry(actor ledger.Member, q EntryQuery, wantJSON bool, visit func(*cachedEntry, []byte)) error {
	if q.MemberID != actor.ID && !actor.CanSeeAll() {
		return fmt.Errorf("list entries of %s: %w", q.MemberID, ledger.ErrForbidden)
	}
	if q.Month != "" {
		if _, err := ledger.ParseMonth(q.Month); err != nil {
			return ledger.FieldError("month", err.Error())
		}
	}
	if q.Limit <= 0 || q.Limit > MaxListLimit {
		q.Limit = MaxListLimit
	}
	q.Offset = max(q.Offset, 0)
	var keep func(*ledger.TimeEntry) bool
	if q.State != "" {
		keep = func(e *ledger.TimeEntry) bool { return e.State == q.State }
	}
	switch {
	case q.MemberID != "":
		seq, ok := parseID(prefixMember, q.MemberID)
		if !ok {
			return fmt.Errorf("member %q: %w", q.MemberID, ledger.ErrNotFound)
		}
		prefix := concat(u64(seq), []byte(q.Month))
		walk := func(fn func(k, v []byte) bool) { tx.memberRange(prefix, prefix, true, fn) }
		return tx.visitIndex(walk, q.Offset, q.Limit, wantJSON, keep, visit)
	case q.State == ledger.StateSubmitted && q.Month == "":
		return tx.scanPending(q.Offset, q.Limit, wantJSON, visit)
	default:
		prefix, idx := []byte(q.Month), tx.tx.Bucket(bucketEntriesDate)
		walk := func(fn func(k, v []byte) bool) { bucketRange(idx, prefix, prefix, true, fn) }
		return tx.visitIndex(walk, q.Offset, q.Limit, wantJSON, keep, visit)
	}
}

// scanPending visits the review queue, oldest first.
func (tx *Tx) scanPending(offset, limit int, wantJSON bool, visit func(*cachedEntry, []byte)) error {
	entries := tx.tx.Bucket(bucketEntries)
	n := 0
	c := tx.tx.Bucket(bucketEntriesPending).Cursor()
	for k, _ := c.First(); k != nil && n < limit; k, _ = c.Next() {
		raw := entries.Get(k)
		if raw == nil {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		ce, err := tx.cachedEntry(k, raw, wantJSON)
		if err != nil {
			return err
		}
		visit(ce, raw)
		n++
	}
	return nil
}

// EntryTotal is how many entries, and how many minutes, are in one state.
type EntryTotal struct {
	Entries int
	Minutes int
}

// MonthTotals sums one member's entries of month (YYYY-MM) by state from
// the member index, whose values carry each entry's minutes and state, so
// a month of any length costs no entry reads. The actor needs the same
// right as for listing the entries.
func (tx *Tx) MonthTotals(actor ledger.Member, memberID, month string) (map[ledger.EntryState]EntryTotal, error) {
	if memberID != actor.ID && !actor.CanSeeAll() {
		return nil, fmt.Errorf("totals of %s: %w", memberID, ledger.ErrForbidden)
	}
	if _, err := ledger.ParseMonth(month); err != nil {
		return nil, ledger.FieldError("month", err.Error())
	}
	mseq, ok := parseID(prefixMember, memberID)
	if !ok {
		return nil, fmt.Errorf("member %q: %w", memberID, ledger.ErrNotFound)
	}
	out := map[ledger.EntryState]EntryTotal{}
	prefix := concat(u64(mseq), []byte(month))
	var err error
	tx.memberRange(prefix, prefix, false, func(k, v []byte) bool {
		var minutes int
		var state ledger.EntryState
		if minutes, state, err = tx.indexedDay(k, v); err != nil {
			return false
		}
		t := out[state]
		t.Entries++
		t.Minutes += minutes
		out[state] = t
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LogTime records hours in a write of its own, grouped with concurrent ones.
// The checks that read no records run first, outside the transaction,
// whose work is serial while a group of writes waits for its commit.
func (db *DB) LogTime(actor ledger.Member, in ledger.TimeEntryInput) (e ledger.TimeEntry, err error) {
	e, _, err = db.LogTimeJSON(actor, in)
	return e, err
}

// LogTimeJSON is LogTime that also returns the new entry as JSON, the
// bytes stored (what json.Marshal writes), for the API to answer with.
func (db *DB) LogTimeJSON(actor ledger.Member, in ledger.TimeEntryInput) (e ledger.TimeEntry, data []byte, err error) {
	minutes, err := prepareLog(actor, &in, ledger.Today(db.now()))
	if err != nil {
		return e, nil, err
	}
	err = db.Write(func(tx *Tx) error { e, data, err = tx.logTime(actor, in, minutes); return err })
	return e, data, err
}

// UpdateTimeEntry changes a draft in a write of its own.
func (db *DB) UpdateTimeEntry(actor ledger.Member, id string, in ledger.TimeEntryInput) (e ledger.TimeEntry, err error) {
	err = db.Write(func(tx *Tx) error { e, err = tx.UpdateTimeEntry(actor, id, in); return err })
	return e, err
}

// DeleteTimeEntry removes a draft in a write of its own.
func (db *DB) DeleteTimeEntry(actor ledger.Member, id string) error {
	return db.Write(func(tx *Tx) error { return tx.DeleteTimeEntry(actor, id) })
}

// SubmitTimeEntry submits a draft in a write of its own.
func (db *DB) SubmitTimeEntry(actor ledger.Member, id string) (e ledger.TimeEntry, err error) {
	err = db.Write(func(tx *Tx) error { e, err = tx.SubmitTimeEntry(actor, id); return err })
	return e, err
}

// ReviewTimeEntry approves or rejects in a write of its own.
func (db *DB) ReviewTimeEntry(actor ledger.Member, id string, approve bool, comment string) (e ledger.TimeEntry, err error) {
	err = db.Write(func(tx *Tx) error { e, err = tx.ReviewTimeEntry(actor, id, approve, comment); return err })
	return e, err
}

// TimeEntry reads one entry the actor may see.
func (db *DB) TimeEntry(actor ledger.Member, id string) (e ledger.TimeEntry, err error) {
	err = db.View(func(tx *Tx) error {
		if e, err = tx.TimeEntry(id); err != nil {
			return err
		}
		return ledger.CanRead(actor, e)
	})
	return e, err
}

// TimeEntries lists entries the actor may see.
func (db *DB) TimeEntries(actor ledger.Member, q EntryQuery) (es []ledger.TimeEntry, err error) {
	err = db.View(func(tx *Tx) error { es, err = tx.TimeEntries(actor, q); return err })
	return es, err
}

// TimeEntriesJSON appends the JSON array of the entries TimeEntries lists
// to dst.
func (db *DB) TimeEntriesJSON(dst []byte, actor ledger.Member, q EntryQuery) (out []byte, err error) {
	err = db.View(func(tx *Tx) error { out, err = tx.TimeEntriesJSON(dst, actor, q); return err })
	return out, err
}
