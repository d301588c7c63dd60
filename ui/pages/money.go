package pages

import (
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/chart"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// statementData is a member's statement: their account with the co-op
// month by month, the chart of it and, on their own, the waiver form.
type statementData struct {
	MemberID, Name string
	Own            bool // the caller's own statement
	Currency       string
	Balance        string // owed now
	Rows           []statementRow
	Total          statementRow // column sums; Balance is the closing balance
	Chart          template.HTML
	// CanWaive shows the waiver form: on the caller's own statement while
	// something is owed to them (or the form was just refused).
	CanWaive bool
}

// statementRow is one month of a statement, its amounts formatted.
type statementRow struct {
	Month, Label                                                      string
	Hours, Earned, Paid, Deferred, Opening, PaidBack, Waived, Balance string
}

// Statement shows GET /statement: the caller's own statement.
func (h *Handlers) Statement(c *fiber.Ctx) error {
	return h.renderStatement(c, fiber.StatusOK, web.MustActor(c).ID, Page{})
}

// MemberStatement shows GET /members/:id/statement. Board, admin and ops
// may read anyone's; the store refuses a plain member someone else's (403).
func (h *Handlers) MemberStatement(c *fiber.Ctx) error {
	return h.renderStatement(c, fiber.StatusOK, param(c, "id"), Page{})
}

// Waive handles POST /statement/waive: the caller forgives part of what
// the co-op owes them. The store checks the amount against their balance.
//
// The amount may be typed with thousands separators ("1,250.00"); a comma
// followed by anything but groups of three digits is refused rather than
// read as a decimal comma, so "12,50" is never taken for 1,250.
func (h *Handlers) Waive(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	kept := map[string]string{"amount": form(c, "amount"), "note": form(c, "note")}
	in := ledger.WaiverInput{Note: kept["note"]}
	v := &ledger.ValidationError{}
	if s := strings.TrimSpace(kept["amount"]); s != "" {
		if d, ok := parseAmountText(s); ok {
			in.Amount = &d
		} else {
			v.Add("amount", "must be an amount like 250.00")
		}
	}
	var err error
	if len(v.Fields) > 0 {
		// Unreadable: store nothing, but report the note's problems too.
		// Without an amount or a currency the base currency plays no part
		// in these checks, so the default stands in for it.
		_, verr := in.Transaction(actor.ID, ledger.DefaultCurrency, ledger.Today(h.db.Now()))
		mergeFields(v, verr)
		err = v
	} else if _, err = h.db.Waive(actor, actor.ID, in); err == nil {
		return seeOther(c, "/statement?ok=waived")
	}
	fields, ok := formError(err)
	if !ok {
		return err
	}
	return h.renderStatement(c, fiber.StatusBadRequest, actor.ID, Page{Error: invalid, Fields: fields, Form: kept})
}

// groupedAmount is an amount written with thousands separators.
var groupedAmount = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// parseAmountText reads an amount typed into a form.
func parseAmountText(s string) (decimal.Decimal, bool) {
	if groupedAmount.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

func (h *Handlers) renderStatement(c *fiber.Ctx, status int, memberID string, p Page) error {
	actor := web.MustActor(c)
	st, err := h.db.Statement(actor, memberID)
	if err != nil {
		return err
	}
	cur := st.Currency
	d := statementData{MemberID: st.MemberID, Name: st.Name, Own: st.MemberID == actor.ID, Currency: cur,
		Balance: money(st.Balance)}
	d.CanWaive = d.Own && (st.Balance.Amount.IsPositive() || len(p.Fields) > 0)
	var hours, earned, paid, deferred, opening, paidBack, waived decimal.Decimal
	labels := make([]string, len(st.Months))
	series := []chart.Series{
		{Name: "Earned", Class: "earned"}, {Name: "Paid", Class: "paid"}, {Name: "Deferred", Class: "deferred"},
	}
	for i, m := range st.Months {
		start, err := ledger.ParseMonth(m.Month)
		if err != nil {
			return fmt.Errorf("statement of %s: %w", st.MemberID, err)
		}
		labels[i] = start.Format("Jan 2006")
		series[0].Values = append(series[0].Values, m.Earned.Amount)
		series[1].Values = append(series[1].Values, m.Paid.Amount)
		series[2].Values = append(series[2].Values, m.Deferred.Amount)
		d.Rows = append(d.Rows, statementRow{Month: m.Month, Label: monthLabel(start), Hours: m.Hours,
			Earned: money(m.Earned), Paid: money(m.Paid), Deferred: money(m.Deferred), Opening: money(m.Opening),
			PaidBack: money(m.PaidBack), Waived: money(m.Waived), Balance: money(m.Balance)})
		if hs, err := decimal.NewFromString(m.Hours); err == nil {
			hours = hours.Add(hs)
		}
		earned, paid, deferred = earned.Add(m.Earned.Amount), paid.Add(m.Paid.Amount), deferred.Add(m.Deferred.Amount)
		opening, paidBack, waived = opening.Add(m.Opening.Amount), paidBack.Add(m.PaidBack.Amount), waived.Add(m.Waived.Amount)
	}
	amt := func(x decimal.Decimal) string { return money(ledger.NewMoney(x, cur)) }
	d.Total = statementRow{Hours: hours.String(), Earned: amt(earned), Paid: amt(paid), Deferred: amt(deferred),
		Opening: amt(opening), PaidBack: amt(paidBack), Waived: amt(waived), Balance: d.Balance}
	whose := "your"
	if !d.Own {
		whose = st.Name + "'s"
	}
	desc := "No months yet."
	if len(labels) > 0 {
		desc = fmt.Sprintf("Bars of %s pay earned, paid and deferred in %s, month by month from %s to %s. "+
			"The table lists the same figures.", whose, cur, labels[0], labels[len(labels)-1])
	}
	d.Chart = chart.Bars(series, labels, chart.Options{ID: "statement-chart",
		Title: "Earned, paid and deferred by month (" + cur + ")", Desc: desc, Format: chartFormat(cur)})
	p.Title, p.Nav, p.Data = "Statement", "statement", d
	if !d.Own {
		// Not the page the Statement link leads to: no nav item is current.
		p.Title, p.Nav = "Statement of "+st.Name, ""
	}
	return h.render(c, status, "statement", p)
}

// debtData is the debt page: what the co-op owes in total, per member with
// its age (the lines the caller may see), and the total over time.
type debtData struct {
	Currency string
	Total    string
	Owed     bool     // the total is more than zero
	Years    []string // accrual years, oldest first: the aging columns
	Rows     []debtRow
	// Complete is true when the rows add up to the total, so the table
	// can end with a total line. A plain member sees only their own line
	// (the store decides), and then the table has no total.
	Complete   bool
	YearTotals []string
	History    []debtPoint
	Chart      template.HTML
}

// debtRow is one member's line; Aging has one cell per year of Years.
type debtRow struct {
	MemberID, Name, Balance string
	Own                     bool
	Aging                   []string
}

// debtPoint is the total owed at the end of one month.
type debtPoint struct{ Month, Label, Total string }

// Debt shows GET /debt to every member. What the table holds is the
// store's call: board, admin and ops get every member's line, a plain
// member only the total and their own line. The history of the total is
// an aggregate every member may see.
func (h *Handlers) Debt(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	var debt store.Debt
	var history []store.DebtPoint
	err := h.db.View(func(tx *store.Tx) error {
		var err error
		if debt, err = tx.Debt(actor); err != nil {
			return err
		}
		history, err = tx.DebtHistory(ledger.MonthOf(ledger.Today(h.db.Now())))
		return err
	})
	if err != nil {
		return err
	}
	cur := debt.Currency
	d := debtData{Currency: cur, Total: money(debt.Total), Owed: debt.Total.Amount.IsPositive()}
	years := map[string]decimal.Decimal{}
	shown := decimal.Zero
	for _, r := range debt.Members {
		for y, a := range r.Aging {
			years[y] = years[y].Add(a.Amount)
		}
		shown = shown.Add(r.Balance.Amount)
	}
	for y := range years {
		d.Years = append(d.Years, y)
	}
	slices.Sort(d.Years)
	for _, r := range debt.Members {
		row := debtRow{MemberID: r.MemberID, Name: r.Name, Balance: money(r.Balance), Own: r.MemberID == actor.ID}
		for _, y := range d.Years {
			cell := "—"
			if a, ok := r.Aging[y]; ok && !a.Amount.IsZero() {
				cell = money(a)
			}
			row.Aging = append(row.Aging, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	d.Complete = len(d.Rows) > 0 && shown.Equal(debt.Total.Amount)
	for _, y := range d.Years {
		d.YearTotals = append(d.YearTotals, money(ledger.NewMoney(years[y], cur)))
	}
	points := make([]chart.Point, 0, len(history))
	for _, pt := range history {
		start, err := ledger.ParseMonth(pt.Month)
		if err != nil {
			return fmt.Errorf("debt history: %w", err)
		}
		d.History = append(d.History, debtPoint{Month: pt.Month, Label: monthLabel(start), Total: money(pt.Total)})
		points = append(points, chart.Point{Label: start.Format("Jan 2006"), Value: pt.Total.Amount})
	}
	desc := "No debt recorded yet."
	if len(points) > 0 {
		desc = fmt.Sprintf("A line of the total the co-op owes its members in %s at the end of each month, from %s (%s) to %s (%s). "+
			"The table lists the same figures.", cur, points[0].Label, d.History[0].Total, points[len(points)-1].Label,
			d.History[len(d.History)-1].Total)
	}
	d.Chart = chart.Line(points, chart.Options{ID: "debt-chart", Title: "Total debt over time (" + cur + ")",
		Desc: desc, Name: "Total owed", Class: "debt", Format: chartFormat(cur), Empty: "No debt recorded yet"})
	return h.render(c, fiber.StatusOK, "debt", Page{Title: "Debt", Nav: "debt", Data: d})
}

// money is an amount as the pages show it: its currency's places and
// thousands grouped ("20,000.00"), without the code, which the column
// headings and totals carry.
func money(m ledger.Money) string { return chart.Group(m.String()) }

// chartFormat prints a value in a chart's tooltips: "1,040.00 GBP".
func chartFormat(currency string) func(decimal.Decimal) string {
	return func(d decimal.Decimal) string { return money(ledger.NewMoney(d, currency)) + " " + currency }
}
