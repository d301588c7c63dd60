// Package export writes the journal in the formats of the plain-text
// accounting tools (DESIGN.md, Journal: "Export: hledger/ledger journal,
// beancount, CSV. The export must be accepted by the real tools and give the
// same balances"). The tests feed every format to the real tools (hledger
// 1.25, ledger 3.3, beancount 2.3) and compare their balances with
// ledger.Balances.
//
// Choices made here, and why:
//   - Transactions are written sorted by (Date, ID), so an opening balance
//     posted late but dated early appears where the tools expect it, and
//     the output is the same whatever order the store hands over.
//   - Every transaction is checked with ledger.Transaction.Validate before
//     anything is written (description aside, which is cleaned instead), so
//     an unbalanced or misnamed transaction fails the export rather than
//     producing a file the tools refuse. Such an error means the store holds
//     something it should not; it is not a *ledger.ValidationError.
//   - Descriptions become one line: control characters and every kind of
//     Unicode space or line break turn into single spaces. In the hledger and
//     ledger formats ';' becomes ',' because hledger starts a comment at any
//     ';' in a description. Ids, kinds and member ids are written as tags or
//     metadata and must be plain tokens (letters, digits, '_', '.', '-').
//   - The hledger and ledger formats share their transactions but differ in
//     their directives: hledger wants a decimal mark in a commodity
//     directive ("commodity 1000. JPY", which ledger refuses) and ledger
//     wants "commodity GBP" with a "format" line and "tag" declarations for
//     --pedantic; see writeHeader.
//   - Beancount requires each account component to start with a capital
//     letter or digit, so names are mapped with BeancountAccount; two
//     accounts that map to the same name make the export fail rather than
//     merge silently.
//   - CSV keeps the account names as they are; a description a spreadsheet
//     would run as a formula gets a leading "'" (see writeCSV).
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Format is an export format.
type Format string

// The export formats, as GET /export?format= names them.
const (
	Hledger   Format = "hledger"
	Ledger    Format = "ledger"
	Beancount Format = "beancount"
	CSV       Format = "csv"
)

// Formats lists every format.
func Formats() []Format { return []Format{Hledger, Ledger, Beancount, CSV} }

// ParseFormat accepts a format name in any case and refuses any other text
// with a *ledger.ValidationError on the field "format".
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Formats() {
		if f == k {
			return f, nil
		}
	}
	return "", ledger.FieldError("format", fmt.Sprintf("unknown export format %q (want hledger, ledger, beancount or csv)", s))
}

// Extension is the usual file name extension of the format, without a dot.
func (f Format) Extension() string {
	switch f {
	case Hledger:
		return "journal"
	case Ledger:
		return "ledger"
	case Beancount:
		return "beancount"
	default:
		return string(f)
	}
}

// ContentType is the MIME type to serve the format with.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// Options tune an export.
type Options struct {
	// Title heads the file (a comment, or beancount's "title" option).
	Title string
	// Accounts optionally gives accounts a human label (account name →
	// label, e.g. "Liabilities:Deferred:m000001" → "Alice Example"). Labels
	// only ever appear in comments; CSV has no place for them.
	Accounts map[string]string
}

// defaultTitle heads an export whose Options carry no title.
const defaultTitle = "Coopledger journal"

// Write writes txs to w in format f. It writes nothing when a transaction
// is invalid; an error from w is returned as is.
func Write(w io.Writer, f Format, txs []ledger.Transaction, opts Options) error {
	switch f {
	case Hledger, Ledger, Beancount, CSV:
	default:
		return fmt.Errorf("export: unknown format %q", f)
	}
	sorted, err := prepare(txs)
	if err != nil {
		return fmt.Errorf("export %s: %w", f, err)
	}
	title := oneLine(opts.Title)
	if title == "" {
		title = defaultTitle
	}
	labels := map[string]string{}
	for a, l := range opts.Accounts {
		if l = oneLine(l); l != "" {
			labels[a] = l
		}
	}
	bw := bufio.NewWriter(w)
	switch f {
	case Hledger, Ledger:
		writeJournal(bw, f, sorted, title, labels)
	case Beancount:
		if err := writeBeancount(bw, sorted, title, labels); err != nil {
			return fmt.Errorf("export %s: %w", f, err)
		}
	case CSV:
		if err := writeCSV(bw, sorted); err != nil {
			return fmt.Errorf("export %s: %w", f, err)
		}
	}
	// bufio.Writer keeps the first write error and Flush returns it.
	return bw.Flush()
}

// prepare checks every transaction and returns a copy sorted by (Date, ID).
func prepare(txs []ledger.Transaction) ([]ledger.Transaction, error) {
	out := make([]ledger.Transaction, len(txs))
	copy(out, txs)
	seen := make(map[string]bool, len(out))
	for _, t := range out {
		if !isToken(t.ID) {
			return nil, fmt.Errorf("transaction id %q is not a plain token", t.ID)
		}
		if seen[t.ID] {
			return nil, fmt.Errorf("transaction id %s appears twice", t.ID)
		}
		seen[t.ID] = true
		for what, v := range map[string]string{"kind": string(t.Kind), "member id": t.MemberID, "reversed id": t.Reverses} {
			if v != "" && !isToken(v) {
				return nil, fmt.Errorf("transaction %s: %s %q is not a plain token", t.ID, what, v)
			}
		}
		// The description is cleaned on output, so only the rest must be
		// valid. %v, not %w: a stored transaction that fails is a fault of
		// the store, not a client input problem.
		c := t
		c.Description = ""
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("transaction %s: %v", t.ID, err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date < out[j].Date
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// isToken reports whether s is a non-empty run of at most 64 letters,
// digits, '_', '.' or '-': safe inside an hledger code "(…)", a tag value
// and a beancount string alike.
func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// oneLine makes s a single line of valid UTF-8: invalid bytes become
// U+FFFD, control characters and Unicode spaces and line separators become
// spaces, runs of spaces collapse to one (ledger ends a payee at two spaces
// before a ';') and the ends are trimmed.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// journalDescription is a description as the hledger and ledger formats
// write it: one line, without ';' (hledger starts a comment at any ';').
func journalDescription(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(oneLine(s), ";", ","))
}

// metadata is the transaction's key/value pairs written as hledger tags,
// ledger metadata and beancount metadata, in this order.
func metadata(t ledger.Transaction) [][2]string {
	kv := [][2]string{{"id", t.ID}}
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, [2]string{k, v})
		}
	}
	add("kind", string(t.Kind))
	add("member", t.MemberID)
	add("accrual", t.Accrual)
	add("reverses", t.Reverses)
	return kv
}

// metadataKeys are declared with ledger's "tag" directive, so that
// ledger --pedantic accepts them.
var metadataKeys = []string{"id", "kind", "member", "accrual", "reverses"}

// usage collects the accounts and currencies used, sorted, and how many
// postings each currency has.
type usage struct {
	accounts   []string
	currencies []string
	count      map[string]int
}

func collect(txs []ledger.Transaction) usage {
	accounts := map[string]bool{}
	u := usage{count: map[string]int{}}
	for _, t := range txs {
		for _, p := range t.Postings {
			accounts[p.Account] = true
			u.count[p.Currency]++
		}
	}
	for a := range accounts {
		u.accounts = append(u.accounts, a)
	}
	for c := range u.count {
		u.currencies = append(u.currencies, c)
	}
	sort.Strings(u.accounts)
	sort.Strings(u.currencies)
	return u
}

// writeJournal writes the hledger or ledger format. The two share the
// transactions:
//
//	2022-05-31 * (t000002) May subscriptions, Stripe payout #42
//	    ; id: t000002
//	    ; kind: income
//	    Assets:Bank              1167.00 GBP
//	    Income:Subscriptions    -1167.00 GBP
//
// The id is the transaction code and, like the kind, member and accrual
// month, a tag (hledger) or metadata value (ledger) on its own comment line,
// which both tools read the same way.
func writeJournal(w *bufio.Writer, f Format, txs []ledger.Transaction, title string, labels map[string]string) {
	u := collect(txs)
	fmt.Fprintf(w, "; %s\n", title)
	fmt.Fprintf(w, "; Exported by coopledger in %s format. Positive amounts are debits, negative credits.\n", f)
	if f == Hledger {
		// hledger guesses whether "1.000" is a thousand or one; say so.
		fmt.Fprintf(w, "\ndecimal-mark .\n")
	}
	if len(u.currencies) > 0 {
		w.WriteString("\n")
	}
	for _, c := range u.currencies {
		sample := ledger.FormatAmount(thousand, c)
		if f == Hledger {
			// hledger requires a decimal mark in the sample, even with
			// no decimals ("1000. JPY"); ledger refuses that form.
			if ledger.MinorUnits(c) == 0 {
				sample += "."
			}
			fmt.Fprintf(w, "commodity %s %s\n", sample, c)
		} else {
			fmt.Fprintf(w, "commodity %s\n    format %s %s\n", c, sample, c)
		}
	}
	if f == Ledger {
		w.WriteString("\n")
		for _, k := range metadataKeys {
			fmt.Fprintf(w, "tag %s\n", k)
		}
	}
	if len(u.accounts) > 0 {
		w.WriteString("\n")
	}
	for _, a := range u.accounts {
		// A label goes on a comment line of its own: ledger would read a
		// trailing "; …" as part of the account name, and hledger would
		// read "word:" in it as a tag.
		if l := labels[a]; l != "" {
			fmt.Fprintf(w, "; %s\n", l)
		}
		fmt.Fprintf(w, "account %s\n", a)
	}
	for _, t := range txs {
		fmt.Fprintf(w, "\n%s * (%s)", t.Date, t.ID)
		if d := journalDescription(t.Description); d != "" {
			fmt.Fprintf(w, " %s", d)
		}
		w.WriteString("\n")
		for _, kv := range metadata(t) {
			fmt.Fprintf(w, "    ; %s: %s\n", kv[0], kv[1])
		}
		writePostings(w, t.Postings, "    ", func(a string) string { return a })
	}
}

// thousand is the sample amount of commodity directives.
var thousand = decimal.NewFromInt(1000)

// writePostings writes one posting a line, accounts padded and amounts
// right-aligned within the transaction; at least two spaces always part an
// account from its amount.
func writePostings(w *bufio.Writer, ps []ledger.Posting, indent string, name func(string) string) {
	aw, nw := 0, 0
	for _, p := range ps {
		aw = max(aw, len(name(p.Account)))
		nw = max(nw, len(ledger.FormatAmount(p.Amount, p.Currency)))
	}
	for _, p := range ps {
		fmt.Fprintf(w, "%s%-*s  %*s %s\n", indent, aw, name(p.Account), nw+2, ledger.FormatAmount(p.Amount, p.Currency), p.Currency)
	}
}

// BeancountAccount maps an account name to one beancount accepts, whose
// components must start with a capital letter or a digit: the first letter
// of every component is upper-cased, so Liabilities:Deferred:m000001
// becomes Liabilities:Deferred:M000001. Names that ledger.CheckAccount
// accepts need nothing else.
func BeancountAccount(name string) string {
	segs := strings.Split(name, ":")
	for i, s := range segs {
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			segs[i] = string(s[0]-'a'+'A') + s[1:]
		}
	}
	return strings.Join(segs, ":")
}

// beancountString quotes s as a beancount string: one line, with '"' and
// '\' escaped.
func beancountString(s string) string {
	s = strings.ReplaceAll(oneLine(s), `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// operatingCurrency is the currency with the most postings; ties go to
// ledger.DefaultCurrency, then to the first code alphabetically.
func operatingCurrency(u usage) string {
	best, n := ledger.DefaultCurrency, u.count[ledger.DefaultCurrency]
	for _, c := range u.currencies {
		if u.count[c] > n {
			best, n = c, u.count[c]
		}
	}
	return best
}

// writeBeancount writes the beancount format: options, an open directive
// for every account dated with the earliest transaction, then the
// transactions with their id, kind, member and accrual month as metadata.
func writeBeancount(w *bufio.Writer, txs []ledger.Transaction, title string, labels map[string]string) error {
	u := collect(txs)
	names := map[string]string{}
	from := map[string]string{}
	for _, a := range u.accounts {
		b := BeancountAccount(a)
		if other, ok := from[b]; ok {
			return fmt.Errorf("accounts %s and %s are both %s in beancount", other, a, b)
		}
		names[a], from[b] = b, a
	}
	fmt.Fprintf(w, "; %s\n", title)
	fmt.Fprintf(w, "; Exported by coopledger in beancount format. Positive amounts are debits, negative credits.\n")
	fmt.Fprintf(w, "; Account components start with a capital: Liabilities:Deferred:m000001 is Liabilities:Deferred:M000001.\n\n")
	fmt.Fprintf(w, "option \"title\" %s\n", beancountString(title))
	fmt.Fprintf(w, "option \"operating_currency\" %s\n", beancountString(operatingCurrency(u)))
	if len(txs) > 0 {
		w.WriteString("\n")
		open := txs[0].Date // sorted: the earliest date
		for _, a := range u.accounts {
			if l := labels[a]; l != "" {
				fmt.Fprintf(w, "; %s\n", l)
			}
			fmt.Fprintf(w, "%s open %s\n", open, names[a])
		}
	}
	for _, t := range txs {
		fmt.Fprintf(w, "\n%s * %s\n", t.Date, beancountString(t.Description))
		for _, kv := range metadata(t) {
			fmt.Fprintf(w, "  %s: %s\n", kv[0], beancountString(kv[1]))
		}
		writePostings(w, t.Postings, "  ", func(a string) string { return names[a] })
	}
	return nil
}

// csvHeader is the first row of the CSV format.
var csvHeader = []string{"date", "transaction_id", "kind", "description", "account", "amount", "currency", "member_id"}

// writeCSV writes one row per posting. A description that a spreadsheet
// would run as a formula (starting with = + - @) gets a leading "'", as
// OWASP advises for CSV meant for spreadsheets; amounts are never touched.
func writeCSV(w io.Writer, txs []ledger.Transaction) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range txs {
		desc := oneLine(t.Description)
		if desc != "" && strings.ContainsRune("=+-@", rune(desc[0])) {
			desc = "'" + desc
		}
		for _, p := range t.Postings {
			row := []string{t.Date, t.ID, string(t.Kind), desc, p.Account,
				ledger.FormatAmount(p.Amount, p.Currency), p.Currency, t.MemberID}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
