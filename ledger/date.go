package ledger

import (
	"fmt"
	"time"
)

// DateLayout and MonthLayout are the only date forms the API speaks. Both
// sort as text, which the store relies on for its range keys.
const (
	DateLayout  = "2006-01-02"
	MonthLayout = "2006-01"
)

// ParseDate parses a YYYY-MM-DD date. It refuses years before 1900 and after
// 9999 so that every stored date keeps its fixed width.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		return time.Time{}, fmt.Errorf("must be a date like 2024-05-31")
	}
	if t.Year() < 1900 {
		return time.Time{}, fmt.Errorf("must be a date after 1900")
	}
	return t, nil
}

// ParseMonth parses a YYYY-MM month.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.Parse(MonthLayout, s)
	if err != nil || len(s) != len(MonthLayout) {
		return time.Time{}, fmt.Errorf("must be a month like 2024-05")
	}
	if t.Year() < 1900 {
		return time.Time{}, fmt.Errorf("must be a month after 1900")
	}
	return t, nil
}

// MonthOf returns the YYYY-MM month of a YYYY-MM-DD date.
func MonthOf(date string) string {
	if len(date) < 7 {
		return date
	}
	return date[:7]
}

// Today is the calendar date of now in its own location.
func Today(now time.Time) string { return now.Format(DateLayout) }
