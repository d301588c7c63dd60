package pages

import (
	"strconv"
	"strings"
	"time"

	"github.com/coopledger/coopledger/governance"
	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ui/web"
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// pollsData is the list of polls, open ones first, and the form that
// opens a new one.
type pollsData struct {
	Open, Closed []governance.Poll
	Kinds        []governance.PollKind
	Classes      []ledger.Class
	Roles        []ledger.Role
	MinClose     string // the earliest closing time the form offers
}

// closesLayout is the value of an <input type="datetime-local">; the
// page reads and shows it in UTC, as the form says.
const closesLayout = "2006-01-02T15:04"

// Polls shows GET /polls.
func (h *Handlers) Polls(c *fiber.Ctx) error {
	return h.renderPolls(c, fiber.StatusOK, Page{})
}

func (h *Handlers) renderPolls(c *fiber.Ctx, status int, p Page) error {
	ps, err := h.cfg.Gov.Polls("")
	if err != nil {
		return err
	}
	d := pollsData{Kinds: governance.PollKinds, Classes: ledger.Classes,
		Roles:    []ledger.Role{ledger.RoleMember, ledger.RoleOps, ledger.RoleBoard},
		MinClose: h.db.Now().UTC().Add(time.Minute).Format(closesLayout)}
	for _, pl := range ps {
		if pl.State == governance.PollOpen {
			d.Open = append(d.Open, pl)
		} else {
			d.Closed = append(d.Closed, pl)
		}
	}
	if p.Form == nil {
		p.Form = map[string]string{"kind": string(governance.KindYesNo), "quorum": "0.5", "threshold": "0.5", "points": "10",
			"closes_at": h.db.Now().UTC().AddDate(0, 0, 7).Format(closesLayout), "roles.member": "on"}
	}
	p.Title, p.Nav, p.Data = "Polls", "polls", d
	return h.render(c, status, "polls", p)
}

// OpenPoll handles POST /polls: the new-poll form. Options are one per
// line (ranked and dots); the closing time is UTC.
func (h *Handlers) OpenPoll(c *fiber.Ctx) error {
	kept := map[string]string{}
	for _, f := range []string{"title", "description", "kind", "options", "quorum", "threshold", "points", "closes_at", "secret"} {
		kept[f] = form(c, f)
	}
	in := governance.PollInput{Title: kept["title"], Description: kept["description"], Kind: governance.PollKind(kept["kind"]),
		Secret: kept["secret"] == "on"}
	var v ledger.ValidationError
	if in.Kind == governance.KindRanked || in.Kind == governance.KindDots {
		in.Options = lines(kept["options"])
	}
	if q := strings.TrimSpace(kept["quorum"]); q != "" {
		if d, err := decimal.NewFromString(q); err != nil {
			v.Add("quorum", "must be a share such as 0.5")
		} else {
			in.Quorum = d
		}
	}
	if t := strings.TrimSpace(kept["threshold"]); t != "" && in.Kind == governance.KindYesNo {
		if d, err := decimal.NewFromString(t); err != nil {
			v.Add("threshold", "must be a share such as 0.5")
		} else {
			in.Threshold = &d
		}
	}
	if in.Kind == governance.KindDots {
		n, err := strconv.Atoi(strings.TrimSpace(kept["points"]))
		if err != nil {
			v.Add("points", "must be a whole number")
		}
		in.Points = n
	}
	if s := strings.TrimSpace(kept["closes_at"]); s != "" {
		t, err := time.ParseInLocation(closesLayout, s, time.UTC)
		if err != nil {
			v.Add("closes_at", "must be a date and time")
		}
		in.ClosesAt = t
	}
	for _, s := range formValues(c, "classes") {
		in.Electorate.Classes = append(in.Electorate.Classes, ledger.Class(s))
		kept["classes."+s] = "on"
	}
	for _, s := range formValues(c, "roles") {
		in.Electorate.Roles = append(in.Electorate.Roles, ledger.Role(s))
		kept["roles."+s] = "on"
	}
	for _, cl := range ledger.Classes {
		text := strings.TrimSpace(form(c, "weight."+string(cl)))
		if text == "" {
			continue
		}
		kept["weight."+string(cl)] = text
		w, err := decimal.NewFromString(text)
		if err != nil {
			v.Add("weights."+string(cl), "must be a share such as 0.5")
			continue
		}
		if in.Weights == nil {
			in.Weights = map[ledger.Class]decimal.Decimal{}
		}
		in.Weights[cl] = w
	}
	var pl governance.Poll
	err := v.Err()
	if err == nil {
		pl, err = h.cfg.Gov.OpenPoll(web.MustActor(c), in)
	} else if _, e := governance.NewPoll(in, h.db.Now()); e != nil {
		mergeFields(&v, e)
		err = v.Err()
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = kept
		return h.renderPolls(c, status, p)
	}
	return seeOther(c, "/polls/"+pl.ID+"?ok=opened")
}

// pollData is one poll: the caller's ballot form while it is open and
// they may vote, and the result (live unless secret, final once closed).
type pollData struct {
	P          governance.Poll
	Eligible   bool
	Voted      bool
	Ballots    int
	AuthorName string
	CanClose   bool
	Choice     string // the caller's current choice (yes_no, consent, or abstain)
	Ranks      []rankSlot
	Dots       []dotsRow
	R          governance.Result
	ShowCount  bool // a secret poll shows no count while open
	Totals     []totalRow
	Rounds     []string // column headings: Round 1, Round 2...
	RoundRows  []roundRow
	Exhausted  []string
	Eliminated []string
	Winner     string
}

type rankSlot struct {
	N        int
	Options  []governance.Option
	Selected string
}

type dotsRow struct {
	governance.Option
	Points string
}

type totalRow struct {
	ID, Text, Total string
	Winner          bool
}

type roundRow struct {
	Text  string
	Cells []string
}

// Poll shows GET /polls/:id.
func (h *Handlers) Poll(c *fiber.Ctx) error {
	return h.renderPoll(c, fiber.StatusOK, param(c, "id"), Page{})
}

func (h *Handlers) renderPoll(c *fiber.Ctx, status int, id string, p Page) error {
	actor := web.MustActor(c)
	r, err := h.cfg.Gov.Result(id) // first: it closes a poll past its time
	if err != nil {
		return err
	}
	v, err := h.cfg.Gov.Poll(actor, id)
	if err != nil {
		return err
	}
	author, _ := h.db.Member(v.AuthorID)
	d := pollData{P: v.Poll, Eligible: v.Eligible, Voted: v.Voted, Ballots: v.Ballots, AuthorName: author.Name, R: r,
		CanClose:  v.State == governance.PollOpen && (v.AuthorID == actor.ID || actor.HasRole(ledger.RoleBoard)),
		ShowCount: v.State == governance.PollClosed || !v.Secret}
	text := func(optID string) string {
		if o, ok := v.Option(optID); ok {
			return o.Text
		}
		for _, o := range governance.FixedOptions(v.Kind) {
			if o.ID == optID {
				return o.Text
			}
		}
		return optID
	}
	// The ballot form, filled in with the caller's ballot (or the refused
	// form's values).
	mine := governance.Ballot{}
	if v.Mine != nil {
		mine = *v.Mine
	}
	d.Choice = mine.Choice
	if p.Form != nil {
		d.Choice = p.Form["choice"]
	}
	for i := range v.Options {
		slot := rankSlot{N: i + 1, Options: v.Options}
		if i < len(mine.Ranking) {
			slot.Selected = mine.Ranking[i]
		}
		if p.Form != nil {
			slot.Selected = p.Form["rank."+strconv.Itoa(i)]
		}
		d.Ranks = append(d.Ranks, slot)
		row := dotsRow{Option: v.Options[i]}
		if n := mine.Points[v.Options[i].ID]; n > 0 {
			row.Points = strconv.Itoa(n)
		}
		if p.Form != nil {
			row.Points = p.Form["points."+v.Options[i].ID]
		}
		d.Dots = append(d.Dots, row)
	}
	// The result, option by option in the poll's order.
	opts := v.Options
	if len(opts) == 0 {
		opts = governance.FixedOptions(v.Kind)
	}
	d.Winner = ""
	if r.Winner != "" {
		d.Winner = text(r.Winner)
	}
	for _, o := range opts {
		t, ok := r.Totals[o.ID]
		if !ok {
			t = decimal.Zero
		}
		d.Totals = append(d.Totals, totalRow{ID: o.ID, Text: o.Text, Total: t.String(), Winner: o.ID == r.Winner})
	}
	for i, rd := range r.Rounds {
		d.Rounds = append(d.Rounds, "Round "+strconv.Itoa(i+1))
		d.Exhausted = append(d.Exhausted, rd.Exhausted.String())
		e := "—"
		if rd.Eliminated != "" {
			e = text(rd.Eliminated)
		}
		d.Eliminated = append(d.Eliminated, e)
	}
	for _, o := range opts {
		if len(r.Rounds) == 0 {
			break
		}
		row := roundRow{Text: o.Text}
		for _, rd := range r.Rounds {
			if t, ok := rd.Totals[o.ID]; ok {
				row.Cells = append(row.Cells, t.String())
			} else {
				row.Cells = append(row.Cells, "—")
			}
		}
		d.RoundRows = append(d.RoundRows, row)
	}
	p.Title, p.Nav, p.Data = v.Title, "polls", d
	return h.render(c, status, "poll", p)
}

// CastBallot handles POST /polls/:id/ballots: choice (a radio, or the
// abstain button), ranking as numbered selects rank.0, rank.1... (blank
// ones skipped), or points as points.<option id>.
func (h *Handlers) CastBallot(c *fiber.Ctx) error {
	id, actor := param(c, "id"), web.MustActor(c)
	v, err := h.cfg.Gov.Poll(actor, id)
	if err != nil {
		return err
	}
	kept := map[string]string{"choice": form(c, "choice")}
	in := governance.BallotInput{Choice: kept["choice"]}
	var bad ledger.ValidationError
	if in.Choice != governance.ChoiceAbstain {
		switch v.Kind {
		case governance.KindRanked:
			in.Choice = ""
			for i := range v.Options {
				k := "rank." + strconv.Itoa(i)
				kept[k] = form(c, k)
				if kept[k] != "" {
					in.Ranking = append(in.Ranking, kept[k])
				}
			}
		case governance.KindDots:
			in.Choice = ""
			in.Points = map[string]int{}
			for _, o := range v.Options {
				k := "points." + o.ID
				kept[k] = strings.TrimSpace(form(c, k))
				if kept[k] == "" {
					continue
				}
				n, err := strconv.Atoi(kept[k])
				if err != nil {
					bad.Add(k, "must be a whole number")
					continue
				}
				if n != 0 {
					in.Points[o.ID] = n
				}
			}
		}
	}
	err = bad.Err()
	if err == nil {
		_, err = h.cfg.Gov.Cast(actor, id, in)
	}
	if err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		p.Form = kept
		return h.renderPoll(c, status, id, p)
	}
	return seeOther(c, "/polls/"+id+"?ok=voted")
}

// ClosePollForm handles POST /polls/:id/close: its author or the board
// closes a poll early.
func (h *Handlers) ClosePollForm(c *fiber.Ctx) error {
	id := param(c, "id")
	if _, err := h.cfg.Gov.ClosePoll(web.MustActor(c), id); err != nil {
		status, p, ok := refused(err)
		if !ok {
			return err
		}
		return h.renderPoll(c, status, id, p)
	}
	return seeOther(c, "/polls/"+id+"?ok=closed")
}
