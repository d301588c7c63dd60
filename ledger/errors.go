package ledger

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors that callers branch on. The web layer maps each one to an
// HTTP status in exactly one place (ui/errors.go); everything else wraps them
// with context, e.g. fmt.Errorf("approve entry %s: %w", id, ErrConflict).
var (
	// ErrNotFound means the record named by an id or key does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the record exists but its state forbids the act,
	// e.g. approving an entry that is already approved.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller is known but their role or ownership
	// does not allow the act.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means the caller could not be identified, or the
	// credentials they gave are wrong.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// ValidationError collects every problem with an input, keyed by the JSON
// field name, so a client can show all of them at once.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the fields in a stable order.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a problem with field; the first problem reported for a field wins.
func (e *ValidationError) Add(field, why string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = why
	}
}

// Err returns e when it holds any problem and nil otherwise, so that
// validation code can end with `return v.Err()`.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// FieldError is shorthand for a ValidationError about a single field.
func FieldError(field, why string) error {
	return &ValidationError{Fields: map[string]string{field: why}}
}
