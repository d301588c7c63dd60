package governance

import (
	"fmt"

	"github.com/coopledger/coopledger/ledger"
)

// BallotInput is the body of POST /polls/{id}/ballots. Each kind reads its
// own field: a choice for yes/no and consent polls, a ranking of option
// ids for ranked polls, points per option id for dots polls. Ranked and
// dots voters abstain with the choice "abstain" and nothing else.
type BallotInput struct {
	Choice  string         `json:"choice"`
	Ranking []string       `json:"ranking"`
	Points  map[string]int `json:"points"`
}

// Ballot is one member's accepted vote, normalised: only the field of its
// poll's kind is set, an abstention is Choice "abstain" whatever the kind,
// and a dots ballot keeps only the options given points. Classes are the
// voter's classes when the poll opened, for weighting; the store sets them.
type Ballot struct {
	Choice  string         `json:"choice,omitempty"`
	Ranking []string       `json:"ranking,omitempty"`
	Points  map[string]int `json:"points,omitempty"`
	Classes []ledger.Class `json:"classes,omitempty"`
}

// Abstains reports whether b counts towards turnout only.
func (b Ballot) Abstains() bool { return b.Choice == ChoiceAbstain }

// CheckBallot validates in as a ballot in poll p and returns it normalised.
// Every problem is a field error in one *ledger.ValidationError: "choice",
// "ranking", "ranking[3]", "points" or "points.o9". Whether the poll is
// open and the member in its electorate is for the store to check.
func CheckBallot(p Poll, in BallotInput) (Ballot, error) {
	var v ledger.ValidationError
	switch p.Kind {
	case KindYesNo, KindConsent:
		return checkChoiceBallot(&v, p, in)
	case KindRanked:
		return checkRankedBallot(&v, p, in)
	case KindDots:
		return checkDotsBallot(&v, p, in)
	}
	return Ballot{}, fmt.Errorf("poll %s has unknown kind %q", p.ID, p.Kind)
}

func checkChoiceBallot(v *ledger.ValidationError, p Poll, in BallotInput) (Ballot, error) {
	opts := FixedOptions(p.Kind)
	choices := fmt.Sprintf("%s, %s or %s", opts[0].ID, opts[1].ID, opts[2].ID)
	switch {
	case in.Choice == "":
		v.Add("choice", "is required: "+choices)
	case in.Choice != opts[0].ID && in.Choice != opts[1].ID && in.Choice != opts[2].ID:
		v.Add("choice", "must be "+choices)
	}
	if len(in.Ranking) > 0 {
		v.Add("ranking", fmt.Sprintf("a %s poll takes a choice, not a ranking", p.Kind))
	}
	if len(in.Points) > 0 {
		v.Add("points", fmt.Sprintf("a %s poll takes a choice, not points", p.Kind))
	}
	if err := v.Err(); err != nil {
		return Ballot{}, err
	}
	return Ballot{Choice: in.Choice}, nil
}

func checkRankedBallot(v *ledger.ValidationError, p Poll, in BallotInput) (Ballot, error) {
	if len(in.Points) > 0 {
		v.Add("points", "a ranked poll takes a ranking, not points")
	}
	switch {
	case in.Choice == ChoiceAbstain:
		if len(in.Ranking) > 0 {
			v.Add("ranking", "an abstention ranks nothing")
		}
	case in.Choice != "":
		v.Add("choice", "a ranked poll takes a ranking; the only choice is abstain")
	case len(in.Ranking) == 0:
		v.Add("ranking", "is required: rank at least one option, or send the choice abstain")
	case len(in.Ranking) > len(p.Options):
		v.Add("ranking", fmt.Sprintf("ranks %d options; the poll has %d", len(in.Ranking), len(p.Options)))
	default:
		seen := make(map[int]int, len(in.Ranking))
		for i, id := range in.Ranking {
			field := fmt.Sprintf("ranking[%d]", i)
			k := p.optionIndex(id)
			if k < 0 {
				v.Add(field, "is not an option of this poll")
				continue
			}
			if j, dup := seen[k]; dup {
				v.Add(field, fmt.Sprintf("ranks %s again (already ranking[%d])", id, j))
				continue
			}
			seen[k] = i
		}
	}
	if err := v.Err(); err != nil {
		return Ballot{}, err
	}
	if in.Choice == ChoiceAbstain {
		return Ballot{Choice: ChoiceAbstain}, nil
	}
	return Ballot{Ranking: append([]string{}, in.Ranking...)}, nil
}

func checkDotsBallot(v *ledger.ValidationError, p Poll, in BallotInput) (Ballot, error) {
	if len(in.Ranking) > 0 {
		v.Add("ranking", "a dots poll takes points, not a ranking")
	}
	switch {
	case in.Choice == ChoiceAbstain:
		for _, n := range in.Points {
			if n != 0 {
				v.Add("points", "an abstention spends no points")
				break
			}
		}
	case in.Choice != "":
		v.Add("choice", "a dots poll takes points; the only choice is abstain")
	case len(in.Points) > len(p.Options):
		v.Add("points", fmt.Sprintf("names %d options; the poll has %d", len(in.Points), len(p.Options)))
	default:
		sum, bad := 0, false
		for id, n := range in.Points {
			field := "points"
			if id != "" && ledger.ValidLine(id, 40) {
				field = "points." + id
			}
			switch {
			case p.optionIndex(id) < 0:
				v.Add(field, "is not an option of this poll")
			case n < 0:
				v.Add(field, "must not be negative")
			case n > p.Points:
				v.Add(field, fmt.Sprintf("is more than the budget of %d points", p.Points))
			default:
				sum += n
				continue
			}
			bad = true
		}
		switch {
		case bad:
		case sum > p.Points:
			v.Add("points", fmt.Sprintf("spends %d points; the budget is %d", sum, p.Points))
		case sum == 0:
			v.Add("points", "is required: spend at least one point, or send the choice abstain")
		}
	}
	if err := v.Err(); err != nil {
		return Ballot{}, err
	}
	if in.Choice == ChoiceAbstain {
		return Ballot{Choice: ChoiceAbstain}, nil
	}
	points := make(map[string]int, len(in.Points))
	for id, n := range in.Points {
		if n > 0 {
			points[id] = n
		}
	}
	return Ballot{Points: points}, nil
}
