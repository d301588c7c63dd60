package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopledger/coopledger/governance"
	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	bolt "go.etcd.io/bbolt"
)

// The crash test (issue 8): the real binary, under concurrent writers, is
// killed with SIGKILL at random moments; after each kill the store must
// hold every acknowledged write, no half of one, and pass every check.
//
// Every writer logs time entries and, every fourth write, votes for a
// request it has not voted for yet.
const (
	crashRounds  = 20
	crashWriters = 32
	// crashMaxPerRound bounds each writer's loop in one round, whatever
	// the timing.
	crashMaxPerRound = 2000
	// crashRequests is how many requests the writers vote on; a writer
	// that has voted for all of them only logs time entries.
	crashRequests = 400
)

func TestCrash_SIGKILLUnderConcurrentWrites(t *testing.T) {
	bin := buildCrashBinary(t)
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	circleID, members := seedCrashStore(t, dbPath)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COOPLEDGER_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("COOPLEDGER_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (rerun with COOPLEDGER_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: crashWriters, MaxConnsPerHost: crashWriters},
	}
	t.Cleanup(client.CloseIdleConnections)

	acked := map[string]string{} // entry id → task, over all rounds
	sent := map[string]bool{}    // every task ever sent
	written := make([]int, crashWriters)
	voted := make([]int, crashWriters) // requests each writer has voted for, in order
	var votes []crashVote              // acknowledged votes, over all rounds
	start := time.Now()
	for round := 0; round < crashRounds; round++ {
		delay := time.Duration(20+rng.IntN(131)) * time.Millisecond
		res := crashRound(t, bin, dbPath, client, round, delay, circleID, members, written, voted)
		for id, task := range res.acked {
			acked[id] = task
		}
		votes = append(votes, res.votes...)
		for _, task := range res.sent {
			sent[task] = true
		}
		stored := checkCrashStore(t, dbPath, round, acked, sent, members)
		storedVotes := checkCrashVotes(t, dbPath, round, votes)
		t.Logf("round %2d: killed after %3v, %4d sent, %4d acknowledged; store holds %d crash entries (%d acknowledged so far) and %d votes (%d acknowledged)",
			round, delay, len(res.sent), len(res.acked), stored, len(acked), storedVotes, len(votes))
		if t.Failed() {
			t.FailNow()
		}
	}
	if len(acked) == 0 || len(votes) == 0 {
		t.Fatalf("%d entries and %d votes acknowledged over all rounds: the test exercised too little", len(acked), len(votes))
	}

	out, err := exec.Command(bin, "verify", "--db", dbPath).CombinedOutput()
	if err != nil {
		t.Fatalf("coopledger verify after %d crashes: %v\n%s", crashRounds, err, out)
	}
	t.Logf("%d rounds in %v; %d writes acknowledged; coopledger verify: %s",
		crashRounds, time.Since(start).Round(time.Millisecond), len(acked), strings.TrimSpace(string(out)))
}

// buildCrashBinary builds this command once, for the test's lifetime.
func buildCrashBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the crash test needs the go command to build the server, and CI must run it: %v", err)
		}
		t.Skipf("go is not on PATH, so the server binary cannot be built: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "coopledger")
	began := time.Now()
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(began).Round(time.Millisecond))
	return bin
}

// crashMember is one writer's member and token.
type crashMember struct {
	ID, Token string
}

// seedCrashStore creates a circle and one member with an API token per
// writer, so no member's day ever nears 24 h, and closes the store.
func seedCrashStore(t *testing.T, path string) (string, []crashMember) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	circle, err := db.CreateCircle(ledger.System, ledger.CircleInput{Name: "Crash testers"})
	if err != nil {
		t.Fatal(err)
	}
	joined := time.Now().AddDate(0, 0, -400).Format(ledger.DateLayout)
	members := make([]crashMember, crashWriters)
	for w := range members {
		name, email := fmt.Sprintf("Writer %d", w), fmt.Sprintf("writer%d@example.org", w)
		m, err := db.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := db.CreateAPIToken(ledger.System, m.ID, "crash")
		if err != nil {
			t.Fatal(err)
		}
		members[w] = crashMember{ID: m.ID, Token: tok}
	}
	crashRequestIDs = nil
	err = db.Update(func(tx *store.Tx) error {
		gs := govstore.InTx(tx)
		author, err := tx.Member(members[0].ID)
		if err != nil {
			return err
		}
		for i := range crashRequests {
			r, err := gs.FileRequest(author, governance.RequestInput{Kind: governance.KindFeature, Title: fmt.Sprintf("Crash request %d", i)})
			if err != nil {
				return err
			}
			crashRequestIDs = append(crashRequestIDs, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return circle.ID, members
}

// crashRequestIDs are the requests seedCrashStore filed, in order.
var crashRequestIDs []string

// lockedBuffer collects a child's output while exec copies it in.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var runningAt = regexp.MustCompile(`Coopledger is running at (http://\S+) `)

type roundResult struct {
	acked map[string]string // id → task of every 2xx answer
	sent  []string          // every task sent, answered or not
	votes []crashVote       // every vote acknowledged
}

// crashVote is a member's vote for a request.
type crashVote struct{ member, request string }

// crashRound starts the server, lets the writers run for delay, kills the
// server with SIGKILL and returns what was sent and acknowledged.
func crashRound(t *testing.T, bin, dbPath string, client *http.Client, round int, delay time.Duration,
	circleID string, members []crashMember, written, voted []int) roundResult {
	t.Helper()
	var stdout, stderr lockedBuffer
	cmd := exec.Command(bin, "serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--scheduler=false")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// However the test ends, no server outlives it.
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })

	base := waitForServer(t, client, &stdout, &stderr, exited, round)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var killed atomic.Bool
	var mu sync.Mutex
	res := roundResult{acked: map[string]string{}}
	var problems []string
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	var wg sync.WaitGroup
	for w := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < crashMaxPerRound && ctx.Err() == nil; n++ {
				if n%4 == 3 && voted[w] < len(crashRequestIDs) {
					v := crashVote{members[w].ID, crashRequestIDs[voted[w]]}
					voted[w]++
					status, err := postVote(ctx, client, base, members[w].Token, v.request)
					switch {
					case err != nil && killed.Load():
						return
					case err != nil:
						problem("vote %v before the kill: %v", v, err)
						return
					case status != 200:
						problem("vote %v: status %d", v, status)
						return
					}
					mu.Lock()
					res.votes = append(res.votes, v)
					mu.Unlock()
					continue
				}
				task := fmt.Sprintf("crash-%d-%d-%d", round, w, n)
				// One minute on a day spread over the past 300 (each
				// writer logs at most a few per day), never today.
				date := time.Now().AddDate(0, 0, -(1 + written[w]%300)).Format(ledger.DateLayout)
				written[w]++
				body, _ := json.Marshal(map[string]any{"date": date, "minutes": 1, "circle_id": circleID, "task": task})
				mu.Lock()
				res.sent = append(res.sent, task)
				mu.Unlock()
				id, status, err := postEntry(ctx, client, base, members[w].Token, body)
				switch {
				case err != nil && killed.Load():
					return // the server is gone: the answer was lost, not refused
				case err != nil:
					problem("%s before the kill: %v", task, err)
					return
				case status < 200 || status > 299:
					problem("%s: status %d (%s)", task, status, id)
					return
				}
				mu.Lock()
				res.acked[id] = task
				mu.Unlock()
			}
		}()
	}

	time.Sleep(delay)
	killed.Store(true)
	if err := cmd.Process.Kill(); err != nil {
		t.Errorf("round %d: kill: %v", round, err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("round %d: the server did not exit after SIGKILL", round)
	}
	if ps := cmd.ProcessState; ps == nil || ps.Success() {
		t.Errorf("round %d: the server ended on its own (%v) before the kill\n%s", round, ps, stderr.String())
	}
	cancel()
	wg.Wait()
	client.CloseIdleConnections()
	for _, p := range problems {
		t.Errorf("round %d: %s", round, p)
	}
	return res
}

// waitForServer reads the address serve prints and polls /healthz with a
// short, bounded backoff.
func waitForServer(t *testing.T, client *http.Client, stdout, stderr *lockedBuffer, exited <-chan struct{}, round int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	pause := 2 * time.Millisecond
	base := ""
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("round %d: the server stopped while starting\n%s%s", round, stdout.String(), stderr.String())
		default:
		}
		if base == "" {
			if m := runningAt.FindStringSubmatch(stdout.String()); m != nil {
				base = m[1]
			}
		}
		if base != "" {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			cancel()
			if err == nil && resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(pause)
		pause = min(2*pause, 50*time.Millisecond)
	}
	t.Fatalf("round %d: the server did not answer /healthz within 20 s\n%s%s", round, stdout.String(), stderr.String())
	return ""
}

// postEntry logs one entry and returns its id (or the error body).
func postEntry(ctx context.Context, client *http.Client, base, token string, body []byte) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/time-entries", bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		// The status line came but the body did not: not an answer.
		return "", 0, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return string(raw), resp.StatusCode, nil
	}
	var e ledger.TimeEntry
	if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
		return "", 0, fmt.Errorf("unreadable 2xx answer %q: %v", raw, err)
	}
	return e.ID, resp.StatusCode, nil
}

// postVote votes for a request and returns the status.
func postVote(ctx context.Context, client *http.Client, base, token, request string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/requests/"+request+"/vote", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// checkCrashVotes checks the votes after a kill: every acknowledged vote is
// stored, each request's count matches its votes, and every stored vote has
// exactly one request.vote audit event and every event its vote. It
// returns how many votes are stored.
func checkCrashVotes(t *testing.T, path string, round int, acked []crashVote) int {
	t.Helper()
	db, err := store.Open(path, store.Options{Timeout: 2 * time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	defer db.Close()
	gs, err := govstore.New(db)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	events := map[crashVote]int{}
	err = db.Bolt().View(func(btx *bolt.Tx) error {
		return btx.Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			var ev store.AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return err
			}
			if ev.Action == "request.vote" {
				events[crashVote{ev.Actor, ev.Subject}]++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	perRequest := map[string]int{}
	for v, n := range events {
		perRequest[v.request]++
		if n != 1 {
			t.Errorf("round %d: %d request.vote events for %v, want 1", round, n, v)
		}
		if rv, err := gs.Request(ledger.Member{ID: v.member}, v.request); err != nil || !rv.Voted {
			t.Errorf("round %d: vote %v has its audit event but is not stored (%v)", round, v, err)
		}
	}
	for _, v := range acked {
		if events[v] != 1 {
			t.Errorf("round %d: acknowledged vote %v has %d audit events", round, v, events[v])
		}
	}
	stored := 0
	for _, id := range crashRequestIDs {
		r, err := gs.Request(ledger.Member{}, id)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if r.Votes != perRequest[id] {
			t.Errorf("round %d: request %s counts %d votes but has %d request.vote events", round, id, r.Votes, perRequest[id])
		}
		stored += r.Votes
	}
	return stored
}

// checkCrashStore opens the store read-write after a kill and checks it;
// it returns how many crash entries it holds.
func checkCrashStore(t *testing.T, path string, round int, acked map[string]string, sent map[string]bool, members []crashMember) int {
	t.Helper()
	db, err := store.Open(path, store.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("round %d: the store does not open after SIGKILL: %v", round, err)
	}
	defer db.Close()
	if err := db.CheckFile(); err != nil {
		t.Errorf("round %d: %v", round, err)
	}
	if _, err := db.VerifyAudit(); err != nil {
		t.Errorf("round %d: %v", round, err)
	}
	if _, err := db.VerifyJournal(); err != nil {
		t.Errorf("round %d: journal: %v", round, err)
	}

	// Every acknowledged write is there, as sent.
	err = db.View(func(tx *store.Tx) error {
		for id, task := range acked {
			e, err := tx.TimeEntry(id)
			if err != nil {
				t.Errorf("round %d: acknowledged entry %s (%s) is missing: %v", round, id, task, err)
				continue
			}
			if e.Task != task || e.Minutes != 1 {
				t.Errorf("round %d: entry %s holds task %q, %d min; acknowledged %q, 1 min", round, id, e.Task, e.Minutes, task)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// No partial write: each crash entry has both its indexes and exactly
	// one entry.create event, and each such event has its entry.
	memberSeq := map[string]uint64{}
	for _, m := range members {
		n, err := strconv.ParseUint(strings.TrimLeft(m.ID, "abcdefghijklmnopqrstuvwxyz"), 10, 64)
		if err != nil {
			t.Fatalf("member id %q: %v", m.ID, err)
		}
		memberSeq[m.ID] = n
	}
	stored := 0
	err = db.Bolt().View(func(btx *bolt.Tx) error {
		events := map[string]int{} // entry id → entry.create events
		err := btx.Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			var ev store.AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("audit record: %w", err)
			}
			if ev.Action == "entry.create" {
				events[ev.Subject]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		// The member index keeps its newest keys in a bucket of their own.
		byDate, byMember, byMemberNew := btx.Bucket([]byte("entries_date")), btx.Bucket([]byte("entries_member")),
			btx.Bucket([]byte("entries_member_new"))
		tasks := map[string]string{}
		err = btx.Bucket([]byte("entries")).ForEach(func(k, v []byte) error {
			var e ledger.TimeEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry record %x: %w", k, err)
			}
			n := events[e.ID]
			delete(events, e.ID)
			if !strings.HasPrefix(e.Task, "crash-") {
				return nil
			}
			stored++
			if !sent[e.Task] {
				t.Errorf("round %d: entry %s holds task %q, which no writer sent", round, e.ID, e.Task)
			}
			if other, dup := tasks[e.Task]; dup {
				t.Errorf("round %d: task %q stored twice, as %s and %s", round, e.Task, other, e.ID)
			}
			tasks[e.Task] = e.ID
			if n != 1 {
				t.Errorf("round %d: entry %s (%s) has %d entry.create audit events, want 1", round, e.ID, e.Task, n)
			}
			if byDate.Get(append([]byte(e.Date), k...)) == nil {
				t.Errorf("round %d: entry %s is missing from the date index", round, e.ID)
			}
			mseq, ok := memberSeq[e.MemberID]
			if !ok {
				t.Errorf("round %d: entry %s belongs to %s, not a crash writer", round, e.ID, e.MemberID)
				return nil
			}
			key := binary.BigEndian.AppendUint64(nil, mseq)
			key = append(append(key, e.Date...), k...)
			if byMember.Get(key) == nil && byMemberNew.Get(key) == nil {
				t.Errorf("round %d: entry %s is missing from the member index", round, e.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id, n := range events {
			t.Errorf("round %d: %d entry.create audit events for %s, which is not stored", round, n, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if stored < len(acked) {
		t.Errorf("round %d: %d crash entries stored, fewer than the %d acknowledged", round, stored, len(acked))
	}
	return stored
}
