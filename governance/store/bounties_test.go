package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/shopspring/decimal"
)

// fund puts amount (base currency) into the bounty fund, as a monthly close
// would.
func fund(t *testing.T, gs *govstore.Store, amount string) {
	t.Helper()
	err := gs.DB().Update(func(tx *lstore.Tx) error {
		a := decimal.RequireFromString(amount)
		c := tx.BaseCurrency()
		_, err := tx.Post(ledger.System, ledger.Transaction{Date: "2026-02-28", Kind: ledger.KindBounty, Description: "fund",
			Postings: []ledger.Posting{{Account: ledger.AccountBountyFund, Amount: a, Currency: c},
				{Account: ledger.AccountBank, Amount: a.Neg(), Currency: c}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func amt(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

func TestBountyLifecyclePaysOutOfTheFund(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "CSV export")
	fund(t, f.gs, "300.00")
	in := governance.BountyInput{RequestID: r.ID, Title: "Build CSV export", Amount: amt("120"), Criteria: []string{"exports entries", "has tests"}}
	if _, err := f.gs.CreateBounty(f.alice, in); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("a plain member proposing: %v", err)
	}
	b, err := f.gs.CreateBounty(f.ops, in)
	if err != nil || b.State != governance.BountyProposed || b.Amount.String() != "120.00" {
		t.Fatalf("create: %+v %v", b, err)
	}
	if _, err := f.gs.ApproveBounty(f.ops, b.ID); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("ops approving: %v, want forbidden", err)
	}
	if _, err := f.gs.ClaimBounty(f.alice, b.ID); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("claiming an unfunded bounty: %v, want conflict", err)
	}
	if b, err = f.gs.ApproveBounty(f.board, b.ID); err != nil || b.State != governance.BountyOpen {
		t.Fatalf("approve: %v", err)
	}
	fd, _ := f.gs.Fund()
	if fd.Balance.String() != "300.00" || fd.Reserved.String() != "120.00" || fd.Available.String() != "180.00" {
		t.Fatalf("fund after approval %+v", fd)
	}
	if b, err = f.gs.ClaimBounty(f.bob, b.ID); err != nil || b.ClaimantID != f.bob.ID {
		t.Fatalf("claim: %v", err)
	}
	if _, err := f.gs.SubmitBounty(f.alice, b.ID, governance.SubmitInput{Note: "done", Done: []int{0, 1}}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("submit by someone else: %v", err)
	}
	if _, err := f.gs.SubmitBounty(f.bob, b.ID, governance.SubmitInput{Note: "done", Done: []int{0, 5}}); !hasField(err, "done[1]") {
		t.Fatalf("submit with an unknown criterion: %v", err)
	}
	if b, err = f.gs.SubmitBounty(f.bob, b.ID, governance.SubmitInput{Note: "only the export", Done: []int{0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.gs.AcceptBounty(f.ops, b.ID, governance.ReviewInput{}); !hasField(err, "criteria") {
		t.Fatalf("accept with a criterion unmet: %v", err)
	}
	if b, err = f.gs.RejectBounty(f.ops, b.ID, governance.ReviewInput{Note: "tests please"}); err != nil || b.State != governance.BountyClaimed {
		t.Fatalf("reject: %v", err)
	}
	if b, err = f.gs.SubmitBounty(f.bob, b.ID, governance.SubmitInput{Note: "with tests", Done: []int{0, 1}}); err != nil {
		t.Fatal(err)
	}
	// The claimant may be a reviewer, but never of their own bounty.
	if b, err = f.gs.AcceptBounty(f.ops, b.ID, governance.ReviewInput{Note: "thanks"}); err != nil || b.State != governance.BountyAccepted || b.PayoutTx == "" {
		t.Fatalf("accept: %+v %v", b, err)
	}
	fd, _ = f.gs.Fund()
	if fd.Balance.String() != "180.00" || fd.Reserved.String() != "0.00" || fd.Available.String() != "180.00" {
		t.Fatalf("fund after payout %+v", fd)
	}
	var payout ledger.Transaction
	f.gs.DB().View(func(tx *lstore.Tx) error { payout, _ = tx.Transaction(b.PayoutTx); return nil })
	if payout.MemberID != f.bob.ID || payout.Kind != ledger.KindBountyPayout || len(payout.Postings) != 2 ||
		payout.Postings[0].Account != ledger.AccountBounties || !payout.Postings[0].Amount.Equal(decimal.RequireFromString("120")) {
		t.Fatalf("payout transaction %+v", payout)
	}
	if _, err := f.gs.AcceptBounty(f.board, b.ID, governance.ReviewInput{}); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("accepting twice: %v", err)
	}
}

func TestClaimantCannotAccept(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Docs")
	fund(t, f.gs, "50")
	b, _ := f.gs.CreateBounty(f.board, governance.BountyInput{RequestID: r.ID, Title: "Docs", Amount: amt("50"), Criteria: []string{"written"}})
	f.gs.ApproveBounty(f.board, b.ID)
	f.gs.ClaimBounty(f.ops, b.ID)
	f.gs.SubmitBounty(f.ops, b.ID, governance.SubmitInput{Note: "x", Done: []int{0}})
	if _, err := f.gs.AcceptBounty(f.ops, b.ID, governance.ReviewInput{}); !errors.Is(err, ledger.ErrForbidden) {
		t.Fatalf("claimant accepting own work: %v", err)
	}
}

func TestBountyLargerThanTheFundIsRefused(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "Big")
	fund(t, f.gs, "100.00")
	small, _ := f.gs.CreateBounty(f.board, governance.BountyInput{RequestID: r.ID, Title: "Small", Amount: amt("60"), Criteria: []string{"x"}})
	big, _ := f.gs.CreateBounty(f.board, governance.BountyInput{RequestID: r.ID, Title: "Big", Amount: amt("40.01"), Criteria: []string{"x"}})
	if _, err := f.gs.ApproveBounty(f.board, small.ID); err != nil {
		t.Fatal(err)
	}
	before := storetest.Snapshot(t, f.gs.DB())
	if _, err := f.gs.ApproveBounty(f.board, big.ID); !hasField(err, "amount") {
		t.Fatalf("approving beyond the fund (100 - 60 < 40.01): %v", err)
	}
	if storetest.Snapshot(t, f.gs.DB()) != before {
		t.Fatal("a refused approval changed the store")
	}
}

func TestUnclaimedBountiesExpire(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.OpenDBClock(t, clock.Now)
	gs, _ := govstore.New(db)
	board := storetest.MustMember(t, db, "Bea", "bea@example.org", []ledger.Role{ledger.RoleBoard}, nil)
	r, _ := gs.FileRequest(board, governance.RequestInput{Kind: governance.KindFeature, Title: "x"})
	fund(t, gs, "100")
	b, err := gs.CreateBounty(board, governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("70"), Criteria: []string{"x"}, ExpiresOn: "2026-03-20"})
	if err != nil {
		t.Fatal(err)
	}
	gs.ApproveBounty(board, b.ID)
	claimed, _ := gs.CreateBounty(board, governance.BountyInput{RequestID: r.ID, Title: "y", Amount: amt("10"), Criteria: []string{"y"}, ExpiresOn: "2026-03-20"})
	gs.ApproveBounty(board, claimed.ID)
	gs.ClaimBounty(board, claimed.ID)
	clock.Advance(10 * 24 * time.Hour) // 20 March: the last day to claim
	if ids, _ := gs.ExpireBounties(); len(ids) != 0 {
		t.Fatalf("expired on its last day: %v", ids)
	}
	clock.Advance(24 * time.Hour)
	if _, err := gs.ClaimBounty(board, b.ID); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("claim after expiry: %v", err)
	}
	ids, err := gs.ExpireBounties()
	if err != nil || len(ids) != 1 || ids[0] != b.ID {
		t.Fatalf("expired %v (%v), want only %s (the claimed one stays)", ids, err, b.ID)
	}
	fd, _ := gs.Fund()
	if fd.Reserved.String() != "10.00" || fd.Available.String() != "90.00" {
		t.Fatalf("fund after expiry %+v", fd)
	}
}

func TestBountyInputValidation(t *testing.T) {
	f := newFixture(t)
	r := f.file(t, "x")
	before := storetest.Snapshot(t, f.gs.DB())
	cases := []struct {
		in    governance.BountyInput
		field string
	}{
		{governance.BountyInput{RequestID: r.ID, Title: "x", Criteria: []string{"x"}}, "amount"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("-5"), Criteria: []string{"x"}}, "amount"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("1.234"), Criteria: []string{"x"}}, "amount"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("5")}, "criteria"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("5"), Criteria: []string{" "}}, "criteria[0]"},
		{governance.BountyInput{RequestID: "r999999", Title: "x", Amount: amt("5"), Criteria: []string{"x"}}, "request_id"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("5"), Criteria: []string{"x"}, Currency: "XXX"}, "currency"},
		{governance.BountyInput{RequestID: r.ID, Title: "x", Amount: amt("5"), Criteria: []string{"x"}, ExpiresOn: "2026-03-10"}, "expires_on"},
	}
	for _, c := range cases {
		if _, err := f.gs.CreateBounty(f.board, c.in); !hasField(err, c.field) {
			t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
		}
	}
	if storetest.Snapshot(t, f.gs.DB()) != before {
		t.Fatal("refused bounties changed the store")
	}
}

func hasField(err error, field string) bool {
	var v *ledger.ValidationError
	return errors.As(err, &v) && v.Fields[field] != ""
}
