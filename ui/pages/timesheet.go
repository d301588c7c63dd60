package pages

import (
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// compensations are the choices of the log form besides "default".
var compensations = []ledger.Compensation{ledger.CompRequired, ledger.CompContribution, ledger.CompVolunteer}

// timesheetData is the timesheet view: the log form and the month's
// header; Body is the month's entries and totals (monthEntries), rendered
// in Go, as the one part that changes from one request to the next (see
// renderShell).
type timesheetData struct {
	Month, MonthLabel string
	Prev, PrevLabel   string
	Next, NextLabel   string // empty for the current month: no future months
	Today             string
	Circles           []ledger.Circle
	Compensations     []ledger.Compensation
	Activity          *activityBox // the caller's standing this year; nil without a commitment
	Body              template.HTML
}

// monthEntries is one page of the caller's entries of a month, newest
// first, with the whole month's totals.
type monthEntries struct {
	Month, MonthLabel string
	// Rows are the page's entries in date order.
	Rows []entryRow
	// Count is the month's entries.
	Count int
	// Newer and Older link to the neighbouring pages ("" at either end).
	Newer, Older string
	Total        string // the month's hours that stand: every state but rejected
	ByState      []stateTotal
}

// timesheetPage is how many entries the timesheet shows at once, newest
// first; a busy month's older entries are on further pages, and the
// month's totals always cover every entry.
const timesheetPage = 50

// entryRow is an entry with the names the view shows instead of ids.
type entryRow struct {
	ledger.TimeEntry
	CircleName   string
	MemberName   string
	ReviewerName string
}

// stateTotal is the month's hours in one review state.
type stateTotal struct {
	State   ledger.EntryState
	Hours   string
	Entries int
}

// Timesheet shows GET /timesheet?month=YYYY-MM (default: this month): the
// form to log hours and the month's entries with their review state.
func (h *Handlers) Timesheet(c *fiber.Ctx) error {
	today := ledger.Today(h.db.Now())
	// Shown again before anything is committed, on the same day to the
	// same session, the page is the same bytes: answer from the last time
	// (web.Replies). The URL carries the month, the page and any notice.
	csrf := ""
	if s, ok := web.Session(c); ok {
		csrf = s.CSRF
	}
	key := "timesheet\x00" + web.MustActor(c).ID + "\x00" + csrf + "\x00" + today + "\x00" + c.OriginalURL()
	if h.cfg.Replies.Serve(c, key) {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return nil
	}
	if err := h.timesheet(c, today); err != nil {
		return err
	}
	h.cfg.Replies.Keep(c, key)
	return nil
}

// maxTimesheetPage bounds the page number: far beyond any month's
// entries, far below where (page-1)*timesheetPage overflows.
const maxTimesheetPage = 1 << 20

// timesheet renders the timesheet GET /timesheet asks for.
func (h *Handlers) timesheet(c *fiber.Ctx, today string) error {
	p := Page{Form: map[string]string{"date": today}}
	status, month := fiber.StatusOK, query(c, "month")
	if month == "" {
		month = ledger.MonthOf(today)
	} else if _, err := ledger.ParseMonth(month); err != nil {
		// A hand-edited link: say so, and show this month instead.
		status, month = fiber.StatusBadRequest, ledger.MonthOf(today)
		p.Error = "The month in the address " + err.Error() + "; showing this month instead."
	}
	// A page number past the end shows an empty page with a link back.
	// A page number that is not one, or so large that its offset would
	// overflow, shows the first page.
	page, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || page < 1 || page > maxTimesheetPage {
		page = 1
	}
	return h.renderTimesheet(c, status, month, page, p)
}

// LogTime handles POST /timesheet: it logs hours as a draft, or submits
// them at once when "Submit for review now" is ticked.
func (h *Handlers) LogTime(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	kept := map[string]string{
		"date": form(c, "date"), "hours": form(c, "hours"), "circle_id": form(c, "circle_id"),
		"task": form(c, "task"), "note": form(c, "note"), "compensation": form(c, "compensation"),
		"submit_now": form(c, "submit_now"),
	}
	in := ledger.TimeEntryInput{Date: kept["date"], CircleID: kept["circle_id"], Task: kept["task"],
		Note: kept["note"], Submit: kept["submit_now"] != ""}
	v := &ledger.ValidationError{}
	if s := strings.TrimSpace(kept["hours"]); s != "" {
		// Hours never reach 1,000, so a comma can only be a decimal comma.
		d, err := decimal.NewFromString(strings.Replace(s, ",", ".", 1))
		if err != nil {
			v.Add("hours", "must be a number of hours like 2.5")
		} else {
			in.Hours = &d
		}
	}
	if s := kept["compensation"]; s != "" {
		comp, err := ledger.ParseCompensation(s)
		if err != nil {
			v.Add("compensation", "must be default, required, contribution or volunteer")
		} else {
			in.Compensation = &comp
		}
	}
	var err error
	if len(v.Fields) > 0 {
		// The form itself is unreadable: nothing is stored, but report the
		// other fields' problems too, so the member fixes everything at once.
		_, verr := in.Validate(ledger.Today(h.db.Now()))
		mergeFields(v, verr)
		err = v
	} else {
		var e ledger.TimeEntry
		if e, err = h.db.LogTime(actor, in); err == nil {
			ok := "logged"
			if e.State == ledger.StateSubmitted {
				ok = "submitted"
			}
			return seeOther(c, "/timesheet?month="+ledger.MonthOf(e.Date)+"&ok="+ok)
		}
	}
	fields, isForm := formError(err)
	if !isForm {
		return err
	}
	month := ledger.MonthOf(ledger.Today(h.db.Now()))
	if _, derr := ledger.ParseDate(strings.TrimSpace(kept["date"])); derr == nil {
		month = ledger.MonthOf(strings.TrimSpace(kept["date"]))
	}
	return h.renderTimesheet(c, fiber.StatusBadRequest, month, 1, Page{Error: invalid, Fields: fields, Form: kept})
}

// SubmitEntry handles POST /timesheet/:id/submit: a draft goes for review.
func (h *Handlers) SubmitEntry(c *fiber.Ctx) error {
	e, err := h.db.SubmitTimeEntry(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return seeOther(c, "/timesheet?month="+ledger.MonthOf(e.Date)+"&ok=submitted")
}

// DeleteEntry handles POST /timesheet/:id/delete: drafts only (the domain
// refuses anything else). The form says which month to return to.
func (h *Handlers) DeleteEntry(c *fiber.Ctx) error {
	if err := h.db.DeleteTimeEntry(web.MustActor(c), param(c, "id")); err != nil {
		return err
	}
	back := "/timesheet?ok=deleted"
	if m := form(c, "month"); m != "" {
		if _, err := ledger.ParseMonth(m); err == nil {
			back = "/timesheet?month=" + m + "&ok=deleted"
		}
	}
	return seeOther(c, back)
}

// renderTimesheet reads a page of the caller's entries of month, the
// month's totals from the member index, the circles and the member names
// in one read transaction and shows the timesheet.
func (h *Handlers) renderTimesheet(c *fiber.Ctx, status int, month string, page int, p Page) error {
	actor := web.MustActor(c)
	now := h.db.Now()
	start, _ := ledger.ParseMonth(month)
	d := timesheetData{
		Month: month, MonthLabel: monthLabel(start),
		Prev: start.AddDate(0, -1, 0).Format(ledger.MonthLayout), PrevLabel: monthLabel(start.AddDate(0, -1, 0)),
		Today: ledger.Today(now), Compensations: compensations,
	}
	if next := start.AddDate(0, 1, 0); next.Format(ledger.MonthLayout) <= ledger.MonthOf(d.Today) {
		d.Next, d.NextLabel = next.Format(ledger.MonthLayout), monthLabel(next)
	}
	var entries []ledger.TimeEntry
	var names map[string]string
	var totals map[ledger.EntryState]store.EntryTotal
	err := h.db.View(func(tx *store.Tx) error {
		var err error
		q := store.EntryQuery{MemberID: actor.ID, Month: month, Limit: timesheetPage, Offset: (page - 1) * timesheetPage}
		if entries, err = tx.TimeEntries(actor, q); err != nil {
			return err
		}
		if totals, err = tx.MonthTotals(actor, actor.ID, month); err != nil {
			return err
		}
		if d.Circles, err = tx.Circles(); err != nil {
			return err
		}
		names, err = memberNames(tx, entries)
		return err
	})
	if err != nil {
		return err
	}
	m := monthEntries{Month: month, MonthLabel: d.MonthLabel}
	total := 0
	for _, st := range ledger.EntryStates {
		t, ok := totals[st]
		if !ok {
			continue
		}
		m.Count += t.Entries
		if st != ledger.StateRejected {
			total += t.Minutes
		}
		m.ByState = append(m.ByState, stateTotal{State: st, Hours: ledger.HoursText(t.Minutes), Entries: t.Entries})
	}
	m.Total = ledger.HoursText(total)
	pageURL := func(n int) string { return "/timesheet?month=" + month + "&page=" + strconv.Itoa(n) }
	if page > 1 {
		m.Newer = pageURL(page - 1)
	}
	if page*timesheetPage < m.Count {
		m.Older = pageURL(page + 1)
	}
	// The store lists newest first; a timesheet reads down the month.
	slices.Reverse(entries)
	circles := circleNames(d.Circles)
	m.Rows = make([]entryRow, len(entries))
	for i, e := range entries {
		m.Rows[i] = entryRow{TimeEntry: e, CircleName: circles[e.CircleID],
			MemberName: names[e.MemberID], ReviewerName: names[e.ReviewedBy]}
	}
	csrf := ""
	if s, ok := web.Session(c); ok {
		csrf = s.CSRF
	}
	if d.Activity, err = h.myActivity(actor); err != nil {
		return err
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	if p.Form["circle_id"] == "" && len(d.Circles) == 1 {
		p.Form["circle_id"] = d.Circles[0].ID
	}
	p.Title, p.Nav = "Timesheet", "timesheet"
	return h.renderShell(c, status, "timesheet", p, func(body template.HTML) any {
		d.Body = body
		return d
	}, func(b []byte) []byte { return monthHTML(b, m, csrf) })
}

// memberNames maps the ids of the members the entries name (owners and
// reviewers) to their names, reading just those members: a page lists a
// month of entries, not the whole roster.
func memberNames(tx *store.Tx, entries []ledger.TimeEntry) (map[string]string, error) {
	ids := make([]string, 0, 2*len(entries))
	for _, e := range entries {
		ids = append(ids, e.MemberID, e.ReviewedBy)
	}
	return namesOf(tx, ids)
}

func circleNames(cs []ledger.Circle) map[string]string {
	out := make(map[string]string, len(cs))
	for _, c := range cs {
		out[c.ID] = c.Name
	}
	return out
}

// monthLabel is how a YYYY-MM month reads on a page.
func monthLabel(t time.Time) string { return t.Format("January 2006") }
