package ui_test

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

func TestAPI_Backup_Scenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "anonymous cannot download a backup", method: "GET", path: "/api/v1/backup", status: 401, want: []string{`"code":"unauthenticated"`}},
		{name: "ops cannot download a backup", method: "GET", path: "/api/v1/backup", actor: "olga", status: 403, want: []string{`"code":"forbidden"`}},
		{name: "the board cannot download a backup", method: "GET", path: "/api/v1/backup", actor: "bea", status: 403},
		{name: "a member cannot download a backup", method: "GET", path: "/api/v1/backup", actor: "mia", status: 403},
	}, nil)
}

// An admin downloads a snapshot that opens as a store, verifies and holds
// what the served store holds.
func TestAPI_Backup_AdminDownloadsAStore(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("GET", "/api/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["ada"])
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	for h, want := range map[string]string{
		"Content-Type":        "application/octet-stream",
		"Content-Disposition": `attachment; filename="coopledger-20240615-120000.db"`,
		"Cache-Control":       "no-store",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	path := filepath.Join(t.TempDir(), "download.db")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("the download does not open as a store: %v", err)
	}
	defer db.Close()
	if r := db.Verify(); !r.OK() || r.Events == 0 {
		t.Errorf("the download does not verify: %+v", r)
	}
	if storetest.Snapshot(t, db) != storetest.Snapshot(t, f.db) {
		t.Error("the download differs from the served store")
	}
}
