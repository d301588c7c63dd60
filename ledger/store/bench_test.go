package store_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
)

// BenchmarkLogTime logs time entries straight through the store, without
// HTTP, from 32 goroutines as 32 different members: the store's share of
// the API benchmark in package ui. It also reports how many pages each
// commit writes, which is what bounds group commit here: every entry
// lands in its member's leaf of the member index.
func BenchmarkLogTime(b *testing.B) {
	const writers = 32
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{
		Now: func() time.Time { return now }, MaxBatchSize: writers, MaxBatchDelay: time.Millisecond,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var circle string
	members := make([]ledger.Member, writers)
	err = db.Update(func(tx *store.Tx) error {
		c, err := tx.CreateCircle(ledger.System, ledger.CircleInput{Name: "tech"})
		if err != nil {
			return err
		}
		circle = c.ID
		for i := range members {
			name, email, joined := fmt.Sprintf("Bench %d", i), fmt.Sprintf("bench%d@example.org", i), "2020-01-01"
			if members[i], err = tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email, Joined: &joined}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	before := db.Bolt().Stats()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for k := 0; k < writers; k++ {
		wg.Add(1)
		go func(m ledger.Member) {
			defer wg.Done()
			one := int64(1)
			for n := 0; next.Add(1) <= int64(b.N); n++ {
				// Four entries a day in date order, as members log.
				date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/4).Format(ledger.DateLayout)
				if _, err := db.LogTime(m, ledger.TimeEntryInput{Date: date, Minutes: &one, CircleID: circle, Task: "benchmark entry"}); err != nil {
					b.Error(err)
					return
				}
			}
		}(members[k])
	}
	wg.Wait()
	b.StopTimer()
	after := db.Bolt().Stats()
	d := after.Sub(&before)
	commits := float64(b.N) / writers
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(d.TxStats.GetWrite())/commits, "pages/commit")
	b.ReportMetric(float64(d.TxStats.GetWriteTime().Microseconds())/commits, "write-µs/commit")
	b.ReportMetric(float64(d.TxStats.GetSpillTime().Microseconds())/commits, "spill-µs/commit")
	b.ReportMetric(b.Elapsed().Seconds()*1e6/commits, "µs/commit")
	b.ReportMetric(float64(after.FreelistInuse)/4096, "freelist-pages")
}
