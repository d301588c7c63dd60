package pages

import (
	"strconv"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// bountiesData is the bounty board: the fund, and every bounty (or those
// in one state) with the buttons the caller may use on each.
type bountiesData struct {
	Fund   governance.Fund
	State  string
	States []governance.BountyState
	Rows   []bountyRow
}

type bountyRow struct {
	governance.Bounty
	RequestTitle  string
	ClaimantName  string
	ReviewerName  string
	CanApprove    bool // board, on a proposed bounty
	CanCancel     bool // board, before submission
	CanClaim      bool // anyone, on an open bounty
	CanSubmit     bool // its claimant, once claimed
	CanReview     bool // ops or board other than the claimant, once submitted
	CriteriaIndex []criterionRow
}

type criterionRow struct {
	governance.Criterion
	Index string
}

// Bounties shows GET /bounties?state=.
func (h *Handlers) Bounties(c *fiber.Ctx) error {
	return h.renderBounties(c, fiber.StatusOK, Page{})
}

func (h *Handlers) renderBounties(c *fiber.Ctx, status int, p Page) error {
	actor := web.MustActor(c)
	d := bountiesData{State: query(c, "state"), States: governance.BountyStates}
	bs, fund, err := h.cfg.Gov.Bounties(governance.BountyState(d.State))
	if _, ok := asValidation(err); ok {
		status, p.Error, d.State = fiber.StatusBadRequest, "The state in the address is not valid; showing every bounty.", ""
		bs, fund, err = h.cfg.Gov.Bounties("")
	}
	if err != nil {
		return err
	}
	d.Fund = fund
	var people, requests []string
	for _, b := range bs {
		people = append(people, b.ClaimantID, b.ReviewerID)
		requests = append(requests, b.RequestID)
	}
	names, err := h.names(people...)
	if err != nil {
		return err
	}
	titles, err := h.cfg.Gov.RequestTitles(requests)
	if err != nil {
		return err
	}
	board := actor.HasRole(ledger.RoleBoard)
	for _, b := range bs {
		row := bountyRow{Bounty: b, RequestTitle: titles[b.RequestID], ClaimantName: names[b.ClaimantID], ReviewerName: names[b.ReviewerID],
			CanApprove: board && b.State == governance.BountyProposed,
			CanCancel: board && (b.State == governance.BountyProposed || b.State == governance.BountyOpen ||
				b.State == governance.BountyClaimed),
			CanClaim:  b.State == governance.BountyOpen,
			CanSubmit: b.State == governance.BountyClaimed && b.ClaimantID == actor.ID,
			CanReview: b.State == governance.BountySubmitted && actor.IsReviewer() && b.ClaimantID != actor.ID}
		for i, cr := range b.Criteria {
			row.CriteriaIndex = append(row.CriteriaIndex, criterionRow{Criterion: cr, Index: strconv.Itoa(i)})
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title, p.Nav, p.Data = "Bounties", "bounties", d
	return h.render(c, status, "bounties", p)
}

// BountyAction handles POST /bounties/:id/:action, the buttons and forms
// of the bounty board: approve, cancel, claim, submit (note and the
// criteria ticked, as checkboxes named done), accept and reject (note).
func (h *Handlers) BountyAction(c *fiber.Ctx) error {
	id, action, actor := param(c, "id"), param(c, "action"), web.MustActor(c)
	note := form(c, "note")
	var err error
	switch action {
	case "approve":
		_, err = h.cfg.Gov.ApproveBounty(actor, id)
	case "cancel":
		_, err = h.cfg.Gov.CancelBounty(actor, id, governance.ReviewInput{Note: note})
	case "claim":
		_, err = h.cfg.Gov.ClaimBounty(actor, id)
	case "submit":
		in := governance.SubmitInput{Note: note, Done: []int{}}
		for _, s := range formValues(c, "done") {
			i, cerr := strconv.Atoi(s)
			if cerr != nil {
				return ledger.FieldError("done", "must be criterion numbers")
			}
			in.Done = append(in.Done, i)
		}
		_, err = h.cfg.Gov.SubmitBounty(actor, id, in)
	case "accept":
		_, err = h.cfg.Gov.AcceptBounty(actor, id, governance.ReviewInput{Note: note})
	case "reject":
		_, err = h.cfg.Gov.RejectBounty(actor, id, governance.ReviewInput{Note: note})
	default:
		return fiber.NewError(fiber.StatusNotFound, "no bounty action "+action)
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Error = "Bounty " + id + ": " + p.Error
		p.Form = map[string]string{"bounty": id, "note": note}
		return h.renderBounties(c, status, p)
	}
	return seeOther(c, "/bounties?ok=bounty-"+action+"#bounty-"+id)
}
