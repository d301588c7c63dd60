package ledger

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// post is a posting written in a test table.
func post(account, amount, currency string) Posting {
	return Posting{Account: account, Amount: amt(amount), Currency: currency}
}

// validTx is a transaction every rule accepts: May's subscription income.
func validTx() Transaction {
	return Transaction{
		ID: "t000001", Date: "2022-05-31", Kind: KindIncome, Description: "Subscriptions, May 2022",
		Postings: []Posting{
			post(AccountBank, "1167.00", "GBP"),
			post(AccountSubscriptions, "-1167.00", "GBP"),
		},
	}
}

func TestTransaction_Validate(t *testing.T) {
	withPostings := func(ps ...Posting) Transaction {
		tx := validTx()
		tx.Postings = ps
		return tx
	}
	withAccount := func(name string) Transaction {
		return withPostings(post(name, "10.00", "GBP"), post(AccountBank, "-10.00", "GBP"))
	}
	tests := []struct {
		name   string
		tx     Transaction
		fields []string // refused fields; none when valid
	}{
		{name: "income", tx: validTx()},
		{name: "three postings", tx: withPostings(
			post(AccountWages, "870.00", "GBP"), post(AccountBank, "-500.00", "GBP"), post(AccountBank, "-370.00", "GBP"))},
		{name: "two currencies each balanced", tx: withPostings(
			post(AccountBank, "10.00", "GBP"), post(AccountOtherIncome, "-10.00", "GBP"),
			post(AccountBank, "1500", "JPY"), post(AccountOtherIncome, "-1500", "JPY"))},
		{name: "dinar to the fils", tx: withPostings(post(AccountBank, "1.005", "KWD"), post(AccountOtherIncome, "-1.005", "KWD"))},
		{name: "trailing zeros", tx: withPostings(post(AccountBank, "1.000", "GBP"), post(AccountOtherIncome, "-1", "GBP"))},
		{name: "deferral to a member", tx: withPostings(post(AccountWages, "137.93", "GBP"), post(DeferredAccount("m000001"), "-137.93", "GBP"))},
		{name: "accrual month", tx: func() Transaction { tx := validTx(); tx.Accrual = "2020-12"; return tx }()},

		{name: "unbalanced", tx: withPostings(post(AccountBank, "10.00", "GBP"), post(AccountOtherIncome, "-9.99", "GBP")),
			fields: []string{"postings"}},
		{name: "one currency of two unbalanced", tx: withPostings(
			post(AccountBank, "10.00", "GBP"), post(AccountOtherIncome, "-10.00", "GBP"),
			post(AccountBank, "10.00", "EUR"), post(AccountOtherIncome, "-10.01", "EUR")),
			fields: []string{"postings"}},
		{name: "currencies do not offset each other", tx: withPostings(post(AccountBank, "10.00", "GBP"), post(AccountOtherIncome, "-10.00", "EUR")),
			fields: []string{"postings"}},
		{name: "one posting", tx: withPostings(post(AccountBank, "10.00", "GBP")), fields: []string{"postings"}},
		{name: "no postings", tx: withPostings(), fields: []string{"postings"}},
		{name: "zero amount", tx: withPostings(post(AccountBank, "10.00", "GBP"), post(AccountFees, "0.00", "GBP"), post(AccountOtherIncome, "-10.00", "GBP")),
			fields: []string{"postings[1].amount"}},
		{name: "tenths of a penny", tx: withPostings(post(AccountBank, "10.005", "GBP"), post(AccountOtherIncome, "-10.005", "GBP")),
			fields: []string{"postings[0].amount", "postings[1].amount"}},
		{name: "half a yen", tx: withPostings(post(AccountBank, "0.5", "JPY"), post(AccountOtherIncome, "-0.5", "JPY")),
			fields: []string{"postings[0].amount", "postings[1].amount"}},
		{name: "four places of dinar", tx: withPostings(post(AccountBank, "1.0005", "KWD"), post(AccountOtherIncome, "-1.0005", "KWD")),
			fields: []string{"postings[0].amount", "postings[1].amount"}},
		{name: "unknown currency", tx: withPostings(post(AccountBank, "10.00", "XXX"), post(AccountOtherIncome, "-10.00", "XXX")),
			fields: []string{"postings[0].currency", "postings[1].currency"}},
		{name: "no currency", tx: withPostings(post(AccountBank, "10.00", ""), post(AccountOtherIncome, "-10.00", "GBP")),
			fields: []string{"postings[0].currency", "postings"}},
		{name: "lower-case currency code", tx: withPostings(post(AccountBank, "10.00", "gbp"), post(AccountOtherIncome, "-10.00", "gbp")),
			fields: []string{"postings[0].currency", "postings[1].currency"}},
		{name: "mixed-case currency code", tx: withPostings(post(AccountBank, "10.00", "GBP"), post(AccountOtherIncome, "-10.00", "Gbp")),
			fields: []string{"postings[1].currency", "postings"}},

		{name: "account without a root", tx: withAccount("Bank"), fields: []string{"postings[0].account"}},
		{name: "root alone", tx: withAccount("Assets"), fields: []string{"postings[0].account"}},
		{name: "unknown root", tx: withAccount("Cash:Bank"), fields: []string{"postings[0].account"}},
		{name: "lower-case root", tx: withAccount("assets:Bank"), fields: []string{"postings[0].account"}},
		{name: "empty account", tx: withAccount(""), fields: []string{"postings[0].account"}},
		{name: "empty segment", tx: withAccount("Assets::Bank"), fields: []string{"postings[0].account"}},
		{name: "trailing colon", tx: withAccount("Assets:Bank:"), fields: []string{"postings[0].account"}},
		{name: "space in a segment", tx: withAccount("Assets:My Bank"), fields: []string{"postings[0].account"}},
		{name: "leading hyphen", tx: withAccount("Assets:-Bank"), fields: []string{"postings[0].account"}},
		{name: "deferred account without a member", tx: withAccount(DeferredAccount("")), fields: []string{"postings[0].account"}},

		{name: "impossible date", tx: func() Transaction { tx := validTx(); tx.Date = "2022-02-30"; return tx }(), fields: []string{"date"}},
		{name: "no date", tx: func() Transaction { tx := validTx(); tx.Date = ""; return tx }(), fields: []string{"date"}},
		{name: "date with slashes", tx: func() Transaction { tx := validTx(); tx.Date = "2022/05/31"; return tx }(), fields: []string{"date"}},
		{name: "date as a month", tx: func() Transaction { tx := validTx(); tx.Date = "2022-05"; return tx }(), fields: []string{"date"}},
		{name: "date before 1900", tx: func() Transaction { tx := validTx(); tx.Date = "1899-12-31"; return tx }(), fields: []string{"date"}},
		{name: "accrual month 13", tx: func() Transaction { tx := validTx(); tx.Accrual = "2022-13"; return tx }(), fields: []string{"accrual"}},
		{name: "accrual as a date", tx: func() Transaction { tx := validTx(); tx.Accrual = "2022-05-01"; return tx }(), fields: []string{"accrual"}},
		{name: "accrual without zero", tx: func() Transaction { tx := validTx(); tx.Accrual = "2022-5"; return tx }(), fields: []string{"accrual"}},
		{name: "description on two lines", tx: func() Transaction { tx := validTx(); tx.Description = "a\nb"; return tx }(), fields: []string{"description"}},
		{name: "description too long", tx: func() Transaction { tx := validTx(); tx.Description = strings.Repeat("x", 501); return tx }(), fields: []string{"description"}},

		{name: "every problem at once", tx: Transaction{Date: "soon", Accrual: "later", Postings: []Posting{
			post("Bank", "0.001", "GBP"), post(AccountBank, "1", "eur")}},
			fields: []string{"date", "accrual", "postings[0].account", "postings[0].amount", "postings[1].currency", "postings"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tx.Validate()
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantFields(t, err, tc.fields...)
		})
	}
}

// A code with spaces around it is not the code: ParseCurrency trims it, so
// Validate accepts " JPY", and MinorUnits(" JPY") then falls back to 2
// places, letting half a yen through; the balance lands under " JPY".
func TestTransaction_Validate_CurrencyWithSpaces(t *testing.T) {
	tx := validTx()
	tx.Postings = []Posting{post(AccountBank, "0.50", " JPY"), post(AccountOtherIncome, "-0.50", " JPY")}
	wantFields(t, tx.Validate(), "postings[0].currency", "postings[1].currency")
}

// An out-of-range amount must be refused before any arithmetic expands it
// (number.go): Validate reports it but still adds it to the per-currency
// sum, which rescales 1e100000000 to a hundred-million-digit integer.
func TestTransaction_Validate_HugeExponentIsQuick(t *testing.T) {
	for _, a := range []decimal.Decimal{decimal.New(1, 100000000), decimal.New(1, -100000000)} {
		tx := validTx()
		tx.Postings = []Posting{{Account: AccountBank, Amount: a, Currency: "GBP"}, post(AccountOtherIncome, "-1.00", "GBP")}
		done := make(chan error, 1)
		go func() { done <- tx.Validate() }()
		select {
		case err := <-done:
			f := fieldsOf(t, err)
			if _, ok := f["postings[0].amount"]; !ok {
				t.Errorf("fields = %v, want postings[0].amount among them", f)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("Validate of an amount with exponent %d did not return within 2 s", a.Exponent())
		}
	}
}

func TestCheckAccount(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{AccountBank, true},
		{AccountBountyFund, true},
		{AccountReserve, true},
		{AccountSubscriptions, true},
		{AccountOtherIncome, true},
		{AccountHosting, true},
		{AccountFees, true},
		{AccountWages, true},
		{AccountBounties, true},
		{AccountWaived, true},
		{AccountOpening, true},
		{DeferredAccount("m000001"), true},
		{"Liabilities:Deferred:alice", true},
		{"Assets:Bank-2", true},
		{"Income:2024", true},
		{"Expenses:Hosting:EU-West-1", true},
		{"Assets:" + strings.Repeat("a", 193), true}, // 200 bytes
		{"", false},
		{"Bank", false},
		{"Assets", false},
		{"Assets:", false},
		{"Cash:Bank", false},
		{"assets:Bank", false},
		{"ASSETS:Bank", false},
		{"Assets::Bank", false},
		{"Assets:Bank:", false},
		{":Assets:Bank", false},
		{"Assets:My Bank", false},
		{"Assets: Bank", false},
		{"Assets:Bank ", false},
		{"Assets:-Bank", false},
		{"Assets:Bank:-x", false},
		{"Assets:Bank_2", false},
		{"Assets:Bänk", false},
		{"Assets:Bank\n", false},
		{"Assets:Bank;x", false},
		{"Assets:" + strings.Repeat("a", 194), false}, // 201 bytes
		{DeferredAccount(""), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.name), func(t *testing.T) {
			err := CheckAccount(tc.name)
			if tc.ok && err != nil {
				t.Errorf("CheckAccount(%q): %v", tc.name, err)
			}
			if !tc.ok && err == nil {
				t.Errorf("CheckAccount(%q) accepted it", tc.name)
			}
		})
	}
}

func TestDeferredAccount_RoundTrip(t *testing.T) {
	for _, id := range []string{"m000001", "alice", "m1"} {
		acct := DeferredAccount(id)
		if acct != "Liabilities:Deferred:"+id {
			t.Errorf("DeferredAccount(%q) = %q", id, acct)
		}
		if err := CheckAccount(acct); err != nil {
			t.Errorf("CheckAccount(%q): %v", acct, err)
		}
		if got, ok := DeferredMember(acct); !ok || got != id {
			t.Errorf("DeferredMember(%q) = %q, %v; want %q, true", acct, got, ok, id)
		}
	}
	for _, acct := range []string{
		AccountBank, AccountWaived, "Liabilities:Deferred", "Liabilities:Deferred:",
		"Liabilities:Loans:alice", "Assets:Deferred:alice", "liabilities:deferred:alice", "",
	} {
		if got, ok := DeferredMember(acct); ok {
			t.Errorf("DeferredMember(%q) = %q, true; want false", acct, got)
		}
	}
}

func TestTransaction_AccrualMonth(t *testing.T) {
	tx := validTx()
	if got := tx.AccrualMonth(); got != "2022-05" {
		t.Errorf("AccrualMonth without Accrual = %q, want the month of the date, 2022-05", got)
	}
	tx.Accrual = "2020-12"
	if got := tx.AccrualMonth(); got != "2020-12" {
		t.Errorf("AccrualMonth = %q, want 2020-12", got)
	}
}

func TestTransaction_Reversal(t *testing.T) {
	orig := Transaction{
		ID: "t000042", Date: "2022-05-31", Kind: KindDeferral, Description: "Deferred pay, May 2022",
		MemberID: "m000001", Accrual: "2022-05", CreatedBy: "m000009",
		Postings: []Posting{
			post(AccountWages, "137.93", "GBP"),
			post(DeferredAccount("m000001"), "-137.93", "GBP"),
		},
	}
	r := orig.Reversal("2022-06-03", "hours were approved twice")
	if r.Kind != KindReversal {
		t.Errorf("Kind = %q, want %q", r.Kind, KindReversal)
	}
	if r.Reverses != orig.ID {
		t.Errorf("Reverses = %q, want %q", r.Reverses, orig.ID)
	}
	if r.Date != "2022-06-03" {
		t.Errorf("Date = %q, want 2022-06-03", r.Date)
	}
	if r.MemberID != orig.MemberID {
		t.Errorf("MemberID = %q, want %q", r.MemberID, orig.MemberID)
	}
	if r.Accrual != "2022-05" || r.AccrualMonth() != "2022-05" {
		t.Errorf("Accrual = %q, want the original's 2022-05 so aging undoes the right month", r.Accrual)
	}
	if want := "Reversal of t000042: hours were approved twice"; r.Description != want {
		t.Errorf("Description = %q, want %q", r.Description, want)
	}
	if r.ID != "" {
		t.Errorf("ID = %q, want empty until posted", r.ID)
	}
	if len(r.Postings) != len(orig.Postings) {
		t.Fatalf("Postings = %v, want %d", r.Postings, len(orig.Postings))
	}
	for i, p := range r.Postings {
		o := orig.Postings[i]
		if p.Account != o.Account || p.Currency != o.Currency || !p.Amount.Equal(o.Amount.Neg()) {
			t.Errorf("postings[%d] = %+v, want %s %s %s", i, p, o.Account, o.Amount.Neg(), o.Currency)
		}
	}
	if !orig.Postings[0].Amount.Equal(amt("137.93")) {
		t.Errorf("Reversal changed the original: %v", orig.Postings)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if got := orig.Reversal("2022-06-03", "").Description; got != "Reversal of t000042" {
		t.Errorf("Description without a note = %q", got)
	}

	// Without an Accrual the reversal keeps the original's month, not its own.
	noAccrual := validTx()
	if r := noAccrual.Reversal("2022-07-01", ""); r.Accrual != "2022-05" {
		t.Errorf("Accrual = %q, want 2022-05 (the month of the original)", r.Accrual)
	}
}

func TestBalances(t *testing.T) {
	txs := []Transaction{
		validTx(),
		{Date: "2022-05-31", Postings: []Posting{post(AccountHosting, "420.00", "GBP"), post(AccountBank, "-420.00", "GBP")}},
		{Date: "2022-05-31", Postings: []Posting{post(AccountBank, "1500", "JPY"), post(AccountOtherIncome, "-1500", "JPY")}},
	}
	got := Balances(txs)
	want := map[string]map[string]string{
		AccountBank:          {"GBP": "747.00", "JPY": "1500"},
		AccountSubscriptions: {"GBP": "-1167.00"},
		AccountHosting:       {"GBP": "420.00"},
		AccountOtherIncome:   {"JPY": "-1500"},
	}
	if len(got) != len(want) {
		t.Errorf("Balances = %v, want %v", got, want)
	}
	for acct, bal := range want {
		if len(got[acct]) != len(bal) {
			t.Errorf("%s = %v, want %v", acct, got[acct], bal)
		}
		for c, a := range bal {
			if !got[acct][c].Equal(amt(a)) {
				t.Errorf("%s %s = %s, want %s", acct, c, got[acct][c], a)
			}
		}
	}
	if len(Balances(nil)) != 0 {
		t.Errorf("Balances(nil) is not empty")
	}
}

func TestPosting_JSON(t *testing.T) {
	b, err := json.Marshal([]Posting{post(AccountSubscriptions, "-1167", "GBP"), post(AccountBank, "1500", "JPY")})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"account":"Income:Subscriptions","amount":"-1167.00","currency":"GBP"},{"account":"Assets:Bank","amount":"1500","currency":"JPY"}]`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back []Posting
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back[0].Amount.Equal(amt("-1167")) || back[0].Account != AccountSubscriptions || back[0].Currency != "GBP" {
		t.Errorf("round trip = %+v", back[0])
	}
}

// Random transactions for the properties below.

var txCurrencies = []string{"GBP", "EUR", "JPY", "KWD"}

func drawAccount(t *rapid.T, label string) string {
	return rapid.OneOf(
		rapid.SampledFrom([]string{AccountBank, AccountBountyFund, AccountReserve, AccountSubscriptions,
			AccountOtherIncome, AccountHosting, AccountFees, AccountWages, AccountBounties, AccountWaived}),
		rapid.Map(rapid.StringMatching(`m[0-9]{6}`), DeferredAccount),
		rapid.Custom(func(t *rapid.T) string {
			root := rapid.SampledFrom(accountRoots).Draw(t, "root")
			segs := rapid.SliceOfN(rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9-]{0,8}`), 1, 3).Draw(t, "segments")
			return root + ":" + strings.Join(segs, ":")
		}),
	).Draw(t, label)
}

// drawBalancedTx draws a valid transaction: in each of one or two
// currencies, some non-zero amounts and, unless they already cancel, one
// posting that balances them.
func drawBalancedTx(t *rapid.T, id string) Transaction {
	tx := Transaction{
		ID:   id,
		Date: fmt.Sprintf("%04d-%02d-%02d", rapid.IntRange(1900, 9999).Draw(t, "year"), rapid.IntRange(1, 12).Draw(t, "month"), rapid.IntRange(1, 28).Draw(t, "day")),
		Kind: rapid.SampledFrom([]TxKind{KindIncome, KindCost, KindOpening, KindWages, KindDeferral, KindPayback, KindWaiver, KindBounty, KindReserve}).Draw(t, "kind"),
	}
	if rapid.Bool().Draw(t, "has accrual") {
		tx.Accrual = fmt.Sprintf("%04d-%02d", rapid.IntRange(1900, 9999).Draw(t, "accrual year"), rapid.IntRange(1, 12).Draw(t, "accrual month"))
	}
	currencies := rapid.SliceOfNDistinct(rapid.SampledFrom(txCurrencies), 1, 2, rapid.ID[string]).Draw(t, "currencies")
	for _, c := range currencies {
		places := MinorUnits(c)
		n := rapid.IntRange(1, 4).Draw(t, "postings")
		sum := decimal.Zero
		for i := 0; i < n; i++ {
			units := rapid.Int64Range(1, 1e12).Draw(t, "units")
			if rapid.Bool().Draw(t, "credit") {
				units = -units
			}
			a := decimal.New(units, -places)
			sum = sum.Add(a)
			tx.Postings = append(tx.Postings, Posting{Account: drawAccount(t, "account"), Amount: a, Currency: c})
		}
		if !sum.IsZero() {
			tx.Postings = append(tx.Postings, Posting{Account: drawAccount(t, "account"), Amount: sum.Neg(), Currency: c})
		}
	}
	// Shuffle so the currencies interleave.
	tx.Postings = rapid.Permutation(tx.Postings).Draw(t, "order")
	return tx
}

func TestTransaction_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tx := drawBalancedTx(t, "t1")
		if err := tx.Validate(); err != nil {
			t.Fatalf("Validate(%+v): %v", tx, err)
		}
		r := tx.Reversal("2024-06-15", "test")
		if err := r.Validate(); err != nil {
			t.Fatalf("Validate of the reversal: %v", err)
		}
		if r.AccrualMonth() != tx.AccrualMonth() {
			t.Fatalf("reversal accrues in %s, the original in %s", r.AccrualMonth(), tx.AccrualMonth())
		}
		for acct, bal := range Balances([]Transaction{tx, r}) {
			for c, a := range bal {
				if !a.IsZero() {
					t.Fatalf("%s %s = %s after a transaction and its reversal, want 0", acct, c, a)
				}
			}
		}
	})
}

// The journal balances: over every account, each currency sums to zero.
func TestBalances_JournalSumsToZero(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 8).Draw(t, "transactions")
		txs := make([]Transaction, n)
		for i := range txs {
			txs[i] = drawBalancedTx(t, fmt.Sprintf("t%d", i))
		}
		total := Balance{}
		for _, bal := range Balances(txs) {
			for c, a := range bal {
				total.Add(c, a)
			}
		}
		for c, a := range total {
			if !a.IsZero() {
				t.Fatalf("the journal's %s postings sum to %s, want 0", c, a)
			}
		}
	})
}
