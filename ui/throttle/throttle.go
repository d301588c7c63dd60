// Package throttle slows down password guessing: it counts failed
// sign-ins per key (an account's address, a client's IP) over a sliding
// window and says how long a key must wait once it has failed too often.
//
// Counts live in this process's memory only: a restart forgets them, and
// two servers on one store would count apart (Coopledger runs as one
// process, since bbolt allows one writer). That is enough to turn an
// online guessing attack from thousands of tries a minute into a handful
// per quarter hour.
package throttle

import (
	"sync"
	"time"
)

// maxKeys bounds memory: past it, expired keys are swept, and if that is
// not enough the key with the oldest failure is forgotten.
const maxKeys = 50_000

// Limiter allows Max failures per key within Window.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time // oldest first, at most max, none older than window
}

// New returns a limiter of max failures per window, reading time from now
// (time.Now when nil).
func New(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// Wait returns how long key must wait before its next try: 0 when it may
// try now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.prune(key, now)
	if len(fs) < l.max {
		return 0
	}
	return fs[0].Add(l.window).Sub(now)
}

// Fail records a failed try by key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.prune(key, now)
	if fs == nil && len(l.fails) >= maxKeys {
		l.makeRoom(now)
	}
	fs = append(fs, now)
	if len(fs) > l.max {
		fs = fs[len(fs)-l.max:]
	}
	l.fails[key] = fs
}

// Reset forgets key's failures (after it signs in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// prune drops key's failures older than the window.
func (l *Limiter) prune(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && !now.Before(fs[i].Add(l.window)) {
		i++
	}
	if i == len(fs) {
		delete(l.fails, key)
		return nil
	}
	fs = fs[i:]
	l.fails[key] = fs
	return fs
}

func (l *Limiter) makeRoom(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k := range l.fails {
		fs := l.prune(k, now)
		if fs != nil && (oldestKey == "" || fs[len(fs)-1].Before(oldest)) {
			oldestKey, oldest = k, fs[len(fs)-1]
		}
	}
	if len(l.fails) >= maxKeys {
		delete(l.fails, oldestKey)
	}
}
