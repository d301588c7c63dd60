package ui_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ui"
)

// BenchmarkVoteHTTP casts ballots through the real HTTP API on a
// 127.0.0.1 listener, 32 clients at once, each a different member of the
// poll's electorate and each ballot a durable commit (a member's new
// ballot replaces their last, so every cast writes). Compare with
// BenchmarkRawBoltBatch in the same run:
//
//	go test ./ui -run '^$' -bench 'VoteHTTP|RawBoltBatch' -benchtime 3s
func BenchmarkVoteHTTP(b *testing.B) {
	defer ui.TuneGC()() // as serve runs
	const clients = benchClients
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	db := benchDB(b)
	ms, tokens := benchMembers(b, db, clients, "Voter")
	author := ms[len(ms)-1]
	gs, err := govstore.New(db)
	if err != nil {
		b.Fatal(err)
	}
	p, err := gs.OpenPoll(author, governance.PollInput{Title: "Bench", Kind: governance.KindRanked,
		Options: []string{"A", "B", "C", "D"}, ClosesAt: now.Add(24 * time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		b.Fatal(err)
	}
	url := listen(b, app) + "/api/v1/polls/" + p.ID + "/ballots"
	rankings := []string{`{"ranking":["o1","o2","o3"]}`, `{"ranking":["o2","o1"]}`, `{"ranking":["o4"]}`}
	postConcurrently(b, clients, url, 201, func(k int, i int64) (string, string) {
		return tokens[k], rankings[int(i)%len(rankings)]
	})
	r, _ := gs.Result(p.ID)
	if r.Ballots != min(clients, b.N) {
		out, _ := json.Marshal(r)
		b.Fatalf("%d ballots counted after %d casts by %d voters: %s", r.Ballots, b.N, clients, out)
	}
}
