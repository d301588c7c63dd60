package ui_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ui"
)

// TestMetrics_CountRequestsByRoute: /metrics reports requests by route
// template and status, their latency, the store's size and the Go runtime.
func TestMetrics_CountRequestsByRoute(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/api/v1/time-entries/e000001", "/api/v1/time-entries/e000002", "/api/v1/time-entries/e000999"} {
		f.do(t, "GET", path, "olga", "")
	}
	f.do(t, "GET", "/api/v1/me", "", "")
	status, body := f.do(t, "GET", "/metrics", "", "")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`coopledger_http_requests_total{method="GET",route="/api/v1/time-entries/:id",status="200"} 2`,
		`coopledger_http_requests_total{method="GET",route="/api/v1/time-entries/:id",status="404"} 1`,
		`coopledger_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`,
		`coopledger_http_request_duration_seconds_bucket{method="GET",route="/api/v1/time-entries/:id",le="+Inf"} 3`,
		"coopledger_store_bytes ", "go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "e000001") {
		t.Error("/metrics labels a route with an id")
	}
}

// TestAccessLog_RequestID: every request gets an X-Request-ID, and the
// access log line carries it.
func TestAccessLog_RequestID(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	app, err := ui.New(ui.Config{DB: f.db, AccessLog: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["olga"])
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("X-Request-ID")
	if id == "" {
		t.Fatal("no X-Request-ID")
	}
	line := logs.String()
	for _, want := range []string{"msg=request", "request_id=" + id, "route=/api/v1/me", "status=200"} {
		if !strings.Contains(line, want) {
			t.Errorf("access log lacks %q: %s", want, line)
		}
	}
}
