package testdata

import (
	"fmt"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

// loadGovernance gives the demo a democracy to look at: activity rules,
// monthly all-hands for the last six months and one to come, requests in
// every state with votes and comments, bounties paid, open and proposed,
// and polls of every kind, closed and open. It runs in the demo's
// transaction, through the same store calls as the API.
func loadGovernance(tx *store.Tx, people []person, members []ledger.Member, now time.Time) error {
	gs := govstore.InTx(tx)
	by := map[string]ledger.Member{}
	for i, p := range people {
		by[p.spec.Key] = members[i]
	}
	today := ledger.Today(now)
	erin, alice, bob, ada := by["erin"], by["alice"], by["bob"], by["ada"]

	for _, r := range []governance.ActivityRule{
		{Class: ledger.ClassOps, Hours: decimal.NewFromInt(120), Attendance: decimal.RequireFromString("0.5")},
		{Class: ledger.ClassCollaborator, Hours: decimal.NewFromInt(20), Compensation: ledger.CompContribution, Attendance: decimal.RequireFromString("0.25")},
		{Class: ledger.ClassUser, Attendance: decimal.RequireFromString("0.25")},
	} {
		if _, err := gs.SetActivityRule(ada, r); err != nil {
			return fmt.Errorf("activity rule %s: %w", r.Class, err)
		}
	}

	// All-hands on the 10th of the last six months; who came is drawn
	// from a fixed seed per meeting, the ops members nearly always there.
	for back := 6; back >= 1; back-- {
		date := monthsBack(now, back, 10)
		m, err := gs.CreateMeeting(erin, governance.MeetingInput{Title: "All-hands", Date: date, Time: "18:30", Place: "Video call"})
		if err != nil {
			return fmt.Errorf("meeting %s: %w", date, err)
		}
		r := rngFor("meeting", date, "attendance")
		var came []string
		for i, p := range people {
			if !p.active(date) {
				continue
			}
			chance := 0.3
			if p.reviewer() {
				chance = 0.9
			}
			if r.Float64() < chance {
				came = append(came, members[i].ID)
			}
		}
		if _, err := gs.RecordAttendance(erin, m.ID, governance.AttendanceInput{MemberIDs: came}); err != nil {
			return fmt.Errorf("attendance %s: %w", date, err)
		}
		if _, err := gs.RecordMinutes(erin, m.ID, governance.MinutesInput{Minutes: "Went through the board pack and the open requests.",
			Decisions: []governance.Decision{{Text: "Keep the bounty share at 10% of the margin."}}}); err != nil {
			return fmt.Errorf("minutes %s: %w", date, err)
		}
	}
	next := now.AddDate(0, 0, 14).Format(ledger.DateLayout)
	mt, err := gs.CreateMeeting(erin, governance.MeetingInput{Title: "All-hands", Date: next, Time: "18:30", Place: "Video call"})
	if err != nil {
		return fmt.Errorf("next meeting: %w", err)
	}
	for _, item := range []struct {
		who  ledger.Member
		text string
	}{{erin, "Board pack and the month's close"}, {bob, "Moving CI to self-hosted runners"}, {by["hana"], "Member data export: when?"}} {
		if _, err := gs.AddAgendaItem(item.who, mt.ID, governance.AgendaInput{Text: item.text}); err != nil {
			return fmt.Errorf("agenda: %w", err)
		}
	}
	if _, err := gs.Volunteer(by["carol"], mt.ID, governance.VolunteerInput{Role: governance.RoleFacilitator}); err != nil {
		return err
	}
	if _, err := gs.Volunteer(by["dan"], mt.ID, governance.VolunteerInput{Role: governance.RoleNoteTaker}); err != nil {
		return err
	}

	// Requests, with votes from a fixed set of members each.
	type req struct {
		who    string
		kind   governance.RequestKind
		title  string
		cat    string
		steps  []governance.RequestStatus
		voters []string
	}
	reqs := []req{
		{"hana", governance.KindFeature, "Export my data as CSV", "privacy", []governance.RequestStatus{governance.StatusValidated, governance.StatusPlanned},
			[]string{"hana", "ivan", "jo", "kemal", "frank", "erin"}},
		{"ivan", governance.KindIncident, "Password reset emails arrive late", "email", []governance.RequestStatus{governance.StatusValidated, governance.StatusPlanned, governance.StatusInProgress},
			[]string{"ivan", "jo", "lena", "hana"}},
		{"jo", governance.KindFeature, "Dark mode", "design", []governance.RequestStatus{governance.StatusValidated}, []string{"jo", "kemal", "grace"}},
		{"frank", governance.KindFeature, "Two-factor sign-in", "security", nil, []string{"frank", "erin", "alice"}},
		{"kemal", governance.KindIncident, "Search is slow on large accounts", "performance", []governance.RequestStatus{governance.StatusValidated, governance.StatusPlanned, governance.StatusInProgress, governance.StatusDone},
			[]string{"kemal", "hana"}},
		{"lena", governance.KindFeature, "A mobile app", "", []governance.RequestStatus{governance.StatusDeclined}, []string{"lena"}},
	}
	ids := map[string]string{}
	for _, rq := range reqs {
		r, err := gs.FileRequest(by[rq.who], governance.RequestInput{Kind: rq.kind, Title: rq.title, Category: rq.cat})
		if err != nil {
			return fmt.Errorf("request %q: %w", rq.title, err)
		}
		ids[rq.title] = r.ID
		for _, v := range rq.voters {
			if _, _, err := gs.Vote(by[v], r.ID); err != nil {
				return fmt.Errorf("vote on %q: %w", rq.title, err)
			}
		}
		for _, st := range rq.steps {
			if _, err := gs.Triage(bob, r.ID, governance.TriageInput{Status: st}); err != nil {
				return fmt.Errorf("triage %q: %w", rq.title, err)
			}
		}
	}
	if _, err := gs.Comment(bob, ids["Export my data as CSV"], governance.CommentInput{Body: "Planned for next month; a bounty is up for it."}); err != nil {
		return err
	}

	// Bounties from the fund the closes filled: one paid, one open, one
	// proposed.
	criteria := []string{"Works for every member", "Has tests", "Documented in the handbook"}
	paid, err := gs.CreateBounty(alice, governance.BountyInput{RequestID: ids["Search is slow on large accounts"], Title: "Index the search tables",
		Amount: dec("120"), Criteria: criteria})
	if err == nil {
		_, err = gs.ApproveBounty(erin, paid.ID)
	}
	if err == nil {
		_, err = gs.ClaimBounty(by["dan"], paid.ID)
	}
	if err == nil {
		_, err = gs.SubmitBounty(by["dan"], paid.ID, governance.SubmitInput{Note: "Indexes added; search under 100 ms.", Done: []int{0, 1, 2}})
	}
	if err == nil {
		_, err = gs.AcceptBounty(bob, paid.ID, governance.ReviewInput{Note: "Thanks!"})
	}
	if err != nil {
		return fmt.Errorf("paid bounty: %w", err)
	}
	open, err := gs.CreateBounty(alice, governance.BountyInput{RequestID: ids["Export my data as CSV"], Title: "CSV export of a member's data",
		Amount: dec("150"), Criteria: criteria})
	if err == nil {
		_, err = gs.ApproveBounty(erin, open.ID)
	}
	if err != nil {
		return fmt.Errorf("open bounty: %w", err)
	}
	if _, err := gs.CreateBounty(bob, governance.BountyInput{RequestID: ids["Dark mode"], Title: "Dark theme for every page",
		Amount: dec("80"), Criteria: []string{"Follows the system setting", "Contrast checked"}}); err != nil {
		return fmt.Errorf("proposed bounty: %w", err)
	}

	// Polls: two decided today, two open for a week.
	week := now.Add(7 * 24 * time.Hour)
	budget, err := gs.OpenPoll(erin, governance.PollInput{Title: "Adopt next year's budget", Kind: governance.KindYesNo,
		Quorum: decimal.RequireFromString("0.5"), ClosesAt: week})
	if err != nil {
		return fmt.Errorf("budget poll: %w", err)
	}
	priority, err := gs.OpenPoll(erin, governance.PollInput{Title: "What should we build first?", Kind: governance.KindRanked,
		Options: []string{"CSV export", "Two-factor sign-in", "Dark mode"}, ClosesAt: week})
	if err != nil {
		return fmt.Errorf("priority poll: %w", err)
	}
	for i, p := range people {
		if !p.active(today) {
			continue
		}
		m := members[i]
		choice := "yes"
		if i%5 == 4 {
			choice = "no"
		}
		if _, err := gs.Cast(m, budget.ID, governance.BallotInput{Choice: choice}); err != nil {
			return fmt.Errorf("ballot of %s: %w", p.spec.Key, err)
		}
		ranking := [][]string{{"o1", "o2", "o3"}, {"o2", "o1"}, {"o3", "o1"}, {"o1"}}[i%4]
		if _, err := gs.Cast(m, priority.ID, governance.BallotInput{Ranking: ranking}); err != nil {
			return fmt.Errorf("ranking of %s: %w", p.spec.Key, err)
		}
	}
	for _, id := range []string{budget.ID, priority.ID} {
		if _, err := gs.ClosePoll(erin, id); err != nil {
			return fmt.Errorf("close poll %s: %w", id, err)
		}
	}
	if _, err := gs.OpenPoll(alice, governance.PollInput{Title: "Move hosting to a co-op provider", Kind: governance.KindConsent,
		Quorum: decimal.RequireFromString("0.3"), ClosesAt: week, Electorate: governance.Electorate{Classes: []ledger.Class{ledger.ClassOps, ledger.ClassCollaborator}}}); err != nil {
		return fmt.Errorf("consent poll: %w", err)
	}
	if _, err := gs.OpenPoll(erin, governance.PollInput{Title: "Spend this quarter's bounty fund", Kind: governance.KindDots,
		Options: []string{"Docs", "Accessibility", "Performance"}, Points: 10, ClosesAt: week, Secret: true,
		Weights: map[ledger.Class]decimal.Decimal{ledger.ClassOps: decimal.RequireFromString("0.5"),
			ledger.ClassUser: decimal.RequireFromString("0.3"), ledger.ClassCollaborator: decimal.RequireFromString("0.2")}}); err != nil {
		return fmt.Errorf("dots poll: %w", err)
	}
	return nil
}

func dec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
