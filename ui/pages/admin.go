package pages

import (
	"fmt"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// membersData is the members admin page.
type membersData struct {
	Rows    []memberRow
	Classes []ledger.Class
	Roles   []ledger.Role
	Circles []ledger.Circle
}

type memberRow struct {
	ledger.Member
	CircleNames []string
}

// requireAdmin refuses the admin pages to everyone else. The store refuses
// their writes on its own; this guards the listings, which it serves to
// any member for the JSON API.
func requireAdmin(actor ledger.Member, page string) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("%s page is for admins: %w", page, ledger.ErrForbidden)
	}
	return nil
}

// Members shows GET /admin/members: every member and the add-member form.
func (h *Handlers) Members(c *fiber.Ctx) error {
	return h.renderMembers(c, fiber.StatusOK, Page{Form: map[string]string{
		"joined": ledger.Today(h.db.Now()), "roles.member": "1"}})
}

// CreateMember handles POST /admin/members. An initial password is
// optional (members may sign in by SSO or a sign-in link instead); when
// given, it is set in the same transaction as the member is created, so a
// refused password leaves no member behind.
func (h *Handlers) CreateMember(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	name, email, joined, password := form(c, "name"), form(c, "email"), form(c, "joined"), form(c, "password")
	kept := map[string]string{"name": name, "email": email, "joined": joined}
	v := &ledger.ValidationError{}
	classes := []ledger.Class{}
	for _, s := range formValues(c, "classes") {
		kept["classes."+s] = "1"
		cl, err := ledger.ParseClass(s)
		if err != nil {
			v.Add("classes", err.Error())
			continue
		}
		classes = append(classes, cl)
	}
	roles := []ledger.Role{}
	for _, s := range formValues(c, "roles") {
		kept["roles."+s] = "1"
		r, err := ledger.ParseRole(s)
		if err != nil {
			v.Add("roles", err.Error())
			continue
		}
		roles = append(roles, r)
	}
	circles := formValues(c, "circles")
	for _, s := range circles {
		kept["circles."+s] = "1"
	}
	in := ledger.MemberInput{Name: &name, Email: &email, Classes: &classes, Roles: &roles,
		Circles: &circles, Joined: &joined}
	if password != "" {
		mergeFields(v, store.ValidatePassword(password))
	}
	var err error
	if len(v.Fields) > 0 {
		// Nothing is stored; collect the member fields' problems as well.
		mergeFields(v, in.Apply(&ledger.Member{}, true))
		err = v
	} else {
		err = h.db.Write(func(tx *store.Tx) error {
			m, err := tx.CreateMember(actor, in)
			if err != nil || password == "" {
				return err
			}
			return tx.SetPassword(actor, m.ID, password)
		})
		if err == nil {
			return seeOther(c, "/admin/members?ok=member")
		}
	}
	fields, ok := formError(err)
	if !ok {
		return err
	}
	return h.renderMembers(c, fiber.StatusBadRequest, Page{Error: invalid, Fields: fields, Form: kept})
}

// renderMembers shows the roster with addresses, so it is for admins only,
// also when it answers a refused form.
func (h *Handlers) renderMembers(c *fiber.Ctx, status int, p Page) error {
	if err := requireAdmin(web.MustActor(c), "members"); err != nil {
		return err
	}
	var ms []ledger.Member
	d := membersData{Classes: ledger.Classes, Roles: ledger.Roles}
	err := h.db.View(func(tx *store.Tx) error {
		var err error
		if ms, err = tx.Members(); err != nil {
			return err
		}
		d.Circles, err = tx.Circles()
		return err
	})
	if err != nil {
		return err
	}
	names := circleNames(d.Circles)
	for _, m := range ms {
		row := memberRow{Member: m}
		for _, id := range m.Circles {
			row.CircleNames = append(row.CircleNames, names[id])
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title, p.Nav, p.Data = "Members", "members", d
	return h.render(c, status, "members", p)
}

// Circles shows GET /admin/circles: every circle and the add form.
func (h *Handlers) Circles(c *fiber.Ctx) error {
	return h.renderCircles(c, fiber.StatusOK, Page{})
}

// CreateCircle handles POST /admin/circles.
func (h *Handlers) CreateCircle(c *fiber.Ctx) error {
	actor := web.MustActor(c)
	name := form(c, "name")
	_, err := h.db.CreateCircle(actor, ledger.CircleInput{Name: name})
	if err == nil {
		return seeOther(c, "/admin/circles?ok=circle")
	}
	fields, ok := formError(err)
	if !ok {
		return err
	}
	return h.renderCircles(c, fiber.StatusBadRequest, Page{Error: invalid, Fields: fields,
		Form: map[string]string{"name": name}})
}

func (h *Handlers) renderCircles(c *fiber.Ctx, status int, p Page) error {
	if err := requireAdmin(web.MustActor(c), "circles"); err != nil {
		return err
	}
	cs, err := h.db.Circles()
	if err != nil {
		return err
	}
	p.Title, p.Nav, p.Data = "Circles", "circles", cs
	return h.render(c, status, "circles", p)
}
