package store

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
)

// appendEntryJSON appends e encoded as json.Marshal encodes it, byte for
// byte (a test holds it to that), without reflection: every write of an
// entry encodes it inside the write transaction, where work is serial.
func appendEntryJSON(b []byte, e *ledger.TimeEntry) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"member_id":`...)
	b = appendJSONString(b, e.MemberID)
	b = append(b, `,"date":`...)
	b = appendJSONString(b, e.Date)
	b = append(b, `,"minutes":`...)
	b = strconv.AppendInt(b, int64(e.Minutes), 10)
	b = append(b, `,"hours":`...)
	b = appendJSONString(b, e.Hours)
	b = append(b, `,"circle_id":`...)
	b = appendJSONString(b, e.CircleID)
	b = append(b, `,"task":`...)
	b = appendJSONString(b, e.Task)
	b = append(b, `,"note":`...)
	b = appendJSONString(b, e.Note)
	b = append(b, `,"compensation":`...)
	b = appendJSONString(b, string(e.Compensation))
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(e.State))
	if e.Corrects != "" {
		b = append(b, `,"corrects":`...)
		b = appendJSONString(b, e.Corrects)
	}
	if e.CreatedBy != "" {
		b = append(b, `,"created_by":`...)
		b = appendJSONString(b, e.CreatedBy)
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, e.CreatedAt); err != nil {
		return nil, err
	}
	if e.SubmittedAt != nil {
		b = append(b, `,"submitted_at":`...)
		if b, err = appendJSONTime(b, *e.SubmittedAt); err != nil {
			return nil, err
		}
	}
	if e.ReviewedBy != "" {
		b = append(b, `,"reviewed_by":`...)
		b = appendJSONString(b, e.ReviewedBy)
	}
	if e.ReviewedAt != nil {
		b = append(b, `,"reviewed_at":`...)
		if b, err = appendJSONTime(b, *e.ReviewedAt); err != nil {
			return nil, err
		}
	}
	if e.ReviewComment != "" {
		b = append(b, `,"review_comment":`...)
		b = appendJSONString(b, e.ReviewComment)
	}
	return append(b, '}'), nil
}

// appendJSONTime appends t as time.Time's MarshalJSON writes it.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); t.Location() == time.UTC && y >= 0 && y <= 9999 {
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"'), nil
	}
	enc, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// appendJSONString appends s quoted as encoding/json quotes strings (with
// HTML escaping, as json.Marshal does): ", \\ and control characters
// escaped, < > & U+2028 U+2029 as \u escapes, invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
