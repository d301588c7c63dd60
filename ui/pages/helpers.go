package pages

import (
	"errors"
	"strings"

	"github.com/coopledger/coopledger/ledger"
	"github.com/gofiber/fiber/v2"
)

func asValidation(err error) (*ledger.ValidationError, bool) {
	var ve *ledger.ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// form copies a form value (Fiber reuses request memory), with its line
// breaks as the API sends them (plainBreaks).
func form(c *fiber.Ctx, name string) string { return plainBreaks(c.FormValue(name)) }

// plainBreaks turns the CRLF line breaks browsers send for a textarea (and any
// lone CR) into plain newlines, in a copy of s.
func plainBreaks(s string) string {
	if !strings.Contains(s, "\r") {
		return strings.Clone(s)
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// param copies a route parameter.
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// formValues copies every value of a repeated form field (checkboxes), from
// a urlencoded or a multipart body.
func formValues(c *fiber.Ctx, name string) []string {
	out := []string{}
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, plainBreaks(string(v)))
	}
	if len(out) == 0 {
		if mf, err := c.MultipartForm(); err == nil {
			for _, v := range mf.Value[name] {
				out = append(out, plainBreaks(v))
			}
		}
	}
	return out
}

// query copies a query parameter.
func query(c *fiber.Ctx, name string) string { return strings.Clone(c.Query(name)) }

// seeOther answers a successful form post with a redirect to a page that
// GET may reload safely (post/redirect/get).
func seeOther(c *fiber.Ctx, location string) error {
	return c.Redirect(location, fiber.StatusSeeOther)
}

// mergeFields adds the field problems of err, when it is a validation
// error, to v. It reports whether err was one.
func mergeFields(v *ledger.ValidationError, err error) bool {
	ve, ok := asValidation(err)
	if !ok {
		return false
	}
	for k, why := range ve.Fields {
		v.Add(k, why)
	}
	return true
}

// invalid is the message shown above a form the server refused.
const invalid = "Some fields need attention: see the messages next to them."
