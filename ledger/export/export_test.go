package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/")

// goldenDir is the repository's testdata/golden, seen from ledger/export.
var goldenDir = filepath.Join("..", "..", "testdata", "golden")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// post builds a transaction of postings given as account, amount, currency
// triples.
func post(id, date string, kind ledger.TxKind, member, desc string, ps ...string) ledger.Transaction {
	t := ledger.Transaction{ID: id, Date: date, Kind: kind, MemberID: member, Description: desc}
	for i := 0; i+2 < len(ps); i += 3 {
		t.Postings = append(t.Postings, ledger.Posting{Account: ps[i], Amount: d(ps[i+1]), Currency: ps[i+2]})
	}
	return t
}

const (
	alice = "m000001"
	bob   = "m000002"
)

// sampleTransactions is a few months of a small co-op's books, in posting
// order: the opening balance is posted last but dated first, as happens
// when history is brought in after the co-op started using Coopledger.
func sampleTransactions() []ledger.Transaction {
	aliceDebt, bobDebt := ledger.DeferredAccount(alice), ledger.DeferredAccount(bob)
	txs := []ledger.Transaction{
		post("t000001", "2022-05-31", ledger.KindIncome, "", `May subscriptions; Stripe payout #42 *net*`,
			ledger.AccountBank, "1167.00", "GBP", ledger.AccountSubscriptions, "-1167.00", "GBP"),
		post("t000002", "2022-05-31", ledger.KindCost, "", `Hosting "eu-west" \ backups`,
			ledger.AccountHosting, "420.00", "GBP", ledger.AccountBank, "-420.00", "GBP"),
		post("t000003", "2022-05-31", ledger.KindCost, "", "Stripe fees — Mai 2022, ünïcødé 日本",
			ledger.AccountFees, "47.00", "GBP", ledger.AccountBank, "-47.00", "GBP"),
		post("t000004", "2022-05-31", ledger.KindBounty, "", "Bounty fund 10% of margin",
			ledger.AccountBountyFund, "70.00", "GBP", ledger.AccountBank, "-70.00", "GBP"),
		post("t000005", "2022-05-31", ledger.KindWages, alice, "Wages 2022-05",
			ledger.AccountWages, "362.07", "GBP", ledger.AccountBank, "-362.07", "GBP"),
		post("t000006", "2022-05-31", ledger.KindDeferral, "", "Deferred pay 2022-05",
			ledger.AccountWages, "237.93", "GBP", aliceDebt, "-137.93", "GBP", bobDebt, "-100.00", "GBP"),
		post("t000007", "2022-06-30", ledger.KindIncome, "", "=June subscriptions",
			ledger.AccountBank, "3501.00", "GBP", ledger.AccountSubscriptions, "-3501.00", "GBP"),
		post("t000008", "2022-06-30", ledger.KindPayback, alice, "Payback 2022-06",
			aliceDebt, "372.16", "GBP", ledger.AccountBank, "-372.16", "GBP"),
		post("t000009", "2022-07-15", ledger.KindWaiver, bob, "Waived by the member: thanks; keep it",
			bobDebt, "50.00", "GBP", ledger.AccountWaived, "-50.00", "GBP"),
		post("t000010", "2022-07-20", ledger.KindCost, "", "Duplicate invoice\n    Assets:Bank  1000000.00 GBP",
			ledger.AccountHosting, "99.99", "GBP", ledger.AccountBank, "-99.99", "GBP"),
	}
	rev := txs[9].Reversal("2022-07-21", "entered twice")
	rev.ID = "t000011"
	txs = append(txs, rev,
		post("t000012", "2022-08-01", ledger.KindIncome, "", `Tokyo meetup sponsorship 東京 "スポンサー"`,
			ledger.AccountBank, "12000", "JPY", ledger.AccountOtherIncome, "-12000", "JPY"),
		post("t000013", "2022-08-02", ledger.KindCost, "", "",
			ledger.AccountFees, "1.000", "KWD", ledger.AccountBank, "-1.000", "KWD"),
	)
	opening := post("t000014", "2021-12-31", ledger.KindOpening, alice, "Opening balance as of 2021-12-31\t(2019–2021 hours)",
		ledger.AccountOpening, "20000.00", "GBP", aliceDebt, "-20000.00", "GBP")
	opening.Accrual = "2021-12"
	txs[5].Accrual = "2022-05"
	return append(txs, opening)
}

var sampleOptions = Options{
	Title: "Example Co-op Ltd — books",
	Accounts: map[string]string{
		ledger.DeferredAccount(alice): "Alice Example",
		ledger.DeferredAccount(bob):   "Bob \"B\"; Example\nsecond line",
	},
}

func TestSampleTransactions_Valid(t *testing.T) {
	for _, tx := range sampleTransactions() {
		tx.Description = strings.ReplaceAll(strings.ReplaceAll(tx.Description, "\n", " "), "\t", " ")
		if err := tx.Validate(); err != nil {
			t.Errorf("%s: %v", tx.ID, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
		ok   bool
	}{
		{"hledger", Hledger, true}, {"ledger", Ledger, true}, {"beancount", Beancount, true},
		{"csv", CSV, true}, {" CSV ", CSV, true}, {"", "", false}, {"xlsx", "", false}, {"hledger2", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if tc.ok != (err == nil) || got != tc.want {
				t.Fatalf("ParseFormat(%q) = %q, %v", tc.in, got, err)
			}
			var v *ledger.ValidationError
			if err != nil && (!errors.As(err, &v) || v.Fields["format"] == "") {
				t.Fatalf("want a ValidationError on format, got %v", err)
			}
		})
	}
}

func TestWrite_UnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", sampleTransactions(), Options{}); err == nil {
		t.Fatal("wrote an unknown format")
	}
}

func TestWrite_InvalidTransaction(t *testing.T) {
	for name, mutate := range map[string]func(*ledger.Transaction){
		"unbalanced":       func(t *ledger.Transaction) { t.Postings[0].Amount = d("1.01") },
		"bad account":      func(t *ledger.Transaction) { t.Postings[0].Account = "Assets:Bank  1 GBP" },
		"too many places":  func(t *ledger.Transaction) { t.Postings[0].Amount = d("1.001"); t.Postings[1].Amount = d("-1.001") },
		"bad date":         func(t *ledger.Transaction) { t.Date = "2022-13-01" },
		"id with a paren":  func(t *ledger.Transaction) { t.ID = "t1) x" },
		"empty id":         func(t *ledger.Transaction) { t.ID = "" },
		"member with text": func(t *ledger.Transaction) { t.MemberID = "m1, kind:x" },
	} {
		t.Run(name, func(t *testing.T) {
			tx := post("t000001", "2022-05-01", ledger.KindIncome, "", "x",
				ledger.AccountBank, "1.00", "GBP", ledger.AccountOtherIncome, "-1.00", "GBP")
			mutate(&tx)
			for _, f := range Formats() {
				var b bytes.Buffer
				if err := Write(&b, f, []ledger.Transaction{tx}, Options{}); err == nil || b.Len() != 0 {
					t.Errorf("%s: err %v, wrote %d bytes", f, err, b.Len())
				}
			}
		})
	}
}

func TestWrite_DuplicateID(t *testing.T) {
	txs := sampleTransactions()
	txs[1].ID = txs[0].ID
	if err := Write(&bytes.Buffer{}, Hledger, txs, Options{}); err == nil {
		t.Fatal("wrote two transactions with one id")
	}
}

func TestBeancountAccount(t *testing.T) {
	for in, want := range map[string]string{
		"Liabilities:Deferred:m000001": "Liabilities:Deferred:M000001",
		"Assets:Bank":                  "Assets:Bank",
		"Expenses:hosting-eu:2022":     "Expenses:Hosting-eu:2022",
		"Income:x":                     "Income:X",
	} {
		if got := BeancountAccount(in); got != want {
			t.Errorf("BeancountAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrite_Beancount_AccountClash(t *testing.T) {
	tx := post("t000001", "2022-05-01", ledger.KindOpening, "", "x",
		"Liabilities:Deferred:m000001", "-1.00", "GBP", "Liabilities:Deferred:M000001", "1.00", "GBP")
	err := Write(&bytes.Buffer{}, Beancount, []ledger.Transaction{tx}, Options{})
	if err == nil || !strings.Contains(err.Error(), "both Liabilities:Deferred:M000001") {
		t.Fatalf("want a clash error, got %v", err)
	}
}

func TestWrite_Empty(t *testing.T) {
	for _, f := range Formats() {
		var b bytes.Buffer
		if err := Write(&b, f, nil, Options{}); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v, %q", f, err, b.String())
		}
	}
}

func TestWrite_DoesNotReorderInput(t *testing.T) {
	txs := sampleTransactions()
	last := txs[len(txs)-1].ID
	if err := Write(&bytes.Buffer{}, Hledger, txs, Options{}); err != nil {
		t.Fatal(err)
	}
	if txs[len(txs)-1].ID != last {
		t.Fatal("Write sorted the caller's slice")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWrite_WriterError(t *testing.T) {
	for _, f := range Formats() {
		if err := Write(failWriter{}, f, sampleTransactions(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: got %v", f, err)
		}
	}
}

func TestWrite_Golden(t *testing.T) {
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, f, sampleTransactions(), sampleOptions); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, "export."+string(f))
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./ledger/export -run Golden -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs from %s (rerun with -update if the change is meant):\n%s", f, path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			out = append(out, fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl))
		}
	}
	return strings.Join(out, "\n")
}

// TestWrite_Descriptions pins how descriptions are cleaned, independently
// of the golden files.
func TestWrite_Descriptions(t *testing.T) {
	tx := func(desc string) []ledger.Transaction {
		return []ledger.Transaction{post("t000001", "2022-05-01", ledger.KindIncome, "", desc,
			ledger.AccountBank, "1.00", "GBP", ledger.AccountOtherIncome, "-1.00", "GBP")}
	}
	for _, tc := range []struct{ in, journal, beancount, csv string }{
		{`a; b # c * d "e" \ f`, `a, b # c * d "e" \ f`, `"a; b # c * d \"e\" \\ f"`, `"a; b # c * d ""e"" \ f"`},
		{"  two  spaces\tand\ttabs  ", "two spaces and tabs", `"two spaces and tabs"`, "two spaces and tabs"},
		{"line\nbreak\r\n2022-01-01 * x", "line break 2022-01-01 * x", `"line break 2022-01-01 * x"`, "line break 2022-01-01 * x"},
		{"sep\u2028ara\u0085tor\u00a0nbsp", "sep ara tor nbsp", `"sep ara tor nbsp"`, "sep ara tor nbsp"},
		{"bad \xff byte", "bad \uFFFD byte", "\"bad \uFFFD byte\"", "bad \uFFFD byte"},
		{"über 東京 🎉", "über 東京 🎉", `"über 東京 🎉"`, "über 東京 🎉"},
		{"-1+1", "-1+1", `"-1+1"`, "'-1+1"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			out := map[Format]string{}
			for _, f := range Formats() {
				var b bytes.Buffer
				if err := Write(&b, f, tx(tc.in), Options{}); err != nil {
					t.Fatal(err)
				}
				out[f] = b.String()
			}
			for _, f := range []Format{Hledger, Ledger} {
				if want := "\n2022-05-01 * (t000001) " + tc.journal + "\n"; !strings.Contains(out[f], want) {
					t.Errorf("%s: no line %q in\n%s", f, want, out[f])
				}
			}
			if want := "\n2022-05-01 * " + tc.beancount + "\n"; !strings.Contains(out[Beancount], want) {
				t.Errorf("beancount: no line %q in\n%s", want, out[Beancount])
			}
			if want := ",t000001,income," + tc.csv + ",Assets:Bank,"; !strings.Contains(out[CSV], want) {
				t.Errorf("csv: no %q in\n%s", want, out[CSV])
			}
		})
	}
}

// handBalances are worked out by hand from sampleTransactions, so that the
// real-tool tests fail even if ledger.Balances were wrong.
var handBalances = map[string]ledger.Balance{
	// 1167.00 − 420.00 − 47.00 − 70.00 − 362.07 + 3501.00 − 372.16
	// − 99.99 + 99.99 = 3396.77; 12000 JPY in; 1.000 KWD out.
	ledger.AccountBank: {"GBP": d("3396.77"), "JPY": d("12000"), "KWD": d("-1.000")},
	// −20000.00 opening − 137.93 deferred + 372.16 paid back.
	ledger.DeferredAccount(alice): {"GBP": d("-19765.77")},
	// −100.00 deferred + 50.00 waived.
	ledger.DeferredAccount(bob): {"GBP": d("-50.00")},
	// 420.00 + 99.99 − 99.99 (reversed).
	ledger.AccountHosting: {"GBP": d("420.00")},
}

// balances is what a tool reports: account → currency → amount.
type balances map[string]map[string]decimal.Decimal

func (b balances) add(account, currency, amount string) error {
	n, err := decimal.NewFromString(strings.TrimSpace(amount))
	if err != nil {
		return fmt.Errorf("%s %s: amount %q: %v", account, currency, amount, err)
	}
	account, currency = strings.TrimSpace(account), strings.TrimSpace(currency)
	if b[account] == nil {
		b[account] = map[string]decimal.Decimal{}
	}
	if _, dup := b[account][currency]; dup {
		return fmt.Errorf("%s %s reported twice", account, currency)
	}
	b[account][currency] = n
	return nil
}

// expectedBalances is ledger.Balances of txs without zero amounts (the
// tools leave those out), with names mapped by name, after checking it
// agrees with handBalances.
func expectedBalances(t *testing.T, txs []ledger.Transaction, name func(string) string) balances {
	t.Helper()
	ref := ledger.Balances(txs)
	for a, want := range handBalances {
		for c, amt := range want {
			if got := ref[a][c]; !got.Equal(amt) {
				t.Errorf("ledger.Balances: %s %s = %s, hand-computed %s", a, c, got, amt)
			}
		}
	}
	out := balances{}
	for a, bal := range ref {
		for c, amt := range bal {
			if !amt.IsZero() {
				if err := out.add(name(a), c, amt.String()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}

// compareBalances checks a tool's balances against want.
func compareBalances(t *testing.T, tool string, got, want balances) {
	t.Helper()
	accounts := map[string]bool{}
	for a := range got {
		accounts[a] = true
	}
	for a := range want {
		accounts[a] = true
	}
	keys := make([]string, 0, len(accounts))
	for a := range accounts {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	for _, a := range keys {
		currencies := map[string]bool{}
		for c, amt := range got[a] {
			currencies[c] = !amt.IsZero()
		}
		for c := range want[a] {
			currencies[c] = true
		}
		for c, nonzero := range currencies {
			if !nonzero {
				continue // a tool may print an explicit zero
			}
			g, gok := got[a][c]
			w, wok := want[a][c]
			if !gok || !wok || !g.Equal(w) {
				t.Errorf("%s: %s %s = %s (reported %v), want %s (expected %v)", tool, a, c, g, gok, w, wok)
			}
		}
	}
}

// checkHandBalances checks a tool's balances of the sample against the
// hand-computed ones.
func checkHandBalances(t *testing.T, tool string, got balances, name func(string) string) {
	t.Helper()
	for a, bal := range handBalances {
		for c, amt := range bal {
			if g := got[name(a)][c]; !g.Equal(amt) {
				t.Errorf("%s: %s %s = %s, hand-computed %s", tool, name(a), c, g, amt)
			}
		}
	}
}

// requireTool finds a tool or skips the test; with CI=true a missing tool
// fails instead, so CI cannot pass by skipping.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found (install the Debian package %q: apt-get install %s)", name, debianPackage, debianPackage)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// writeTemp writes txs in format f to a temporary file.
func writeTemp(t *testing.T, f Format, txs []ledger.Transaction) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, txs, sampleOptions); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export."+f.Extension())
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs a tool once and returns its standard output; a non-zero exit
// or anything on standard error fails the test.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", name, strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return stdout.Bytes()
}

func same(a string) string { return a }

// TestWrite_Hledger_Balances runs
// hledger -f FILE --strict balance --flat --no-total --layout=bare -O csv:
// --strict also checks that every account and commodity is declared, and
// --layout=bare gives one CSV row per account and commodity.
func TestWrite_Hledger_Balances(t *testing.T) {
	txs := sampleTransactions()
	got := hledgerBalances(t, writeTemp(t, Hledger, txs))
	compareBalances(t, "hledger", got, expectedBalances(t, txs, same))
	checkHandBalances(t, "hledger", got, same)
}

// hledgerBalances reads a journal's balances with hledger.
func hledgerBalances(t *testing.T, file string) balances {
	t.Helper()
	hledger := requireTool(t, "hledger", "hledger")
	out := run(t, hledger, "-f", file, "--strict", "balance", "--flat", "--no-total", "--layout=bare", "-O", "csv")
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 || strings.Join(rows[0], ",") != "account,commodity,balance" {
		t.Fatalf("unexpected output (%v):\n%s", err, out)
	}
	got := balances{}
	for _, r := range rows[1:] {
		if err := got.add(r[0], r[1], r[2]); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// readTx is what a tool read of one transaction.
type readTx struct {
	desc     string
	postings int
}

// journalDescriptions are the descriptions the hledger and ledger formats
// must give back for the sample's awkward ones.
var journalDescriptions = map[string]string{
	"t000001": "May subscriptions, Stripe payout #42 *net*",
	"t000002": `Hosting "eu-west" \ backups`,
	"t000003": "Stripe fees — Mai 2022, ünïcødé 日本",
	"t000009": "Waived by the member: thanks, keep it",
	"t000010": "Duplicate invoice Assets:Bank 1000000.00 GBP",
	"t000012": `Tokyo meetup sponsorship 東京 "スポンサー"`,
	"t000013": "",
	"t000014": "Opening balance as of 2021-12-31 (2019–2021 hours)",
}

// checkTransactions checks a tool read every transaction once, with its
// cleaned description and exactly its postings: nothing a description
// holds turned into a posting or a transaction.
func checkTransactions(t *testing.T, tool string, got map[string]*readTx, txs []ledger.Transaction, wantDesc map[string]string) {
	t.Helper()
	if len(got) != len(txs) {
		t.Errorf("%s read %d transactions, want %d", tool, len(got), len(txs))
	}
	for _, tx := range txs {
		g := got[tx.ID]
		if g == nil {
			t.Errorf("%s: %s missing", tool, tx.ID)
			continue
		}
		if g.postings != len(tx.Postings) {
			t.Errorf("%s: %s has %d postings, want %d", tool, tx.ID, g.postings, len(tx.Postings))
		}
		if want, ok := wantDesc[tx.ID]; ok && g.desc != want {
			t.Errorf("%s: %s description %q, want %q", tool, tx.ID, g.desc, want)
		}
	}
}

// TestWrite_Hledger_Transactions runs hledger -f FILE print -O csv, one
// row per posting with the transaction's code and description.
func TestWrite_Hledger_Transactions(t *testing.T) {
	hledger := requireTool(t, "hledger", "hledger")
	txs := sampleTransactions()
	file := writeTemp(t, Hledger, txs)
	out := run(t, hledger, "-f", file, "print", "-O", "csv")
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("unexpected output (%v):\n%s", err, out)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"code", "description"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no column %q in %q", h, rows[0])
		}
	}
	got := map[string]*readTx{}
	for _, r := range rows[1:] {
		id := r[col["code"]]
		if got[id] == nil {
			got[id] = &readTx{desc: r[col["description"]]}
		}
		got[id].postings++
	}
	checkTransactions(t, "hledger", got, txs, journalDescriptions)
}

// TestWrite_Ledger_Transactions runs
// ledger --args-only -f FILE register --format '%(code)\t%(payee)\t%(tag("id"))\n',
// one line per posting. ledger names an empty payee "<Unspecified payee>".
func TestWrite_Ledger_Transactions(t *testing.T) {
	ledgerCmd := requireTool(t, "ledger", "ledger")
	txs := sampleTransactions()
	file := writeTemp(t, Ledger, txs)
	out := run(t, ledgerCmd, "--args-only", "-f", file, "register", "--format", `%(code)\t%(payee)\t%(tag("id"))\n`)
	got := map[string]*readTx{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 || f[0] != f[2] {
			t.Fatalf("cannot read line %q (code and id tag must agree) of:\n%s", sc.Text(), out)
		}
		if got[f[0]] == nil {
			got[f[0]] = &readTx{desc: f[1]}
		}
		got[f[0]].postings++
	}
	want := maps.Clone(journalDescriptions)
	want["t000013"] = "<Unspecified payee>"
	checkTransactions(t, "ledger", got, txs, want)
}

// TestWrite_Ledger_Balances runs
// ledger --args-only --pedantic -f FILE balance --flat --no-total --format '%(account)\t%(display_total)\n':
// --args-only ignores ~/.ledgerrc and LEDGER_* variables, --pedantic
// refuses undeclared accounts, commodities and metadata tags. A balance in
// several commodities prints one amount a line, the account only on the
// first, so a line without a tab continues the account above it.
func TestWrite_Ledger_Balances(t *testing.T) {
	txs := sampleTransactions()
	got := ledgerBalances(t, writeTemp(t, Ledger, txs))
	compareBalances(t, "ledger", got, expectedBalances(t, txs, same))
	checkHandBalances(t, "ledger", got, same)
}

// ledgerBalances reads a journal's balances with ledger. An account with
// several currencies prints one amount a line, named on the first only.
func ledgerBalances(t *testing.T, file string) balances {
	t.Helper()
	ledgerCmd := requireTool(t, "ledger", "ledger")
	out := run(t, ledgerCmd, "--args-only", "--pedantic", "-f", file, "balance", "--flat", "--no-total",
		"--format", `%(account)\t%(display_total)\n`)
	got := balances{}
	account := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		amount := line
		if a, rest, ok := strings.Cut(line, "\t"); ok {
			account, amount = a, rest
		}
		f := strings.Fields(amount)
		if account == "" || len(f) != 2 {
			t.Fatalf("cannot read line %q of:\n%s", line, out)
		}
		if err := got.add(account, f[1], f[0]); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// TestWrite_Beancount_Check runs bean-check FILE, which must exit 0 and say
// nothing.
func TestWrite_Beancount_Check(t *testing.T) {
	beanCheck := requireTool(t, "bean-check", "beancount")
	file := writeTemp(t, Beancount, sampleTransactions())
	if out := run(t, beanCheck, file); len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("bean-check said:\n%s", out)
	}
}

// TestWrite_Beancount_Balances runs bean-query -f csv FILE with one row
// per account and currency (rather than sum(position), whose inventories
// print several currencies in one cell).
func TestWrite_Beancount_Balances(t *testing.T) {
	txs := sampleTransactions()
	got := beancountBalances(t, writeTemp(t, Beancount, txs))
	compareBalances(t, "bean-query", got, expectedBalances(t, txs, BeancountAccount))
	checkHandBalances(t, "bean-query", got, BeancountAccount)
}

// beancountBalances reads a beancount file's balances with bean-query.
func beancountBalances(t *testing.T, file string) balances {
	t.Helper()
	beanQuery := requireTool(t, "bean-query", "beancount")
	out := run(t, beanQuery, "-f", "csv", file,
		"SELECT account, currency, sum(number) AS total GROUP BY account, currency ORDER BY account, currency")
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 || strings.Join(rows[0], ",") != "account,currency,total" {
		t.Fatalf("unexpected output (%v):\n%s", err, out)
	}
	got := balances{}
	for _, r := range rows[1:] {
		if err := got.add(r[0], r[1], r[2]); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// TestWrite_Beancount_Transactions runs bean-query -f csv FILE with one
// row per transaction id: its narration and number of postings. Beancount
// keeps ';' and reads back the escaped '"' and '\'. bean-query pads
// text columns with spaces, hence the trimming.
func TestWrite_Beancount_Transactions(t *testing.T) {
	beanQuery := requireTool(t, "bean-query", "beancount")
	txs := sampleTransactions()
	file := writeTemp(t, Beancount, txs)
	out := run(t, beanQuery, "-f", "csv", file,
		"SELECT entry_meta('id') AS id, narration, count(position) AS postings GROUP BY id, narration ORDER BY id")
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 || strings.Join(rows[0], ",") != "id,narration,postings" {
		t.Fatalf("unexpected output (%v):\n%s", err, out)
	}
	got := map[string]*readTx{}
	for _, r := range rows[1:] {
		id := strings.TrimSpace(r[0])
		n, err := strconv.Atoi(strings.TrimSpace(r[2]))
		if err != nil || got[id] != nil {
			t.Fatalf("bad or repeated row %q", r)
		}
		got[id] = &readTx{desc: strings.TrimSpace(r[1]), postings: n}
	}
	want := maps.Clone(journalDescriptions)
	want["t000001"] = "May subscriptions; Stripe payout #42 *net*"
	want["t000009"] = "Waived by the member: thanks; keep it"
	checkTransactions(t, "bean-query", got, txs, want)
}

var (
	datedLine   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} `)
	postingLine = regexp.MustCompile(`^    (Assets:Bank|Income:Other) +(-?\d+\.\d{2}) GBP$`)
)

// FuzzWriteHledger checks that no description, however hostile, changes
// the shape of the hledger output: one transaction header, its metadata
// lines and its two postings, nothing else.
func FuzzWriteHledger(f *testing.F) {
	f.Add("May subscriptions", "116700")
	f.Add("a\n    Assets:Bank  100.00 GBP", "1")
	f.Add("x\r\n2022-01-01 * injected\n    Assets:Bank  1 GBP\n    Income:Other", "42")
	f.Add("semi; colon  ; two  spaces\tand tab", "99")
	f.Add("\u2028line\u2029sep\u0085nel\x00nul\xffbad", "123456789012")
	f.Add("  (code) * ! # % ; comment", "0")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, desc, digits string) {
		var num []byte
		for i := 0; i < len(digits) && len(num) < 15; i++ {
			if c := digits[i]; c >= '0' && c <= '9' {
				num = append(num, c)
			}
		}
		amount := decimal.New(1, -2)
		if n, err := decimal.NewFromString(string(num)); err == nil && !n.IsZero() {
			amount = n.Shift(-2)
		}
		tx := ledger.Transaction{ID: "t000001", Date: "2022-05-01", Kind: ledger.KindIncome, Description: desc,
			Postings: []ledger.Posting{
				{Account: ledger.AccountBank, Amount: amount, Currency: "GBP"},
				{Account: ledger.AccountOtherIncome, Amount: amount.Neg(), Currency: "GBP"},
			}}
		var b bytes.Buffer
		if err := Write(&b, Hledger, []ledger.Transaction{tx}, Options{}); err != nil {
			t.Fatalf("Write: %v", err)
		}
		out := b.String()
		if !utf8.ValidString(out) {
			t.Fatal("output is not valid UTF-8")
		}
		headers, postings := 0, 0
		for _, line := range strings.Split(out, "\n") {
			switch {
			case datedLine.MatchString(line):
				headers++
				rest, ok := strings.CutPrefix(line, "2022-05-01 * (t000001)")
				if !ok || (rest != "" && !strings.HasPrefix(rest, " ")) {
					t.Fatalf("bad header %q", line)
				}
				if strings.ContainsAny(rest, ";\r\t") || strings.Contains(rest, "  ") || strings.HasSuffix(rest, " ") {
					t.Fatalf("header %q holds a comment start, a tab or two spaces", line)
				}
			case postingLine.MatchString(line):
				postings++
				m := postingLine.FindStringSubmatch(line)
				want := amount
				if m[1] == ledger.AccountOtherIncome {
					want = amount.Neg()
				}
				if !d(m[2]).Equal(want) {
					t.Fatalf("posting %q, want %s", line, want)
				}
			case line == "", strings.HasPrefix(line, "; "), strings.HasPrefix(line, "    ; "),
				line == "decimal-mark .", line == "commodity 1000.00 GBP",
				line == "account "+ledger.AccountBank, line == "account "+ledger.AccountOtherIncome:
			default:
				t.Fatalf("unexpected line %q in\n%s", line, out)
			}
		}
		if headers != 1 || postings != 2 {
			t.Fatalf("%d headers and %d postings in\n%s", headers, postings, out)
		}
	})
}
