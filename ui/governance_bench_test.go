package ui_test

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
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
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{
		Now: func() time.Time { return now }, MaxBatchSize: benchClients, MaxBatchDelay: time.Millisecond,
		Password: store.PasswordParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tokens := make([]string, clients)
	var author ledger.Member
	err = db.Update(func(tx *store.Tx) error {
		for i := range tokens {
			name, email, joined := fmt.Sprintf("Voter %d", i), fmt.Sprintf("voter%d@example.org", i), "2020-01-01"
			m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
			if err != nil {
				return err
			}
			author = m
			if tokens[i], err = tx.CreateAPIToken(ledger.System, m.ID, "bench"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)
	defer app.Shutdown()
	url := "http://" + ln.Addr().String() + "/api/v1/polls/" + p.ID + "/ballots"
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
