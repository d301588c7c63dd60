package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	bolt "go.etcd.io/bbolt"
)

const benchExamples = `  coopledger bench                             # defaults: 32 writers, 3 s a phase, 100,000 entries
  coopledger bench --entries 1000000           # the RSS target's store size
  coopledger bench --duration 200ms --entries 2000 --writers 4 --out json`

// benchOptions configure `bench`.
type benchOptions struct {
	Writers  int
	Duration time.Duration
	Entries  int
	Out      string
}

// benchRate is one measured target: requests (or writes) a second and,
// for reads, the 99th percentile latency.
type benchRate struct {
	PerSec float64 `json:"per_sec"`
	P99Ms  float64 `json:"p99_ms,omitempty"`
	// Ratio is PerSec over the phase's reference's PerSec.
	Ratio float64 `json:"ratio,omitempty"`
	// RatioSmall, for the list and the dashboard, is PerSec over the bare
	// handler's that returns a small JSON instead of the same entries.
	RatioSmall float64 `json:"ratio_vs_small_json,omitempty"`
}

// benchResult is what `bench` prints.
type benchResult struct {
	Writers    int     `json:"writers"`
	DurationMs float64 `json:"duration_ms"`
	Entries    int     `json:"entries"`
	Writes     struct {
		HTTP benchRate `json:"http"`
		Raw  benchRate `json:"raw_bolt"`
	} `json:"writes"`
	Reads struct {
		// BareList, the reference, returns the list's entries from memory;
		// Bare a small JSON.
		BareList  benchRate `json:"bare_fiber_list"`
		Bare      benchRate `json:"bare_fiber"`
		JSONList  benchRate `json:"json_list"`
		Dashboard benchRate `json:"dashboard"`
	} `json:"reads"`
	// ListEntries is how many entries the list, the dashboard and the
	// reference return.
	ListEntries int     `json:"list_entries"`
	PreloadMs   float64 `json:"preload_ms"`
	RSSMiB      float64 `json:"rss_mib"`
	RSSAnonMiB  float64 `json:"rss_anon_mib"`
	StartupMs   float64 `json:"startup_ms"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "Measure, on a fresh store in a temporary folder, durable writes/s through the API against raw bbolt,\n"+
		"read throughput and p99 of the JSON list and the dashboard against a bare Fiber handler, and the\n"+
		"start-up time and idle RSS of a coopledger serve started on the preloaded store.", benchExamples, stderr)
	o := benchOptions{}
	fs.IntVar(&o.Writers, "writers", 32, "concurrent clients (each a member with its own token) and raw bbolt writers")
	fs.DurationVar(&o.Duration, "duration", 3*time.Second, "length of each measured phase")
	fs.IntVar(&o.Entries, "entries", 100000, "time entries preloaded before the read phases")
	fs.StringVar(&o.Out, "out", "text", "output: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	defer ui.TuneGC()()
	switch {
	case o.Writers < 1:
		return usageError{fmt.Errorf("--writers must be at least 1, not %d", o.Writers)}
	case o.Duration <= 0:
		return usageError{fmt.Errorf("--duration must be positive, not %s", o.Duration)}
	case o.Entries < 1:
		return usageError{fmt.Errorf("--entries must be at least 1, not %d", o.Entries)}
	case o.Out != "text" && o.Out != "json":
		return usageError{fmt.Errorf("--out must be text or json, not %q", o.Out)}
	}
	dir, err := os.MkdirTemp("", "coopledger-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	r, err := bench(ctx, o, dir, stderr)
	if err != nil {
		return err
	}
	if o.Out == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printBench(stdout, r)
	return nil
}

// benchNow is the store's clock: the last day of a month, so the
// dashboard's month (the current one) is a full one.
var benchNow = time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)

// benchPerMember is about how many preloaded entries each member has (two
// years of about one a day), so a month's list is a realistic ~20 entries.
const benchPerMember = 500

// benchDays is how many days back from benchNow preloaded entries spread.
const benchDays = 730

func benchStoreOptions(writers int) store.Options {
	return store.Options{
		Now: func() time.Time { return benchNow }, MaxBatchSize: writers, MaxBatchDelay: time.Millisecond,
		// No one signs in with a password here.
		Password: store.PasswordParams{Memory: 64, Time: 1, Threads: 1},
	}
}

func bench(ctx context.Context, o benchOptions, dir string, log io.Writer) (*benchResult, error) {
	r := &benchResult{Writers: o.Writers, DurationMs: ms(o.Duration), Entries: o.Entries}
	path := filepath.Join(dir, "bench.db")
	opts := benchStoreOptions(o.Writers)
	db, err := store.Open(path, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()

	// Members: o.Writers writers with tokens; the preload's members, the
	// first of which is the reader, with a token and a session.
	preloadMembers := max(1, (o.Entries+benchPerMember-1)/benchPerMember)
	var circle string
	writerTokens := make([]string, o.Writers)
	readers := make([]ledger.Member, preloadMembers)
	var readToken string
	err = db.Update(func(tx *store.Tx) error {
		c, err := tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "bench"})
		if err != nil {
			return err
		}
		circle = c.ID
		newMember := func(name string) (ledger.Member, error) {
			email, joined := strings.ReplaceAll(strings.ToLower(name), " ", "")+"@example.org", "2020-01-01"
			return tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined})
		}
		for i := range writerTokens {
			m, err := newMember(fmt.Sprintf("Writer %d", i))
			if err != nil {
				return err
			}
			if writerTokens[i], err = tx.CreateAPIToken(ledger.System, m.ID, "bench"); err != nil {
				return err
			}
		}
		for i := range readers {
			if readers[i], err = newMember(fmt.Sprintf("Reader %d", i)); err != nil {
				return err
			}
		}
		readToken, err = tx.CreateAPIToken(ledger.System, readers[0].ID, "bench")
		return err
	})
	if err != nil {
		return nil, err
	}
	app, err := ui.New(ui.Config{DB: db})
	if err != nil {
		return nil, err
	}
	base, stopApp, err := listen(app)
	if err != nil {
		return nil, err
	}
	defer func() {
		if stopApp != nil {
			stopApp()
		}
	}()
	client := &fasthttp.Client{MaxConnsPerHost: o.Writers * 2}

	// 1. Durable writes through the API against raw bbolt db.Batch, taking
	// turns (see inTurns).
	fmt.Fprintf(log, "bench: writes through the API and raw bbolt db.Batch, %d clients, %s each\n", o.Writers, o.Duration)
	raw, closeRaw, err := benchRawBolt(ctx, filepath.Join(dir, "raw.db"), o.Writers)
	if err != nil {
		return nil, fmt.Errorf("raw bbolt: %w", err)
	}
	writes, err := inTurns(o.Duration, benchHTTPWrites(ctx, client, base, circle, writerTokens), raw)
	closeRaw()
	if err != nil {
		return nil, fmt.Errorf("writes: %w", err)
	}
	r.Writes.HTTP, r.Writes.Raw = writes[0].rate(), writes[1].rate()
	r.Writes.HTTP.Ratio = r.Writes.HTTP.PerSec / r.Writes.Raw.PerSec

	// Preload the entries the read phases and the idle server read.
	fmt.Fprintf(log, "bench: preloading %d entries for %d members\n", o.Entries, preloadMembers)
	start := time.Now()
	if err := benchPreload(db, readers, circle, o.Entries); err != nil {
		return nil, fmt.Errorf("preload: %w", err)
	}
	r.PreloadMs = ms(time.Since(start))

	// 2. Reads against bare Fiber handlers: the reference returns the same
	// entries as the list (the reader's this month, read once) with c.JSON,
	// with no store, authentication or middleware; another a small JSON.
	month := ledger.MonthOf(ledger.Today(db.Now()))
	monthEntries, err := db.TimeEntries(readers[0], store.EntryQuery{MemberID: readers[0].ID, Month: month})
	if err != nil {
		return nil, err
	}
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/entries", func(c *fiber.Ctx) error { return c.JSON(monthEntries) })
	bare.Get("/ping", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	bareBase, stopBare, err := listen(bare)
	if err != nil {
		return nil, err
	}
	defer stopBare()
	tok, _, err := db.CreateSession(readers[0].ID, time.Hour)
	if err != nil {
		return nil, err
	}
	reads := []struct {
		name string
		into *benchRate
		url  string
		set  func(*fasthttp.Request)
	}{
		{fmt.Sprintf("bare Fiber, the same %d entries", len(monthEntries)), &r.Reads.BareList, bareBase + "/entries",
			func(*fasthttp.Request) {}},
		{"bare Fiber, small JSON", &r.Reads.Bare, bareBase + "/ping", func(*fasthttp.Request) {}},
		{"GET /api/v1/time-entries?month=" + month, &r.Reads.JSONList, base + "/api/v1/time-entries?month=" + month,
			func(req *fasthttp.Request) { req.Header.Set("Authorization", "Bearer "+readToken) }},
		{"GET /timesheet", &r.Reads.Dashboard, base + "/timesheet",
			func(req *fasthttp.Request) { req.Header.SetCookie(ui.SessionCookie, tok) }},
	}
	phases := make([]benchPhase, len(reads))
	for i, rd := range reads {
		fmt.Fprintf(log, "bench: reads of %s, %d clients, %s\n", rd.name, o.Writers, o.Duration)
		phases[i] = benchReads(ctx, client, rd.url, rd.set, o.Writers)
	}
	tallies, err := inTurns(o.Duration, phases...)
	if err != nil {
		return nil, fmt.Errorf("reads: %w", err)
	}
	for i, rd := range reads {
		if *rd.into = tallies[i].rate(); rd.into.PerSec == 0 {
			return nil, fmt.Errorf("%s: no request finished in %s", rd.name, o.Duration)
		}
	}
	for _, rd := range []*benchRate{&r.Reads.JSONList, &r.Reads.Dashboard} {
		rd.Ratio = rd.PerSec / r.Reads.BareList.PerSec
		rd.RatioSmall = rd.PerSec / r.Reads.Bare.PerSec
	}
	r.ListEntries = len(monthEntries)

	// 3 and 4. A freshly started `coopledger serve` on the preloaded store
	// (this process has closed it): start-up to its first 200 on /healthz,
	// then its RSS while idle.
	stopApp()
	stopApp = nil
	if err := db.Close(); err != nil {
		return nil, err
	}
	db = nil
	fmt.Fprintf(log, "bench: start-up and idle RSS of coopledger serve on the preloaded store\n")
	if err := benchServe(ctx, path, r); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return r, nil
}

// benchServeEnv, set to 1, makes a test binary run as the coopledger
// command (main_child_test.go), so benchServe works under go test too.
const benchServeEnv = "COOPLEDGER_BENCH_SERVE"

// benchIdle is how long the started server idles before its RSS is read.
const benchIdle = time.Second

// benchServe starts this executable's `serve` on the store at path, times
// exec to its first 200 on /healthz, lets it idle and reads its RSS from
// /proc, then stops it.
func benchServe(ctx context.Context, path string, r *benchResult) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "serve", "--db", path, "--addr", "127.0.0.1:0",
		"--scheduler=false", "--access-log=false")
	cmd.Env = append(os.Environ(), benchServeEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		if cmd.Process.Signal(os.Interrupt) != nil {
			cmd.Process.Kill()
		}
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Coopledger is running at "); ok {
				addr <- strings.Fields(rest)[0]
			}
		}
		close(addr)
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(30 * time.Second):
	}
	if base == "" {
		return fmt.Errorf("no address announced within 30 s: %s", stderr.String())
	}
	for {
		status, _, err := fasthttp.Get(nil, base+"/healthz")
		if err == nil && status == fiber.StatusOK {
			r.StartupMs = ms(time.Since(start))
			break
		}
		if time.Since(start) > 30*time.Second {
			return fmt.Errorf("no 200 on /healthz after 30 s (status %d, %v): %s", status, err, stderr.String())
		}
		time.Sleep(100 * time.Microsecond)
	}
	time.Sleep(benchIdle)
	r.RSSMiB, r.RSSAnonMiB = rss(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	return nil
}

// listen serves app on a fresh 127.0.0.1 port.
func listen(app *fiber.App) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go app.Listener(ln)
	return "http://" + ln.Addr().String(), func() { app.ShutdownWithTimeout(5 * time.Second) }, nil
}

// benchPhase runs one kind of load for d and tallies it.
type benchPhase func(d time.Duration) (benchTally, error)

// benchTally is what phases measured: operations, the time they took, and
// each read's latency.
type benchTally struct {
	n       int64
	elapsed time.Duration
	lat     []time.Duration
}

func (t benchTally) rate() benchRate {
	if t.n == 0 || t.elapsed <= 0 {
		return benchRate{}
	}
	r := benchRate{PerSec: float64(t.n) / t.elapsed.Seconds()}
	if len(t.lat) > 0 {
		lat := slices.Clone(t.lat)
		slices.Sort(lat)
		r.P99Ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
	}
	return r
}

// benchSlices is how many slices each phase's time is cut into.
const benchSlices = 4

// inTurns runs phases for d each, one slice after another in turn, and
// returns their tallies: what is compared shares the machine's changing
// load (other programs, the garbage collector) alike, rather than one
// phase having a quiet second and the next a busy one.
func inTurns(d time.Duration, phases ...benchPhase) ([]benchTally, error) {
	out := make([]benchTally, len(phases))
	for range benchSlices {
		for i, phase := range phases {
			t, err := phase(d / benchSlices)
			if err != nil {
				return nil, err
			}
			out[i].n += t.n
			out[i].elapsed += t.elapsed
			out[i].lat = append(out[i].lat, t.lat...)
		}
	}
	return out, nil
}

// benchHTTPWrites has one client per token POST 1-minute entries for d at
// a time; each member logs at most a few a day, on dates from 2020 on.
func benchHTTPWrites(ctx context.Context, client *fasthttp.Client, base, circle string, tokens []string) benchPhase {
	url := base + "/api/v1/time-entries"
	var next atomic.Int64
	first := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	perDay := int64(4 * len(tokens))
	return func(d time.Duration) (benchTally, error) {
		var done atomic.Int64
		elapsed, err := forEachClient(ctx, len(tokens), d, func(k int, deadline time.Time) error {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				date := first.AddDate(0, 0, int(next.Add(1)/perDay)).Format(ledger.DateLayout)
				req.Reset()
				req.SetRequestURI(url)
				req.Header.SetMethod("POST")
				req.Header.Set("Authorization", "Bearer "+tokens[k])
				req.Header.SetContentType("application/json")
				req.SetBodyString(`{"date":"` + date + `","minutes":1,"circle_id":"` + circle + `","task":"benchmark entry","note":"load"}`)
				if err := client.Do(req, resp); err != nil {
					return err
				}
				if resp.StatusCode() != fiber.StatusCreated {
					return fmt.Errorf("status %d: %s", resp.StatusCode(), resp.Body())
				}
				done.Add(1)
			}
			return nil
		})
		return benchTally{n: done.Load(), elapsed: elapsed}, err
	}
}

// benchRawBolt is the reference: writers goroutines doing db.Batch puts of
// a 420-byte value (about a stored time entry) with group commit tuned
// (MaxBatchSize = writers, MaxBatchDelay = 1 ms), on a file of its own.
func benchRawBolt(ctx context.Context, path string, writers int) (benchPhase, func(), error) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, nil, err
	}
	db.MaxBatchSize = writers
	db.MaxBatchDelay = time.Millisecond
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		db.Close()
		return nil, nil, err
	}
	value := make([]byte, 420)
	phase := func(d time.Duration) (benchTally, error) {
		var done atomic.Int64
		elapsed, err := forEachClient(ctx, writers, d, func(_ int, deadline time.Time) error {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				err := db.Batch(func(tx *bolt.Tx) error {
					bk := tx.Bucket([]byte("b"))
					seq, err := bk.NextSequence()
					if err != nil {
						return err
					}
					key := make([]byte, 8)
					for i := range 8 {
						key[i] = byte(seq >> (56 - 8*i))
					}
					return bk.Put(key, value)
				})
				if err != nil {
					return err
				}
				done.Add(1)
			}
			return nil
		})
		return benchTally{n: done.Load(), elapsed: elapsed}, err
	}
	return phase, func() { db.Close() }, nil
}

// benchReads has clients GET url for d at a time, each request timed.
func benchReads(ctx context.Context, client *fasthttp.Client, url string, set func(*fasthttp.Request), clients int) benchPhase {
	return func(d time.Duration) (benchTally, error) {
		lat := make([][]time.Duration, clients)
		elapsed, err := forEachClient(ctx, clients, d, func(k int, deadline time.Time) error {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			set(req)
			for ctx.Err() == nil {
				t := time.Now()
				if !t.Before(deadline) {
					break
				}
				if err := client.Do(req, resp); err != nil {
					return err
				}
				lat[k] = append(lat[k], time.Since(t))
				if resp.StatusCode() != fiber.StatusOK {
					return fmt.Errorf("status %d: %.200s", resp.StatusCode(), resp.Body())
				}
			}
			return nil
		})
		all := slices.Concat(lat...)
		return benchTally{n: int64(len(all)), elapsed: elapsed, lat: all}, err
	}
}

// forEachClient runs n copies of fn until the deadline d from now and
// returns how long they took and the first error.
func forEachClient(ctx context.Context, n int, d time.Duration, fn func(k int, deadline time.Time) error) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	deadline := start.Add(d)
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(k, deadline); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return elapsed, ctx.Err()
}

// benchPreload logs n 1-minute entries for members, spread over the
// benchDays days up to benchNow, 20,000 to a transaction.
func benchPreload(db *store.DB, members []ledger.Member, circle string, n int) error {
	const perTx = 20000
	one := int64(1)
	perMember := (n + len(members) - 1) / len(members)
	for done := 0; done < n; {
		end := min(n, done+perTx)
		err := db.Update(func(tx *store.Tx) error {
			for i := done; i < end; i++ {
				m, k := members[i%len(members)], i/len(members)
				day := benchNow.AddDate(0, 0, -k*benchDays/perMember)
				in := ledger.TimeEntryInput{Date: day.Format(ledger.DateLayout), Minutes: &one,
					CircleID: circle, Task: "preloaded entry", Note: "load"}
				if _, err := tx.LogTime(m, in); err != nil {
					return fmt.Errorf("entry %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done = end
	}
	return nil
}

// rss reads a process's resident set (VmRSS) and its anonymous part
// (RssAnon: heap and stacks, not the mapped store file) in MiB from its
// /proc status file; 0 where /proc is missing.
func rss(status string) (total, anon float64) {
	f, err := os.Open(status)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			total = kb / 1024
		case "RssAnon:":
			anon = kb / 1024
		}
	}
	return total, anon
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printBench(w io.Writer, r *benchResult) {
	fmt.Fprintf(w, "coopledger bench: %d clients, %s a phase, %d entries preloaded in %.1f s\n\n",
		r.Writers, time.Duration(r.DurationMs*float64(time.Millisecond)), r.Entries, r.PreloadMs/1000)
	fmt.Fprintf(w, "%-46s %12s %10s %8s %10s\n", "what", "per second", "p99", "vs ref", "vs small")
	row := func(name string, b benchRate, ref bool) {
		p99, ratio, small := "", "", ""
		if b.P99Ms > 0 {
			p99 = fmt.Sprintf("%.2f ms", b.P99Ms)
		}
		if ref {
			ratio = "100%"
		} else if b.Ratio > 0 {
			ratio = fmt.Sprintf("%.0f%%", b.Ratio*100)
		}
		if b.RatioSmall > 0 {
			small = fmt.Sprintf("%.0f%%", b.RatioSmall*100)
		}
		fmt.Fprintf(w, "%-46s %12.0f %10s %8s %10s\n", name, b.PerSec, p99, ratio, small)
	}
	row("raw bbolt db.Batch writes (reference)", r.Writes.Raw, true)
	row("API durable writes (POST time-entries)", r.Writes.HTTP, false)
	row(fmt.Sprintf("bare Fiber, the same %d entries (reference)", r.ListEntries), r.Reads.BareList, true)
	row("bare Fiber, small JSON", r.Reads.Bare, false)
	row("JSON list (GET time-entries?month=)", r.Reads.JSONList, false)
	row("dashboard (GET /timesheet)", r.Reads.Dashboard, false)
	fmt.Fprintf(w, "\ncoopledger serve on the preloaded store, RSS idle %s after start: %.1f MiB (anonymous %.1f MiB)\n",
		benchIdle, r.RSSMiB, r.RSSAnonMiB)
	fmt.Fprintf(w, "start-up (exec of coopledger serve to first 200 on /healthz): %.1f ms\n", r.StartupMs)
}
