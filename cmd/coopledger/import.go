package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/csvimport"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/shopspring/decimal"
)

const importExamples = `  coopledger import time --db coop.db timesheet-2024.csv
  coopledger import time --db coop.db --dry-run timesheet-2024.csv   # check only
  coopledger import time --db coop.db --skip-bad timesheet-2024.csv  # import the good rows
  coopledger import opening-balances --db coop.db --file opening-balances.csv
  some-export | coopledger import time --db coop.db -`

const importUsage = `Usage:
  coopledger import time --db PATH FILE.csv [--skip-bad] [--dry-run]
  coopledger import opening-balances --db PATH FILE.csv [--skip-bad] [--dry-run]

Bring a timesheet or historical opening balances into the books, offline
(stop serve first). FILE.csv may also be given as --file; "-" reads stdin.
Run "coopledger import time --help" or "coopledger import opening-balances
--help" for the columns.

Examples:
` + importExamples + "\n"

const importTimeHelp = `Import time entries from a CSV timesheet. Its header row names the columns, in any order and any case:
  email or member_id  whose hours: one of the member's addresses, or their id
  date                YYYY-MM-DD, not in the future, within the membership, in an open month
  hours or minutes    decimal hours (2.5) or whole minutes (150); more than 0, at most 24 h a day
  circle              the circle's name (or its id)
  task                what the hours were for
  note                optional
  compensation        optional: required, contribution or volunteer (default: required when
                      the member has a rate on that date, volunteer otherwise)
  state               optional: draft (the default) or submitted. Imports never approve:
                      submitted hours wait for a reviewer in the app like any others.
` + importRulesHelp

const importOpeningHelp = `Import historical sweat-equity debt as opening balances, typically one row per member per year. Its header row names the columns, in any order and any case:
  email or member_id  whose balance: one of the member's addresses, or their id
  as_of               YYYY-MM-DD; a year (2021) means 31 December of it, a month (2021-06) its
                      last day. The debt ages from this date (the debt report's year columns).
  deferred            what the co-op still owed them then, e.g. 6000.00 (0: nothing to post)
  currency            optional, the base currency (debt is kept in it only)
  note                optional, shown in the journal
  paid                optional: historical compensation paid that year. It is recorded in the
                      note ("...; paid 5400.00"); nothing is posted for it.
An opening balance already in the books for the same member and as_of date is refused: reverse
it first to replace it.
` + importRulesHelp

const importRulesHelp = `Every rule of the app applies. The whole file goes in one transaction, so it imports entirely
or not at all: a file with any bad row imports nothing, lists every bad row on stderr as
"row 7, column hours: must be at most 24" (rows numbered as a spreadsheet shows them, the
header being row 1) and exits 1. --skip-bad imports the good rows and lists the bad ones.
On a terminal, a progress bar shows on stderr for files of 1,000 rows or more.`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return importCommand(ctx, args, os.Stdin, stdout, stderr)
}

func importCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, importUsage)
		return usageError{errors.New("import what? time or opening-balances")}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, importUsage)
		return nil
	case "time":
		return runImportFile(ctx, &timeImport{}, args[1:], stdin, stdout, stderr)
	case "opening-balances":
		return runImportFile(ctx, &openingImport{}, args[1:], stdin, stdout, stderr)
	}
	return usageError{fmt.Errorf("import %q: want time or opening-balances", args[0])}
}

// importer is one kind of file: it parses the file, keeping the rows that
// parse, then applies them one at a time inside a store transaction.
type importer interface {
	// name is the subcommand; what names the rows ("time entries").
	name() string
	what() string
	help() string
	columns() []string
	// parse reads the file, keeps the rows that parse and returns the
	// problems of the others; an error means the file cannot be read.
	parse(r io.Reader) ([]csvimport.RowError, error)
	// len is the number of rows kept; row is the file row of the i-th.
	len() int
	row(i int) int
	// begin starts a pass in tx and returns the function that applies the
	// i-th row. It returns the row's problems (nothing was written for
	// it), or an error that must abort the whole import.
	begin(tx *store.Tx) (func(i int) ([]csvimport.RowError, error), error)
	// summary describes what the last pass applied.
	summary() string
}

// errRollback ends a pass that must not commit: a dry run, or a file with
// bad rows.
var errRollback = errors.New("roll back")

// runImportFile is `import time` and `import opening-balances`.
//
// The rows are applied in one transaction, through the same store methods
// as the API (tx.LogTime, tx.AddOpeningBalance) as the offline admin,
// ledger.System. A row the store refuses with a *ledger.ValidationError is
// reported against its CSV columns and the pass goes on to the end, so
// every bad row is listed at once; any other error aborts everything.
//
// Those store methods check every rule before their first write (read
// ledger/store/entries.go and money.go), so a refused row leaves nothing
// behind. The command does not rely on that, though: a pass that met a bad
// row never commits. With --skip-bad, a second pass in a fresh transaction
// applies only the rows the first pass accepted; leaving rows out can only
// lower a day's total or remove a duplicate, so they are accepted again,
// and if one were not, the import stops with nothing written.
func runImportFile(ctx context.Context, imp importer, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import "+imp.name()+" FILE.csv", imp.help(), importExamples, stderr)
	dbPath := fs.String("db", "./coopledger.db", "store file")
	fileFlag := fs.String("file", "", `the CSV file, if not given as the argument ("-" reads stdin)`)
	skipBad := fs.Bool("skip-bad", false, "import the good rows and report the bad ones (default: any bad row imports nothing)")
	dryRun := fs.Bool("dry-run", false, "check every row against the store and report, writing nothing")
	file, err := parseFileArgs(fs, args, fileFlag)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(file, stdin)
	if err != nil {
		return err
	}
	parseErrs, err := imp.parse(in)
	closeIn()
	if file == "-" {
		file = "stdin"
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if *dbPath == "" {
		return usageError{errors.New("--db is required")}
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("no store at %s (create it with `coopledger member add` or `coopledger serve` first): %w", *dbPath, err)
	}
	db, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()

	label := "importing " + imp.what()
	if *dryRun {
		label = "checking " + imp.what()
	}
	all := func(int) bool { return true }
	storeErrs, committed, err := applyRows(ctx, db, imp, all, func(bad int) bool {
		return !*dryRun && bad == 0 && (len(parseErrs) == 0 || *skipBad)
	}, newProgress(stderr, label, imp.len()))
	if err != nil {
		return fmt.Errorf("%s: %w; nothing imported", file, err)
	}
	if !committed && !*dryRun && *skipBad && len(storeErrs) > 0 {
		refused := rowSet(storeErrs)
		keep := func(i int) bool { return !refused[imp.row(i)] }
		again, ok, err := applyRows(ctx, db, imp, keep, func(bad int) bool { return bad == 0 },
			newProgress(stderr, label+" (good rows)", imp.len()))
		if err != nil {
			return fmt.Errorf("%s: %w; nothing imported", file, err)
		}
		if !ok {
			report(stderr, again, imp.columns())
			return fmt.Errorf("%s: rows the first check accepted were refused on import (above); nothing imported", file)
		}
	}

	bad := append(parseErrs, storeErrs...)
	report(stderr, bad, imp.columns())
	skipped := len(rowSet(bad))
	total := imp.len() + len(rowSet(parseErrs))
	if skipped > 0 && !*skipBad {
		verb := "nothing imported"
		if *dryRun {
			verb = "dry run: nothing would be imported"
		}
		hint := "fix them and run the import again"
		if total > skipped {
			hint = fmt.Sprintf("fix them, or pass --skip-bad to import the other %d", total-skipped)
		}
		return fmt.Errorf("%s: %d of %d rows are bad (listed above); %s: %s", file, skipped, total, verb, hint)
	}
	if *dryRun {
		fmt.Fprintf(stdout, "dry run: would import %s (%d skipped); nothing written\n", rows(total-skipped), skipped)
		return nil
	}
	fmt.Fprintf(stdout, "imported %s (%d skipped)\n", rows(total-skipped), skipped)
	if s := imp.summary(); s != "" && total-skipped > 0 {
		fmt.Fprintln(stdout, s)
	}
	return nil
}

// applyRows runs one pass over the rows keep selects in one transaction,
// collecting the row problems, and commits it only when commit says so.
func applyRows(ctx context.Context, db *store.DB, imp importer, keep func(int) bool, commit func(bad int) bool, bar *progress) (bad []csvimport.RowError, committed bool, err error) {
	err = db.Update(func(tx *store.Tx) error {
		defer bar.done()
		bad = nil
		apply, err := imp.begin(tx)
		if err != nil {
			return err
		}
		for i := range imp.len() {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("interrupted: %w", err)
				}
			}
			bar.set(i + 1)
			if !keep(i) {
				continue
			}
			errs, err := apply(i)
			if err != nil {
				return fmt.Errorf("row %d: %w", imp.row(i), err)
			}
			bad = append(bad, errs...)
		}
		if !commit(len(bad)) {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return bad, false, nil
	}
	return bad, err == nil, err
}

// report lists row problems on w, one a line, in row and column order.
func report(w io.Writer, errs []csvimport.RowError, columns []string) {
	csvimport.SortRowErrors(errs, columns)
	for _, e := range errs {
		fmt.Fprintln(w, e.Error())
	}
}

// rows is "1 row" or "n rows".
func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

func rowSet(errs []csvimport.RowError) map[int]bool {
	set := map[int]bool{}
	for _, e := range errs {
		set[e.Row] = true
	}
	return set
}

// parseFileArgs parses flags that may come before or after the one FILE
// argument (parseFlags refuses arguments), then applies the COOPLEDGER_*
// fallbacks, and returns the file named by the argument or --file.
func parseFileArgs(fs *flag.FlagSet, args []string, fileFlag *string) (string, error) {
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := parseFlags(fs, nil); err != nil {
		return "", err
	}
	if *fileFlag != "" {
		files = append(files, *fileFlag)
	}
	switch len(files) {
	case 0:
		return "", usageError{fmt.Errorf("%s: which file? Give it as the argument or --file", fs.Name())}
	case 1:
		return files[0], nil
	}
	return "", usageError{fmt.Errorf("%s: one file at a time (got %s)", fs.Name(), strings.Join(files, ", "))}
}

// openInput opens the file to import; "-" is stdin.
func openInput(file string, stdin io.Reader) (io.Reader, func(), error) {
	if file == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// rowProblems turns a domain error about row into row problems, naming
// the CSV column of each field; any other error is returned as is, to
// abort the import.
func rowProblems(err error, row int, column func(field string) string) ([]csvimport.RowError, error) {
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	fields := make([]string, 0, len(ve.Fields))
	for field := range ve.Fields {
		fields = append(fields, field)
	}
	slices.Sort(fields)
	out := make([]csvimport.RowError, 0, len(fields))
	for _, field := range fields {
		out = append(out, csvimport.RowError{Row: row, Column: column(field), Reason: ve.Fields[field]})
	}
	return out, nil
}

// members resolves the member a row names, by address or id, once per
// value and pass.
type members struct {
	tx    *store.Tx
	cache map[string]memberRef
}

type memberRef struct {
	m           ledger.Member
	column, why string
}

func newMembers(tx *store.Tx) *members { return &members{tx: tx, cache: map[string]memberRef{}} }

// resolve returns the member named by email (if given) or id, or a
// problem with the column at fault. A row giving both must agree.
func (ms *members) resolve(email, id string) (ledger.Member, *csvimport.RowError, error) {
	key := "id:" + id
	if email != "" {
		key = "email:" + ledger.EmailKey(email) + "\x00" + id
	}
	ref, ok := ms.cache[key]
	if !ok {
		var err error
		if ref, err = ms.lookup(email, id); err != nil {
			return ledger.Member{}, nil, err
		}
		ms.cache[key] = ref
	}
	if ref.why != "" {
		return ledger.Member{}, &csvimport.RowError{Column: ref.column, Reason: ref.why}, nil
	}
	return ref.m, nil, nil
}

func (ms *members) lookup(email, id string) (memberRef, error) {
	if email != "" {
		m, err := ms.tx.MemberByEmail(email)
		switch {
		case errors.Is(err, ledger.ErrNotFound):
			return memberRef{column: "email", why: "no member has this address"}, nil
		case err != nil:
			return memberRef{}, err
		case id != "" && id != m.ID:
			return memberRef{column: "member_id", why: fmt.Sprintf("is %s, but %s is the address of %s (%s)", id, email, m.ID, m.Name)}, nil
		}
		return memberRef{m: m}, nil
	}
	m, err := ms.tx.Member(id)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return memberRef{column: "member_id", why: "no member has this id"}, nil
	case err != nil:
		return memberRef{}, err
	}
	return memberRef{m: m}, nil
}

// timeImport is `import time`.
type timeImport struct {
	rows    []csvimport.TimeRow
	entries int
	minutes int
	states  map[ledger.EntryState]int
}

func (ti *timeImport) name() string      { return "time" }
func (ti *timeImport) what() string      { return "time entries" }
func (ti *timeImport) help() string      { return importTimeHelp }
func (ti *timeImport) columns() []string { return csvimport.TimeColumns }
func (ti *timeImport) len() int          { return len(ti.rows) }
func (ti *timeImport) row(i int) int     { return ti.rows[i].Row }

func (ti *timeImport) parse(r io.Reader) ([]csvimport.RowError, error) {
	rows, errs, err := csvimport.ParseTime(r)
	ti.rows = rows
	return errs, err
}

func (ti *timeImport) begin(tx *store.Tx) (func(int) ([]csvimport.RowError, error), error) {
	ti.entries, ti.minutes, ti.states = 0, 0, map[ledger.EntryState]int{}
	ms := newMembers(tx)
	circles := map[string]string{} // lower-case name or id → circle id
	var names []string             // every circle's name, for the error
	circleID := func(ref string) (string, error) {
		key := strings.ToLower(ref)
		if id, ok := circles[key]; ok {
			return id, nil
		}
		c, err := tx.CircleByName(ref)
		if errors.Is(err, ledger.ErrNotFound) {
			c, err = tx.Circle(ref)
		}
		if errors.Is(err, ledger.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		circles[key] = c.ID
		return c.ID, nil
	}
	return func(i int) ([]csvimport.RowError, error) {
		r := ti.rows[i]
		m, problem, err := ms.resolve(r.Email, r.MemberID)
		if err != nil {
			return nil, err
		}
		var errs []csvimport.RowError
		if problem != nil {
			problem.Row = r.Row
			errs = append(errs, *problem)
		}
		cid, err := circleID(r.Circle)
		if err != nil {
			return nil, err
		}
		if cid == "" {
			if names == nil {
				cs, err := tx.Circles()
				if err != nil {
					return nil, err
				}
				names = []string{}
				for _, c := range cs {
					names = append(names, c.Name)
				}
			}
			known := "there are no circles yet"
			if len(names) > 0 {
				known = "circles: " + strings.Join(names, ", ")
			}
			errs = append(errs, csvimport.RowError{Row: r.Row, Column: "circle",
				Reason: fmt.Sprintf("no circle is named %q or has that id (%s)", r.Circle, known)})
		}
		if len(errs) > 0 {
			return errs, nil
		}
		in := r.Input
		in.MemberID, in.CircleID = m.ID, cid
		e, err := tx.LogTime(ledger.System, in)
		if err != nil {
			return rowProblems(err, r.Row, r.Column)
		}
		ti.entries++
		ti.minutes += e.Minutes
		ti.states[e.State]++
		return nil, nil
	}, nil
}

func (ti *timeImport) summary() string {
	return fmt.Sprintf("%d time entries, %s h in all: %d draft, %d submitted for review (imports never approve)",
		ti.entries, ledger.HoursText(ti.minutes), ti.states[ledger.StateDraft], ti.states[ledger.StateSubmitted])
}

// openingImport is `import opening-balances`.
type openingImport struct {
	rows     []csvimport.OpeningRow
	posted   int
	nothing  int
	total    decimal.Decimal
	currency string
	years    map[string]bool
	paid     bool
}

func (oi *openingImport) name() string      { return "opening-balances" }
func (oi *openingImport) what() string      { return "opening balances" }
func (oi *openingImport) help() string      { return importOpeningHelp }
func (oi *openingImport) columns() []string { return csvimport.OpeningColumns }
func (oi *openingImport) len() int          { return len(oi.rows) }
func (oi *openingImport) row(i int) int     { return oi.rows[i].Row }

func (oi *openingImport) parse(r io.Reader) ([]csvimport.RowError, error) {
	rows, errs, err := csvimport.ParseOpening(r)
	oi.rows = rows
	return errs, err
}

func (oi *openingImport) begin(tx *store.Tx) (func(int) ([]csvimport.RowError, error), error) {
	oi.posted, oi.nothing, oi.total, oi.years, oi.paid = 0, 0, decimal.Zero, map[string]bool{}, false
	oi.currency = tx.BaseCurrency()
	// The opening balances already in the books, by member and date, less
	// the reversed ones: importing the same file twice must not double the
	// debt.
	existing := map[string]string{}
	var reversed []string
	err := tx.ForEachTransaction(func(t ledger.Transaction) error {
		switch t.Kind {
		case ledger.KindOpening:
			existing[t.MemberID+"|"+t.Date] = t.ID
		case ledger.KindReversal:
			reversed = append(reversed, t.Reverses)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for key, id := range existing {
		if slices.Contains(reversed, id) {
			delete(existing, key)
		}
	}
	inFile := map[string]int{} // member|date → row
	ms := newMembers(tx)
	return func(i int) ([]csvimport.RowError, error) {
		r := oi.rows[i]
		m, problem, err := ms.resolve(r.Email, r.MemberID)
		if err != nil {
			return nil, err
		}
		if problem != nil {
			problem.Row = r.Row
			return []csvimport.RowError{*problem}, nil
		}
		in := r.Input
		in.MemberID = m.ID
		key := m.ID + "|" + in.AsOf
		if id, ok := existing[key]; ok {
			return []csvimport.RowError{{Row: r.Row, Column: "as_of",
				Reason: fmt.Sprintf("%s already has an opening balance as of %s (%s); reverse it first to replace it", m.Name, in.AsOf, id)}}, nil
		}
		if first, ok := inFile[key]; ok {
			return []csvimport.RowError{{Row: r.Row, Column: "as_of",
				Reason: fmt.Sprintf("repeats row %d: one opening balance per member and date", first)}}, nil
		}
		inFile[key] = r.Row
		if r.Paid != nil {
			oi.paid = true
		}
		if in.Deferred.IsZero() {
			// Nothing was owed: nothing to post. The store would refuse
			// a zero amount; the currency is still checked.
			if _, err := in.Transaction(oi.currency, ledger.Today(tx.Now())); err != nil {
				var ve *ledger.ValidationError
				if errors.As(err, &ve) {
					delete(ve.Fields, "deferred")
					if len(ve.Fields) > 0 {
						return rowProblems(ve, r.Row, r.Column)
					}
				}
			}
			oi.nothing++
			return nil, nil
		}
		t, err := tx.AddOpeningBalance(ledger.System, in)
		if err != nil {
			return rowProblems(err, r.Row, r.Column)
		}
		oi.posted++
		oi.total = oi.total.Add(t.Postings[0].Amount)
		oi.years[in.AsOf[:4]] = true
		return nil, nil
	}, nil
}

func (oi *openingImport) summary() string {
	years := make([]string, 0, len(oi.years))
	for y := range oi.years {
		years = append(years, y)
	}
	slices.Sort(years)
	s := fmt.Sprintf("%d opening balances posted, %s %s of debt", oi.posted, ledger.FormatAmount(oi.total, oi.currency), oi.currency)
	if len(years) > 0 {
		s += " aged from " + strings.Join(years, ", ")
	}
	if oi.nothing > 0 {
		s += fmt.Sprintf("; %s owed nothing and posted nothing", rows(oi.nothing))
	}
	if oi.paid {
		s += "\ncolumn paid: historical compensation: recorded in the note; nothing is posted for it"
	}
	return s
}

// progressMinRows is the smallest file that gets a progress bar: smaller
// ones finish before a bar would be read.
const progressMinRows = 1000

// progress draws a bar on a terminal, redrawn in place at each whole per
// cent: `importing time entries [##########..........] 52% 52000/100000`.
// A nil *progress draws nothing, which is what pipes, files and tests get.
type progress struct {
	w     io.Writer
	label string
	total int
	pct   int
}

// newProgress returns a bar on w when w is a terminal and the work is
// large enough, else nil. A terminal is a character device; that includes
// /dev/null, where the bar is harmlessly lost.
func newProgress(w io.Writer, label string, total int) *progress {
	if total < progressMinRows || !isTerminal(w) {
		return nil
	}
	return &progress{w: w, label: label, total: total, pct: -1}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const progressWidth = 20

func (p *progress) set(done int) {
	if p == nil || p.total <= 0 {
		return
	}
	pct := done * 100 / p.total
	if pct == p.pct {
		return
	}
	p.pct = pct
	fill := pct * progressWidth / 100
	fmt.Fprintf(p.w, "\r%s [%s%s] %d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", progressWidth-fill), pct, done, p.total)
}

// done ends the bar's line, so that what is printed next starts afresh.
func (p *progress) done() {
	if p == nil || p.pct < 0 {
		return
	}
	fmt.Fprintln(p.w)
	p.pct = -1
}
