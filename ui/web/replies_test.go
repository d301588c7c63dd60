package web

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// answer runs fn on a fresh request context and returns the body it set.
func answer(t *testing.T, fn func(c *fiber.Ctx)) (string, int) {
	t.Helper()
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	fn(c)
	return string(c.Response().Body()), c.Response().StatusCode()
}

func TestReplies_ServesOnlyTheSameGeneration(t *testing.T) {
	r := NewReplies(1 << 10)
	answer(t, func(c *fiber.Ctx) {
		c.Response().SetBodyString("first")
		r.Keep(c, "k", 7)
	})
	body, _ := answer(t, func(c *fiber.Ctx) {
		if !r.Serve(c, "k", 7) {
			t.Error("an answer kept at generation 7 was not served at 7")
		}
	})
	if body != "first" {
		t.Errorf("served %q, want %q", body, "first")
	}
	answer(t, func(c *fiber.Ctx) {
		if r.Serve(c, "k", 8) {
			t.Error("an answer kept at generation 7 was served at 8")
		}
		if r.Serve(c, "other", 7) {
			t.Error("an answer was served under another key")
		}
	})
}

func TestReplies_KeepsOnly200AndStaysWithinItsBudget(t *testing.T) {
	r := NewReplies(100)
	answer(t, func(c *fiber.Ctx) {
		c.Status(fiber.StatusBadRequest).Response().SetBodyString("refused")
		r.Keep(c, "bad", 1)
	})
	answer(t, func(c *fiber.Ctx) {
		if r.Serve(c, "bad", 1) {
			t.Error("a 400 answer was kept")
		}
	})
	for i, key := range []string{"a", "b", "c"} {
		answer(t, func(c *fiber.Ctx) {
			c.Response().SetBodyString(strings.Repeat("x", 40))
			r.Keep(c, key, uint64(i))
		})
		if r.bytes > r.max {
			t.Fatalf("after %d answers of 40 bytes the replies hold %d bytes, over the budget of %d", i+1, r.bytes, r.max)
		}
	}
	answer(t, func(c *fiber.Ctx) {
		c.Response().SetBodyString(strings.Repeat("x", 101))
		r.Keep(c, "huge", 9)
		if r.Serve(c, "huge", 9) {
			t.Error("an answer larger than the whole budget was kept")
		}
	})
}
