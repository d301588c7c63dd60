package api

import (
	"bytes"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/export"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// AddRate answers POST /members/{id}/rates.
func (h Handlers) AddRate(c *fiber.Ctx) error {
	var in ledger.RateInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	r, err := h.DB.AddRate(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return created(c, rateView(r))
}

// ListRates answers GET /members/{id}/rates.
func (h Handlers) ListRates(c *fiber.Ctx) error {
	rs, err := h.DB.Rates(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(rs))
	for i, r := range rs {
		out[i] = rateView(r)
	}
	return c.JSON(out)
}

func rateView(r ledger.Rate) fiber.Map {
	return fiber.Map{"member_id": r.MemberID, "from": r.From, "hourly": r.Hourly.String(), "currency": r.Currency}
}

// RecordIncome answers POST /income.
func (h Handlers) RecordIncome(c *fiber.Ctx) error { return h.recordMoney(c, false) }

// RecordCost answers POST /costs.
func (h Handlers) RecordCost(c *fiber.Ctx) error { return h.recordMoney(c, true) }

func (h Handlers) recordMoney(c *fiber.Ctx, cost bool) error {
	var in ledger.MoneyInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	t, err := h.DB.RecordMoney(web.MustActor(c), in, cost)
	if err != nil {
		return err
	}
	return created(c, t)
}

// AddOpeningBalance answers POST /opening-balances.
func (h Handlers) AddOpeningBalance(c *fiber.Ctx) error {
	var in ledger.OpeningInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	t, err := h.DB.AddOpeningBalance(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, t)
}

// Waive answers POST /members/{id}/waivers: the member forgives part of
// what the co-op owes them.
func (h Handlers) Waive(c *fiber.Ctx) error {
	var in ledger.WaiverInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	t, err := h.DB.Waive(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return created(c, t)
}

// Statement answers GET /members/{id}/statement.
func (h Handlers) Statement(c *fiber.Ctx) error {
	s, err := h.DB.Statement(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(s)
}

// Debt answers GET /debt.
func (h Handlers) Debt(c *fiber.Ctx) error {
	d, err := h.DB.Debt(web.MustActor(c))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// ListTransactions answers GET /transactions: the journal (board, admin).
func (h Handlers) ListTransactions(c *fiber.Ctx) error {
	ts, err := h.DB.Transactions(web.MustActor(c))
	if err != nil {
		return err
	}
	return c.JSON(ts)
}

// reverseInput dates a reversal and says why.
type reverseInput struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

// ReverseTransaction answers POST /transactions/{id}/reverse.
func (h Handlers) ReverseTransaction(c *fiber.Ctx) error {
	var in reverseInput
	if err := optionalBody(c, &in); err != nil {
		return err
	}
	if in.Date == "" {
		in.Date = ledger.Today(h.DB.Now())
	} else if _, err := ledger.ParseDate(in.Date); err != nil {
		return ledger.FieldError("date", err.Error())
	}
	t, err := h.DB.Reverse(web.MustActor(c), param(c, "id"), in.Date, in.Note)
	if err != nil {
		return err
	}
	return created(c, t)
}

// Balances answers GET /balances?month=YYYY-MM: every account's balance at
// the end of the month, or now.
func (h Handlers) Balances(c *fiber.Ctx) error {
	r, err := h.DB.BalanceReport(web.MustActor(c), query(c, "month"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// Export answers GET /export?format=hledger|ledger|beancount|csv: the whole
// journal as a file the accountants' tools read (board, admin).
func (h Handlers) Export(c *fiber.Ctx) error {
	f, err := export.ParseFormat(query(c, "format"))
	if err != nil {
		return err
	}
	txs, err := h.DB.Transactions(web.MustActor(c))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, f, txs, export.Options{Title: "Coopledger journal"}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="coopledger.`+f.Extension()+`"`)
	return c.Send(buf.Bytes())
}

// IncomeReport answers GET /income: month by month, MRR, income, costs,
// margin and subscribers by tier.
func (h Handlers) IncomeReport(c *fiber.Ctx) error {
	r, err := h.DB.IncomeReport()
	if err != nil {
		return err
	}
	return c.JSON(r)
}
