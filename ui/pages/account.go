package pages

import (
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// accountData is the account page. Token is set only on the response to
// creating one: it is shown once and never put in a URL.
type accountData struct {
	Member      ledger.Member
	CircleNames []string
	Token       string
	TokenName   string
}

// Account shows GET /account: the caller's record, the change-password
// form and the API token form.
func (h *Handlers) Account(c *fiber.Ctx) error {
	return h.renderAccount(c, fiber.StatusOK, Page{}, accountData{})
}

// ChangePassword handles POST /account/password. The new password is
// typed twice; the two must match before the store sees it. Neither is
// ever echoed back into the page.
func (h *Handlers) ChangePassword(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	pw, again := form(c, "password"), form(c, "password2")
	var err error
	if pw != again {
		err = ledger.FieldError("password2", "does not match the new password")
	} else if err = h.db.SetPassword(actor, actor.ID, pw); err == nil {
		return seeOther(c, "/account?ok=password")
	}
	fields, ok := formError(err)
	if !ok {
		return err
	}
	return h.renderAccount(c, fiber.StatusBadRequest, Page{Error: invalid, Fields: fields}, accountData{})
}

// CreateToken handles POST /account/tokens. It renders the page with the
// new token rather than redirecting, so the secret never appears in a URL,
// a log line or the browser history.
func (h *Handlers) CreateToken(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	name := form(c, "name")
	tok, err := h.db.CreateAPIToken(actor, actor.ID, name)
	if fields, ok := formError(err); ok {
		return h.renderAccount(c, fiber.StatusBadRequest, Page{Error: invalid, Fields: fields,
			Form: map[string]string{"name": name}}, accountData{})
	}
	if err != nil {
		return err
	}
	if name = strings.TrimSpace(name); name == "" {
		name = "token" // the store's default name
	}
	return h.renderAccount(c, fiber.StatusOK, Page{Flash: flashes["token"]}, accountData{Token: tok, TokenName: name})
}

func (h *Handlers) renderAccount(c *fiber.Ctx, status int, p Page, d accountData) error {
	d.Member = web.MustActor(c)
	cs, err := h.db.Circles()
	if err != nil {
		return err
	}
	names := circleNames(cs)
	for _, id := range d.Member.Circles {
		d.CircleNames = append(d.CircleNames, names[id])
	}
	p.Title, p.Nav, p.Data = "Account", "account", d
	return h.render(c, status, "account", p)
}
