package api

import (
	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// requestItem is a request in a list, with whether the caller votes for it.
type requestItem struct {
	governance.Request
	Voted bool `json:"voted"`
}

// ListRequests answers GET /requests?kind=&status=&category=&circle=,
// most votes first.
func (h Handlers) ListRequests(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	f := governance.RequestFilter{
		Kind: governance.RequestKind(query(c, "kind")), Status: governance.RequestStatus(query(c, "status")),
		Category: query(c, "category"), CircleID: query(c, "circle"),
	}
	rs, voted, err := h.Gov.Requests(actor, f)
	if err != nil {
		return err
	}
	out := make([]requestItem, len(rs))
	for i, r := range rs {
		out[i] = requestItem{r, voted[r.ID]}
	}
	return c.JSON(out)
}

// FileRequest answers POST /requests.
func (h Handlers) FileRequest(c *fiber.Ctx) error {
	var in governance.RequestInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	r, err := h.Gov.FileRequest(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, r)
}

// GetRequest answers GET /requests/{id} with its comments.
func (h Handlers) GetRequest(c *fiber.Ctx) error {
	v, err := h.Gov.Request(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// voteView is the answer to a vote or its withdrawal.
type voteView struct {
	RequestID string `json:"request_id"`
	Votes     int    `json:"votes"`
	Voted     bool   `json:"voted"`
	Changed   bool   `json:"changed"`
}

// Vote answers POST /requests/{id}/vote. Voting twice is not an error; the
// answer says nothing changed.
func (h Handlers) Vote(c *fiber.Ctx) error {
	r, changed, err := h.Gov.Vote(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(voteView{r.ID, r.Votes, true, changed})
}

// Unvote answers DELETE /requests/{id}/vote.
func (h Handlers) Unvote(c *fiber.Ctx) error {
	r, changed, err := h.Gov.Unvote(web.MustActor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(voteView{r.ID, r.Votes, false, changed})
}

// TriageRequest answers POST /requests/{id}/triage (ops and board).
func (h Handlers) TriageRequest(c *fiber.Ctx) error {
	var in governance.TriageInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	r, err := h.Gov.Triage(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// CommentRequest answers POST /requests/{id}/comments.
func (h Handlers) CommentRequest(c *fiber.Ctx) error {
	var in governance.CommentInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	cm, err := h.Gov.Comment(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return created(c, cm)
}
