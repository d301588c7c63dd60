package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
	bolt "go.etcd.io/bbolt"
)

// contentOf is the logical content of the store file at path (see
// storetest.Snapshot), read with the file opened read-only.
func contentOf(t *testing.T, path string) string {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	return storetest.Snapshot(t, db)
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBackup_ThenRestore(t *testing.T) {
	path := booksDB(t)
	dir := t.TempDir()
	bak := filepath.Join(dir, "coop-backup.db")
	out, _, err := run(t, "backup", "--db", path, "--out", bak)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if want := fmt.Sprintf("to %s: schema version %d", bak, store.SchemaVersion); !strings.Contains(out, want) {
		t.Errorf("backup output lacks %q: %s", want, out)
	}
	if contentOf(t, bak) != contentOf(t, path) {
		t.Fatal("the backup's content differs from the store's")
	}

	restored := filepath.Join(dir, "restored.db")
	out, _, err = run(t, "restore", "--db", restored, "--from", bak)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	for _, want := range []string{"ok    file", "ok    audit", "ok    journal: 5 transactions",
		fmt.Sprintf("Restored %s from %s: schema version %d,", restored, bak, store.SchemaVersion), "audit events, 5 transactions ("} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output lacks %q:\n%s", want, out)
		}
	}
	if contentOf(t, restored) != contentOf(t, path) {
		t.Error("the restored store differs from the original")
	}
	if out, _, err := run(t, "verify", "--db", restored); err != nil {
		t.Errorf("verify the restored store: %v\n%s", err, out)
	}
	// Nothing but the files asked for: no temporary files left behind.
	es, _ := os.ReadDir(dir)
	if len(es) != 2 {
		t.Errorf("folder holds %d files, want the backup and the restored store", len(es))
	}
}

func TestBackup_Refusals(t *testing.T) {
	path := booksDB(t)
	bak := filepath.Join(t.TempDir(), "bak.db")
	if err := os.WriteFile(bak, []byte("older backup"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, _, err := run(t, "backup", "--db", path)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--out is required") {
		t.Errorf("without --out: %v, want a usage error", err)
	}
	_, _, err = run(t, "backup", "--db", path, "--out", bak)
	if err == nil || !strings.Contains(err.Error(), "pass --force") {
		t.Errorf("onto an existing file: %v, want a refusal naming --force", err)
	}
	if string(fileBytes(t, bak)) != "older backup" {
		t.Error("a refused backup changed --out")
	}
	_, _, err = run(t, "backup", "--db", path, "--out", path, "--force")
	if err == nil || exitCode(err) != 2 {
		t.Errorf("onto the store itself: %v, want a usage error", err)
	}
	_, _, err = run(t, "backup", "--db", filepath.Join(t.TempDir(), "missing.db"), "--out", filepath.Join(t.TempDir(), "x.db"))
	if err == nil {
		t.Error("backup of a missing store succeeded")
	}

	// While serve holds the store.
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, "backup", "--db", path, "--out", bak, "--force")
	db.Close()
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "/api/v1/backup") {
		t.Errorf("while serve runs: %v, want ErrLocked pointing at the API", err)
	}

	if _, _, err := run(t, "backup", "--db", path, "--out", bak, "--force"); err != nil {
		t.Fatalf("with --force: %v", err)
	}
	if contentOf(t, bak) != contentOf(t, path) {
		t.Error("--force did not replace the old backup with the store's content")
	}
}

func TestRestore_Refusals(t *testing.T) {
	good := booksDB(t)
	dir := t.TempDir()
	bak := filepath.Join(dir, "bak.db")
	if _, _, err := run(t, "backup", "--db", good, "--out", bak); err != nil {
		t.Fatal(err)
	}
	// target is an existing store with other content: one member.
	target := filepath.Join(dir, "coop.db")
	db, err := store.Open(target, storetest.Options(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustMember(t, db, "Zed", "zed@example.org", nil, nil)
	db.Close()
	// Content, not bytes: opening a store read-write (serve, below) commits
	// a transaction even when it changes nothing.
	before := contentOf(t, target)
	unchanged := func(what string) {
		t.Helper()
		if contentOf(t, target) != before {
			t.Fatalf("%s changed --db", what)
		}
	}

	_, _, err = run(t, "restore", "--db", target)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--from is required") {
		t.Errorf("without --from: %v, want a usage error", err)
	}
	_, _, err = run(t, "restore", "--db", target, "--from", bak)
	if err == nil || !strings.Contains(err.Error(), "pass --force") {
		t.Errorf("onto an existing store: %v, want a refusal naming --force", err)
	}
	unchanged("a refusal without --force")

	// A broken backup: an audit event altered after the fact.
	broken := filepath.Join(dir, "broken.db")
	if _, _, err := run(t, "backup", "--db", good, "--out", broken); err != nil {
		t.Fatal(err)
	}
	tamper(t, broken, "audit", []byte("journal.post"), []byte("journal.pass"))
	out, _, err := run(t, "restore", "--db", target, "--from", broken, "--force")
	if err == nil || !strings.Contains(err.Error(), "failed verification") || !strings.Contains(out, "FAIL  audit") {
		t.Errorf("a broken backup: %v\n%s\nwant a refusal saying why", err, out)
	}
	unchanged("a broken backup")

	notStore := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notStore, bytes.Repeat([]byte("not a store "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "restore", "--db", target, "--from", notStore, "--force"); err == nil {
		t.Error("restoring from a file that is not a store succeeded")
	}
	if _, _, err := run(t, "restore", "--db", target, "--from", filepath.Join(dir, "missing.db"), "--force"); err == nil {
		t.Error("restoring from a missing file succeeded")
	}
	unchanged("a backup that is no store")

	// While serve holds --db, even --force is refused.
	held, err := store.Open(target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, "restore", "--db", target, "--from", bak, "--force")
	held.Close()
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("while serve runs: %v, want ErrLocked", err)
	}
	unchanged("a restore while serve runs")

	if out, _, err := run(t, "restore", "--db", target, "--from", bak, "--force"); err != nil {
		t.Fatalf("with --force: %v\n%s", err, out)
	}
	if contentOf(t, target) != contentOf(t, good) {
		t.Error("--force did not replace the store with the backup")
	}
}

// tamper replaces old with new in the first value of bucket that holds it.
func tamper(t *testing.T, path, bucket string, old, new []byte) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(bucket))
		c := bk.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if bytes.Contains(v, old) {
				return bk.Put(bytes.Clone(k), bytes.Replace(v, old, new, 1))
			}
		}
		return errors.New("nothing to tamper with")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServe_BackupFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never.db")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--backup-dir", filepath.Join(dir, "missing")}, "--backup-dir"},
		{[]string{"--backup-dir", path + "x"}, "--backup-dir"},
		{[]string{"--backup-dir", dir, "--backup-keep", "0"}, "--backup-keep"},
		{[]string{"--backup-dir", dir, "--backup-hour", "24"}, "--backup-hour"},
		{[]string{"--backup-dir", dir, "--scheduler=false"}, "--scheduler"},
	} {
		_, _, err := run(t, append([]string{"serve", "--db", path, "--addr", "127.0.0.1:0"}, c.args...)...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %v: %v, want a usage error naming %s", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a refused serve created the store")
	}

	_, _, errOut, stop := startServe(t, serveOptions{DB: booksDB(t), Scheduler: true, CloseTZ: "UTC", CloseHour: 6,
		BackupDir: dir, BackupKeep: 7, BackupHour: 3})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="daily backups scheduled" component=scheduler job=backup next_run=`, "dir=" + dir, "keep=7"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, errOut)
		}
	}
}
