package store

import (
	"bytes"
	"sync"
)

// decodeCache keeps decoded copies of small, often-read records (members,
// circles) keyed by their stored bytes: a hit needs the record's current
// bytes to equal the cached ones, so it can never be stale, even across
// rolled-back transactions. It spares every time entry a JSON decode of
// its member and circle inside the write transaction, where work is serial.
type decodeCache[T any] struct {
	mu sync.RWMutex
	m  map[string]cachedRecord[T]
}

type cachedRecord[T any] struct {
	raw []byte
	v   T
}

// maxCached bounds the cache; when it is full it starts afresh, so what
// is read now is cached again at the cost of one decode each.
const maxCached = 20_000

func (c *decodeCache[T]) get(key []byte, raw []byte) (T, bool) {
	c.mu.RLock()
	r, ok := c.m[string(key)]
	c.mu.RUnlock()
	if ok && bytes.Equal(r.raw, raw) {
		return r.v, true
	}
	var zero T
	return zero, false
}

func (c *decodeCache[T]) put(key []byte, raw []byte, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedRecord[T]{}
	}
	if len(c.m) >= maxCached {
		c.m = map[string]cachedRecord[T]{}
	}
	c.m[string(key)] = cachedRecord[T]{raw: bytes.Clone(raw), v: v}
}
