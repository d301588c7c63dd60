package store

import (
	"bytes"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// decodeCache keeps decoded copies of small, often-read records (members,
// circles, entries, sessions, API tokens) keyed by their stored bytes: a hit needs the record's current
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

// DecodeCache is the same cache for the records of packages that keep
// their buckets in this file (governance's polls). A hit is the copy it
// was given: a T holding slices or maps must be copied by the caller.
type DecodeCache[T any] struct{ c decodeCache[T] }

// Get returns the decoded copy of the record at key, if raw is still what
// it was decoded from. A nil cache has nothing.
func (d *DecodeCache[T]) Get(key, raw []byte) (T, bool) {
	if d == nil {
		var zero T
		return zero, false
	}
	return d.c.get(key, raw)
}

// Put remembers v as the decoded raw at key; a nil cache keeps nothing.
func (d *DecodeCache[T]) Put(key, raw []byte, v T) {
	if d != nil {
		d.c.put(key, raw, v)
	}
}

// getCached is get through c: the record at key in b, decoded or the
// cached copy of it, and false when there is none. T must hold no slices,
// maps or pointers, since every caller gets the same copy.
func getCached[T any](c *decodeCache[T], b *bolt.Bucket, key []byte) (T, bool, error) {
	var v T
	raw := b.Get(key)
	if raw == nil {
		return v, false, nil
	}
	if v, ok := c.get(key, raw); ok {
		return v, true, nil
	}
	if err := jsonUnmarshal(raw, &v); err != nil {
		return v, true, fmt.Errorf("record %x: %w", key, err)
	}
	c.put(key, raw, v)
	return v, true, nil
}
