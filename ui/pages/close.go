package pages

import (
	"errors"
	"fmt"
	"sort"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// closeData is the board's close page: the months, and one month's
// waterfall with the buttons to draft it again or approve it.
type closeData struct {
	Months   []closeMonth
	Selected *closeView
	CanAct   bool // board and admin may draft; the store decides approval
}

type closeMonth struct {
	Month, State string
	Current      bool
}

type closeView struct {
	Month, State, Currency, ApprovedBy           string
	Income, Costs, Margin, Bounty, Reserve, Loss string
	Rows                                         []closeRow
	Totals                                       closeRow
}

type closeRow struct {
	MemberID, Name                   string
	Earned, Wages, Deferred, Payback string
}

// Close shows GET /close?month=YYYY-MM: the months drafted, posted and due,
// and the selected month's waterfall (by default the oldest not posted).
func (h *Handlers) Close(c *fiber.Ctx) error {
	return h.renderClose(c, fiber.StatusOK, query(c, "month"), Page{})
}

func (h *Handlers) renderClose(c *fiber.Ctx, status int, month string, p Page) error {
	actor := web.MustActor(c)
	if !actor.HasRole(ledger.RoleBoard) && !actor.IsAdmin() && !actor.HasRole(ledger.RoleOps) {
		return fmt.Errorf("the close page is for ops, board and admin: %w", ledger.ErrForbidden)
	}
	o, err := h.db.CloseOverview()
	if err != nil {
		return err
	}
	d := closeData{CanAct: actor.IsBoardOrAdmin()}
	states := map[string]string{}
	for _, mc := range o.Closes {
		states[mc.Month] = mc.State
	}
	for _, m := range o.Due {
		if states[m] == "" {
			states[m] = "due"
		}
	}
	for m, st := range states {
		d.Months = append(d.Months, closeMonth{Month: m, State: st})
	}
	sort.Slice(d.Months, func(i, j int) bool { return d.Months[i].Month > d.Months[j].Month })
	if month == "" {
		for i := len(d.Months) - 1; i >= 0; i-- {
			if d.Months[i].State != store.ClosePosted {
				month = d.Months[i].Month
				break
			}
		}
		if month == "" && len(d.Months) > 0 {
			month = d.Months[0].Month
		}
	}
	for i := range d.Months {
		d.Months[i].Current = d.Months[i].Month == month
	}
	if month != "" {
		if mc, err := h.db.MonthClose(month); err == nil {
			d.Selected = h.closeView(mc)
		} else if !errors.Is(err, ledger.ErrNotFound) {
			return err
		} else {
			d.Selected = &closeView{Month: month, State: states[month]}
		}
	}
	p.Title, p.Nav, p.Data = "Monthly close", "close", d
	return h.render(c, status, "close", p)
}

func (h *Handlers) closeView(mc store.MonthClose) *closeView {
	cur := mc.Currency
	f := func(d decimal.Decimal) string { return ledger.FormatAmount(d, cur) }
	v := &closeView{Month: mc.Month, State: mc.State, Currency: cur, Income: f(mc.Income), Costs: f(mc.Costs),
		Margin: f(mc.Margin), Bounty: f(mc.Bounty), Reserve: f(mc.Reserve), Loss: f(mc.Loss)}
	if mc.ApprovedBy != "" {
		if m, err := h.db.Member(mc.ApprovedBy); err == nil {
			v.ApprovedBy = m.Name
		}
	}
	ids := map[string]bool{}
	for _, m := range []map[string]decimal.Decimal{mc.Earned, mc.Wages, mc.Deferred, mc.Payback} {
		for id := range m {
			ids[id] = true
		}
	}
	var sum [4]decimal.Decimal
	for id := range ids {
		name := id
		if m, err := h.db.Member(id); err == nil {
			name = m.Name
		}
		v.Rows = append(v.Rows, closeRow{MemberID: id, Name: name, Earned: f(mc.Earned[id]), Wages: f(mc.Wages[id]),
			Deferred: f(mc.Deferred[id]), Payback: f(mc.Payback[id])})
		sum[0], sum[1] = sum[0].Add(mc.Earned[id]), sum[1].Add(mc.Wages[id])
		sum[2], sum[3] = sum[2].Add(mc.Deferred[id]), sum[3].Add(mc.Payback[id])
	}
	sort.Slice(v.Rows, func(i, j int) bool { return v.Rows[i].Name < v.Rows[j].Name })
	v.Totals = closeRow{Name: "Total", Earned: f(sum[0]), Wages: f(sum[1]), Deferred: f(sum[2]), Payback: f(sum[3])}
	return v
}

// DraftCloseForm handles POST /close/:month/draft: compute (again) the
// month's draft.
func (h *Handlers) DraftCloseForm(c *fiber.Ctx) error {
	month := param(c, "month")
	if _, err := h.db.DraftClose(web.MustActor(c), month); err != nil {
		return h.closeRefused(c, month, err)
	}
	return seeOther(c, "/close?month="+month+"&ok=drafted")
}

// ApproveCloseForm handles POST /close/:month/approve: post the month.
func (h *Handlers) ApproveCloseForm(c *fiber.Ctx) error {
	month := param(c, "month")
	if _, err := h.db.ApproveClose(web.MustActor(c), month); err != nil {
		return h.closeRefused(c, month, err)
	}
	return seeOther(c, "/close?month="+month+"&ok=posted")
}

// closeRefused shows the close page again with why the store said no,
// for the refusals a board member can act on (order, conflict of
// interest, a stale draft, bad month).
func (h *Handlers) closeRefused(c *fiber.Ctx, month string, err error) error {
	r, ok := web.Refused(err)
	if !ok || r.Status == fiber.StatusUnauthorized {
		return err
	}
	status := r.Status
	switch status {
	case fiber.StatusBadRequest:
		if msg, ok := r.Fields["month"]; ok {
			return h.renderClose(c, status, "", Page{Error: "Month " + month + " " + msg + "."})
		}
	case fiber.StatusNotFound:
		status = fiber.StatusConflict // no draft yet: the board can draft one
	}
	return h.renderClose(c, status, month, Page{Error: err.Error()})
}
