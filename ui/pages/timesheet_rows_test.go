package pages

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
)

// oldMonth is the timesheet view's month section as it was before
// monthHTML took over, with paging added and whitespace trimmed where
// monthHTML writes none: monthHTML must write what html/template makes of
// it, so the page looks and escapes exactly as before.
const oldMonth = `{{$d := .}}
  {{- if $d.Rows}}
  {{- if or $d.Newer $d.Older}}
  <p class="pages">Showing {{len $d.Rows}} of the month's {{$d.Count}} entries, newest first.
    {{- with $d.Newer}} <a href="{{.}}">Newer entries</a>{{end}}
    {{- with $d.Older}} <a href="{{.}}">Older entries</a>{{end}}</p>
  {{- end}}
  <table class="responsive entries">
    <caption class="sr-only">Your hours in {{$d.MonthLabel}}</caption>
    <thead>
      <tr><th scope="col">Date</th><th scope="col">Circle</th><th scope="col">Task</th><th scope="col" class="num">Hours</th>
        <th scope="col">Compensation</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
    </thead>
    <tbody>
    {{- range $d.Rows}}
      <tr id="entry-{{.ID}}">
        <td data-label="Date" class="date">{{.Date}}</td>
        <td data-label="Circle">{{.CircleName}}</td>
        <td data-label="Task"><span>{{.Task}}{{with .Note}}<span class="note">{{.}}</span>{{end}}</span></td>
        <td data-label="Hours" class="num">{{.Hours}}</td>
        <td data-label="Compensation">{{.Compensation}}</td>
        <td data-label="State"><span><span class="badge {{.State}}">{{.State}}</span>
          {{- if .ReviewComment}}<span class="comment">“{{.ReviewComment}}”{{with .ReviewerName}} — {{.}}{{end}}</span>{{end}}</span></td>
        <td data-label="Actions" class="actions">
          {{- if eq .State "draft"}}
          <form method="post" action="/timesheet/{{.ID}}/submit">
            <input type="hidden" name="_csrf" value="{{$.CSRF}}">
            <button type="submit">Submit<span class="sr-only"> {{.Hours}} h on {{.Date}}</span></button>
          </form>
          <form method="post" action="/timesheet/{{.ID}}/delete">
            <input type="hidden" name="_csrf" value="{{$.CSRF}}">
            <input type="hidden" name="month" value="{{$d.Month}}">
            <button type="submit" class="danger">Delete<span class="sr-only"> {{.Hours}} h on {{.Date}}</span></button>
          </form>
          {{- end}}
        </td>
      </tr>
    {{- end}}
    </tbody>
    <tfoot>
      <tr class="total">
        <th scope="row" colspan="3">Total <span class="hint">(rejected hours excluded)</span></th>
        <td data-label="Total hours" class="num" id="month-total">{{$d.Total}}</td>
        <td colspan="3" data-label="By state">
          <span class="states">{{range $d.ByState}}<span class="state-total">{{.State}}: {{.Hours}} h</span> {{end}}</span>
        </td>
      </tr>
    </tfoot>
  </table>
  {{- else if $d.Count}}
  <p>No entries on this page. <a href="/timesheet?month={{$d.Month}}">The newest entries of {{$d.MonthLabel}}</a></p>
  {{- else}}
  <p>No hours logged in {{$d.MonthLabel}}.</p>
  {{- end}}`

func TestMonthHTML_SameAsTheTemplate(t *testing.T) {
	tmpl := template.Must(template.New("month").Parse(oldMonth))
	at := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	row := func(id string, state ledger.EntryState, task, note, comment, reviewer string) entryRow {
		return entryRow{TimeEntry: ledger.TimeEntry{ID: id, MemberID: "m000001", Date: "2024-06-0" + id[len(id)-1:],
			Minutes: 150, Hours: "2.5", CircleID: "c000001", Task: task, Note: note,
			Compensation: ledger.CompVolunteer, State: state, CreatedAt: at, ReviewComment: comment},
			CircleName: `Tech <&> "ops" 'n' +1`, MemberName: "Alice", ReviewerName: reviewer}
	}
	rows := []entryRow{
		row("e000001", ledger.StateDraft, "Fix the backup job", "", "", ""),
		row("e000002", ledger.StateSubmitted, `<script>alert("x")</script>`, "line one\nline two & more", "", ""),
		row("e000003", ledger.StateRejected, "odd\x00byte ünïcödé \u2028 'quoted'", "n", `Which ticket? <a href="x">`, `Bob "the" reviewer`),
		row("e000004", ledger.StateApproved, "a+b=c", "", "ok", ""),
		row("e000005", ledger.StateDraft, "", "only a note", "", ""),
	}
	totals := []stateTotal{{State: ledger.StateDraft, Hours: "5", Entries: 2}, {State: ledger.StateRejected, Hours: "2.5", Entries: 1}}
	cases := []monthEntries{
		{Month: "2024-06", MonthLabel: "June 2024", Rows: rows, Count: 5, Total: "10", ByState: totals},
		{Month: "2024-06", MonthLabel: "June 2024", Rows: rows[:2], Count: 120, Total: "10", ByState: totals,
			Newer: "/timesheet?month=2024-06&page=1", Older: "/timesheet?month=2024-06&page=3"},
		{Month: "2024-06", MonthLabel: "June 2024", Rows: rows[2:3], Count: 51, Total: "0", Older: "/timesheet?month=2024-06&page=2"},
		{Month: "2024-06", MonthLabel: "June 2024", Count: 7, Newer: "/timesheet?month=2024-06&page=1"},
		{Month: "2024-05", MonthLabel: "May 2024"},
	}
	for i, m := range cases {
		for _, csrf := range []string{"Zx-9_token", `a"b<c`} {
			var want strings.Builder
			err := tmpl.Execute(&want, map[string]any{"Rows": m.Rows, "Count": m.Count, "Newer": m.Newer, "Older": m.Older,
				"MonthLabel": m.MonthLabel, "Month": m.Month, "Total": m.Total, "ByState": m.ByState, "CSRF": csrf})
			if err != nil {
				t.Fatal(err)
			}
			got := string(monthHTML([]byte("x"), m, csrf))
			if got != "x"+want.String() {
				t.Errorf("case %d, csrf %q:\n got %s\nwant x%s", i, csrf, got, want.String())
			}
		}
	}
}
