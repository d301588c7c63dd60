// Package csvimport reads the CSV files that `coopledger import` brings
// into the books: timesheets (ParseTime) and historical opening balances
// (ParseOpening).
//
// It only parses. Every cell is checked as far as it can be without the
// store: dates, numbers (with decimal, never float), enum values, lengths,
// and the domain's own Validate with a placeholder for what only the store
// knows. Each problem is a RowError naming the row and column, and parsing
// goes on to the end, so a user fixes the whole file in one go. Resolving
// members and circles, and the rules that need other records (membership
// dates, closed months, the 24 h day), are the store's: the command
// applies them in one transaction.
//
// The format: UTF-8 (a byte-order mark is dropped; UTF-16 is refused with a
// hint), comma separated, quoted fields as encoding/csv reads them, and a
// header row naming the columns. Header names are matched ignoring case,
// surrounding spaces, and spaces or hyphens for underscores ("Member ID" is
// member_id), in any order. An unknown or repeated column, or a missing
// required one, fails the whole file, since every row would be read wrong.
// A header cell left empty is allowed (spreadsheets export trailing
// commas) as long as no row puts a value under it. Rows whose cells are all
// empty are skipped.
//
// Row numbers are those a spreadsheet shows: the header is row 1 when it is
// the file's first line, blank lines count, and a cell holding a line break
// stays one row (so after such a cell the row number is smaller than the
// text editor's line number).
package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Limits on what one file may hold. A longer file is refused rather than
// read halfway; split it.
const (
	// MaxRows is the most data rows (after the header) one file may hold.
	MaxRows = 1_000_000
	// MaxField is the most bytes one cell may hold.
	MaxField = 10 << 10
	// maxLine bounds one physical line, so a file with no line breaks
	// cannot make the reader hold all of it at once.
	maxLine = 1 << 20
)

// farFuture stands in for today when the domain's Validate runs at parse
// time: whether a date is in the future is the store clock's call.
const farFuture = "9999-12-31"

// RowError is one problem with one cell (or, with Column "", with a whole
// row). Row is the spreadsheet row number (the header is row 1); Column is
// the canonical column name, e.g. "hours".
type RowError struct {
	Row    int
	Column string
	Reason string
}

// Error reads "row 7, column hours: must be at most 24".
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Reason)
}

// SortRowErrors orders errs by row, then by the column's place in columns
// (TimeColumns or OpeningColumns), row-level problems first.
func SortRowErrors(errs []RowError, columns []string) {
	rank := func(c string) int {
		if c == "" {
			return -1
		}
		if i := slices.Index(columns, c); i >= 0 {
			return i
		}
		return len(columns)
	}
	slices.SortStableFunc(errs, func(a, b RowError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return rank(a.Column) - rank(b.Column)
	})
}

// schema is the columns one kind of file may have.
type schema struct {
	columns  []string   // every known column, in the order reports list them
	required [][]string // each item: at least one of these columns
}

// TimeColumns are the columns of a timesheet, in report order.
var TimeColumns = []string{"email", "member_id", "date", "hours", "minutes", "circle", "task", "note", "compensation", "state"}

// OpeningColumns are the columns of an opening-balances file.
var OpeningColumns = []string{"email", "member_id", "as_of", "deferred", "paid", "currency", "note"}

var (
	timeSchema = schema{columns: TimeColumns, required: [][]string{
		{"email", "member_id"}, {"date"}, {"hours", "minutes"}, {"circle"}, {"task"},
	}}
	openingSchema = schema{columns: OpeningColumns, required: [][]string{
		{"email", "member_id"}, {"as_of"}, {"deferred"},
	}}
)

// table reads a CSV file row by row against a schema.
type table struct {
	cr       *csv.Reader
	schema   schema
	index    map[string]int // column → position in the record
	blank    []int          // positions whose header cell is empty
	width    int
	newlines int // line breaks inside cells so far, to turn lines into rows
	rows     int
}

var errLineTooLong = fmt.Errorf("a line is longer than %d bytes; is this a CSV file?", maxLine)

// lineLimiter fails a read once a line grows past maxLine bytes.
type lineLimiter struct {
	r   io.Reader
	run int
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.run = 0
		} else if l.run++; l.run > maxLine {
			return 0, errLineTooLong
		}
	}
	return n, err
}

// open checks the encoding and reads the header row.
func open(r io.Reader, s schema) (*table, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, errors.New("the file is UTF-16; save it as CSV UTF-8 (comma delimited)")
	}
	cr := csv.NewReader(&lineLimiter{r: br})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	t := &table{cr: cr, schema: s, index: map[string]int{}}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the file is empty: want a header row with the columns %s", strings.Join(s.columns, ", "))
	}
	if err != nil {
		return nil, csvError(err)
	}
	t.countNewlines(header)
	t.width = len(header)
	var unknown, twice, problems []string
	for i, h := range header {
		name := canonical(h)
		switch {
		case name == "":
			t.blank = append(t.blank, i)
		case !slices.Contains(s.columns, name):
			unknown = append(unknown, strconv.Quote(strings.TrimSpace(h)))
		default:
			if _, dup := t.index[name]; dup {
				twice = append(twice, strconv.Quote(name))
				continue
			}
			t.index[name] = i
		}
	}
	if len(unknown) > 0 {
		msg := fmt.Sprintf("unknown column %s (known: %s)", strings.Join(unknown, ", "), strings.Join(s.columns, ", "))
		if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
			msg += "; the file looks separated by semicolons or tabs: save it as CSV with commas"
		}
		problems = append(problems, msg)
	}
	if len(twice) > 0 {
		problems = append(problems, "column "+strings.Join(uniq(twice), ", ")+" appears more than once")
	}
	for _, oneOf := range s.required {
		if !slices.ContainsFunc(oneOf, t.has) {
			problems = append(problems, "missing column "+strings.Join(oneOf, " or "))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("header row: %s", strings.Join(problems, "; "))
	}
	return t, nil
}

// canonical is the column name a header cell means.
func canonical(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// csvError words a reader error for someone fixing the file.
func csvError(err error) error {
	if errors.Is(err, errLineTooLong) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("not valid CSV at line %d, character %d: %v; nothing can be read past it", pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("read: %w", err)
}

func (t *table) countNewlines(rec []string) {
	for _, f := range rec {
		t.newlines += strings.Count(f, "\n")
	}
}

// record is one data row as read: its cells, trimmed, by column.
type record struct {
	row   int
	cells map[string]string
	errs  []RowError
	seen  map[string]bool
}

// add records a problem; the first one reported for a column wins, as in
// ledger.ValidationError.
func (r *record) add(column, why string) {
	if r.seen[column] {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[column] = true
	r.errs = append(r.errs, RowError{Row: r.row, Column: column, Reason: why})
}

// bad reports whether column already has a problem.
func (r *record) bad(column string) bool { return r.seen[column] }

// next reads the next row that has any value, or io.EOF. A row that cannot
// be read cell by cell (a wrong number of cells) comes back with a
// row-level error and no cells.
func (t *table) next() (*record, error) {
	for {
		rec, err := t.cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, csvError(err)
		}
		line, _ := t.cr.FieldPos(0)
		row := line - t.newlines
		t.countNewlines(rec)
		if !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue
		}
		if t.rows++; t.rows > MaxRows {
			return nil, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		r := &record{row: row, cells: map[string]string{}}
		if len(rec) != t.width {
			r.add("", fmt.Sprintf("has %d cells; the header row has %d", len(rec), t.width))
			return r, nil
		}
		for _, i := range t.blank {
			if strings.TrimSpace(rec[i]) != "" {
				r.add("", fmt.Sprintf("has a value in cell %d, whose column has no name in the header row", i+1))
			}
		}
		for _, name := range t.schema.columns {
			i, ok := t.index[name]
			if !ok {
				continue
			}
			v := rec[i]
			switch {
			case len(v) > MaxField:
				r.add(name, fmt.Sprintf("is longer than %d KB", MaxField>>10))
			case !utf8.ValidString(v):
				r.add(name, "is not UTF-8 text; save the file as CSV UTF-8")
			default:
				r.cells[name] = strings.TrimSpace(v)
			}
		}
		return r, nil
	}
}

// has reports whether the file has column.
func (t *table) has(column string) bool {
	_, ok := t.index[column]
	return ok
}

// TimeRow is one timesheet row, parsed. Input holds everything but the
// member and circle, which the store resolves: Email or MemberID (one or
// both given) and Circle (a circle's name or id). Input.Submit is set for
// state "submitted"; imports never approve.
type TimeRow struct {
	Row      int
	Email    string
	MemberID string
	Circle   string
	Input    ledger.TimeEntryInput
}

// Column names the CSV column that holds a domain field of the row, so a
// *ledger.ValidationError from the store can be reported against the file:
// "member_id" is the email column when the row gave an address, "hours" is
// the minutes column when the row gave minutes, "circle_id" is circle.
// Fields with no column (e.g. "corrects") give "", a row-level problem.
func (r TimeRow) Column(field string) string {
	switch field {
	case "member_id":
		if r.Email != "" {
			return "email"
		}
		return "member_id"
	case "hours":
		if r.Input.Minutes != nil && r.Input.Hours == nil {
			return "minutes"
		}
		return "hours"
	case "circle_id":
		return "circle"
	case "date", "minutes", "task", "note", "compensation":
		return field
	}
	return ""
}

// ParseTime reads a timesheet. Columns: email or member_id, date
// (YYYY-MM-DD), hours (decimal, e.g. 2.5) or minutes (whole), circle (name
// or id), task, and optionally note, compensation (required, contribution
// or volunteer; empty means the domain default) and state (draft or
// submitted; empty means draft).
//
// It returns the rows that parsed cleanly, in file order, and a RowError
// for every problem in the others. The error is for a file that cannot be
// read at all (no header, an unknown or missing column, broken CSV, too
// many rows); then nothing else is returned.
func ParseTime(r io.Reader) ([]TimeRow, []RowError, error) {
	return parseRows(r, timeSchema, TimeColumns, (*table).timeRow)
}

// parseRows reads every record with build, collecting the rows that built
// and every row's problems, sorted by column.
func parseRows[T any](r io.Reader, s schema, columns []string, build func(*table, *record) (T, bool)) ([]T, []RowError, error) {
	t, err := open(r, s)
	if err != nil {
		return nil, nil, err
	}
	var rows []T
	var errs []RowError
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return rows, errs, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if row, ok := build(t, rec); ok {
			rows = append(rows, row)
		}
		SortRowErrors(rec.errs, columns)
		errs = append(errs, rec.errs...)
	}
}

func (t *table) timeRow(rec *record) (TimeRow, bool) {
	if len(rec.errs) > 0 && len(rec.cells) == 0 {
		return TimeRow{}, false
	}
	c := rec.cells
	row := TimeRow{Row: rec.row, Email: c["email"], MemberID: c["member_id"], Circle: c["circle"]}
	t.checkMember(rec, row.Email, row.MemberID)
	in := &row.Input
	in.Date, in.Task, in.Note = c["date"], c["task"], c["note"]
	if s := c["hours"]; s != "" {
		if d, err := decimal.NewFromString(s); err != nil {
			rec.add("hours", "must be a number of hours like 2.5")
		} else {
			in.Hours = &d
		}
	}
	if s := c["minutes"]; s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err != nil {
			rec.add("minutes", "must be a whole number of minutes like 90")
		} else {
			in.Minutes = &n
		}
	}
	if s := c["compensation"]; s != "" {
		if comp, err := ledger.ParseCompensation(strings.ToLower(s)); err != nil {
			rec.add("compensation", err.Error())
		} else {
			in.Compensation = &comp
		}
	}
	switch s := strings.ToLower(c["state"]); s {
	case "", string(ledger.StateDraft):
	case string(ledger.StateSubmitted):
		in.Submit = true
	case string(ledger.StateApproved), string(ledger.StateRejected):
		rec.add("state", "imports never approve or reject: use draft or submitted, then review the hours in the app")
	default:
		rec.add("state", fmt.Sprintf("unknown state %q (want draft or submitted)", c["state"]))
	}
	// The column a problem with the duration as a whole (missing, or given
	// twice) belongs to: the cell that was filled in or was already bad,
	// else hours if the file has that column.
	durationColumn := "minutes"
	switch {
	case c["hours"] != "" || rec.bad("hours"):
		durationColumn = "hours"
	case c["minutes"] != "" || rec.bad("minutes"):
	case t.has("hours"):
		durationColumn = "hours"
	}
	// The domain's own checks, with a stand-in for what the store knows:
	// a circle that is given exists, and no date is in the future.
	probe := *in
	if row.Circle != "" || rec.bad("circle") {
		probe.CircleID = "?"
	}
	if _, err := probe.Validate(farFuture); err != nil {
		var ve *ledger.ValidationError
		if errors.As(err, &ve) {
			for _, field := range sortedKeys(ve.Fields) {
				col := row.Column(field)
				if field == "hours" {
					col = durationColumn
				}
				rec.add(col, ve.Fields[field])
			}
		} else {
			rec.add("", err.Error())
		}
	}
	return row, len(rec.errs) == 0
}

// checkMember checks that the row names its member by an address (a
// plausible one) or an id.
func (t *table) checkMember(rec *record, email, id string) {
	switch {
	case email != "":
		if _, err := ledger.NormalizeEmail(email); err != nil {
			rec.add("email", err.Error())
		}
	case id != "":
	case rec.bad("email") || rec.bad("member_id"):
	case t.has("email") && t.has("member_id"):
		rec.add("email", "is required (or a member_id)")
	case t.has("email"):
		rec.add("email", "is required")
	default:
		rec.add("member_id", "is required")
	}
}

// OpeningRow is one opening balance, parsed: what the co-op owed a member
// as of a date. Input.MemberID is left for the store to resolve from Email
// or MemberID. Input.Deferred may be zero: a year in which nothing was
// owed posts nothing. Paid is the historical compensation paid that year,
// if the file says; it is recorded only in Input.Note ("…; paid 5400.00"),
// since Coopledger's books start with the debt, not with past wages.
type OpeningRow struct {
	Row      int
	Email    string
	MemberID string
	Paid     *decimal.Decimal
	Input    ledger.OpeningInput
}

// Column names the CSV column of a domain field of the row (see
// TimeRow.Column); "date", which the journal uses for a closed month, is
// as_of.
func (r OpeningRow) Column(field string) string {
	switch field {
	case "member_id":
		if r.Email != "" {
			return "email"
		}
		return "member_id"
	case "date":
		return "as_of"
	case "as_of", "deferred", "currency", "note":
		return field
	}
	return ""
}

// ParseOpening reads opening balances. Columns: email or member_id, as_of
// (a date YYYY-MM-DD; a month YYYY-MM means its last day; a bare year
// YYYY means 31 December of it, so the debt ages from that year), deferred
// (the amount owed, 0 or more), and optionally currency (default the
// base), note, and paid (historical compensation, recorded in the note).
// Results as for ParseTime.
func ParseOpening(r io.Reader) ([]OpeningRow, []RowError, error) {
	return parseRows(r, openingSchema, OpeningColumns, (*table).openingRow)
}

func (t *table) openingRow(rec *record) (OpeningRow, bool) {
	if len(rec.errs) > 0 && len(rec.cells) == 0 {
		return OpeningRow{}, false
	}
	c := rec.cells
	row := OpeningRow{Row: rec.row, Email: c["email"], MemberID: c["member_id"]}
	t.checkMember(rec, row.Email, row.MemberID)
	in := &row.Input
	currency := ""
	if s := c["currency"]; s != "" {
		if cur, err := ledger.ParseCurrency(s); err != nil {
			rec.add("currency", err.Error())
		} else {
			currency = cur
		}
	}
	in.Currency = currency
	switch s := c["as_of"]; {
	case s != "":
		asOf, err := ParseAsOf(s)
		if err != nil {
			rec.add("as_of", err.Error())
		}
		in.AsOf = asOf
	case !rec.bad("as_of"):
		rec.add("as_of", "is required")
	}
	if d, ok := amount(rec, "deferred", c["deferred"], currency, !rec.bad("deferred")); ok {
		in.Deferred = d
	}
	if s := c["paid"]; s != "" {
		if d, ok := amount(rec, "paid", s, currency, true); ok {
			row.Paid = d
		}
	}
	note := c["note"]
	if row.Paid != nil {
		if note == "" && in.AsOf != "" {
			note = "Opening balance as of " + in.AsOf
		}
		note = strings.TrimPrefix(note+"; paid "+row.Paid.String(), "; ")
	}
	in.Note = note
	if !rec.bad("note") && !ledger.ValidLine(note, 500) {
		why := "must be at most 500 characters on one line"
		if row.Paid != nil {
			why += ", with \"; paid " + row.Paid.String() + "\" added"
		}
		rec.add("note", why)
	}
	// The domain's own checks, when the currency is known without the
	// store (a zero balance is posted by nobody, so nothing to check).
	if currency != "" && in.Deferred != nil && in.Deferred.IsPositive() && in.AsOf != "" {
		probe := *in
		probe.MemberID = "?"
		if _, err := probe.Transaction(currency, farFuture); err != nil {
			var ve *ledger.ValidationError
			if errors.As(err, &ve) {
				for _, field := range sortedKeys(ve.Fields) {
					rec.add(row.Column(field), ve.Fields[field])
				}
			} else {
				rec.add("", err.Error())
			}
		}
	}
	return row, len(rec.errs) == 0
}

// amount parses a non-negative amount cell; with a currency, also its
// places and size.
func amount(rec *record, column, s, currency string, required bool) (*decimal.Decimal, bool) {
	if s == "" {
		if required {
			rec.add(column, "is required")
		}
		return nil, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		rec.add(column, "must be an amount like 1200.00 (no currency sign or thousands separator)")
		return nil, false
	}
	if err := ledger.CheckDecimal(d); err != nil {
		rec.add(column, err.Error())
		return nil, false
	}
	if d.IsNegative() {
		rec.add(column, "must not be negative")
		return nil, false
	}
	if currency != "" {
		if _, err := ledger.ParseAmount(d, currency); err != nil {
			rec.add(column, err.Error())
			return nil, false
		}
	}
	return &d, true
}

// ParseAsOf reads an as-of date: YYYY-MM-DD, a month YYYY-MM (its last
// day) or a year YYYY (31 December), and returns it as YYYY-MM-DD.
func ParseAsOf(s string) (string, error) {
	bad := errors.New("must be a date like 2021-12-31, a month like 2021-12 or a year like 2021")
	switch len(s) {
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 || strings.ContainsAny(s, "+-") {
			return "", bad
		}
		return s + "-12-31", nil
	case 7:
		m, err := ledger.ParseMonth(s)
		if err != nil {
			return "", bad
		}
		return m.AddDate(0, 1, -1).Format(ledger.DateLayout), nil
	}
	if _, err := ledger.ParseDate(s); err != nil {
		return "", bad
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
