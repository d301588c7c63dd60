package throttle

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter_SlidingWindow(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	l := New(3, 15*time.Minute, func() time.Time { return now })
	for i := range 3 {
		if w := l.Wait("a"); w != 0 {
			t.Fatalf("try %d: wait %s, want none", i+1, w)
		}
		l.Fail("a")
		now = now.Add(time.Minute)
	}
	// Failures at 12:00, 12:01, 12:02; it is 12:03.
	if w := l.Wait("a"); w != 12*time.Minute {
		t.Fatalf("wait after 3 failures = %s, want 12m (until the first is 15 minutes old)", w)
	}
	if w := l.Wait("b"); w != 0 {
		t.Fatalf("another key waits %s", w)
	}
	now = now.Add(12 * time.Minute)
	if w := l.Wait("a"); w != 0 {
		t.Fatalf("wait once the first failure aged out = %s", w)
	}
	l.Fail("a")
	if w := l.Wait("a"); w != time.Minute {
		t.Fatalf("wait = %s, want 1m (until 12:16)", w)
	}
	l.Reset("a")
	if w := l.Wait("a"); w != 0 {
		t.Fatalf("wait after reset = %s", w)
	}
}

func TestLimiter_BoundedMemory(t *testing.T) {
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	l := New(2, time.Minute, func() time.Time { return now })
	for i := range maxKeys + 10 {
		l.Fail(fmt.Sprint("k", i))
	}
	if n := len(l.fails); n > maxKeys {
		t.Fatalf("%d keys kept, want at most %d", n, maxKeys)
	}
	now = now.Add(time.Minute)
	l.Fail("late")
	if n := len(l.fails); n != 1 {
		t.Fatalf("%d keys after the window passed and a sweep, want 1", n)
	}
}
