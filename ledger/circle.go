package ledger

import (
	"fmt"
	"strings"
	"time"
)

// Circle is a working group (tech, ops, marketing) that hours are logged in.
type Circle struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// CircleInput is what a client sends to create a circle.
type CircleInput struct {
	Name string `json:"name"`
}

const maxCircleNameLen = 80

// Validate trims the name and checks it. Unique names are checked by the
// store, case-insensitively.
func (in *CircleInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return FieldError("name", "is required")
	case !validText(in.Name, maxCircleNameLen) || strings.ContainsAny(in.Name, "\n\t"):
		return FieldError("name", fmt.Sprintf("must be at most %d characters on one line", maxCircleNameLen))
	}
	return nil
}
