package web

import (
	"errors"

	"github.com/coopledger/coopledger/ledger"
	"github.com/gofiber/fiber/v2"
)

// Refusal is how the API and the pages answer a request the domain
// refused: a status, a stable code, a sentence for people, and for invalid
// input the problem with each field.
type Refusal struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

// Refused maps the domain's refusals (its sentinel errors and
// *ledger.ValidationError) to what the caller is told; ok is false for any
// other error. It is the one mapping the JSON error body and the pages'
// inline refusals share.
func Refused(err error) (r Refusal, ok bool) {
	var ve *ledger.ValidationError
	switch {
	case errors.As(err, &ve):
		return Refusal{fiber.StatusBadRequest, "invalid", "Some fields need attention.", ve.Fields}, true
	case errors.Is(err, ledger.ErrUnauthenticated):
		return Refusal{fiber.StatusUnauthorized, "unauthenticated", "Sign in first: send a session cookie or an Authorization: Bearer token.", nil}, true
	case errors.Is(err, ledger.ErrForbidden):
		return Refusal{fiber.StatusForbidden, "forbidden", "Your role does not allow this: " + err.Error(), nil}, true
	case errors.Is(err, ledger.ErrNotFound):
		return Refusal{fiber.StatusNotFound, "not_found", "Not found: " + err.Error(), nil}, true
	case errors.Is(err, ledger.ErrConflict):
		return Refusal{fiber.StatusConflict, "conflict", err.Error(), nil}, true
	}
	return Refusal{}, false
}
