package store_test

import (
	"errors"
	"testing"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// Months close in order, but only months with activity count: the opening
// balances dated December 2021 do not hold up May 2022, while income
// recorded in April does, until April is posted.
func TestApproveClose_OpeningBalancesAreNotActivity(t *testing.T) {
	w := newWorkedCoop(t)
	w.month(t, "2022-05", "1167.00", []string{"420.00", "47.00"}, map[*ledger.Member]string{&w.alice: "20"})
	if _, err := w.db.DraftClose(w.bea, "2022-05"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.RecordMoney(w.bea, ledger.MoneyInput{Month: "2022-04", Amount: dec("10.00")}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveClose(w.bea, "2022-05"); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("approving May with April open: %v, want a conflict", err)
	}
	// April needs a policy of its own (the worked one starts in May).
	_, err := w.db.AddPolicy(w.bea, ledger.PolicyInput{From: "2022-04", BountyShare: dec("0"), PaybackShare: dec("0")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.DraftClose(w.bea, "2022-04"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveClose(w.bea, "2022-04"); err != nil {
		t.Fatalf("approving April, with only opening balances before it: %v", err)
	}
	if _, err := w.db.ApproveClose(w.bea, "2022-05"); err != nil {
		t.Fatalf("approving May after April: %v", err)
	}
}

// A board member the close pays may not approve it while another board
// member exists; when they are the only one, they may.
func TestApproveClose_PaidApproverOnlyWithoutAnotherBoardMember(t *testing.T) {
	w := newWorkedCoop(t)
	roles := []ledger.Role{ledger.RoleOps, ledger.RoleBoard}
	alice, err := w.db.UpdateMember(ledger.System, w.alice.ID, ledger.MemberInput{Roles: &roles})
	if err != nil {
		t.Fatal(err)
	}
	w.month(t, "2022-05", "1167.00", []string{"420.00", "47.00"}, map[*ledger.Member]string{&w.alice: "20"})
	if _, err := w.db.DraftClose(w.bea, "2022-05"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApproveClose(alice, "2022-05"); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("alice, paid by May, approving while bea is on the board: %v, want forbidden", err)
	}
	memberOnly := []ledger.Role{ledger.RoleMember}
	if _, err := w.db.UpdateMember(ledger.System, w.bea.ID, ledger.MemberInput{Roles: &memberOnly}); err != nil {
		t.Fatal(err)
	}
	mc, err := w.db.ApproveClose(alice, "2022-05")
	if err != nil {
		t.Fatalf("alice as the only board member: %v", err)
	}
	if mc.State != "posted" || !mc.Wages[alice.ID].IsPositive() {
		t.Errorf("May: %s, alice's wages %s", mc.State, mc.Wages[alice.ID])
	}
}

// pro_rata shares the payback by each creditor's whole balance, read from
// the all-time totals of their deferred account: an opening balance dated
// after the month being closed (recorded late, as imports do) counts in
// that month's shares. Months close in order, so nothing else dated later
// can be there.
func TestApproveClose_ProRataCountsOpeningBalancesDatedLater(t *testing.T) {
	paybackToDan := func(later bool) (dan, pool decimal.Decimal) {
		w := newWorkedCoop(t)
		if later {
			if _, err := w.db.AddOpeningBalance(w.bea, ledger.OpeningInput{MemberID: w.dan.ID, AsOf: "2022-07-31", Deferred: dec("2000.00")}); err != nil {
				t.Fatal(err)
			}
		}
		w.month(t, "2022-05", "1167.00", []string{"420.00", "47.00"}, map[*ledger.Member]string{&w.alice: "20"})
		mc, err := w.db.DraftClose(w.bea, "2022-05")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range mc.Payback {
			pool = pool.Add(p)
		}
		return mc.Payback[w.dan.ID], pool
	}
	without, poolWithout := paybackToDan(false)
	with, poolWith := paybackToDan(true)
	if !poolWith.Equal(poolWithout) || !poolWith.IsPositive() {
		t.Fatalf("payback pools %s and %s: the later opening balance should not change the pool", poolWithout, poolWith)
	}
	if !with.GreaterThan(without) {
		t.Fatalf("dan's share is %s with 2,000.00 more owed from a balance dated July, %s without: the July balance was left out", with, without)
	}
}
