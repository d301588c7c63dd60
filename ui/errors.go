package ui

import (
	"errors"
	"log/slog"
	"net/url"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
)

// ErrorBody is the JSON error shape of DESIGN.md.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a sentence for people,
// and for invalid input the problem with each field.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// classify is the one mapping from errors to HTTP statuses. Domain code
// returns sentinels and *ledger.ValidationError (web.Refused, which the
// pages' inline refusals use too); Fiber returns *fiber.Error for routing
// and body-size problems.
func classify(err error) (int, ErrorDetail) {
	status, d := classifyFull(err)
	d.Message = shorten(d.Message)
	return status, d
}

// maxMessage bounds an error message: messages quote ids and values the
// caller sent, which may be as long as the body limit allows.
const maxMessage = 500

// shorten cuts a message to maxMessage bytes at a character boundary.
func shorten(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

func classifyFull(err error) (int, ErrorDetail) {
	if r, ok := web.Refused(err); ok {
		return r.Status, ErrorDetail{Code: r.Code, Message: r.Message, Fields: r.Fields}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := map[int]string{400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
			405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "too_many_requests"}[fe.Code]
		if code == "" {
			if fe.Code >= 500 {
				return fe.Code, ErrorDetail{Code: "internal", Message: "Something went wrong on our side."}
			}
			code = "error"
		}
		msg := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			msg = "The request body is too large."
		}
		return fe.Code, ErrorDetail{Code: code, Message: msg}
	}
	return fiber.StatusInternalServerError, ErrorDetail{Code: "internal", Message: "Something went wrong on our side; it has been logged."}
}

// errorHandler answers every error a handler returns: JSON under /api/v1,
// a page (or a redirect to sign-in) elsewhere. A 500 is logged in full and
// answered generically.
func errorHandler(log *slog.Logger, render func(c *fiber.Ctx, status int, code, message string) error) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, detail := classify(err)
		if status >= 500 {
			log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		}
		if web.IsAPI(c) {
			return c.Status(status).JSON(ErrorBody{Error: detail})
		}
		if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
			return c.Redirect("/login?next=" + url.QueryEscape(c.OriginalURL()))
		}
		return render(c, status, detail.Code, detail.Message)
	}
}
