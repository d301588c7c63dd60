package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coopledger/coopledger/ledger"
)

// A month of more entries than a page shows lists the newest first page by
// page, each in date order, while the totals count the whole month.
func TestPages_Timesheet_LongMonth_PagedWithWholeMonthTotals(t *testing.T) {
	k := newCoop(t)
	quarter := int64(15)
	var ids []string // oldest first
	for i := range 120 {
		in := ledger.TimeEntryInput{Date: fmt.Sprintf("2024-06-%02d", 1+i/10), Minutes: &quarter,
			CircleID: k.tech.ID, Task: fmt.Sprintf("task %d", i), Submit: i%2 == 1}
		e, err := k.db.LogTime(k.alice, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	alice := k.signIn(k.alice)
	rowsOf := func(body string) []string {
		var got []string
		for _, part := range strings.Split(body, `<tr id="entry-`)[1:] {
			got = append(got, part[:strings.IndexByte(part, '"')])
		}
		return got
	}
	whole := []string{`id="month-total">30</td>`, "draft: 15 h", "submitted: 15 h"}

	_, body := alice.get("/timesheet", http.StatusOK)
	wantInPage(t, body, append(whole, "Showing 50 of the month's 120 entries, newest first.",
		`<a href="/timesheet?month=2024-06&amp;page=2">Older entries</a>`)...)
	if strings.Contains(body, "Newer entries") {
		t.Error("the first page links to newer entries")
	}
	if got, want := rowsOf(body), ids[70:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("first page shows %v, want the newest 50 in date order %v", got, want)
	}

	_, body = alice.get("/timesheet?month=2024-06&page=3", http.StatusOK)
	wantInPage(t, body, append(whole, "Showing 20 of the month's 120 entries, newest first.",
		`<a href="/timesheet?month=2024-06&amp;page=2">Newer entries</a>`)...)
	if strings.Contains(body, "Older entries") {
		t.Error("the last page links to older entries")
	}
	if got, want := rowsOf(body), ids[:20]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("last page shows %v, want the oldest 20 %v", got, want)
	}

	_, body = alice.get("/timesheet?month=2024-06&page=9", http.StatusOK)
	wantInPage(t, body, `No entries on this page. <a href="/timesheet?month=2024-06">The newest entries of June 2024</a>`)
	_, body = alice.get("/timesheet?month=2024-06&page=nonsense", http.StatusOK)
	if got := rowsOf(body); len(got) != 50 || got[49] != ids[119] {
		t.Errorf("a page number that is no number shows %d rows ending %v, want the first page", len(got), got)
	}
	// A page number whose offset would overflow is not a page either.
	_, body = alice.get("/timesheet?month=2024-06&page=9223372036854775807", http.StatusOK)
	if got := rowsOf(body); len(got) != 50 || got[49] != ids[119] || strings.Contains(body, "page=-") {
		t.Errorf("the largest page number shows %d rows ending %v, want the first page", len(got), got)
	}
}

// The page around the month is kept from one request to the next, but
// never shows one member's or one session's parts to another, and follows
// what changes.
func TestPages_Timesheet_KeptShell_FollowsItsInputs(t *testing.T) {
	k := newCoop(t)
	alice, bob := k.signIn(k.alice), k.signIn(k.bob)
	_, a1 := alice.get("/timesheet", http.StatusOK)
	_, b1 := bob.get("/timesheet", http.StatusOK)
	_, a2 := alice.get("/timesheet", http.StatusOK)
	if a1 != a2 {
		t.Error("the same request rendered twice differs")
	}
	wantInPage(t, a1, `>Alice</a>`)
	wantInPage(t, b1, `>Bob</a>`)
	if strings.Contains(b1, "Alice") || strings.Contains(a1, ">Bob<") {
		t.Error("one member's page shows the other's name")
	}
	alice2 := k.signIn(k.alice)
	_, a3 := alice2.get("/timesheet", http.StatusOK)
	if a3 == a1 {
		t.Error("two sessions of one member got the same page: their CSRF tokens must differ")
	}
	_, flash := alice.get("/timesheet?ok=logged", http.StatusOK)
	wantInPage(t, flash, "Hours logged.")
	alice.post("/timesheet", logForm(k, "2.5"), http.StatusSeeOther)
	_, a4 := alice.get("/timesheet", http.StatusOK)
	wantInPage(t, a4, `id="month-total">2.5</td>`, "Fix the backup job")
	if strings.Contains(a4, "Hours logged.") {
		t.Error("the flash of another request shows")
	}
}
