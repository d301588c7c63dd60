package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/schedule"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

const closeExamples = `  coopledger close --db coop.db --month 2024-05      # draft May and print its waterfall
  coopledger close --db coop.db --month 2024-05 --approve --as erin@example.org
                                                      # draft May, then post it as board member Erin
  coopledger close --db coop.db --due                 # draft every month due, as serve's scheduler does`

// closeOptions is what `close` is asked to do.
type closeOptions struct {
	DB      string
	Month   string
	Due     bool
	Approve bool
	As      string
}

func runClose(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("close", "Draft a month's close and print its waterfall (income, costs, margin, bounty fund, each member's earned, wages, deferred pay and payback, reserve, loss); "+
		"with --approve, post it as a board member. With --due, draft every ended month not yet drafted or posted: the job `serve` runs on the 1st. "+
		"Works on the store file offline (stop serve first, or use the API: POST /api/v1/closes/{month}).", closeExamples, stderr)
	o := closeOptions{}
	fs.StringVar(&o.DB, "db", "./coopledger.db", "store file")
	fs.StringVar(&o.Month, "month", "", "the month to draft, YYYY-MM")
	fs.BoolVar(&o.Due, "due", false, "draft every month that is due instead of one")
	fs.BoolVar(&o.Approve, "approve", false, "after drafting, approve and post the month (needs --as)")
	fs.StringVar(&o.As, "as", "", "email of the board member who approves")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case o.Due && o.Month != "":
		return usageError{errors.New("give --month or --due, not both")}
	case !o.Due && o.Month == "":
		return usageError{errors.New("--month YYYY-MM (or --due) is required")}
	case o.Due && o.Approve:
		return usageError{errors.New("--approve posts one --month; a board member approves each month in turn")}
	case o.Approve && strings.TrimSpace(o.As) == "":
		return usageError{errors.New("--approve needs --as EMAIL, the board member who approves")}
	case !o.Approve && o.As != "":
		return usageError{errors.New("--as only goes with --approve")}
	}
	if o.Month != "" {
		if _, err := ledger.ParseMonth(o.Month); err != nil {
			return usageError{fmt.Errorf("--month %q: %v", o.Month, err)}
		}
	}
	return closeMonth(ctx, o, stdout, stderr)
}

// closeMonth drafts (and approves) one month, or every month due.
func closeMonth(ctx context.Context, o closeOptions, stdout, stderr io.Writer) error {
	db, err := openStore(o.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.Due {
		return draftDue(ctx, db, stdout, stderr)
	}
	mc, err := db.DraftClose(ledger.System, o.Month)
	if err != nil {
		return describeErr(err)
	}
	names, err := memberNames(db)
	if err != nil {
		return err
	}
	writeWaterfall(stdout, mc, names)
	if !o.Approve {
		fmt.Fprintf(stdout, "\nDrafted %s. A board member it does not pay approves it: coopledger close --month %s --approve --as EMAIL\n", o.Month, o.Month)
		return nil
	}
	actor, err := db.MemberByEmail(strings.TrimSpace(o.As))
	if err != nil {
		return fmt.Errorf("--as %s: %w", o.As, err)
	}
	posted, err := db.ApproveClose(actor, o.Month)
	if err != nil {
		return describeErr(err)
	}
	fmt.Fprintf(stdout, "\nPosted %s, approved by %s <%s>: %d journal transactions. The month is locked.\n",
		o.Month, actor.Name, actor.Email, len(posted.Transactions))
	return nil
}

// draftDue runs the scheduler's job once, by hand: the same function
// `serve` runs on the 1st and at start-up.
func draftDue(ctx context.Context, db *store.DB, stdout, stderr io.Writer) error {
	// Errors are returned and printed once by main; the log only adds a
	// recovered panic's stack.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	s, err := schedule.New(db, schedule.Config{Location: db.Now().Location()}, log)
	if err != nil {
		return err
	}
	defer s.Stop()
	months, runErr := s.RunNow(ctx)
	if len(months) == 0 && runErr == nil {
		fmt.Fprintln(stdout, "Nothing is due: every ended month is drafted or posted.")
	}
	for _, m := range months {
		mc, err := db.MonthClose(m)
		if err != nil {
			return err
		}
		c := mc.Currency
		fmt.Fprintf(stdout, "drafted %s: margin %s, bounty %s, wages %s, deferred %s, payback %s, reserve %s, loss %s\n", m,
			ledger.FormatAmount(mc.Margin, c), ledger.FormatAmount(mc.Bounty, c), ledger.FormatAmount(sum(mc.Wages), c),
			ledger.FormatAmount(sum(mc.Deferred), c), ledger.FormatAmount(sum(mc.Payback), c),
			ledger.FormatAmount(mc.Reserve, c), ledger.FormatAmount(mc.Loss, c))
	}
	if runErr != nil {
		return describeErr(runErr)
	}
	return nil
}

func memberNames(db *store.DB) (map[string]string, error) {
	ms, err := db.Members()
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ms))
	for _, m := range ms {
		names[m.ID] = m.Name
	}
	return names, nil
}

func sum(m map[string]decimal.Decimal) decimal.Decimal {
	t := decimal.Zero
	for _, a := range m {
		t = t.Add(a)
	}
	return t
}

// writeWaterfall prints a close as two aligned tables: the waterfall of
// the margin, then each member's part, by name.
func writeWaterfall(w io.Writer, mc store.MonthClose, names map[string]string) {
	c := mc.Currency
	amt := func(d decimal.Decimal) string { return ledger.FormatAmount(d, c) }
	fmt.Fprintf(w, "Close of %s: %s, in %s", mc.Month, mc.State, c)
	if mc.PolicyID != "" {
		fmt.Fprintf(w, ", policy %s", mc.PolicyID)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	top := [][]string{
		{"Income", amt(mc.Income)},
		{"Costs", amt(mc.Costs)},
		{"Margin", amt(mc.Margin)},
		{"1. Bounty fund", amt(mc.Bounty)},
		{"2. Wages", amt(sum(mc.Wages))},
		{"3. Payback", amt(sum(mc.Payback))},
		{"4. Reserve", amt(mc.Reserve)},
		{"Loss", amt(mc.Loss)},
	}
	writeTable(w, nil, top, 1)

	ids := map[string]bool{}
	for _, m := range []map[string]decimal.Decimal{mc.Earned, mc.Wages, mc.Deferred, mc.Payback} {
		for id := range m {
			ids[id] = true
		}
	}
	fmt.Fprintln(w)
	if len(ids) == 0 {
		fmt.Fprintln(w, "  Nobody earned anything this month and nobody was paid back.")
		return
	}
	order := make([]string, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := name(order[i]), name(order[j])
		if a != b {
			return a < b
		}
		return order[i] < order[j]
	})
	rows := make([][]string, 0, len(order)+1)
	for _, id := range order {
		rows = append(rows, []string{name(id), id, amt(mc.Earned[id]), amt(mc.Wages[id]), amt(mc.Deferred[id]), amt(mc.Payback[id])})
	}
	rows = append(rows, []string{"Total", "", amt(sum(mc.Earned)), amt(sum(mc.Wages)), amt(sum(mc.Deferred)), amt(sum(mc.Payback))})
	writeTable(w, []string{"Member", "ID", "Earned", "Wages", "Deferred", "Payback"}, rows, 2)
}

// writeTable prints rows indented by two spaces, the first textCols
// columns aligned left and the rest (amounts) right.
func writeTable(w io.Writer, head []string, rows [][]string, textCols int) {
	all := rows
	if head != nil {
		all = append([][]string{head}, rows...)
	}
	widths := map[int]int{}
	for _, r := range all {
		for i, cell := range r {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, r := range all {
		var b strings.Builder
		b.WriteString(" ")
		for i, cell := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(cell)))
			b.WriteString(" ")
			if i < textCols {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(" " + pad + cell)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
