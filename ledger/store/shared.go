package store

import bolt "go.etcd.io/bbolt"

// These let packages that keep their own buckets in this file (governance)
// store records and ids exactly as this package does: JSON records, and
// fixed-width ids whose text order is creation order.

// FormatID writes the id of the seq-th record of a kind: prefix and at
// least six digits.
func FormatID(prefix string, seq uint64) string { return formatID(prefix, seq) }

// ParseID turns an id FormatID wrote back into its sequence number; ok is
// false for anything else, so one record never answers to two ids.
func ParseID(prefix, id string) (uint64, bool) { return parseID(prefix, id) }

// PutJSON stores v as JSON at key.
func PutJSON(b *bolt.Bucket, key []byte, v any) error { return put(b, key, v) }

// GetJSON decodes the record at key into v, reporting whether it exists.
func GetJSON(b *bolt.Bucket, key []byte, v any) (bool, error) { return get(b, key, v) }

// DecodeJSON decodes a stored record, wrapping the error with context.
func DecodeJSON(data []byte, v any) error { return jsonUnmarshal(data, v) }
