package ui_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// listen serves app on a 127.0.0.1 listener until the test ends (its
// cleanup shuts the app down before the store's, registered earlier,
// closes it) and returns the base URL.
func listen(tb testing.TB, app *fiber.App) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	tb.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// announceBody serves app and sends it only the head of a request, lines
// (request line and headers, without Host and Content-Length) announcing
// a body of n bytes that never comes: the server must refuse on the length
// alone, and the client never races the closing socket. It returns the
// answer's status and body.
func announceBody(t *testing.T, app *fiber.App, lines string, n int) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(listen(t, app), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s\r\nHost: coop\r\nContent-Length: %d\r\n\r\n", strings.TrimSuffix(lines, "\r\n"), n)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
