// Package strictjson decodes JSON exactly as written. encoding/json matches object names to
// struct fields without regard to case and lets a repeated name silently overwrite the first,
// so a misspelt or doubled field slips past DisallowUnknownFields. Unmarshal refuses:
//
//   - text that is not UTF-8 (RFC 8259 §8.1) or not one JSON value;
//   - an object name that is not, in exactly its case, a field of the target struct;
//   - a name given twice in one object (anywhere, maps and untyped values included);
//   - a value whose JSON type the target field cannot hold.
//
// Each refusal is an *Error whose Kind says what is wrong and whose Path says where, so the
// caller can name the field and the fix. What passes is then decoded by encoding/json, which
// keeps its rules for everything else (null leaves a value as it is, absent fields keep theirs).
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// Kind is what is wrong with a JSON text.
type Kind int

// The kinds of Error.
const (
	// Syntax: not one JSON value (empty, malformed, truncated, or followed by more data).
	Syntax Kind = iota + 1
	// NotUTF8: the text holds bytes that are not UTF-8.
	NotUTF8
	// UnknownField: an object name the target does not declare in exactly this case.
	UnknownField
	// DuplicateField: a name given twice in one object.
	DuplicateField
	// WrongType: a value of a JSON type the target cannot hold, or a number out of its range.
	WrongType
)

func (k Kind) String() string {
	switch k {
	case Syntax:
		return "syntax"
	case NotUTF8:
		return "not UTF-8"
	case UnknownField:
		return "unknown field"
	case DuplicateField:
		return "duplicate field"
	case WrongType:
		return "wrong type"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a refused JSON text.
type Error struct {
	Kind Kind
	// Path is where the problem is, written as in JavaScript: `network.apiVpcCIDR`,
	// `consumers[1].cidr`; "" is the top-level value. For UnknownField and DuplicateField it
	// ends with the offending name.
	Path string
	// Offset is the byte offset of the problem in the text.
	Offset int
	// Want describes what WrongType expected ("a string", "an object", ...).
	Want string
	// Suggestion is, for UnknownField, the declared name that differs only in case ("" if none).
	Suggestion string
	// Detail says more about Syntax (what was found where) and about WrongType reported by
	// encoding/json (such as a number out of range).
	Detail string
}

func (e *Error) Error() string {
	switch e.Kind {
	case NotUTF8:
		return fmt.Sprintf("byte %d is not UTF-8: the text must be UTF-8 encoded", e.Offset)
	case UnknownField:
		if e.Suggestion != "" {
			return fmt.Sprintf("unknown field %q: names are case-sensitive, did you mean %q?", e.Path, e.Suggestion)
		}
		return fmt.Sprintf("unknown field %q", e.Path)
	case DuplicateField:
		return fmt.Sprintf("field %q is given twice: give each name once", e.Path)
	case WrongType:
		msg := "the value must be " + e.Want
		if e.Path != "" {
			msg = e.Path + " must be " + e.Want
		}
		if e.Detail != "" {
			msg += " (" + e.Detail + ")"
		}
		return msg
	}
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Detail)
}

// Shaped is implemented by a json.Unmarshaler whose JSON is that of another type, so that
// Unmarshal can check inside it: JSONShape returns a value of that type (a nil pointer will
// do). Without it, the inside of a json.Unmarshaler is checked only for syntax and repeated
// names.
type Shaped interface {
	JSONShape() any
}

// Unmarshal checks data against the type of v as the package describes, then decodes it into v
// with encoding/json. v must be a non-nil pointer.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictjson: Unmarshal needs a non-nil pointer, not %T", v)
	}
	if err := Check(data, rv.Type().Elem()); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		// Check has ruled out everything but values encoding/json refuses on their content,
		// such as 1e400 for a float64 or 300 for a uint8, and a json.Unmarshaler's own errors.
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &Error{Kind: WrongType, Path: typeErr.Field, Offset: int(typeErr.Offset), Want: describe(typeErr.Type), Detail: typeErr.Value}
		}
		return err
	}
	return nil
}

// Check reports, as an *Error, the first reason Unmarshal would refuse data for a value of type
// t, without decoding it.
func Check(data []byte, t reflect.Type) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return &Error{Kind: NotUTF8, Offset: off}
	}
	c := checker{data: data}
	c.skipSpace()
	if c.pos == len(data) {
		return c.syntax("no JSON value")
	}
	if err := c.value(planOf(t), 0); err != nil {
		err.Path = spell(c.rev)
		return err
	}
	c.skipSpace()
	if c.pos != len(data) {
		return c.syntax("data after the JSON value")
	}
	return nil
}
