package pages

import "github.com/gofiber/fiber/v2"

// The handlers below are placeholders filled in by the pages work.

func (h *Handlers) Timesheet(c *fiber.Ctx) error {
	return h.render(c, 200, "timesheet", Page{Title: "Timesheet"})
}
func (h *Handlers) LogTime(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (h *Handlers) SubmitEntry(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handlers) DeleteEntry(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handlers) ReviewQueue(c *fiber.Ctx) error {
	return h.render(c, 200, "review", Page{Title: "Review"})
}
func (h *Handlers) Review(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handlers) Members(c *fiber.Ctx) error {
	return h.render(c, 200, "members", Page{Title: "Members"})
}
func (h *Handlers) CreateMember(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handlers) Circles(c *fiber.Ctx) error {
	return h.render(c, 200, "circles", Page{Title: "Circles"})
}
func (h *Handlers) CreateCircle(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handlers) Account(c *fiber.Ctx) error {
	return h.render(c, 200, "account", Page{Title: "Account"})
}
func (h *Handlers) ChangePassword(c *fiber.Ctx) error {
	return fiber.ErrNotImplemented
}
func (h *Handlers) CreateToken(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
