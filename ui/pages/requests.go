package pages

import (
	"errors"
	"net/url"
	"strings"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// The governance pages (requests, bounties, polls, meetings, activity)
// read and write through h.cfg.Gov, the same store calls as the JSON API;
// the store checks every role and state, the handlers only copy the form
// into the domain input and render what comes back.

// refused turns a store refusal a member can act on into the status and
// message of the page shown again: field problems (400), a role or
// ownership refusal (403), a state that forbids the act (409). ok is false
// for any other error, which the error handler answers.
func refused(err error) (status int, p Page, ok bool) {
	r, ok := web.Refused(err)
	switch {
	case !ok:
		return 0, Page{}, false
	case r.Status == fiber.StatusBadRequest:
		return r.Status, Page{Error: invalid, Fields: r.Fields}, true
	case r.Status == fiber.StatusForbidden, r.Status == fiber.StatusConflict:
		return r.Status, Page{Error: r.Message}, true
	}
	return 0, Page{}, false
}

// names maps the members ids name to their names, for the pages that
// show who filed, voted, claimed or came: it reads just those members, not
// the whole roster.
func (h *Handlers) names(ids ...string) (out map[string]string, err error) {
	err = h.db.View(func(tx *store.Tx) error { out, err = namesOf(tx, ids); return err })
	return out, err
}

// namesOf maps ids (repeats and blanks allowed) to the names of the
// members they name. An id no member has is left out.
func namesOf(tx *store.Tx, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		m, err := tx.Member(id)
		if errors.Is(err, ledger.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = m.Name
	}
	return out, nil
}

// back is where a form asks to return after its post: a path on this site
// under prefix, or prefix itself.
func back(c *fiber.Ctx, prefix string) string {
	b := form(c, "back")
	u, err := url.Parse(b)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(b, prefix) || strings.Contains(b, "\\") {
		return prefix
	}
	return b
}

// requestsData is the request board: the filtered list, most votes first,
// and the filing form.
type requestsData struct {
	Rows                   []requestRow
	Kind, Status, Category string // the filters
	Kinds                  []governance.RequestKind
	Statuses               []governance.RequestStatus
	Circles                []ledger.Circle
	Back                   string // this page's address, filters included
}

type requestRow struct {
	governance.Request
	AuthorName string
	Voted      bool
	Votable    bool
}

// Requests shows GET /requests?kind=&status=&category=.
func (h *Handlers) Requests(c *fiber.Ctx) error {
	return h.renderRequests(c, fiber.StatusOK, Page{})
}

func (h *Handlers) renderRequests(c *fiber.Ctx, status int, p Page) error {
	actor := web.MustActor(c)
	d := requestsData{Kind: query(c, "kind"), Status: query(c, "status"), Category: strings.TrimSpace(query(c, "category")),
		Kinds: []governance.RequestKind{governance.KindFeature, governance.KindIncident}, Statuses: governance.RequestStatuses}
	f := governance.RequestFilter{Kind: governance.RequestKind(d.Kind), Status: governance.RequestStatus(d.Status), Category: d.Category}
	rs, voted, err := h.cfg.Gov.Requests(actor, f)
	if ve, ok := asValidation(err); ok {
		// A bad filter in the address: show everything and say why.
		status, p.Error = fiber.StatusBadRequest, "The filter in the address is not valid ("+ve.Error()+"); showing every request."
		d.Kind, d.Status, d.Category = "", "", ""
		rs, voted, err = h.cfg.Gov.Requests(actor, governance.RequestFilter{})
	}
	if err != nil {
		return err
	}
	authors := make([]string, len(rs))
	for i, r := range rs {
		authors[i] = r.AuthorID
	}
	names, err := h.names(authors...)
	if err != nil {
		return err
	}
	if d.Circles, err = h.db.Circles(); err != nil {
		return err
	}
	for _, r := range rs {
		d.Rows = append(d.Rows, requestRow{Request: r, AuthorName: names[r.AuthorID], Voted: voted[r.ID], Votable: governance.Votable(r.Status)})
	}
	q := url.Values{}
	for k, v := range map[string]string{"kind": d.Kind, "status": d.Status, "category": d.Category} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.Back = "/requests"
	if len(q) > 0 {
		d.Back += "?" + q.Encode()
	}
	p.Title, p.Nav, p.Data = "Requests", "requests", d
	return h.render(c, status, "requests", p)
}

// FileRequest handles POST /requests: a new incident or feature request.
func (h *Handlers) FileRequest(c *fiber.Ctx) error {
	in := governance.RequestInput{Kind: governance.RequestKind(form(c, "kind")), Title: form(c, "title"),
		Body: form(c, "body"), Category: form(c, "category"), CircleID: form(c, "circle_id")}
	r, err := h.cfg.Gov.FileRequest(web.MustActor(c), in)
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = map[string]string{"kind": string(in.Kind), "title": in.Title, "body": in.Body, "category": in.Category, "circle_id": in.CircleID}
		return h.renderRequests(c, status, p)
	}
	return seeOther(c, "/requests/"+r.ID+"?ok=filed")
}

// VoteRequest handles POST /requests/:id/vote: action vote adds the
// caller's vote, withdraw takes it back; then back to the list or the
// request the button was on.
func (h *Handlers) VoteRequest(c *fiber.Ctx) error {
	id, actor := param(c, "id"), web.MustActor(c)
	var err error
	switch form(c, "action") {
	case "vote":
		_, _, err = h.cfg.Gov.Vote(actor, id)
	case "withdraw":
		_, _, err = h.cfg.Gov.Unvote(actor, id)
	default:
		return ledger.FieldError("action", "must be vote or withdraw")
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		return h.renderRequest(c, status, id, p)
	}
	return seeOther(c, back(c, "/requests"))
}

// requestData is one request's page: the request, its comments, and the
// triage and bounty forms for those who may use them.
type requestData struct {
	Req        requestRow
	History    []historyRow
	Comments   []commentRow
	CanTriage  bool // ops and board
	CanPropose bool // ops and board propose bounties
	Moves      []governance.RequestStatus
	Back       string
}

type historyRow struct {
	governance.StatusChange
	ByName string
}

type commentRow struct {
	governance.Comment
	AuthorName string
}

// Request shows GET /requests/:id.
func (h *Handlers) Request(c *fiber.Ctx) error {
	return h.renderRequest(c, fiber.StatusOK, param(c, "id"), Page{})
}

func (h *Handlers) renderRequest(c *fiber.Ctx, status int, id string, p Page) error {
	actor := web.MustActor(c)
	v, err := h.cfg.Gov.Request(actor, id)
	if err != nil {
		return err
	}
	ids := []string{v.AuthorID}
	for _, s := range v.History {
		ids = append(ids, s.By)
	}
	for _, cm := range v.Comments {
		ids = append(ids, cm.AuthorID)
	}
	names, err := h.names(ids...)
	if err != nil {
		return err
	}
	d := requestData{Req: requestRow{Request: v.Request, AuthorName: names[v.AuthorID], Voted: v.Voted, Votable: governance.Votable(v.Status)},
		CanTriage: actor.IsReviewer(), CanPropose: actor.IsReviewer(), Back: "/requests/" + v.ID}
	for _, s := range v.History {
		d.History = append(d.History, historyRow{StatusChange: s, ByName: names[s.By]})
	}
	for _, cm := range v.Comments {
		d.Comments = append(d.Comments, commentRow{Comment: cm, AuthorName: names[cm.AuthorID]})
	}
	for _, s := range governance.RequestStatuses {
		if governance.CanMove(v.Status, s) {
			d.Moves = append(d.Moves, s)
		}
	}
	p.Title, p.Nav, p.Data = v.Title, "requests", d
	return h.render(c, status, "request", p)
}

// CommentRequest handles POST /requests/:id/comments.
func (h *Handlers) CommentRequest(c *fiber.Ctx) error {
	id := param(c, "id")
	in := governance.CommentInput{Body: form(c, "body")}
	if _, err := h.cfg.Gov.Comment(web.MustActor(c), id, in); err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = map[string]string{"form": "comment", "body": in.Body}
		return h.renderRequest(c, status, id, p)
	}
	return seeOther(c, "/requests/"+id+"?ok=commented#comments")
}

// TriageRequest handles POST /requests/:id/triage (ops and board): a new
// status, and optionally a category, the original of a duplicate and a
// note.
func (h *Handlers) TriageRequest(c *fiber.Ctx) error {
	id := param(c, "id")
	category := form(c, "category")
	in := governance.TriageInput{Status: governance.RequestStatus(form(c, "status")), DuplicateOf: strings.TrimSpace(form(c, "duplicate_of")),
		Note: form(c, "note"), Category: &category}
	if _, err := h.cfg.Gov.Triage(web.MustActor(c), id, in); err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = map[string]string{"form": "triage", "status": string(in.Status), "category": category,
			"duplicate_of": in.DuplicateOf, "note": in.Note}
		return h.renderRequest(c, status, id, p)
	}
	return seeOther(c, "/requests/"+id+"?ok=triaged")
}

// ProposeBounty handles POST /requests/:id/bounty (ops and board): a
// bounty on the request, proposed for the board to fund. Criteria are one
// per line.
func (h *Handlers) ProposeBounty(c *fiber.Ctx) error {
	id := param(c, "id")
	kept := map[string]string{"form": "bounty", "title": form(c, "title"), "amount": form(c, "amount"),
		"criteria": form(c, "criteria"), "expires_on": form(c, "expires_on"), "description": form(c, "description")}
	in := governance.BountyInput{RequestID: id, Title: kept["title"], Description: kept["description"],
		ExpiresOn: strings.TrimSpace(kept["expires_on"]), Criteria: lines(kept["criteria"])}
	var err error
	if a := strings.TrimSpace(kept["amount"]); a != "" {
		d, ok := parseAmountText(a)
		if !ok {
			// Not a number: report it with the other fields' problems.
			v := ledger.ValidationError{}
			v.Add("amount", "must be a number such as 150.00")
			_, e := governance.NewBounty(in, "", ledger.Today(h.db.Now()))
			mergeFields(&v, e)
			err = v.Err()
		}
		in.Amount = &d
	}
	if err == nil {
		_, err = h.cfg.Gov.CreateBounty(web.MustActor(c), in)
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = kept
		return h.renderRequest(c, status, id, p)
	}
	return seeOther(c, "/bounties?ok=proposed")
}

// lines splits a textarea into its non-blank lines, trimmed.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
