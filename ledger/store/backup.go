package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
)

// backupLayout is the timestamp in a backup's file name. It is UTC so that
// names sort in the order they were taken, across DST changes too.
const backupLayout = "20060102-150405"

// backupName matches the files BackupTo writes and prunes; nothing else in
// the folder is ever deleted.
var backupName = regexp.MustCompile(`^coopledger-[0-9]{8}-[0-9]{6}\.db$`)

// BackupName is the file name of a backup taken at now:
// coopledger-YYYYMMDD-HHMMSS.db, in UTC.
func BackupName(now time.Time) string {
	return "coopledger-" + now.UTC().Format(backupLayout) + ".db"
}

// Backup writes a consistent snapshot of the whole file to w: what one
// read transaction sees (bbolt tx.WriteTo), while writers carry on. The
// snapshot is a store file in its own right; open it with Open.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupBytes is the snapshot for an admin to download (GET /api/v1/backup),
// held in memory: as many bytes as the file, allocated once from the
// transaction's size. Taking it in memory keeps the read transaction as
// short as the copy, rather than as long as the download: a long read
// transaction stops the file from growing (bbolt cannot remap it), which
// would stall every write behind a slow client. Anyone else gets
// ledger.ErrForbidden: the snapshot holds every member's record, password
// hash and token hash.
func (db *DB) BackupBytes(actor ledger.Member) ([]byte, error) {
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("backup: %w", ledger.ErrForbidden)
	}
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		buf := bytes.NewBuffer(make([]byte, 0, tx.Size()))
		if _, err := tx.WriteTo(buf); err != nil {
			return err
		}
		out = buf.Bytes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return out, nil
}

// BackupFile writes a snapshot to path atomically: into a temporary file in
// path's folder, synced to disk, then renamed over path. A crash leaves
// either the old path or the whole snapshot, never half a file; a failed
// backup leaves no temporary file behind. It replaces path if it exists:
// refusing to is the caller's call (the CLI's --force). The file is
// readable by its owner only, as it holds credentials.
func (db *DB) BackupFile(path string) (n int64, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".coopledger-*.tmp")
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if n, err = db.Backup(f); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	syncDir(dir)
	return n, nil
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems and platforms refuse to sync a folder, and the snapshot itself
// is already on disk by then.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// BackupTo writes a snapshot taken at now to dir as BackupName(now) (with
// BackupFile, so atomically), then deletes the oldest backups in dir beyond
// the keep newest, the new one included. Only files named like a backup
// are deleted, and never the one just written (even if a clock set back
// made older-looking names newer). A second backup in the same second
// replaces the first. When the backup is written but pruning fails, it
// returns the path and the error.
func (db *DB) BackupTo(dir string, keep int, now time.Time) (path string, err error) {
	if keep < 1 {
		return "", fmt.Errorf("backup to %s: keep %d: must be at least 1", dir, keep)
	}
	name := BackupName(now)
	path = filepath.Join(dir, name)
	if _, err := db.BackupFile(path); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return path, fmt.Errorf("prune backups in %s: %w", dir, err)
	}
	var old []string
	for _, e := range entries {
		if e.Type().IsRegular() && backupName.MatchString(e.Name()) && e.Name() != name {
			old = append(old, e.Name())
		}
	}
	slices.Sort(old) // oldest first: the names sort by time
	var errs []error
	for _, o := range old[:max(0, len(old)-(keep-1))] {
		if err := os.Remove(filepath.Join(dir, o)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return path, fmt.Errorf("prune backups in %s: %w", dir, err)
	}
	return path, nil
}
