package ui_test

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	"github.com/coopledger/coopledger/ui"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	bolt "go.etcd.io/bbolt"
)

// benchClients is the concurrency of the group-commit comparison; the raw
// reference uses the same number of writers with MaxBatchSize equal to it.
const benchClients = 32

// BenchmarkLogTimeHTTP logs one time entry per operation through the real
// HTTP API on a 127.0.0.1 listener, each a durable commit (bbolt fsyncs
// every commit), at 1 and 32 concurrent clients. Compare with
// BenchmarkRawBoltBatch in the same run:
//
//	go test ./ui -run '^$' -bench 'LogTimeHTTP|RawBoltBatch' -benchtime 3s
//
// With clients=32 every client is a different member, so each entry of a
// commit lands in its own member's page of the member index; the
// members=1 run (one member's import script on 32 connections) shows the
// cost without that spread.
func BenchmarkLogTimeHTTP(b *testing.B) {
	defer ui.TuneGC()() // as serve runs
	for _, clients := range []int{1, benchClients} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchLogTime(b, clients, clients)
		})
	}
	b.Run(fmt.Sprintf("clients=%d/members=1", benchClients), func(b *testing.B) {
		benchLogTime(b, benchClients, 1)
	})
}

func benchLogTime(b *testing.B, clients, members int) {
	url, request := logTimeServer(b, clients, members)
	postConcurrently(b, clients, url, 201, request)
}

// logTimeServer serves the API on 127.0.0.1 over a fresh store with
// members members, each with an API token, for the test's lifetime, and
// returns the time-entries URL and the request client k sends as the i-th
// write: one minute on a date that keeps every member's days well under
// 24 h.
func logTimeServer(b *testing.B, clients, members int) (string, func(k int, i int64) (token, body string)) {
	db := benchDB(b)
	circle := storetest.MustCircle(b, db, "tech").ID
	_, tokens := benchMembers(b, db, members, "Bench")
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		b.Fatal(err)
	}
	url := listen(b, app) + "/api/v1/time-entries"
	perDay := 4 * (clients / members) // entries a member logs a day, well under 24 h
	return url, func(k int, i int64) (token, body string) {
		// Members log in date order from 2020 on.
		day := int(i) / (perDay * members)
		date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format(ledger.DateLayout)
		return tokens[k%members], `{"date":"` + date + `","minutes":1,"circle_id":"` + circle + `","task":"benchmark entry","note":"load"}`
	}
}

// benchDB opens a store for the write benchmarks, closed when the
// benchmark ends: its clock fixed at the end of 2025, group commit tuned
// for benchClients writers.
func benchDB(b *testing.B) *store.DB {
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{
		Now: func() time.Time { return now }, MaxBatchSize: benchClients, MaxBatchDelay: time.Millisecond,
		Password: store.PasswordParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// benchMembers adds n members named "<who> 0" … in one transaction, each
// with an API token, and returns them and their tokens.
func benchMembers(b *testing.B, db *store.DB, n int, who string) ([]ledger.Member, []string) {
	ms, tokens := make([]ledger.Member, n), make([]string, n)
	err := db.Update(func(tx *store.Tx) error {
		for i := range ms {
			name, email, joined := fmt.Sprintf("%s %d", who, i), fmt.Sprintf("%s%d@example.org", strings.ToLower(who), i), "2020-01-01"
			var err error
			if ms[i], err = tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined}); err != nil {
				return err
			}
			if tokens[i], err = tx.CreateAPIToken(ledger.System, ms[i].ID, "bench"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ms, tokens
}

// postConcurrently runs b.N POSTs to url from clients goroutines, each
// with its own connection, the i-th (from 1) authenticated and shaped by
// request(k, i) for client k; every answer must have status want. It
// times only the requests and reports writes/s.
func postConcurrently(b *testing.B, clients int, url string, want int, request func(k int, i int64) (token, body string)) {
	b.Helper()
	b.ResetTimer()
	err := postN(clients, url, want, 0, int64(b.N), request)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// postN sends requests from+1 … from+n to url from clients goroutines,
// each with its own connection, shaped by request(k, i) for client k;
// every answer must have status want.
func postN(clients int, url string, want int, from, n int64, request func(k int, i int64) (token, body string)) error {
	client := &fasthttp.Client{MaxConnsPerHost: clients * 2}
	var next atomic.Int64
	next.Store(from)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for k := 0; k < clients; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for i := next.Add(1); i <= from+n; i = next.Add(1) {
				token, body := request(k, i)
				req.Reset()
				req.SetRequestURI(url)
				req.Header.SetMethod("POST")
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.SetContentType("application/json")
				req.SetBodyString(body)
				if err := client.Do(req, resp); err != nil {
					errs <- err
					return
				}
				if resp.StatusCode() != want {
					errs <- fmt.Errorf("status %d: %s", resp.StatusCode(), resp.Body())
					return
				}
			}
		}(k)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkRawBoltBatch is the reference: 32 goroutines each doing
// db.Batch puts of a value the size of a stored time entry, with group
// commit tuned (MaxBatchSize = writers, MaxBatchDelay = 1 ms).
func BenchmarkRawBoltBatch(b *testing.B) {
	defer ui.TuneGC()() // as serve runs
	db := rawBolt(b)
	b.ResetTimer()
	err := rawBatchN(db, int64(b.N))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// rawBolt opens the reference's bbolt file for the test's lifetime, with
// group commit tuned: MaxBatchSize = writers, MaxBatchDelay 1 ms.
func rawBolt(b *testing.B) *bolt.DB {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.MaxBatchSize = benchClients
	db.MaxBatchDelay = time.Millisecond
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		b.Fatal(err)
	}
	return db
}

// rawBatchN makes n durable puts of a 420-byte value (a stored time
// entry's size) from benchClients goroutines through db.Batch.
func rawBatchN(db *bolt.DB, n int64) error {
	value := make([]byte, 420)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchClients)
	for k := 0; k < benchClients; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= n {
				err := db.Batch(func(tx *bolt.Tx) error {
					bk := tx.Bucket([]byte("b"))
					seq, err := bk.NextSequence()
					if err != nil {
						return err
					}
					return bk.Put(binary.BigEndian.AppendUint64(nil, seq), value)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkLogTimeVsRaw is BenchmarkLogTimeHTTP at 32 clients and
// BenchmarkRawBoltBatch in one benchmark, taking turns in four slices
// each, as `coopledger bench` does, so a change in the machine's load
// during the run weighs on the API and its reference alike. It reports
// both rates and the API's as a share of the reference's:
//
//	go test ./ui -run '^$' -bench LogTimeVsRaw -benchtime 3s
func BenchmarkLogTimeVsRaw(b *testing.B) {
	defer ui.TuneGC()() // as serve runs
	url, request := logTimeServer(b, benchClients, benchClients)
	raw := rawBolt(b)
	const slices = 4
	per := max(int64(b.N)/slices, 1)
	var api, ref time.Duration
	b.ResetTimer()
	for s := int64(0); s < slices; s++ {
		start := time.Now()
		if err := postN(benchClients, url, 201, s*per, per, request); err != nil {
			b.Fatal(err)
		}
		api += time.Since(start)
		start = time.Now()
		if err := rawBatchN(raw, per); err != nil {
			b.Fatal(err)
		}
		ref += time.Since(start)
	}
	b.StopTimer()
	apiRate := float64(slices*per) / api.Seconds()
	refRate := float64(slices*per) / ref.Seconds()
	b.ReportMetric(apiRate, "api-writes/s")
	b.ReportMetric(refRate, "raw-writes/s")
	b.ReportMetric(100*apiRate/refRate, "%-of-raw")
}

// BenchmarkReadsHTTP serves the JSON list of a month's entries and the
// timesheet page on a 127.0.0.1 listener to 32 concurrent clients, and for
// reference bare Fiber handlers returning a small JSON and the same
// entries as the list, as `coopledger bench` does (here on a smaller store: 40 members with about 500 entries
// each over two years). For profiles:
//
//	go test ./ui -run '^$' -bench ReadsHTTP -benchtime 2s -cpuprofile cpu.out
func BenchmarkReadsHTTP(b *testing.B) {
	defer ui.TuneGC()() // as serve runs
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{
		Now: func() time.Time { return now }, Password: store.PasswordParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const members, perMember = 40, 500
	ms := make([]ledger.Member, members)
	var token string
	err = db.Update(func(tx *store.Tx) error {
		c, err := tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"})
		if err != nil {
			return err
		}
		for i := range ms {
			name, email, joined := fmt.Sprintf("Reader %d", i), fmt.Sprintf("reader%d@example.org", i), "2020-01-01"
			if ms[i], err = tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined}); err != nil {
				return err
			}
		}
		one := int64(1)
		for k := range perMember {
			day := now.AddDate(0, 0, -k*730/perMember).Format(ledger.DateLayout)
			for _, m := range ms {
				in := ledger.TimeEntryInput{Date: day, Minutes: &one, CircleID: c.ID, Task: "preloaded entry", Note: "load"}
				if _, err := tx.LogTime(m, in); err != nil {
					return err
				}
			}
		}
		token, err = tx.CreateAPIToken(ledger.System, ms[0].ID, "bench")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	session, _, err := db.CreateSession(ms[0].ID, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		b.Fatal(err)
	}
	base := listen(b, app)
	month, err := db.TimeEntries(ms[0], store.EntryQuery{MemberID: ms[0].ID, Month: "2025-12"})
	if err != nil {
		b.Fatal(err)
	}
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/ping", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	bare.Get("/entries", func(c *fiber.Ctx) error { return c.JSON(month) })
	bareBase := listen(b, bare)
	for _, rd := range []struct {
		name, url string
		set       func(*fasthttp.Request)
	}{
		{"bare", bareBase + "/ping", func(*fasthttp.Request) {}},
		{"bare-list", bareBase + "/entries", func(*fasthttp.Request) {}},
		{"list", base + "/api/v1/time-entries?month=2025-12",
			func(r *fasthttp.Request) { r.Header.Set("Authorization", "Bearer "+token) }},
		{"timesheet", base + "/timesheet", func(r *fasthttp.Request) { r.Header.SetCookie(ui.SessionCookie, session) }},
	} {
		b.Run(rd.name, func(b *testing.B) {
			client := &fasthttp.Client{MaxConnsPerHost: benchClients * 2}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, benchClients)
			cpu0 := cpuTime()
			b.ResetTimer()
			for range benchClients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
					defer fasthttp.ReleaseRequest(req)
					defer fasthttp.ReleaseResponse(resp)
					req.SetRequestURI(rd.url)
					rd.set(req)
					for next.Add(1) <= int64(b.N) {
						if err := client.Do(req, resp); err != nil {
							errs <- err
							return
						}
						if resp.StatusCode() != 200 {
							errs <- fmt.Errorf("status %d: %.200s", resp.StatusCode(), resp.Body())
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			// CPU time of this process (server and clients) a request: less
			// swayed than req/s by other work on a shared machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/req")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
