package main

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBench_TinyRun_ReportsEveryFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("bench runs for a few seconds")
	}
	out, _, err := run(t, "bench", "--duration", "200ms", "--entries", "2000", "--writers", "4", "--out", "json")
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	// Every number in the output, however deep, is a measured figure or a
	// setting and must be positive.
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case float64:
			if !(v > 0) {
				t.Errorf("%s = %v, want > 0", path, v)
			}
		default:
			t.Errorf("%s = %v (%T), want a number", path, v, v)
		}
	}
	walk("", raw)

	var r benchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Writers != 4 || r.Entries != 2000 || r.DurationMs != 200 {
		t.Errorf("settings echoed as %d writers, %d entries, %v ms", r.Writers, r.Entries, r.DurationMs)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"writes ratio", r.Writes.HTTP.Ratio, r.Writes.HTTP.PerSec / r.Writes.Raw.PerSec},
		{"json list ratio", r.Reads.JSONList.Ratio, r.Reads.JSONList.PerSec / r.Reads.BareList.PerSec},
		{"dashboard ratio", r.Reads.Dashboard.Ratio, r.Reads.Dashboard.PerSec / r.Reads.BareList.PerSec},
		{"json list ratio to the small JSON", r.Reads.JSONList.RatioSmall, r.Reads.JSONList.PerSec / r.Reads.Bare.PerSec},
		{"dashboard ratio to the small JSON", r.Reads.Dashboard.RatioSmall, r.Reads.Dashboard.PerSec / r.Reads.Bare.PerSec},
	} {
		if !(f.got > 0) || math.Abs(f.got-f.want) > 1e-9*f.want {
			t.Errorf("%s = %v, want %v (from the figures)", f.name, f.got, f.want)
		}
	}
	for name, p99 := range map[string]float64{"bare": r.Reads.Bare.P99Ms, "bare list": r.Reads.BareList.P99Ms, "json list": r.Reads.JSONList.P99Ms, "dashboard": r.Reads.Dashboard.P99Ms} {
		if !(p99 > 0) {
			t.Errorf("%s p99 = %v, want > 0", name, p99)
		}
	}
	if !(r.RSSMiB > 0) || !(r.StartupMs > 0) || !(r.PreloadMs > 0) {
		t.Errorf("rss %v MiB, start-up %v ms, preload %v ms; want all > 0", r.RSSMiB, r.StartupMs, r.PreloadMs)
	}
}

func TestBench_TextOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("bench runs for a few seconds")
	}
	out, _, err := run(t, "bench", "--duration", "50ms", "--entries", "100", "--writers", "2")
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	for _, want := range []string{"raw bbolt", "API durable writes", "bare Fiber", "JSON list", "dashboard", "RSS", "start-up"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestBench_BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--writers", "0"}, {"--duration", "0s"}, {"--entries", "0"}, {"--out", "xml"},
	} {
		_, _, err := run(t, append([]string{"bench"}, args...)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("bench %v: err %v, want a usage error", args, err)
		}
	}
}
