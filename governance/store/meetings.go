package store

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// CreateMeeting schedules an all-hands. Ops and board schedule them.
func (s *Store) CreateMeeting(actor ledger.Member, in governance.MeetingInput) (m governance.Meeting, err error) {
	if !actor.IsReviewer() && !actor.IsAdmin() {
		return m, fmt.Errorf("schedule meeting: only ops, board and admins schedule all-hands: %w", ledger.ErrForbidden)
	}
	if m, err = governance.NewMeeting(in); err != nil {
		return m, err
	}
	err = s.write(func(tx *lstore.Tx) error {
		b := tx.Bolt().Bucket(bucketMeetings)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := tx.Now().UTC()
		m.ID, m.CreatedBy, m.CreatedAt, m.UpdatedAt = formatID(prefixMeeting, seq), actor.ID, now, now
		if err := put(b, u64(seq), m); err != nil {
			return err
		}
		return tx.Audit(actor, "meeting.create", m.ID, in)
	})
	return m, err
}

func meeting(tx *bolt.Tx, id string) (governance.Meeting, uint64, error) {
	var m governance.Meeting
	seq, ok := parseID(prefixMeeting, id)
	if !ok {
		return m, 0, notFound("meeting", id)
	}
	found, err := get(tx.Bucket(bucketMeetings), u64(seq), &m)
	if err == nil && !found {
		err = notFound("meeting", id)
	}
	return m, seq, err
}

// Meeting returns one meeting.
func (s *Store) Meeting(id string) (m governance.Meeting, err error) {
	err = s.view(func(tx *lstore.Tx) error {
		m, _, err = meeting(tx.Bolt(), id)
		return err
	})
	return m, err
}

// Meetings lists every meeting, latest date first.
func (s *Store) Meetings() (ms []governance.Meeting, err error) {
	ms = []governance.Meeting{}
	err = s.view(func(tx *lstore.Tx) error {
		return tx.Bolt().Bucket(bucketMeetings).ForEach(func(_, raw []byte) error {
			var m governance.Meeting
			if err := jsonUnmarshal(raw, &m); err != nil {
				return err
			}
			ms = append(ms, m)
			return nil
		})
	})
	slices.SortStableFunc(ms, func(a, b governance.Meeting) int {
		switch {
		case a.Date > b.Date:
			return -1
		case a.Date < b.Date:
			return 1
		}
		return 0
	})
	return ms, err
}

// changeMeeting loads a meeting, lets change check and alter it, and
// stores it with an audit event, in one write.
func (s *Store) changeMeeting(actor ledger.Member, id, action string, data any, change func(tx *lstore.Tx, m *governance.Meeting) error) (m governance.Meeting, err error) {
	err = s.write(func(tx *lstore.Tx) error {
		var seq uint64
		var err error
		if m, seq, err = meeting(tx.Bolt(), id); err != nil {
			return err
		}
		if err := change(tx, &m); err != nil {
			return err
		}
		m.UpdatedAt = tx.Now().UTC()
		if err := put(tx.Bolt().Bucket(bucketMeetings), u64(seq), m); err != nil {
			return err
		}
		return tx.Audit(actor, action, m.ID, data)
	})
	return m, err
}

// runsMeeting reports whether actor may order the agenda, take attendance
// and record minutes: ops, board, admins and the meeting's facilitator and
// note-taker volunteers.
func runsMeeting(actor ledger.Member, m governance.Meeting) bool {
	return actor.IsReviewer() || actor.IsAdmin() || m.Volunteered(governance.RoleFacilitator, actor.ID) ||
		m.Volunteered(governance.RoleNoteTaker, actor.ID)
}

// AddAgendaItem puts an item at the end of the agenda. Any member may add
// one until the meeting day has passed.
func (s *Store) AddAgendaItem(actor ledger.Member, id string, in governance.AgendaInput) (governance.Meeting, error) {
	if err := in.Validate(); err != nil {
		return governance.Meeting{}, err
	}
	return s.changeMeeting(actor, id, "meeting.agenda", in, func(tx *lstore.Tx, m *governance.Meeting) error {
		if m.Date < ledger.Today(tx.Now()) {
			return fmt.Errorf("meeting %s took place on %s: %w", m.ID, m.Date, ledger.ErrConflict)
		}
		if len(m.Agenda) >= 100 {
			return ledger.FieldError("text", "the agenda already has 100 items")
		}
		m.AgendaSeq++
		m.Agenda = append(m.Agenda, governance.AgendaItem{ID: "a" + strconv.Itoa(m.AgendaSeq), Text: in.Text, AddedBy: actor.ID})
		return nil
	})
}

// OrderAgenda sets the order the meeting takes its items in.
func (s *Store) OrderAgenda(actor ledger.Member, id string, in governance.OrderInput) (governance.Meeting, error) {
	return s.changeMeeting(actor, id, "meeting.order", in, func(_ *lstore.Tx, m *governance.Meeting) error {
		if !runsMeeting(actor, *m) {
			return fmt.Errorf("order agenda of %s: %w", m.ID, ledger.ErrForbidden)
		}
		return in.Apply(m)
	})
}

// Volunteer takes on (or gives up) a role at the meeting.
func (s *Store) Volunteer(actor ledger.Member, id string, in governance.VolunteerInput) (governance.Meeting, error) {
	if err := in.Validate(); err != nil {
		return governance.Meeting{}, err
	}
	return s.changeMeeting(actor, id, "meeting.volunteer", in, func(_ *lstore.Tx, m *governance.Meeting) error {
		vs := slices.DeleteFunc(m.Volunteers[in.Role], func(v string) bool { return v == actor.ID })
		if !in.Withdraw {
			vs = append(vs, actor.ID)
		}
		m.Volunteers[in.Role] = vs
		return nil
	})
}

// RSVP records whether actor will come.
func (s *Store) RSVP(actor ledger.Member, id string, in governance.RSVPInput) (governance.Meeting, error) {
	if err := in.Validate(); err != nil {
		return governance.Meeting{}, err
	}
	return s.changeMeeting(actor, id, "meeting.rsvp", in, func(_ *lstore.Tx, m *governance.Meeting) error {
		m.RSVP[actor.ID] = in.Answer
		return nil
	})
}

// RecordAttendance sets who came, once the meeting day has come.
func (s *Store) RecordAttendance(actor ledger.Member, id string, in governance.AttendanceInput) (governance.Meeting, error) {
	return s.changeMeeting(actor, id, "meeting.attendance", in, func(tx *lstore.Tx, m *governance.Meeting) error {
		if !runsMeeting(actor, *m) {
			return fmt.Errorf("take attendance of %s: %w", m.ID, ledger.ErrForbidden)
		}
		if m.Date > ledger.Today(tx.Now()) {
			return fmt.Errorf("meeting %s is on %s; take attendance on the day: %w", m.ID, m.Date, ledger.ErrConflict)
		}
		if len(in.MemberIDs) > 10000 {
			return ledger.FieldError("member_ids", "too many members")
		}
		seen := map[string]bool{}
		out := []string{}
		for i, mid := range in.MemberIDs {
			if _, err := tx.Member(mid); err != nil {
				return ledger.FieldError(fmt.Sprintf("member_ids[%d]", i), "no member "+fmt.Sprintf("%q", mid))
			}
			if !seen[mid] {
				seen[mid] = true
				out = append(out, mid)
			}
		}
		m.Attendance = out
		return nil
	})
}

// RecordMinutes sets the minutes and the decisions, each decision linked
// to an existing poll when it names one.
func (s *Store) RecordMinutes(actor ledger.Member, id string, in governance.MinutesInput) (governance.Meeting, error) {
	if err := in.Validate(); err != nil {
		return governance.Meeting{}, err
	}
	return s.changeMeeting(actor, id, "meeting.minutes", in, func(tx *lstore.Tx, m *governance.Meeting) error {
		if !runsMeeting(actor, *m) {
			return fmt.Errorf("record minutes of %s: %w", m.ID, ledger.ErrForbidden)
		}
		for i, dcs := range in.Decisions {
			if dcs.PollID != "" && !pollExists(tx.Bolt(), dcs.PollID) {
				return ledger.FieldError(fmt.Sprintf("decisions[%d].poll_id", i), "no poll "+fmt.Sprintf("%q", dcs.PollID))
			}
		}
		m.Minutes, m.Decisions = in.Minutes, in.Decisions
		if m.Decisions == nil {
			m.Decisions = []governance.Decision{}
		}
		return nil
	})
}

// ActivityRules lists the commitments per class.
func (s *Store) ActivityRules() (rs []governance.ActivityRule, err error) {
	rs = []governance.ActivityRule{}
	err = s.view(func(tx *lstore.Tx) error {
		rs, err = activityRules(tx.Bolt())
		return err
	})
	return rs, err
}

func activityRules(tx *bolt.Tx) ([]governance.ActivityRule, error) {
	rs := []governance.ActivityRule{}
	err := tx.Bucket(bucketActivityRules).ForEach(func(_, raw []byte) error {
		var r governance.ActivityRule
		if err := jsonUnmarshal(raw, &r); err != nil {
			return err
		}
		rs = append(rs, r)
		return nil
	})
	return rs, err
}

// SetActivityRule sets (replaces) a class's commitment. Admins and board.
func (s *Store) SetActivityRule(actor ledger.Member, r governance.ActivityRule) (governance.ActivityRule, error) {
	if !actor.IsAdmin() && !actor.HasRole(ledger.RoleBoard) {
		return r, fmt.Errorf("set activity rule: %w", ledger.ErrForbidden)
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := s.write(func(tx *lstore.Tx) error {
		if err := put(tx.Bolt().Bucket(bucketActivityRules), []byte(r.Class), r); err != nil {
			return err
		}
		return tx.Audit(actor, "activity.rule", string(r.Class), r)
	})
	return r, err
}

// Activity assesses members in year against their class commitments:
// only actor themselves unless actor is on the board or an admin, who see
// every member who belonged that year (as with statements).
func (s *Store) Activity(actor ledger.Member, year int) (out []governance.Activity, err error) {
	if year < 2000 || year > 9999 {
		return nil, ledger.FieldError("year", "must be a year such as 2026")
	}
	err = s.view(func(tx *lstore.Tx) error {
		rules, err := activityRules(tx.Bolt())
		if err != nil {
			return err
		}
		members := []ledger.Member{actor}
		if actor.IsBoardOrAdmin() {
			if members, err = tx.Members(); err != nil {
				return err
			}
		}
		out, err = assess(tx, rules, members, year)
		return err
	})
	return out, err
}

// OwnActivity is a member's own standing in year, for their dashboard, in
// one read: committed is false, and nothing else is read, when none of
// their classes has a commitment (most co-ops set none).
func (s *Store) OwnActivity(m ledger.Member, year int) (a governance.Activity, committed bool, err error) {
	if year < 2000 || year > 9999 {
		return a, false, ledger.FieldError("year", "must be a year such as 2026")
	}
	err = s.view(func(tx *lstore.Tx) error {
		rules, err := activityRules(tx.Bolt())
		if err != nil {
			return err
		}
		if _, committed = governance.Commitment(rules, m.Classes); !committed {
			return nil
		}
		as, err := assess(tx, rules, []ledger.Member{m}, year)
		if err == nil && len(as) == 1 {
			a = as[0]
		}
		committed = err == nil && len(as) == 1
		return err
	})
	return a, committed, err
}

// assess measures members in year against rules, reading their approved
// hours (one member: their own range of the index) and the year's
// all-hands. Members who did not belong that year are left out.
func assess(tx *lstore.Tx, rules []governance.ActivityRule, members []ledger.Member, year int) ([]governance.Activity, error) {
	from, to := governance.YearBounds(year)
	var minutes map[string]map[ledger.Compensation]int64
	if len(members) == 1 {
		// One member (their own dashboard): their range of the index.
		mine, err := tx.MemberApprovedMinutes(members[0].ID, from, to)
		if err != nil {
			return nil, err
		}
		minutes = map[string]map[ledger.Compensation]int64{members[0].ID: mine}
	} else {
		var err error
		if minutes, err = tx.ApprovedMinutes(from, to); err != nil {
			return nil, err
		}
	}
	var meetings []governance.Meeting
	err := tx.Bolt().Bucket(bucketMeetings).ForEach(func(_, raw []byte) error {
		var m governance.Meeting
		if err := jsonUnmarshal(raw, &m); err != nil {
			return err
		}
		if m.Date >= from && m.Date <= to {
			meetings = append(meetings, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []governance.Activity{}
	today := ledger.Today(tx.Now())
	for _, m := range members {
		if m.ID == "" || (m.Joined != "" && m.Joined > to) || (m.Left != "" && m.Left < from) {
			continue
		}
		held := make([]governance.MeetingAttendance, len(meetings))
		for i, mt := range meetings {
			held[i] = governance.MeetingAttendance{Date: mt.Date, Attended: mt.Attended(m.ID)}
		}
		rule, has := governance.Commitment(rules, m.Classes)
		out = append(out, governance.Assess(m, rule, has, year, today, minutes[m.ID], held))
	}
	return out, nil
}
