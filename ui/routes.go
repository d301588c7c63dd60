package ui

import (
	"time"

	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/valyala/fasthttp"
)

// Access says who may reach a route at all. Finer rules (role, ownership)
// are the domain's, checked inside the call the handler makes.
type Access int

const (
	// Public routes need no sign-in.
	Public Access = iota
	// SignedIn routes need a session cookie or a bearer token.
	SignedIn
)

// Route is one row of the routing table.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler fiber.Handler
}

// table is every route the server answers, in one place.
func (s *server) table() []Route {
	a, p := s.api, s.pages
	const v1 = "/api/v1"
	return []Route{
		{"GET", "/healthz", Public, s.healthz},
		{"GET", "/metrics", Public, s.metrics.handler()},

		{"GET", v1 + "/me", SignedIn, a.Me},
		{"GET", v1 + "/members", SignedIn, a.ListMembers},
		{"POST", v1 + "/members", SignedIn, a.CreateMember},
		{"GET", v1 + "/members/:id", SignedIn, a.GetMember},
		{"PATCH", v1 + "/members/:id", SignedIn, a.UpdateMember},
		{"GET", v1 + "/circles", SignedIn, a.ListCircles},
		{"POST", v1 + "/circles", SignedIn, a.CreateCircle},
		{"GET", v1 + "/time-entries", SignedIn, a.ListTimeEntries},
		{"POST", v1 + "/time-entries", SignedIn, a.CreateTimeEntry},
		{"GET", v1 + "/time-entries/:id", SignedIn, a.GetTimeEntry},
		{"PATCH", v1 + "/time-entries/:id", SignedIn, a.UpdateTimeEntry},
		{"DELETE", v1 + "/time-entries/:id", SignedIn, a.DeleteTimeEntry},
		{"POST", v1 + "/time-entries/:id/submit", SignedIn, a.SubmitTimeEntry},
		{"POST", v1 + "/time-entries/:id/approve", SignedIn, a.ApproveTimeEntry},
		{"POST", v1 + "/time-entries/:id/reject", SignedIn, a.RejectTimeEntry},
		{"POST", v1 + "/tokens", SignedIn, a.CreateToken},
		{"GET", v1 + "/members/:id/rates", SignedIn, a.ListRates},
		{"POST", v1 + "/members/:id/rates", SignedIn, a.AddRate},
		{"POST", v1 + "/members/:id/waivers", SignedIn, a.Waive},
		{"GET", v1 + "/members/:id/statement", SignedIn, a.Statement},
		{"GET", v1 + "/income", SignedIn, a.IncomeReport},
		{"POST", v1 + "/income", SignedIn, a.RecordIncome},
		{"POST", v1 + "/costs", SignedIn, a.RecordCost},
		{"POST", v1 + "/opening-balances", SignedIn, a.AddOpeningBalance},
		{"GET", v1 + "/debt", SignedIn, a.Debt},
		{"GET", v1 + "/balances", SignedIn, a.Balances},
		{"GET", v1 + "/export", SignedIn, a.Export},
		{"GET", v1 + "/backup", SignedIn, a.Backup},
		{"GET", v1 + "/policies", SignedIn, a.ListPolicies},
		{"POST", v1 + "/policies", SignedIn, a.AddPolicy},
		{"GET", v1 + "/closes/:month", SignedIn, a.GetClose},
		{"POST", v1 + "/closes/:month", SignedIn, a.DraftClose},
		{"POST", v1 + "/closes/:month/approve", SignedIn, a.ApproveClose},
		{"POST", v1 + "/projections", SignedIn, a.Project},
		{"POST", v1 + "/projections/solve", SignedIn, a.SolveProjection},
		{"GET", v1 + "/transactions", SignedIn, a.ListTransactions},
		{"POST", v1 + "/transactions/:id/reverse", SignedIn, a.ReverseTransaction},
		{"GET", v1 + "/requests", SignedIn, a.ListRequests},
		{"POST", v1 + "/requests", SignedIn, a.FileRequest},
		{"GET", v1 + "/requests/:id", SignedIn, a.GetRequest},
		{"POST", v1 + "/requests/:id/vote", SignedIn, a.Vote},
		{"DELETE", v1 + "/requests/:id/vote", SignedIn, a.Unvote},
		{"POST", v1 + "/requests/:id/triage", SignedIn, a.TriageRequest},
		{"POST", v1 + "/requests/:id/comments", SignedIn, a.CommentRequest},
		{"GET", v1 + "/bounties", SignedIn, a.ListBounties},
		{"POST", v1 + "/bounties", SignedIn, a.CreateBounty},
		{"GET", v1 + "/bounties/fund", SignedIn, a.BountyFund},
		{"GET", v1 + "/bounties/:id", SignedIn, a.GetBounty},
		{"POST", v1 + "/bounties/:id/approve", SignedIn, a.ApproveBounty},
		{"POST", v1 + "/bounties/:id/claim", SignedIn, a.ClaimBounty},
		{"POST", v1 + "/bounties/:id/submit", SignedIn, a.SubmitBounty},
		{"POST", v1 + "/bounties/:id/accept", SignedIn, a.AcceptBounty},
		{"POST", v1 + "/bounties/:id/reject", SignedIn, a.RejectBounty},
		{"POST", v1 + "/bounties/:id/cancel", SignedIn, a.CancelBounty},
		{"GET", v1 + "/polls", SignedIn, a.ListPolls},
		{"POST", v1 + "/polls", SignedIn, a.OpenPoll},
		{"GET", v1 + "/polls/:id", SignedIn, a.GetPoll},
		{"POST", v1 + "/polls/:id/ballots", SignedIn, a.CastBallot},
		{"POST", v1 + "/polls/:id/close", SignedIn, a.ClosePoll},
		{"GET", v1 + "/polls/:id/result", SignedIn, a.PollResult},
		{"GET", v1 + "/meetings", SignedIn, a.ListMeetings},
		{"POST", v1 + "/meetings", SignedIn, a.CreateMeeting},
		{"GET", v1 + "/meetings/:id", SignedIn, a.GetMeeting},
		{"POST", v1 + "/meetings/:id/agenda", SignedIn, a.AddAgendaItem},
		{"POST", v1 + "/meetings/:id/agenda/order", SignedIn, a.OrderAgenda},
		{"POST", v1 + "/meetings/:id/volunteers", SignedIn, a.Volunteer},
		{"POST", v1 + "/meetings/:id/rsvp", SignedIn, a.RSVP},
		{"POST", v1 + "/meetings/:id/attendance", SignedIn, a.RecordAttendance},
		{"POST", v1 + "/meetings/:id/minutes", SignedIn, a.RecordMinutes},
		{"GET", v1 + "/activity", SignedIn, a.Activity},
		{"GET", v1 + "/activity/rules", SignedIn, a.ListActivityRules},
		{"POST", v1 + "/activity/rules", SignedIn, a.SetActivityRule},

		{"GET", "/static/*", Public, p.Static},
		{"GET", "/login", Public, p.LoginForm},
		{"POST", "/login", Public, p.Login},
		{"GET", "/auth/link/:token", Public, p.LoginLink},
		{"GET", "/auth/oidc/login", Public, p.SSOLogin},
		{"GET", "/auth/oidc/callback", Public, p.SSOCallback},
		{"POST", "/auth/logout", SignedIn, p.Logout},
		{"GET", "/", SignedIn, p.Home},
		{"GET", "/timesheet", SignedIn, p.Timesheet},
		{"POST", "/timesheet", SignedIn, p.LogTime},
		{"POST", "/timesheet/:id/submit", SignedIn, p.SubmitEntry},
		{"POST", "/timesheet/:id/delete", SignedIn, p.DeleteEntry},
		{"GET", "/review", SignedIn, p.ReviewQueue},
		{"POST", "/review/:id", SignedIn, p.Review},
		{"GET", "/statement", SignedIn, p.Statement},
		{"POST", "/statement/waive", SignedIn, p.Waive},
		{"GET", "/members/:id/statement", SignedIn, p.MemberStatement},
		{"GET", "/debt", SignedIn, p.Debt},
		{"GET", "/admin/members", SignedIn, p.Members},
		{"POST", "/admin/members", SignedIn, p.CreateMember},
		{"GET", "/admin/circles", SignedIn, p.Circles},
		{"POST", "/admin/circles", SignedIn, p.CreateCircle},
		{"GET", "/close", SignedIn, p.Close},
		{"POST", "/close/:month/draft", SignedIn, p.DraftCloseForm},
		{"POST", "/close/:month/approve", SignedIn, p.ApproveCloseForm},
		{"GET", "/scenarios", SignedIn, p.Scenarios},
		{"GET", "/account", SignedIn, p.Account},
		{"POST", "/account/password", SignedIn, p.ChangePassword},
		{"POST", "/account/tokens", SignedIn, p.CreateToken},
		{"GET", "/requests", SignedIn, p.Requests},
		{"POST", "/requests", SignedIn, p.FileRequest},
		{"GET", "/requests/:id", SignedIn, p.Request},
		{"POST", "/requests/:id/vote", SignedIn, p.VoteRequest},
		{"POST", "/requests/:id/comments", SignedIn, p.CommentRequest},
		{"POST", "/requests/:id/triage", SignedIn, p.TriageRequest},
		{"POST", "/requests/:id/bounty", SignedIn, p.ProposeBounty},
		{"GET", "/bounties", SignedIn, p.Bounties},
		{"POST", "/bounties/:id/:action", SignedIn, p.BountyAction},
		{"GET", "/polls", SignedIn, p.Polls},
		{"POST", "/polls", SignedIn, p.OpenPoll},
		{"GET", "/polls/:id", SignedIn, p.Poll},
		{"POST", "/polls/:id/ballots", SignedIn, p.CastBallot},
		{"POST", "/polls/:id/close", SignedIn, p.ClosePollForm},
		{"GET", "/meetings", SignedIn, p.Meetings},
		{"POST", "/meetings", SignedIn, p.CreateMeeting},
		{"GET", "/meetings/:id", SignedIn, p.Meeting},
		{"POST", "/meetings/:id/:action", SignedIn, p.MeetingAction},
		{"GET", "/activity", SignedIn, p.ActivityPage},
		{"POST", "/activity/rules", SignedIn, p.SetActivityRule},
	}
}

func (s *server) routes(app *fiber.App) {
	app.Use(requestid.New())
	app.Use(s.observe)
	pageHeaders := helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
	})
	app.Use(func(c *fiber.Ctx) error {
		if !web.IsAPI(c) {
			return pageHeaders(c)
		}
		apiHeaders(&c.Response().Header)
		return c.Next()
	})
	app.Use(s.authenticate)
	for _, r := range s.table() {
		hs := []fiber.Handler{}
		if r.Access == SignedIn {
			hs = append(hs, requireActor)
		}
		hs = append(hs, checkCSRF, r.Handler)
		app.Add(r.Method, r.Path, hs...)
	}
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no route "+c.Method()+" "+c.Path())
	})
}

// apiHeaders are the security headers of JSON answers, the set OWASP's
// REST security guidance gives: nothing in them is to be run, framed,
// sniffed or kept in a cache. The browser headers of the pages (helmet's)
// mean nothing to JSON, and every answer would carry their weight.
func apiHeaders(h *fasthttp.ResponseHeader) {
	h.Set(fiber.HeaderCacheControl, "no-store")
	h.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set(fiber.HeaderReferrerPolicy, "no-referrer")
}

// healthz answers GET /healthz for load balancers: 200 while the store
// answers reads.
func (s *server) healthz(c *fiber.Ctx) error {
	v, err := s.db.Version()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "schema_version": v})
}

// observe counts and times every request for /metrics and, with the
// access log on, logs it with its request id (also sent back as
// X-Request-ID, and on every error line).
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := s.metrics.middleware(c)
	if s.accessLog {
		status := c.Response().StatusCode()
		if err != nil {
			status, _ = classify(err)
		}
		s.log.Info("request", "request_id", requestID(c), "method", c.Method(), "route", c.Route().Path,
			"status", status, "duration", time.Since(start))
	}
	return err
}

// requestID is the id the requestid middleware gave the request.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}
