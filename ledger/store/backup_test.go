package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

// openBackup opens a backup file read-only, as `coopledger restore` does,
// and checks it verifies; it is closed when the test ends.
func openBackup(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if r := db.Verify(); !r.OK() {
		t.Fatalf("backup does not verify: %+v", r)
	}
	return db
}

func TestBackup_WritesAStoreThatVerifies(t *testing.T) {
	db := storetest.OpenDB(t, now)
	storetest.SeedBooks(t, db)
	path := filepath.Join(t.TempDir(), "snap.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Backup(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != n || n == 0 {
		t.Fatalf("wrote %d bytes, file %v %v", n, fi, err)
	}
	b := openBackup(t, path)
	if r := b.Verify(); r.Transactions != 5 {
		t.Errorf("backup holds %d transactions, want 5", r.Transactions)
	}
	if storetest.Snapshot(t, b) != storetest.Snapshot(t, db) {
		t.Error("backup's content differs from the store's")
	}
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestBackup_FailingWriter(t *testing.T) {
	db := storetest.OpenDB(t, now)
	storetest.SeedBooks(t, db)
	// Failing in the first meta page, the second, and the data pages.
	// (bbolt formats the writer's error into its own rather than wrapping
	// it, so only the text survives.)
	for _, n := range []int{0, 5000, 3*4096 + 100} {
		if _, err := db.Backup(&failAfter{n: n}); err == nil || !strings.Contains(err.Error(), errDiskFull.Error()) {
			t.Errorf("writer failing after %d bytes: %v, want its error", n, err)
		}
	}
}

func TestBackupBytes_AdminOnly(t *testing.T) {
	db := storetest.OpenDB(t, now)
	alice := storetest.SeedBooks(t, db) // ops
	if _, err := db.BackupBytes(alice); !errors.Is(err, ledger.ErrForbidden) {
		t.Errorf("ops: %v, want ErrForbidden", err)
	}
	b, err := db.BackupBytes(ledger.System)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, buf.Bytes()) {
		t.Errorf("BackupBytes (%d bytes) differs from Backup (%d bytes)", len(b), buf.Len())
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestBackupTo_KeepsTheNewest(t *testing.T) {
	db := storetest.OpenDB(t, now)
	storetest.SeedBooks(t, db)
	dir := t.TempDir()
	// Files that are not backups are never pruned.
	for _, other := range []string{"notes.txt", "coopledger-latest.db", "coopledger-20200101-000000.db.bak"} {
		if err := os.WriteFile(filepath.Join(dir, other), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2024, 6, 1, 3, 0, 0, 0, time.UTC)
	var paths []string
	for day := range 5 {
		p, err := db.BackupTo(dir, 3, at.AddDate(0, 0, day))
		if err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		paths = append(paths, p)
	}
	want := []string{
		"coopledger-20200101-000000.db.bak", "coopledger-20240603-030000.db", "coopledger-20240604-030000.db",
		"coopledger-20240605-030000.db", "coopledger-latest.db", "notes.txt",
	}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
	if paths[4] != filepath.Join(dir, "coopledger-20240605-030000.db") {
		t.Errorf("path %s", paths[4])
	}
	if fi, err := os.Stat(paths[4]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v (%v), want 0600", fi.Mode(), err)
	}
	openBackup(t, paths[4])

	// A clock set back: the new backup is kept even though its name is
	// the oldest.
	p, err := db.BackupTo(dir, 2, at.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var backups []string
	for _, n := range listDir(t, dir) {
		if strings.HasSuffix(n, "-030000.db") {
			backups = append(backups, n)
		}
	}
	if want := []string{"coopledger-20230601-030000.db", "coopledger-20240605-030000.db"}; !slices.Equal(backups, want) || filepath.Base(p) != want[0] {
		t.Errorf("after a backup dated a year back: %v (wrote %s), want %v", backups, p, want)
	}
}

func TestBackupTo_Refusals(t *testing.T) {
	db := storetest.OpenDB(t, now)
	dir := t.TempDir()
	if _, err := db.BackupTo(dir, 0, now); err == nil || !strings.Contains(err.Error(), "keep 0") {
		t.Errorf("keep 0: %v", err)
	}
	if _, err := db.BackupTo(filepath.Join(dir, "missing"), 3, now); err == nil {
		t.Error("backup into a missing folder succeeded")
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("refused backups left %v", got)
	}
}
