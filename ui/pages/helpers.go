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

// form copies a form value: Fiber reuses request memory.
func form(c *fiber.Ctx, name string) string { return strings.Clone(c.FormValue(name)) }

// param copies a route parameter.
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }
