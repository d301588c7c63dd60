package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coopledger/coopledger/ledger"
)

// BindJSON decodes a JSON object into the struct pointed to by dst. It
// decodes field by field so that every problem names its field: unknown
// fields, wrong types and values the domain's types refuse (an unknown role
// or state) all come back as one *ledger.ValidationError.
func BindJSON(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ledger.FieldError("body", "is required: send a JSON object")
	}
	if in, ok := dst.(*ledger.TimeEntryInput); ok && bindTimeEntry(body, in) {
		return nil
	}
	return bindGeneral(body, dst)
}

// bindGeneral is BindJSON for any body, through reflection: body is
// trimmed and not empty.
func bindGeneral(body []byte, dst any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return ledger.FieldError("body", "must be a JSON object")
	}
	rv := reflect.ValueOf(dst).Elem()
	fields := fieldNames(rv.Type())
	v := &ledger.ValidationError{}
	for name, value := range raw {
		i, ok := fields[name]
		if !ok {
			v.Add(printableName(name), "is not a known field")
			continue
		}
		// encoding/json would quietly turn bytes that are not UTF-8 into
		// U+FFFD and store the mangled text; refuse them instead.
		if !utf8.Valid(value) {
			v.Add(name, "must be valid UTF-8")
			continue
		}
		if err := json.Unmarshal(value, rv.Field(i).Addr().Interface()); err != nil {
			v.Add(name, describe(err))
		}
	}
	return v.Err()
}

// fieldIndexes caches fieldNames by struct type: every request body is
// bound to one of a few types.
var fieldIndexes sync.Map // reflect.Type → map[string]int

// fieldNames maps each JSON name of rt's exported fields to the field's
// index.
func fieldNames(rt reflect.Type) map[string]int {
	if m, ok := fieldIndexes.Load(rt); ok {
		return m.(map[string]int)
	}
	out := make(map[string]int, rt.NumField())
	for i := 0; i < rt.NumField(); i++ {
		sf := rt.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[name] = i
	}
	fieldIndexes.Store(rt, out)
	return out
}

func describe(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch te.Type.Kind() {
		case reflect.Slice:
			return "must be a list"
		case reflect.Map, reflect.Struct:
			if te.Type.String() == "decimal.Decimal" {
				return "must be a decimal number like \"2.5\""
			}
			return "must be an object"
		case reflect.Bool:
			return "must be true or false"
		case reflect.Int, reflect.Int64, reflect.Int32:
			return "must be a whole number"
		case reflect.String:
			return "must be a string"
		}
		return "has the wrong type"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "is not valid JSON"
	}
	msg := err.Error()
	if strings.Contains(msg, "decimal") || strings.Contains(msg, "can't convert") {
		return "must be a decimal number like \"2.5\""
	}
	return msg
}

// printableName keeps an unknown field's name fit to echo back: valid
// UTF-8, no control characters, at most 64 characters, and never empty
// (an empty name comes back as two quote marks).
func printableName(s string) string {
	if s == "" {
		// A field error keyed "" names nothing a client can show.
		return `""`
	}
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return s
}
