//go:build !linux

package store

// dropMapped is a no-op where madvise is not wired up: the OS reclaims
// mapped pages under pressure anyway.
func (db *DB) dropMapped() {}
