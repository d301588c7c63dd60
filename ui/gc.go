package ui

import (
	"os"
	"runtime/debug"
)

// GCPercent is the Go collector's target that `coopledger serve` runs the
// app with (unless the GOGC environment variable says otherwise). The
// server's live heap is small (about 10 MiB, the store lives in bbolt's
// memory map), so letting the heap grow to four times the live data
// before collecting costs a few tens of MiB under load and saves most of
// the collector's work, which at 32 concurrent writers was a quarter of
// the server's CPU. An idle server's heap stays near its live data.
const GCPercent = 300

// TuneGC sets the collector to GCPercent unless GOGC is set, and returns
// a function that restores the previous setting (for benchmarks).
func TuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
