package api

import (
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// memberView hides addresses from members who are neither the person
// themselves nor board or admin: the co-op's roster is shared, inboxes
// are not.
func memberView(actor ledger.Member, m ledger.Member) ledger.Member {
	if actor.ID == m.ID || actor.IsBoardOrAdmin() {
		return m
	}
	m.Email = ""
	m.Emails = []string{}
	return m
}

// Me answers GET /me with the caller's own record.
func (h Handlers) Me(c *fiber.Ctx) error {
	return c.JSON(web.MustActor(c))
}

// ListMembers answers GET /members.
func (h Handlers) ListMembers(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	ms, err := h.DB.Members()
	if err != nil {
		return err
	}
	for i := range ms {
		ms[i] = memberView(actor, ms[i])
	}
	return c.JSON(ms)
}

// GetMember answers GET /members/{id}.
func (h Handlers) GetMember(c *fiber.Ctx) error {
	m, err := h.DB.Member(param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(memberView(web.MustActor(c), m))
}

// CreateMember answers POST /members.
func (h Handlers) CreateMember(c *fiber.Ctx) error {
	var in ledger.MemberInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	m, err := h.DB.CreateMember(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, m)
}

// UpdateMember answers PATCH /members/{id}.
func (h Handlers) UpdateMember(c *fiber.Ctx) error {
	var in ledger.MemberInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	m, err := h.DB.UpdateMember(web.MustActor(c), param(c, "id"), in)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// ListCircles answers GET /circles.
func (h Handlers) ListCircles(c *fiber.Ctx) error {
	cs, err := h.DB.Circles()
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// CreateCircle answers POST /circles.
func (h Handlers) CreateCircle(c *fiber.Ctx) error {
	var in ledger.CircleInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	circle, err := h.DB.CreateCircle(web.MustActor(c), in)
	if err != nil {
		return err
	}
	return created(c, circle)
}

// tokenInput names a new API token.
type tokenInput struct {
	Name     string `json:"name"`
	MemberID string `json:"member_id"`
}

// CreateToken answers POST /tokens: a new bearer token for the caller (or,
// for an admin, for member_id), shown once.
func (h Handlers) CreateToken(c *fiber.Ctx) error {
	var in tokenInput
	if err := web.BindJSON(c.Body(), &in); err != nil {
		return err
	}
	actor := web.MustActor(c)
	if in.MemberID == "" {
		in.MemberID = actor.ID
	}
	tok, err := h.DB.CreateAPIToken(actor, in.MemberID, in.Name)
	if err != nil {
		return err
	}
	return created(c, fiber.Map{"token": tok, "member_id": in.MemberID, "name": in.Name})
}
