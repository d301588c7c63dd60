// Package api holds the JSON handlers under /api/v1. Each handler reads the
// request into a domain input, makes one domain call and renders what it
// returns; the rules, including who may do what, live in the domain.
package api

import (
	"strconv"

	govstore "github.com/coopledger/coopledger/governance/store"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// Handlers serves the JSON API from one store.
type Handlers struct {
	DB  *store.DB
	Gov *govstore.Store
	// Replies keeps answers to reads repeated between commits; nil keeps
	// none.
	Replies *web.Replies
}

// created answers 201 with the new record.
func created(c *fiber.Ctx, v any) error { return c.Status(fiber.StatusCreated).JSON(v) }

// param copies a route parameter: Fiber reuses the request's memory, and
// ids end up inside errors that outlive the handler's buffers.
func param(c *fiber.Ctx, name string) string { return string([]byte(c.Params(name))) }

// query copies a query parameter for the same reason.
func query(c *fiber.Ctx, name string) string { return string([]byte(c.Query(name))) }

// intQuery reads an optional positive integer query parameter.
func intQuery(c *fiber.Ctx, name string) (int, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, ledger.FieldError(name, "must be a whole number above 0")
	}
	return n, nil
}
