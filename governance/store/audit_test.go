package store_test

import (
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

// Every governance write is recorded in the hash-chained audit log (DESIGN
// "Roles": every write is audited), in the same transaction: one event
// naming the act and who did it; a refused write records nothing.
func TestEveryGovernanceWriteIsAudited(t *testing.T) {
	f := newFixture(t)
	fund(t, f.gs, "300.00")
	var (
		r governance.Request
		p governance.Poll
		b governance.Bounty
		m governance.Meeting
	)
	steps := []struct {
		action string
		by     ledger.Member
		write  func() error
	}{
		{"request.file", f.alice, func() (err error) {
			r, err = f.gs.FileRequest(f.alice, governance.RequestInput{Kind: governance.KindFeature, Title: "CSV export"})
			return err
		}},
		{"request.vote", f.bob, func() error { _, _, err := f.gs.Vote(f.bob, r.ID); return err }},
		{"request.unvote", f.bob, func() error { _, _, err := f.gs.Unvote(f.bob, r.ID); return err }},
		{"request.triage", f.ops, func() error {
			_, err := f.gs.Triage(f.ops, r.ID, governance.TriageInput{Status: governance.StatusValidated})
			return err
		}},
		{"request.comment", f.bob, func() error {
			_, err := f.gs.Comment(f.bob, r.ID, governance.CommentInput{Body: "+1"})
			return err
		}},
		{"poll.open", f.alice, func() (err error) {
			p, err = f.gs.OpenPoll(f.alice, governance.PollInput{Title: "Adopt?", Kind: governance.KindYesNo, ClosesAt: t0.Add(24 * time.Hour)})
			return err
		}},
		{"poll.ballot", f.bob, func() error {
			_, err := f.gs.Cast(f.bob, p.ID, governance.BallotInput{Choice: "yes"})
			return err
		}},
		{"poll.close", f.alice, func() error { _, err := f.gs.ClosePoll(f.alice, p.ID); return err }},
		{"bounty.create", f.ops, func() (err error) {
			b, err = f.gs.CreateBounty(f.ops, governance.BountyInput{RequestID: r.ID, Title: "Build it", Amount: amt("50"), Criteria: []string{"done"}})
			return err
		}},
		{"bounty.approve", f.board, func() error { _, err := f.gs.ApproveBounty(f.board, b.ID); return err }},
		{"bounty.claim", f.bob, func() error { _, err := f.gs.ClaimBounty(f.bob, b.ID); return err }},
		{"bounty.submit", f.bob, func() error {
			_, err := f.gs.SubmitBounty(f.bob, b.ID, governance.SubmitInput{Note: "PR 1", Done: []int{0}})
			return err
		}},
		{"bounty.reject", f.ops, func() error {
			_, err := f.gs.RejectBounty(f.ops, b.ID, governance.ReviewInput{Note: "not yet"})
			return err
		}},
		{"bounty.cancel", f.board, func() error {
			_, err := f.gs.CancelBounty(f.board, b.ID, governance.ReviewInput{Note: "dropped"})
			return err
		}},
		{"meeting.create", f.board, func() (err error) {
			m, err = f.gs.CreateMeeting(f.board, governance.MeetingInput{Date: "2026-03-20"})
			return err
		}},
		{"meeting.agenda", f.alice, func() error {
			_, err := f.gs.AddAgendaItem(f.alice, m.ID, governance.AgendaInput{Text: "Budget"})
			return err
		}},
		{"meeting.rsvp", f.bob, func() error {
			_, err := f.gs.RSVP(f.bob, m.ID, governance.RSVPInput{Answer: governance.RSVPYes})
			return err
		}},
		{"meeting.volunteer", f.bob, func() error {
			_, err := f.gs.Volunteer(f.bob, m.ID, governance.VolunteerInput{Role: governance.MeetingRoles[0]})
			return err
		}},
		{"activity.rule", f.board, func() error {
			_, err := f.gs.SetActivityRule(f.board, governance.ActivityRule{Class: ledger.ClassOps, Hours: *amt("40")})
			return err
		}},
	}
	for _, s := range steps {
		before := storetest.AuditEvents(t, f.gs.DB())
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		after := storetest.AuditEvents(t, f.gs.DB())
		if len(after) != len(before)+1 {
			t.Fatalf("%s recorded %d audit events, want 1", s.action, len(after)-len(before))
		}
		if e := after[len(after)-1]; e.Action != s.action || e.Actor != s.by.ID {
			t.Errorf("%s by %s recorded %q by %q", s.action, s.by.ID, e.Action, e.Actor)
		}
	}
	// A refused write records nothing.
	before := storetest.AuditEvents(t, f.gs.DB())
	if _, err := f.gs.ApproveBounty(f.alice, b.ID); err == nil {
		t.Fatal("a plain member approved a bounty")
	}
	if _, err := f.gs.Comment(f.bob, r.ID, governance.CommentInput{Body: " "}); err == nil {
		t.Fatal("an empty comment was accepted")
	}
	if after := storetest.AuditEvents(t, f.gs.DB()); len(after) != len(before) {
		t.Errorf("refused writes recorded %d audit events", len(after)-len(before))
	}
	if _, err := f.gs.DB().VerifyAudit(); err != nil {
		t.Errorf("the audit chain does not hold after the governance writes: %v", err)
	}
}
