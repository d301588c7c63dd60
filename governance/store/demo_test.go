package store_test

import (
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	lstore "github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/testdata"
	"github.com/shopspring/decimal"
)

// The demo co-op comes with its governance: the board's and members'
// pages have something to show at once.
func TestDemoGovernance(t *testing.T) {
	db := storetest.OpenDB(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	d, err := testdata.LoadInto(db)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	hana := d.Members[8]
	rs, _, err := gs.Requests(hana, governance.RequestFilter{})
	if err != nil || len(rs) != 6 || rs[0].Title != "Export my data as CSV" || rs[0].Votes != 6 {
		t.Fatalf("requests: %d, first %+v, %v", len(rs), rs[0], err)
	}
	bs, fund, err := gs.Bounties("")
	if err != nil || len(bs) != 3 {
		t.Fatalf("bounties %d %v", len(bs), err)
	}
	// The fund holds what the closes put in less the one payout (120.00),
	// and reserves the open bounty (150.00).
	var shares decimal.Decimal
	db.View(func(tx *lstore.Tx) error {
		return tx.ForEachTransaction(func(tr ledger.Transaction) error {
			if tr.Kind == ledger.KindBounty {
				for _, p := range tr.Postings {
					if p.Account == ledger.AccountBountyFund {
						shares = shares.Add(p.Amount)
					}
				}
			}
			return nil
		})
	})
	if !fund.Balance.Amount.Equal(shares.Sub(decimal.NewFromInt(120))) || fund.Reserved.String() != "150.00" {
		t.Fatalf("fund %+v, closes put in %s", fund, shares)
	}
	ps, err := gs.Polls("")
	if err != nil || len(ps) != 4 {
		t.Fatalf("polls %d %v", len(ps), err)
	}
	closed := 0
	for _, p := range ps {
		if p.State == governance.PollClosed {
			closed++
			r, err := gs.Result(p.ID)
			if err != nil || r.Ballots == 0 {
				t.Fatalf("result of %s: %+v %v", p.Title, r, err)
			}
		}
	}
	if closed != 2 {
		t.Fatalf("%d closed polls, want 2", closed)
	}
	ms, _ := gs.Meetings()
	if len(ms) != 7 || len(ms[0].Agenda) != 3 {
		t.Fatalf("meetings %d, next agenda %v", len(ms), ms[0].Agenda)
	}
}
