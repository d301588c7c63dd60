package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var pollPath = regexp.MustCompile(`^/polls/(po\d+)\?ok=opened$`)

// openPoll opens a poll through the new-poll form and returns its id.
func openPoll(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	form.Set("closes_at", "2024-06-20T12:00")
	form.Set("roles", "member")
	res, _ := b.post("/polls", form, http.StatusSeeOther)
	m := pollPath.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("opening redirected to %q", res.Header.Get("Location"))
	}
	return m[1]
}

func TestPages_Polls_YesNo(t *testing.T) {
	k := newGovCoop(t)
	max, alice, bea := k.session(k.max), k.session(k.alice), k.session(k.bea)

	_, body := max.post("/polls", url.Values{"title": {""}, "kind": {"yes_no"}, "quorum": {"lots"}, "closes_at": {"2024-06-01T12:00"}}, http.StatusBadRequest)
	wantInPage(t, body, `id="title-error">is required`, `id="quorum-error">must be a share`, `id="closes_at-error">must be in the future`)
	if ps, _ := k.gov.Polls(""); len(ps) != 0 {
		t.Fatalf("a refused form opened %d polls", len(ps))
	}

	id := openPoll(t, max, url.Values{"title": {"Move to Fridays?"}, "kind": {"yes_no"}, "quorum": {"0.5"}, "threshold": {"0.5"}})
	_, body = alice.get("/polls/"+id+"?ok=opened", http.StatusOK)
	wantInPage(t, body, "Poll opened.", `id="choice-yes"`, `id="choice-abstain"`, `type="radio"`)
	if strings.Contains(body, `id="close-poll"`) {
		t.Error("an ops member who did not open the poll may close it")
	}
	_, body = alice.post("/polls/"+id+"/ballots", url.Values{}, http.StatusBadRequest)
	wantInPage(t, body, `id="ballot-errors"`, "choice: is required")
	res, _ := alice.post("/polls/"+id+"/ballots", url.Values{"choice": {"yes"}}, http.StatusSeeOther)
	wantLocation(t, res, "/polls/"+id+"?ok=voted")
	max.post("/polls/"+id+"/ballots", url.Values{"choice": {"no"}}, http.StatusSeeOther)
	bea.post("/polls/"+id+"/ballots", url.Values{"choice": {"yes"}}, http.StatusSeeOther)
	_, body = alice.get("/polls/"+id, http.StatusOK)
	wantInPage(t, body, `id="voted"`, `id="choice-yes" name="choice" type="radio" value="yes" checked`, "3 of 5</span> voted")

	alice.post("/polls/"+id+"/close", url.Values{}, http.StatusForbidden)
	res, _ = bea.post("/polls/"+id+"/close", url.Values{}, http.StatusSeeOther)
	wantLocation(t, res, "/polls/"+id+"?ok=closed")
	_, body = max.get("/polls/"+id, http.StatusOK)
	wantInPage(t, body, `id="outcome">Passed`, "<h2 id=\"result-title\">Result</h2>")
	if strings.Contains(body, `id="cast"`) {
		t.Error("a closed poll still shows the ballot form")
	}
	max.post("/polls/"+id+"/ballots", url.Values{"choice": {"yes"}}, http.StatusConflict)
	_, body = max.get("/polls", http.StatusOK)
	wantInPage(t, body, `id="closed-title"`, "Move to Fridays?")
	noInlineOrExternal(t, "/polls/"+id, body)
}

func TestPages_Polls_RankedAndDots(t *testing.T) {
	k := newGovCoop(t)
	max, alice, bob, bea := k.session(k.max), k.session(k.alice), k.session(k.bob), k.session(k.bea)

	id := openPoll(t, max, url.Values{"title": {"Retreat venue"}, "kind": {"ranked"}, "options": {"Coast\nHills\nCity"}})
	_, body := max.get("/polls/"+id, http.StatusOK)
	wantInPage(t, body, `<select id="rank-0" name="rank.0">`, `<select id="rank-2" name="rank.2">`, `<option value="o2">Hills</option>`)
	_, body = max.post("/polls/"+id+"/ballots", url.Values{"rank.0": {"o1"}, "rank.1": {"o1"}}, http.StatusBadRequest)
	wantInPage(t, body, "ranking[1]: ranks o1 again")
	// Coast 2, Hills 1, City 1 first preferences: City goes (the later
	// created of the tied), its ballot moves to Hills, then Hills... 2:2
	// with Coast; a tie broken by round one, where Hills had fewer.
	for _, v := range []struct {
		b    *browser
		rank []string
	}{{max, []string{"o1", "o2"}}, {alice, []string{"o1"}}, {bob, []string{"o2", "o1"}}, {bea, []string{"o3", "o2"}}} {
		f := url.Values{}
		for i, o := range v.rank {
			f.Set("rank."+string(rune('0'+i)), o)
		}
		v.b.post("/polls/"+id+"/ballots", f, http.StatusSeeOther)
	}
	k.session(k.ada).post("/polls/"+id+"/ballots", url.Values{"choice": {"abstain"}}, http.StatusSeeOther)
	_, body = max.get("/polls/"+id, http.StatusOK)
	wantInPage(t, body, `<option value="o2" selected>Hills</option>`)
	bea.post("/polls/"+id+"/close", url.Values{}, http.StatusSeeOther)
	_, body = max.get("/polls/"+id, http.StatusOK)
	wantInPage(t, body, "Instant runoff, round by round", "<th scope=\"col\" class=\"num\">Round 1</th>",
		"<th scope=\"row\">Dropped</th><td class=\"num\">City</td>", "5 of 5</span> voted")

	dots := openPoll(t, max, url.Values{"title": {"Priorities"}, "kind": {"dots"}, "points": {"5"}, "options": {"Docs\nTests"}})
	_, body = max.post("/polls/"+dots+"/ballots", url.Values{"points.o1": {"4"}, "points.o2": {"3"}}, http.StatusBadRequest)
	wantInPage(t, body, "spends 7 points; the budget is 5", `id="points-o1" name="points.o1" type="number" min="0" max="5" inputmode="numeric" value="4"`)
	_, body = max.post("/polls/"+dots+"/ballots", url.Values{"points.o1": {"x"}}, http.StatusBadRequest)
	wantInPage(t, body, "points.o1: must be a whole number")
	max.post("/polls/"+dots+"/ballots", url.Values{"points.o1": {"4"}, "points.o2": {"1"}}, http.StatusSeeOther)
	_, body = alice.get("/polls/"+dots, http.StatusOK)
	wantInPage(t, body, `<tr id="total-o1" class="winner"><th scope="row">Docs</th><td class="num">4</td></tr>`, "Leading: <strong>Docs</strong>")
}

func TestPages_Polls_ClassWeights(t *testing.T) {
	k := newGovCoop(t)
	max := k.session(k.max)
	form := url.Values{"title": {"Weighted"}, "kind": {"yes_no"}, "closes_at": {"2024-06-20T12:00"}, "roles": {"member"},
		"weight.ops": {"0.5"}, "weight.user": {"0.3"}}
	_, body := max.post("/polls", form, http.StatusBadRequest)
	wantInPage(t, body, `id="weights-error">`, `value="0.3"`)
	form.Set("weight.user", "half")
	_, body = max.post("/polls", form, http.StatusBadRequest)
	wantInPage(t, body, `id="weight-user-error">must be a share such as 0.5`)
	form.Set("weight.user", "0.3")
	form.Set("weight.collaborator", "0.2")
	id := openPoll(t, max, form)
	v, err := k.gov.Poll(k.max, id)
	if err != nil || len(v.Weights) != 3 || v.Weights["ops"].String() != "0.5" || v.Weights["collaborator"].String() != "0.2" {
		t.Fatalf("weights stored: %v %v", v.Weights, err)
	}
}
