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
		SetGeneration(c, 7)
		c.Response().SetBodyString("first")
		r.Keep(c, "k")
	})
	body, _ := answer(t, func(c *fiber.Ctx) {
		SetGeneration(c, 7)
		if !r.Serve(c, "k") {
			t.Error("an answer kept at generation 7 was not served at 7")
		}
	})
	if body != "first" {
		t.Errorf("served %q, want %q", body, "first")
	}
	answer(t, func(c *fiber.Ctx) {
		SetGeneration(c, 7)
		if r.Serve(c, "other") {
			t.Error("an answer was served under another key")
		}
		SetGeneration(c, 8)
		if r.Serve(c, "k") {
			t.Error("an answer kept at generation 7 was served at 8")
		}
		if len(r.m) != 0 || r.bytes != 0 {
			t.Errorf("the answer of generation 7 is still kept at 8: %d answers, %d bytes", len(r.m), r.bytes)
		}
		// A request without a generation neither reads nor keeps.
		c.Locals(keyGeneration, nil)
		c.Response().SetBodyString("second")
		r.Keep(c, "k")
		if len(r.m) != 0 {
			t.Error("an answer was kept without a generation")
		}
	})
}

func TestReplies_KeepsOnly200AndStaysWithinItsBudget(t *testing.T) {
	r := NewReplies(100)
	answer(t, func(c *fiber.Ctx) {
		SetGeneration(c, 1)
		c.Status(fiber.StatusBadRequest).Response().SetBodyString("refused")
		r.Keep(c, "bad")
	})
	answer(t, func(c *fiber.Ctx) {
		SetGeneration(c, 1)
		if r.Serve(c, "bad") {
			t.Error("a 400 answer was kept")
		}
	})
	for i, key := range []string{"a", "b", "c"} {
		answer(t, func(c *fiber.Ctx) {
			SetGeneration(c, uint64(i))
			c.Response().SetBodyString(strings.Repeat("x", 40))
			r.Keep(c, key)
		})
		if r.bytes > r.max {
			t.Fatalf("after %d answers of 40 bytes the replies hold %d bytes, over the budget of %d", i+1, r.bytes, r.max)
		}
	}
	// Keys count too: long URLs cannot grow the replies past the budget.
	for i := range 10 {
		answer(t, func(c *fiber.Ctx) {
			SetGeneration(c, 1)
			c.Response().SetBodyString("[]")
			r.Keep(c, strings.Repeat("k", 30)+string(rune('a'+i)))
		})
		if r.bytes > r.max {
			t.Fatalf("after %d answers with 31-byte keys the replies hold %d bytes, over the budget of %d", i+1, r.bytes, r.max)
		}
	}
	answer(t, func(c *fiber.Ctx) {
		SetGeneration(c, 9)
		c.Response().SetBodyString(strings.Repeat("x", 101))
		r.Keep(c, "huge")
		if r.Serve(c, "huge") {
			t.Error("an answer larger than the whole budget was kept")
		}
	})
}
