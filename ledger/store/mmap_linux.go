//go:build linux

package store

import (
	"os"
	"syscall"
)

// dropMapped tells the kernel this process no longer needs the pages of
// the store file it has mapped, so a check that reads the whole file end
// to end (verify) keeps its resident memory to what it holds, not the size
// of the file. bbolt maps the file read-only and shared: dropped pages come
// back from the page cache on the next read. Only for a read-only store,
// which nothing remaps: a remap could hand the old address range to other
// memory.
func (db *DB) dropMapped() {
	if !db.readOnly {
		return
	}
	fi, err := os.Stat(db.bolt.Path())
	if err != nil || fi.Size() == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, db.bolt.Info().Data, uintptr(fi.Size()), syscall.MADV_DONTNEED)
}
