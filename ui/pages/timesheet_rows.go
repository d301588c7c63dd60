package pages

import (
	"strconv"

	"github.com/coopledger/coopledger/ledger"
)

// monthHTML renders the timesheet's month: the page's entries in a table
// with the month's totals, or what to say when there are none. It is Go
// rather than html/template, whose reflection on every field made the rows
// most of the page's cost; every value is escaped as html/template escapes
// text and quoted attributes (htmlEscape).
func monthHTML(b []byte, m monthEntries, csrf string) []byte {
	w := func(s string) { b = append(b, s...) }
	esc := func(s string) { b = htmlEscape(b, s) }
	switch {
	case len(m.Rows) == 0 && m.Count > 0:
		w(`
  <p>No entries on this page. <a href="/timesheet?month=`)
		esc(m.Month)
		w(`">The newest entries of `)
		esc(m.MonthLabel)
		w(`</a></p>`)
		return b
	case len(m.Rows) == 0:
		w(`
  <p>No hours logged in `)
		esc(m.MonthLabel)
		w(`.</p>`)
		return b
	}
	if m.Newer != "" || m.Older != "" {
		w(`
  <p class="pages">Showing `)
		w(strconv.Itoa(len(m.Rows)))
		w(` of the month's `)
		w(strconv.Itoa(m.Count))
		w(` entries, newest first.`)
		if m.Newer != "" {
			w(` <a href="`)
			esc(m.Newer)
			w(`">Newer entries</a>`)
		}
		if m.Older != "" {
			w(` <a href="`)
			esc(m.Older)
			w(`">Older entries</a>`)
		}
		w(`</p>`)
	}
	w(`
  <table class="responsive entries">
    <caption class="sr-only">Your hours in `)
	esc(m.MonthLabel)
	w(`</caption>
    <thead>
      <tr><th scope="col">Date</th><th scope="col">Circle</th><th scope="col">Task</th><th scope="col" class="num">Hours</th>
        <th scope="col">Compensation</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
    </thead>
    <tbody>`)
	b = entryRowsHTML(b, m.Rows, csrf, m.Month)
	w(`
    </tbody>
    <tfoot>
      <tr class="total">
        <th scope="row" colspan="3">Total <span class="hint">(rejected hours excluded)</span></th>
        <td data-label="Total hours" class="num" id="month-total">`)
	esc(m.Total)
	w(`</td>
        <td colspan="3" data-label="By state">
          <span class="states">`)
	for _, st := range m.ByState {
		w(`<span class="state-total">`)
		esc(string(st.State))
		w(`: `)
		esc(st.Hours)
		w(` h</span> `)
	}
	w(`</span>
        </td>
      </tr>
    </tfoot>
  </table>`)
	return b
}

// entryRowsHTML writes the table's rows as the view's template did.
func entryRowsHTML(b []byte, rows []entryRow, csrf, month string) []byte {
	w := func(s string) { b = append(b, s...) }
	esc := func(s string) { b = htmlEscape(b, s) }
	for _, r := range rows {
		w(`
      <tr id="entry-`)
		esc(r.ID)
		w(`">
        <td data-label="Date" class="date">`)
		esc(r.Date)
		w(`</td>
        <td data-label="Circle">`)
		esc(r.CircleName)
		w(`</td>
        <td data-label="Task"><span>`)
		esc(r.Task)
		if r.Note != "" {
			w(`<span class="note">`)
			esc(r.Note)
			w(`</span>`)
		}
		w(`</span></td>
        <td data-label="Hours" class="num">`)
		esc(r.Hours)
		w(`</td>
        <td data-label="Compensation">`)
		esc(string(r.Compensation))
		w(`</td>
        <td data-label="State"><span><span class="badge `)
		esc(string(r.State))
		w(`">`)
		esc(string(r.State))
		w(`</span>`)
		if r.ReviewComment != "" {
			w(`<span class="comment">“`)
			esc(r.ReviewComment)
			w(`”`)
			if r.ReviewerName != "" {
				w(` — `)
				esc(r.ReviewerName)
			}
			w(`</span>`)
		}
		w(`</span></td>
        <td data-label="Actions" class="actions">`)
		if r.State == ledger.StateDraft {
			w(`
          <form method="post" action="/timesheet/`)
			esc(r.ID)
			w(`/submit">
            <input type="hidden" name="_csrf" value="`)
			esc(csrf)
			w(`">
            <button type="submit">Submit<span class="sr-only"> `)
			esc(r.Hours)
			w(` h on `)
			esc(r.Date)
			w(`</span></button>
          </form>
          <form method="post" action="/timesheet/`)
			esc(r.ID)
			w(`/delete">
            <input type="hidden" name="_csrf" value="`)
			esc(csrf)
			w(`">
            <input type="hidden" name="month" value="`)
			esc(month)
			w(`">
            <button type="submit" class="danger">Delete<span class="sr-only"> `)
			esc(r.Hours)
			w(` h on `)
			esc(r.Date)
			w(`</span></button>
          </form>`)
		}
		w(`
        </td>
      </tr>`)
	}
	return b
}

// htmlEscape writes s escaped as html/template escapes text and quoted
// attribute values: NUL becomes U+FFFD and " & ' + < > character
// references.
func htmlEscape(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, rep...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
