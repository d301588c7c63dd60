package store

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// canKeepBooks is who records money: board and admin.
func canKeepBooks(actor ledger.Member) bool {
	return actor.IsBoardOrAdmin()
}

// IncomeMonth is a month's membership figures, kept when income is
// recorded with tiers.
type IncomeMonth struct {
	Month       string        `json:"month"`
	Tiers       []ledger.Tier `json:"tiers"`
	Subscribers int64         `json:"subscribers"`
}

// RecordMoney posts a month's income (cost false) or cost (cost true).
func (tx *Tx) RecordMoney(actor ledger.Member, in ledger.MoneyInput, cost bool) (ledger.Transaction, error) {
	what := "income"
	if cost {
		what = "cost"
	}
	if !canKeepBooks(actor) {
		return ledger.Transaction{}, fmt.Errorf("record %s: only board and admin record money: %w", what, ledger.ErrForbidden)
	}
	t, err := in.Transaction(cost, tx.BaseCurrency())
	if err != nil {
		return t, err
	}
	if tx.MonthLocked(in.Month) {
		return t, ledger.FieldError("month", in.Month+" is closed; record it in an open month")
	}
	if err := tx.markActivity(in.Month); err != nil {
		return t, err
	}
	if len(in.Tiers) > 0 {
		im := IncomeMonth{Month: in.Month, Tiers: in.Tiers}
		for _, tier := range in.Tiers {
			im.Subscribers += tier.Subscribers
		}
		if err := put(tx.tx.Bucket(bucketIncome), []byte(in.Month), im); err != nil {
			return t, err
		}
	}
	return tx.Post(actor, t)
}

// AddOpeningBalance brings in historical debt owed to a member.
func (tx *Tx) AddOpeningBalance(actor ledger.Member, in ledger.OpeningInput) (ledger.Transaction, error) {
	if !canKeepBooks(actor) {
		return ledger.Transaction{}, fmt.Errorf("record opening balance: %w", ledger.ErrForbidden)
	}
	t, err := in.Transaction(tx.BaseCurrency(), ledger.Today(tx.now))
	if err != nil {
		return t, err
	}
	if _, err := tx.Member(in.MemberID); err != nil {
		return t, ledger.FieldError("member_id", "unknown member "+in.MemberID)
	}
	return tx.Post(actor, t)
}

// Waive records a member forgiving part of their own balance; nobody can
// waive for them.
func (tx *Tx) Waive(actor ledger.Member, memberID string, in ledger.WaiverInput) (ledger.Transaction, error) {
	if _, err := tx.Member(memberID); err != nil {
		return ledger.Transaction{}, err
	}
	if actor.ID != memberID {
		return ledger.Transaction{}, fmt.Errorf("waive for %s: only members waive their own balance: %w", memberID, ledger.ErrForbidden)
	}
	t, err := in.Transaction(memberID, tx.BaseCurrency(), ledger.Today(tx.now))
	if err != nil {
		return t, err
	}
	owed, err := tx.Owed(memberID)
	if err != nil {
		return t, err
	}
	if t.Postings[0].Amount.GreaterThan(owed) {
		return t, ledger.FieldError("amount", fmt.Sprintf("is more than the %s %s owed to you", ledger.FormatAmount(owed, t.Postings[0].Currency), t.Postings[0].Currency))
	}
	return tx.Post(actor, t)
}

// Owed is what the co-op owes a member in the base currency: the sum of
// their debt lots.
func (tx *Tx) Owed(memberID string) (decimal.Decimal, error) {
	aging, err := tx.debtAging(memberID)
	total := decimal.Zero
	for _, a := range aging {
		total = total.Add(a)
	}
	return total, err
}

// debtAging sums a member's outstanding debt by accrual year.
func (tx *Tx) debtAging(memberID string) (map[string]decimal.Decimal, error) {
	mseq, ok := parseID(prefixMember, memberID)
	if !ok {
		return nil, fmt.Errorf("member %q: %w", memberID, ledger.ErrNotFound)
	}
	base := tx.BaseCurrency()
	out := map[string]decimal.Decimal{}
	prefix := u64(mseq)
	c := tx.tx.Bucket(bucketDebtLots).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return nil, err
		}
		year := string(k[8:12])
		out[year] = out[year].Add(bal[base])
	}
	return out, nil
}

// DebtRow is one member's line of the debt report.
type DebtRow struct {
	MemberID string                  `json:"member_id"`
	Name     string                  `json:"name"`
	Balance  ledger.Money            `json:"balance"`
	Aging    map[string]ledger.Money `json:"aging"`
}

// Debt is what the co-op owes, in total and per member with its age.
type Debt struct {
	Total    ledger.Money `json:"total"`
	Currency string       `json:"currency"`
	Members  []DebtRow    `json:"members"`
}

// Debt reports the debt. Board, admin and ops see every member; a member
// sees the total and their own line.
func (tx *Tx) Debt(actor ledger.Member) (Debt, error) {
	base := tx.BaseCurrency()
	d := Debt{Currency: base, Total: ledger.NewMoney(decimal.Zero, base), Members: []DebtRow{}}
	ms, err := tx.Members()
	if err != nil {
		return d, err
	}
	for _, m := range ms {
		aging, err := tx.debtAging(m.ID)
		if err != nil {
			return d, err
		}
		row := DebtRow{MemberID: m.ID, Name: m.Name, Balance: ledger.NewMoney(decimal.Zero, base), Aging: map[string]ledger.Money{}}
		for y, a := range aging {
			if !a.IsZero() {
				row.Aging[y] = ledger.NewMoney(a, base)
				row.Balance.Amount = row.Balance.Amount.Add(a)
			}
		}
		d.Total.Amount = d.Total.Amount.Add(row.Balance.Amount)
		if row.Balance.Amount.IsZero() {
			continue
		}
		if actor.CanSeeAll() || actor.ID == m.ID {
			d.Members = append(d.Members, row)
		}
	}
	sort.SliceStable(d.Members, func(i, j int) bool { return d.Members[i].Balance.Amount.GreaterThan(d.Members[j].Balance.Amount) })
	return d, nil
}

// StatementMonth is one month of a member's statement, in the base
// currency. Balance is what the co-op owes them at the month's end.
type StatementMonth struct {
	Month    string       `json:"month"`
	Hours    string       `json:"hours"`
	Earned   ledger.Money `json:"earned"`
	Paid     ledger.Money `json:"paid"`
	Deferred ledger.Money `json:"deferred"`
	PaidBack ledger.Money `json:"paid_back"`
	Waived   ledger.Money `json:"waived"`
	Opening  ledger.Money `json:"opening"`
	Balance  ledger.Money `json:"balance"`
}

// Statement is a member's account with the co-op, month by month.
type Statement struct {
	MemberID string           `json:"member_id"`
	Name     string           `json:"name"`
	Currency string           `json:"currency"`
	Months   []StatementMonth `json:"months"`
	Balance  ledger.Money     `json:"balance"`
}

// Statement builds a member's statement: their own, or anyone's for board,
// admin and ops. Hours and earned come from the member's approved entries
// (a range scan of their index) valued at their rates; paid, deferred,
// paid back, waived and opening from the per-member monthly figures the
// journal keeps.
func (tx *Tx) Statement(actor ledger.Member, memberID string) (Statement, error) {
	if actor.ID != memberID && !actor.CanSeeAll() {
		return Statement{}, fmt.Errorf("statement of %s: %w", memberID, ledger.ErrForbidden)
	}
	m, err := tx.Member(memberID)
	if err != nil {
		return Statement{}, err
	}
	base := tx.BaseCurrency()
	st := Statement{MemberID: m.ID, Name: m.Name, Currency: base, Months: []StatementMonth{}}
	rates, err := tx.Rates(m.ID)
	if err != nil {
		return st, err
	}
	mseq, _ := parseID(prefixMember, m.ID)
	approved := map[string][]ledger.TimeEntry{}
	// An approved entry stops counting once a correction of it is approved:
	// the correction replaces it.
	entries, err := tx.scanMemberIndex(u64(mseq), false, 0,
		func(e ledger.TimeEntry) bool {
			if e.State != ledger.StateApproved {
				return false
			}
			seq, _ := parseID(prefixEntry, e.ID)
			return !tx.superseded(u64(seq))
		})
	if err != nil {
		return st, err
	}
	for _, e := range entries {
		approved[ledger.MonthOf(e.Date)] = append(approved[ledger.MonthOf(e.Date)], e)
	}
	movements := map[string]MemberMonth{}
	c := tx.tx.Bucket(bucketMemberMonths).Cursor()
	for k, v := c.Seek(u64(mseq)); k != nil && bytes.HasPrefix(k, u64(mseq)); k, v = c.Next() {
		var mm MemberMonth
		if err := jsonUnmarshal(v, &mm); err != nil {
			return st, err
		}
		movements[string(k[8:])] = mm
	}
	months := map[string]bool{}
	for mo := range approved {
		months[mo] = true
	}
	for mo := range movements {
		months[mo] = true
	}
	ordered := make([]string, 0, len(months))
	for mo := range months {
		ordered = append(ordered, mo)
	}
	sort.Strings(ordered)
	balance := decimal.Zero
	for _, mo := range ordered {
		minutes := 0
		for _, e := range approved[mo] {
			minutes += e.Minutes
		}
		mm := movements[mo]
		money := func(d decimal.Decimal) ledger.Money { return ledger.NewMoney(d, base) }
		sm := StatementMonth{Month: mo, Hours: ledger.HoursText(minutes), Earned: money(ledger.Earned(approved[mo], rates)[base]),
			Paid: money(mm.Paid[base]), Deferred: money(mm.Deferred[base]), PaidBack: money(mm.PaidBack[base]),
			Waived: money(mm.Waived[base]), Opening: money(mm.Opening[base])}
		balance = balance.Add(mm.Opening[base]).Add(mm.Deferred[base]).Sub(mm.PaidBack[base]).Sub(mm.Waived[base])
		sm.Balance = money(balance)
		st.Months = append(st.Months, sm)
	}
	st.Balance = ledger.NewMoney(balance, base)
	return st, nil
}

// RecordMoney posts income or a cost in a write of its own.
func (db *DB) RecordMoney(actor ledger.Member, in ledger.MoneyInput, cost bool) (t ledger.Transaction, err error) {
	err = db.Write(func(tx *Tx) error { t, err = tx.RecordMoney(actor, in, cost); return err })
	return t, err
}

// AddOpeningBalance posts an opening balance in a write of its own.
func (db *DB) AddOpeningBalance(actor ledger.Member, in ledger.OpeningInput) (t ledger.Transaction, err error) {
	err = db.Write(func(tx *Tx) error { t, err = tx.AddOpeningBalance(actor, in); return err })
	return t, err
}

// Waive posts a waiver in a write of its own.
func (db *DB) Waive(actor ledger.Member, memberID string, in ledger.WaiverInput) (t ledger.Transaction, err error) {
	err = db.Write(func(tx *Tx) error { t, err = tx.Waive(actor, memberID, in); return err })
	return t, err
}

// Reverse posts a reversal in a write of its own.
func (db *DB) Reverse(actor ledger.Member, id, date, note string) (t ledger.Transaction, err error) {
	err = db.Write(func(tx *Tx) error { t, err = tx.Reverse(actor, id, date, note); return err })
	return t, err
}

// Debt reads the debt report.
func (db *DB) Debt(actor ledger.Member) (d Debt, err error) {
	err = db.View(func(tx *Tx) error { d, err = tx.Debt(actor); return err })
	return d, err
}

// Statement reads a member's statement.
func (db *DB) Statement(actor ledger.Member, memberID string) (s Statement, err error) {
	err = db.View(func(tx *Tx) error { s, err = tx.Statement(actor, memberID); return err })
	return s, err
}

// Transactions reads the whole journal (board and admin).
func (db *DB) Transactions(actor ledger.Member) (ts []ledger.Transaction, err error) {
	if !canKeepBooks(actor) {
		return nil, fmt.Errorf("read the journal: %w", ledger.ErrForbidden)
	}
	err = db.View(func(tx *Tx) error { ts, err = tx.Transactions(); return err })
	return ts, err
}

// DebtPoint is the total owed at the end of a month.
type DebtPoint struct {
	Month string       `json:"month"`
	Total ledger.Money `json:"total"`
}

// DebtHistory is the total debt at the end of every month from the first
// with any debt to last (YYYY-MM, usually this month), from the stored
// monthly balances of the deferred accounts: the board's "total debt over
// time" chart.
func (tx *Tx) DebtHistory(last string) ([]DebtPoint, error) {
	base := tx.BaseCurrency()
	moves := map[string]decimal.Decimal{}
	first := ""
	prefix := []byte("Liabilities:Deferred:")
	c := tx.tx.Bucket(bucketBalances).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		month := string(k[bytes.IndexByte(k, 0)+1:])
		var bal ledger.Balance
		if err := jsonUnmarshal(v, &bal); err != nil {
			return nil, err
		}
		moves[month] = moves[month].Add(bal[base].Neg())
		if first == "" || month < first {
			first = month
		}
	}
	out := []DebtPoint{}
	if first == "" {
		return out, nil
	}
	if last < first {
		last = first
	}
	start, err := ledger.ParseMonth(first)
	if err != nil {
		return nil, err
	}
	total := decimal.Zero
	for m := start; m.Format(ledger.MonthLayout) <= last; m = m.AddDate(0, 1, 0) {
		month := m.Format(ledger.MonthLayout)
		total = total.Add(moves[month])
		out = append(out, DebtPoint{Month: month, Total: ledger.NewMoney(total, base)})
	}
	return out, nil
}

// DebtHistory reads the debt over time up to this month.
func (db *DB) DebtHistory() (ps []DebtPoint, err error) {
	err = db.View(func(tx *Tx) error {
		ps, err = tx.DebtHistory(ledger.MonthOf(ledger.Today(tx.now)))
		return err
	})
	return ps, err
}

// AccountLine is one account's balance in the base currency.
type AccountLine struct {
	Account string       `json:"account"`
	Balance ledger.Money `json:"balance"`
}

// BalanceReport is every account's balance at the end of a month (or now).
type BalanceReport struct {
	Month    string        `json:"month,omitempty"`
	Currency string        `json:"currency"`
	Accounts []AccountLine `json:"accounts"`
}

// BalanceReport lists account balances in account order. Board, admin and
// ops see every account; other members see the co-op in aggregate, with
// the members' deferred accounts summed into one Liabilities:Deferred line.
func (tx *Tx) BalanceReport(actor ledger.Member, month string) (BalanceReport, error) {
	if month != "" {
		if _, err := ledger.ParseMonth(month); err != nil {
			return BalanceReport{}, ledger.FieldError("month", err.Error())
		}
	}
	base := tx.BaseCurrency()
	bals, err := tx.AccountBalances(month)
	if err != nil {
		return BalanceReport{}, err
	}
	r := BalanceReport{Month: month, Currency: base, Accounts: []AccountLine{}}
	if !actor.CanSeeAll() {
		rolled := map[string]ledger.Balance{}
		for account, bal := range bals {
			if _, ok := ledger.DeferredMember(account); ok {
				account = "Liabilities:Deferred"
			}
			if rolled[account] == nil {
				rolled[account] = ledger.Balance{}
			}
			for c, a := range bal {
				rolled[account].Add(c, a)
			}
		}
		bals = rolled
	}
	for account, bal := range bals {
		for c, a := range bal {
			if !a.IsZero() && c == base {
				r.Accounts = append(r.Accounts, AccountLine{Account: account, Balance: ledger.NewMoney(a, c)})
			}
		}
	}
	sort.Slice(r.Accounts, func(i, j int) bool { return r.Accounts[i].Account < r.Accounts[j].Account })
	return r, nil
}

// BalanceReport reads the balance report.
func (db *DB) BalanceReport(actor ledger.Member, month string) (r BalanceReport, err error) {
	err = db.View(func(tx *Tx) error { r, err = tx.BalanceReport(actor, month); return err })
	return r, err
}

// IncomeMonthReport is one month of the co-op's takings: income and costs
// from the journal, and the membership tiers recorded with the income.
type IncomeMonthReport struct {
	Month         string        `json:"month"`
	Income        ledger.Money  `json:"income"`
	Subscriptions ledger.Money  `json:"mrr"`
	Costs         ledger.Money  `json:"costs"`
	Margin        ledger.Money  `json:"margin"`
	Subscribers   int64         `json:"subscribers"`
	Tiers         []ledger.Tier `json:"tiers"`
}

// IncomeReport lists every month with income or costs, oldest first: MRR
// (Income:Subscriptions), all income, costs, the gross margin, and the
// subscriber count by tier where it was recorded. Every member may see
// these aggregates.
func (tx *Tx) IncomeReport() ([]IncomeMonthReport, error) {
	base := tx.BaseCurrency()
	months := map[string]*IncomeMonthReport{}
	row := func(month string) *IncomeMonthReport {
		if months[month] == nil {
			zero := ledger.NewMoney(decimal.Zero, base)
			months[month] = &IncomeMonthReport{Month: month, Income: zero, Subscriptions: zero, Costs: zero, Margin: zero, Tiers: []ledger.Tier{}}
		}
		return months[month]
	}
	for _, root := range []string{"Income:", "Expenses:"} {
		c := tx.tx.Bucket(bucketBalances).Cursor()
		prefix := []byte(root)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			i := bytes.IndexByte(k, 0)
			account, month := string(k[:i]), string(k[i+1:])
			var bal ledger.Balance
			if err := jsonUnmarshal(v, &bal); err != nil {
				return nil, err
			}
			r := row(month)
			amount := bal[base]
			if root == "Income:" {
				r.Income.Amount = r.Income.Amount.Sub(amount)
				if account == ledger.AccountSubscriptions {
					r.Subscriptions.Amount = r.Subscriptions.Amount.Sub(amount)
				}
			} else {
				r.Costs.Amount = r.Costs.Amount.Add(amount)
			}
		}
	}
	err := tx.tx.Bucket(bucketIncome).ForEach(func(k, v []byte) error {
		var im IncomeMonth
		if err := jsonUnmarshal(v, &im); err != nil {
			return err
		}
		r := row(string(k))
		r.Subscribers, r.Tiers = im.Subscribers, im.Tiers
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]IncomeMonthReport, 0, len(months))
	for _, r := range months {
		r.Margin.Amount = r.Income.Amount.Sub(r.Costs.Amount)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out, nil
}

// IncomeReport reads the income report.
func (db *DB) IncomeReport() (r []IncomeMonthReport, err error) {
	err = db.View(func(tx *Tx) error { r, err = tx.IncomeReport(); return err })
	return r, err
}
