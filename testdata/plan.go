package testdata

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/coopledger/coopledger/ledger"
)

// Entry generation is a pure function of coop.json and the load date: no
// store, no clock, no global random source. Every random draw comes from a
// PCG seeded with demoSeed and the persona and date it is for, so an
// entry on a given date looks the same whatever the load date, and the
// same load date always gives the same entries (and the same ids).

// windowMonths is how many calendar months of hours the demo holds,
// ending with the load date's month.
const windowMonths = 7

// demoSeed is the fixed first half of every PCG seed.
const demoSeed = 0xC00B1ED6E2

// maxPlannedDay keeps a generated day at or under 10 h, well inside the
// 24 h rule, because nobody in the sample works longer days.
const maxPlannedDay = 10 * 60

// stateOdds are, by the age of an entry's month (0 = the load month, the
// last row for anything older), the shares of entries left as draft, left
// submitted and rejected; the rest are approved. Older months are mostly
// reviewed; the current month has drafts and a review queue.
var stateOdds = []struct{ draft, submitted, rejected float64 }{
	{0.30, 0.35, 0.05},
	{0.06, 0.14, 0.07},
	{0.02, 0.03, 0.06},
}

// person is a persona with its dates resolved against the load date.
type person struct {
	spec   memberSpec
	joined string
	left   string
}

func (p person) active(date string) bool {
	return date >= p.joined && (p.left == "" || date <= p.left)
}

func (p person) reviewer() bool {
	return slices.Contains(p.spec.Roles, ledger.RoleOps) || slices.Contains(p.spec.Roles, ledger.RoleBoard)
}

// plannedEntry is one time entry to create, with the state to bring it to.
type plannedEntry struct {
	owner    int // index into the people
	date     string
	minutes  int
	circle   string // circle name
	task     string
	note     string
	comp     ledger.Compensation
	state    ledger.EntryState
	reviewer int // index into the people; approved and rejected only
	comment  string
	fix      string // for a rejected entry, what its correction changes
	corrects int    // index into the plan of the rejected entry this corrects, or -1
	// draws made when the entry was planned, used by later passes so that
	// they too depend only on the persona and date.
	stateRoll, pickA, pickB, correctRoll float64
}

// rngFor returns the random source for one persona, date and purpose.
func rngFor(key, date, purpose string) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%s", key, date, purpose)
	return rand.New(rand.NewPCG(demoSeed, h.Sum64()))
}

// monthsBack is the date `months` calendar months before now's month, on
// day (1-28, so that it exists in every month).
func monthsBack(now time.Time, months, day int) string {
	y, m, _ := now.Date()
	return time.Date(y, m-time.Month(months), day, 12, 0, 0, 0, time.UTC).Format(ledger.DateLayout)
}

// monthAge is how many calendar months date's month lies before now's.
func monthAge(date string, now time.Time) int {
	t, _ := ledger.ParseDate(date)
	y, m, _ := now.Date()
	return (y-t.Year())*12 + int(m) - int(t.Month())
}

// resolvePeople turns the personas' relative dates into dates.
func resolvePeople(sp spec, now time.Time) []person {
	people := make([]person, len(sp.Members))
	for i, m := range sp.Members {
		people[i] = person{spec: m, joined: monthsBack(now, m.JoinedMonthsAgo, m.JoinedDay)}
		if m.LeftMonthsAgo != 0 {
			people[i].left = monthsBack(now, m.LeftMonthsAgo, m.LeftDay)
		}
	}
	return people
}

// planEntries lays out every time entry of the demo in creation order:
// by date, then persona order, each correction right after the entry it
// corrects.
func planEntries(sp spec, people []person, now time.Time) ([]plannedEntry, error) {
	today := ledger.Today(now)
	y, m, _ := now.Date()
	first := time.Date(y, m-(windowMonths-1), 1, 12, 0, 0, 0, time.UTC)
	last, err := ledger.ParseDate(today)
	if err != nil {
		return nil, err
	}
	last = last.Add(12 * time.Hour)

	var plan []plannedEntry
	dayUsed := map[string]int{} // persona key|date → planned minutes
	add := func(i int, date string, r *rand.Rand) bool {
		key := people[i].spec.Key + "|" + date
		e := newEntry(sp, people[i].spec, r)
		e.owner, e.date = i, date
		e.minutes = min(e.minutes, maxPlannedDay-dayUsed[key])
		if e.minutes < 30 {
			return false
		}
		dayUsed[key] += e.minutes
		plan = append(plan, e)
		return true
	}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		date := d.Format(ledger.DateLayout)
		for i, p := range people {
			if p.spec.Work == nil || !p.active(date) {
				continue
			}
			r := rngFor(p.spec.Key, date, "day")
			chance := float64(p.spec.Work.DaysPerWeek) / 5
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				chance = 0.06
			}
			if r.Float64() >= chance {
				continue
			}
			n := 1
			if r.Float64() < 0.25 {
				n = 2
			}
			for range n {
				add(i, date, r)
			}
		}
	}

	// A month needs at least one entry per state. Early in the load month
	// (on the 1st, say) chance may not give four entries: add some on the
	// month's last day so far, from whoever works then.
	for age := range windowMonths {
		ms := time.Date(y, m-time.Month(age), 1, 12, 0, 0, 0, time.UTC)
		month := ms.Format(ledger.MonthLayout)
		lastDay := ms.AddDate(0, 1, -1).Format(ledger.DateLayout)
		lastDay = min(lastDay, today)
		count := 0
		for _, e := range plan {
			if ledger.MonthOf(e.date) == month {
				count++
			}
		}
		for k := 0; count < len(ledger.EntryStates) && k < 4*len(people); k++ {
			i := k % len(people)
			if people[i].spec.Work == nil || !people[i].active(lastDay) {
				continue
			}
			if add(i, lastDay, rngFor(people[i].spec.Key, lastDay, fmt.Sprint("extra", k))) {
				count++
			}
		}
		if count < len(ledger.EntryStates) {
			return nil, fmt.Errorf("month %s: nobody logs hours in it", month)
		}
	}
	slices.SortStableFunc(plan, func(a, b plannedEntry) int {
		switch {
		case a.date < b.date:
			return -1
		case a.date > b.date:
			return 1
		}
		return 0
	})

	assignStates(plan, now)
	if err := assignReviews(sp, people, plan); err != nil {
		return nil, err
	}
	return addCorrections(sp, plan, now), nil
}

// newEntry draws what a persona worked on: a circle (mostly one of their
// own), a task in it, 0.5-6 h in quarter hours (most often 2-4 h), an
// occasional note and a compensation kind from the persona's mix.
func newEntry(sp spec, m memberSpec, r *rand.Rand) plannedEntry {
	circles := m.Circles
	if len(circles) == 0 || r.Float64() < 0.15 {
		circles = sp.Circles
	}
	circle := circles[r.IntN(len(circles))]
	tasks := sp.Tasks[circle]
	e := plannedEntry{
		circle:   circle,
		task:     tasks[r.IntN(len(tasks))],
		note:     sp.Notes[r.IntN(len(sp.Notes))],
		minutes:  15 * (2 + r.IntN(12) + r.IntN(12)), // 30..360
		corrects: -1,
	}
	mix := m.Work.Mix
	switch w := r.IntN(mix.Required + mix.Contribution + mix.Volunteer); {
	case w < mix.Required:
		e.comp = ledger.CompRequired
	case w < mix.Required+mix.Contribution:
		e.comp = ledger.CompContribution
	default:
		e.comp = ledger.CompVolunteer
	}
	e.stateRoll, e.pickA, e.pickB, e.correctRoll = r.Float64(), r.Float64(), r.Float64(), r.Float64()
	return e
}

// assignStates gives each entry a state by the odds for its month's age,
// then makes sure every month shows every state: a missing state is taken
// by the latest entry of the month's most common state.
func assignStates(plan []plannedEntry, now time.Time) {
	byMonth := map[string][]int{}
	var months []string
	for i := range plan {
		e := &plan[i]
		odds := stateOdds[min(monthAge(e.date, now), len(stateOdds)-1)]
		switch r := e.stateRoll; {
		case r < odds.draft:
			e.state = ledger.StateDraft
		case r < odds.draft+odds.submitted:
			e.state = ledger.StateSubmitted
		case r < odds.draft+odds.submitted+odds.rejected:
			e.state = ledger.StateRejected
		default:
			e.state = ledger.StateApproved
		}
		month := ledger.MonthOf(e.date)
		if _, ok := byMonth[month]; !ok {
			months = append(months, month)
		}
		byMonth[month] = append(byMonth[month], i)
	}
	for _, month := range months {
		idx := byMonth[month]
		count := map[ledger.EntryState]int{}
		for _, i := range idx {
			count[plan[i].state]++
		}
		for _, missing := range ledger.EntryStates {
			if count[missing] > 0 {
				continue
			}
			common := ledger.EntryStates[0]
			for _, st := range ledger.EntryStates {
				if count[st] > count[common] {
					common = st
				}
			}
			if count[common] < 2 {
				continue // fewer entries than states; planEntries prevents this
			}
			for j := len(idx) - 1; j >= 0; j-- {
				if e := &plan[idx[j]]; e.state == common {
					e.state = missing
					count[common]--
					count[missing]++
					break
				}
			}
		}
	}
}

// assignReviews picks, for every approved or rejected entry, a reviewer who
// is ops or board, a member on the entry's date, and not its owner, and a
// comment. A reject reason is only given where it makes sense (see
// reasonFits); a duplicate is made to look like the entry it repeats.
func assignReviews(sp spec, people []person, plan []plannedEntry) error {
	for i := range plan {
		e := &plan[i]
		if e.state != ledger.StateApproved && e.state != ledger.StateRejected {
			continue
		}
		var eligible []int
		for j, p := range people {
			if j != e.owner && p.reviewer() && p.active(e.date) {
				eligible = append(eligible, j)
			}
		}
		if len(eligible) == 0 {
			return fmt.Errorf("entry of %s on %s: no reviewer", people[e.owner].spec.Key, e.date)
		}
		e.reviewer = eligible[int(e.pickA*float64(len(eligible)))]
		if e.state == ledger.StateApproved {
			c := sp.ReviewComments.Approve
			e.comment = c[int(e.pickB*float64(len(c)))]
			continue
		}
		sibling := -1
		for j := range plan {
			if j != i && plan[j].owner == e.owner && plan[j].date == e.date && plan[j].state != ledger.StateRejected {
				sibling = j
				break
			}
		}
		var reasons []rejectSpec
		for _, r := range sp.ReviewComments.Reject {
			if reasonFits(r.Fix, *e, sibling >= 0) {
				reasons = append(reasons, r)
			}
		}
		if len(reasons) == 0 {
			reasons = sp.ReviewComments.Reject
		}
		reason := reasons[int(e.pickB*float64(len(reasons)))]
		e.comment, e.fix = reason.Comment, reason.Fix
		if reason.Fix == "duplicate" && sibling >= 0 {
			s := plan[sibling]
			e.circle, e.task, e.minutes, e.comp = s.circle, s.task, s.minutes, s.comp
		}
	}
	return nil
}

// reasonFits reports whether a reject reason suits an entry: a duplicate
// needs another entry that day, "re-log as volunteer" an entry that is not
// volunteer already, and "hours look high" an entry of 3 h or more.
func reasonFits(fix string, e plannedEntry, hasSibling bool) bool {
	switch fix {
	case "duplicate":
		return hasSibling
	case "volunteer":
		return e.comp != ledger.CompVolunteer
	case "hours":
		return e.minutes >= 180
	}
	return true
}

// addCorrections has the owners of most rejected entries log a correcting
// entry the same day, fixed as the reviewer asked. Corrections from earlier
// months were approved by the same reviewer; this month's wait for review.
func addCorrections(sp spec, plan []plannedEntry, now time.Time) []plannedEntry {
	out := make([]plannedEntry, 0, len(plan)+len(plan)/10)
	for _, e := range plan {
		out = append(out, e)
		if e.state != ledger.StateRejected || e.fix == "duplicate" || e.correctRoll >= 0.7 {
			continue
		}
		c := e
		c.corrects, c.fix = len(out)-1, ""
		c.note = "Re-logged after review."
		switch e.fix {
		case "circle":
			k := slices.Index(sp.Circles, e.circle)
			c.circle = sp.Circles[(k+1)%len(sp.Circles)]
			c.task = sp.Tasks[c.circle][int(e.pickB*float64(len(sp.Tasks[c.circle])))]
		case "volunteer":
			c.comp = ledger.CompVolunteer
		case "hours":
			c.minutes = max(30, e.minutes-15*(2+int(e.correctRoll*9))) // 0.5-2 h less
			c.note = "Re-logged after review: the first estimate included a meeting already logged."
		}
		c.state, c.comment = ledger.StateApproved, ""
		if monthAge(e.date, now) == 0 {
			c.state = ledger.StateSubmitted
		}
		out = append(out, c)
	}
	return out
}
