package store

import (
	"fmt"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// formatIDWithSprintf and parseIDByRoundTrip are the definitions formatID
// and parseID must keep to: zero-padded to idDigits, and an id is valid
// exactly when formatting its number gives it back.
func formatIDWithSprintf(prefix string, seq uint64) string {
	return fmt.Sprintf("%s%0*d", prefix, idDigits, seq)
}

func parseIDByRoundTrip(prefix, id string) (uint64, bool) {
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix || len(id) > len(prefix)+20 {
		return 0, false
	}
	digits := id[len(prefix):]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n == 0 || formatIDWithSprintf(prefix, n) != id {
		return 0, false
	}
	return n, true
}

func TestFormatParseID_AsDefined(t *testing.T) {
	for _, seq := range []uint64{0, 1, 9, 10, 99999, 999999, 1000000, 1234567, 1<<63 + 5, ^uint64(0)} {
		if got, want := formatID(prefixEntry, seq), formatIDWithSprintf(prefixEntry, seq); got != want {
			t.Errorf("formatID(%d) = %q, want %q", seq, got, want)
		}
	}
	for _, id := range []string{"e000001", "e1", "e0000001", "e000000", "e1000000", "e01000000", "m000001", "e",
		"e00000a", "e18446744073709551615", "e18446744073709551616", "e-00001", "e+00001", "e000001 ", "é00001"} {
		gotN, gotOK := parseID(prefixEntry, id)
		wantN, wantOK := parseIDByRoundTrip(prefixEntry, id)
		if gotN != wantN || gotOK != wantOK {
			t.Errorf("parseID(%q) = %d, %v; want %d, %v", id, gotN, gotOK, wantN, wantOK)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		seq := rapid.Uint64().Draw(t, "seq")
		if got, want := formatID(prefixMember, seq), formatIDWithSprintf(prefixMember, seq); got != want {
			t.Fatalf("formatID(%d) = %q, want %q", seq, got, want)
		}
		id := rapid.OneOf(rapid.Just(formatIDWithSprintf(prefixMember, seq)),
			rapid.StringMatching(`m[0-9]{0,22}`), rapid.String()).Draw(t, "id")
		gotN, gotOK := parseID(prefixMember, id)
		wantN, wantOK := parseIDByRoundTrip(prefixMember, id)
		if gotN != wantN || gotOK != wantOK {
			t.Fatalf("parseID(%q) = %d, %v; want %d, %v", id, gotN, gotOK, wantN, wantOK)
		}
	})
}
