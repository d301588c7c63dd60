package web

import (
	"strconv"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
	"github.com/shopspring/decimal"
)

// bindTimeEntry is BindJSON for the body that logs hours, the write the
// API sees most, without reflection: it decodes only plain bodies (each
// known field once, strings without escapes, numbers and literals as JSON
// writes them) and reports false for anything else, leaving in as it was,
// so that BindJSON decodes that body the general way and names what is
// wrong. Where it succeeds, the result is what the general way gives.
func bindTimeEntry(body []byte, in *ledger.TimeEntryInput) bool {
	if in.Hours != nil || in.Minutes != nil || in.Compensation != nil {
		// encoding/json would decode into the values they point to.
		return false
	}
	out := *in
	d := entryDecoder{b: body}
	if !d.byte('{') {
		return false
	}
	var seen uint16
	if d.skipSpace(); d.peek() == '}' {
		d.i++
	} else {
		for {
			d.skipSpace()
			key, ok := d.plainString()
			if !ok {
				return false
			}
			if !d.byte(':') {
				return false
			}
			d.skipSpace()
			bit, ok := d.field(&out, string(key))
			if !ok || seen&bit != 0 {
				return false
			}
			seen |= bit
			d.skipSpace()
			if d.peek() == ',' {
				d.i++
				continue
			}
			if !d.byte('}') {
				return false
			}
			break
		}
	}
	if d.skipSpace(); d.i != len(d.b) {
		return false
	}
	*in = out
	return true
}

// entryDecoder reads a JSON object at b[i:].
type entryDecoder struct {
	b []byte
	i int
}

func (d *entryDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *entryDecoder) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte skips white space and then c, reporting whether c was there.
func (d *entryDecoder) byte(c byte) bool {
	d.skipSpace()
	if d.peek() != c {
		return false
	}
	d.i++
	return true
}

// plainString reads a string literal without escapes or control
// characters, in valid UTF-8, and returns its contents.
func (d *entryDecoder) plainString() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[start:j]
			if !utf8.Valid(s) {
				return nil, false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// number reads a JSON number and returns its text.
func (d *entryDecoder) number() ([]byte, bool) {
	b, j := d.b, d.i
	digits := func() bool {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case !digits():
		return nil, false
	}
	if j < len(b) && b[j] == '.' {
		j++
		if !digits() {
			return nil, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if !digits() {
			return nil, false
		}
	}
	text := b[d.i:j]
	d.i = j
	return text, true
}

// field decodes the value of the field named key into in and returns a
// bit of its own for that field.
func (d *entryDecoder) field(in *ledger.TimeEntryInput, key string) (uint16, bool) {
	var dst *string
	var bit uint16
	switch key {
	case "member_id":
		dst, bit = &in.MemberID, 1<<0
	case "date":
		dst, bit = &in.Date, 1<<1
	case "circle_id":
		dst, bit = &in.CircleID, 1<<2
	case "task":
		dst, bit = &in.Task, 1<<3
	case "note":
		dst, bit = &in.Note, 1<<4
	case "corrects":
		dst, bit = &in.Corrects, 1<<5
	case "minutes":
		text, ok := d.number()
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil {
			return 0, false
		}
		in.Minutes = &n
		return 1 << 6, true
	case "hours":
		start := d.i
		var ok bool
		if d.peek() == '"' {
			_, ok = d.plainString()
		} else {
			_, ok = d.number()
		}
		if !ok {
			return 0, false
		}
		h := new(decimal.Decimal)
		if h.UnmarshalJSON(d.b[start:d.i]) != nil {
			return 0, false
		}
		in.Hours = h
		return 1 << 7, true
	case "compensation":
		start := d.i
		if _, ok := d.plainString(); !ok {
			return 0, false
		}
		c := new(ledger.Compensation)
		if c.UnmarshalJSON(d.b[start:d.i]) != nil {
			return 0, false
		}
		in.Compensation = c
		return 1 << 8, true
	case "submit":
		switch {
		case d.literal("true"):
			in.Submit = true
		case d.literal("false"):
			in.Submit = false
		default:
			return 0, false
		}
		return 1 << 9, true
	default:
		return 0, false
	}
	s, ok := d.plainString()
	if !ok {
		return 0, false
	}
	*dst = string(s)
	return bit, true
}

// literal reads word if it comes next.
func (d *entryDecoder) literal(word string) bool {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}
