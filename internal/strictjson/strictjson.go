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
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
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

// maxDepth bounds nesting, as encoding/json does, so hostile input cannot exhaust the stack.
const maxDepth = 10000

// pathSeg is one step of the path to a value: an object member's name, or an array index.
type pathSeg struct {
	name    []byte
	index   int
	element bool
}

// spell writes a path from its steps, which come innermost first.
func spell(rev []pathSeg) string {
	var b strings.Builder
	for i := len(rev) - 1; i >= 0; i-- {
		if rev[i].element {
			b.WriteString("[" + strconv.Itoa(rev[i].index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(rev[i].name)
	}
	return b.String()
}

// checker walks one JSON text. The path to a refused value is gathered as the walk unwinds from
// it, so a text that passes costs no allocation for paths.
type checker struct {
	data []byte
	pos  int
	rev  []pathSeg // the path of the error being returned, innermost step first
}

func (c *checker) syntax(detail string) *Error {
	return &Error{Kind: Syntax, Offset: c.pos, Detail: detail}
}

func (c *checker) unexpected(what string) *Error {
	if c.pos >= len(c.data) {
		return c.syntax("the text ends in the middle of " + what)
	}
	r, _ := utf8.DecodeRune(c.data[c.pos:])
	return c.syntax(fmt.Sprintf("unexpected %q in %s", r, what))
}

func (c *checker) skipSpace() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// value checks the value at c.pos against p.
func (c *checker) value(p *plan, depth int) *Error {
	if depth > maxDepth {
		return c.syntax("values nested too deeply")
	}
	if c.pos >= len(c.data) {
		return c.unexpected("a value")
	}
	start := c.pos
	var got jsonType
	switch b := c.data[c.pos]; {
	case b == '{':
		got = typeObject
	case b == '[':
		got = typeArray
	case b == '"':
		got = typeString
	case b == '-' || '0' <= b && b <= '9':
		got = typeNumber
	case b == 't' || b == 'f':
		got = typeBool
	case b == 'n':
		got = typeNull
	default:
		return c.unexpected("a value")
	}
	if got != typeNull && p.accepts&got == 0 {
		// The value's own syntax comes first: a wrong type is only reported for a valid text.
		if err := c.value(anyPlan, depth); err != nil {
			return err
		}
		return &Error{Kind: WrongType, Offset: start, Want: p.want}
	}
	switch got {
	case typeObject:
		return c.object(p, depth)
	case typeArray:
		return c.array(p, depth)
	case typeString:
		_, _, err := c.str()
		return err
	case typeNumber:
		if err := c.number(); err != nil {
			return err
		}
		return p.inRange(c.data[start:c.pos], start)
	case typeBool:
		if c.literal("true") || c.literal("false") {
			return nil
		}
		return c.unexpected("a value")
	default:
		if c.literal("null") {
			return nil
		}
		return c.unexpected("a value")
	}
}

func (c *checker) literal(word string) bool {
	if len(c.data)-c.pos >= len(word) && string(c.data[c.pos:c.pos+len(word)]) == word {
		c.pos += len(word)
		return true
	}
	return false
}

func (c *checker) object(p *plan, depth int) *Error {
	c.pos++ // '{'
	var seenFields uint64
	var seenMore []bool // fields past the 64th
	var seenNames map[string]struct{}
	c.skipSpace()
	if c.pos < len(c.data) && c.data[c.pos] == '}' {
		c.pos++
		return nil
	}
	for {
		c.skipSpace()
		if c.pos >= len(c.data) || c.data[c.pos] != '"' {
			return c.unexpected("an object, where a name in quotes belongs")
		}
		nameAt := c.pos
		raw, escaped, err := c.str()
		if err != nil {
			return err
		}
		name := raw
		if escaped {
			name = unescape(raw)
		}
		c.skipSpace()
		if c.pos >= len(c.data) || c.data[c.pos] != ':' {
			return c.unexpected("an object, where ':' belongs")
		}
		c.pos++
		c.skipSpace()
		seg := pathSeg{name: name}
		var elem *plan
		if p.fields != nil {
			i := p.field(name)
			if i < 0 {
				c.rev = append(c.rev, seg)
				return &Error{Kind: UnknownField, Offset: nameAt, Suggestion: p.suggest(name)}
			}
			dup := false
			if i < 64 {
				dup = seenFields&(1<<i) != 0
				seenFields |= 1 << i
			} else {
				if seenMore == nil {
					seenMore = make([]bool, len(p.fields))
				}
				dup, seenMore[i] = seenMore[i], true
			}
			if dup {
				c.rev = append(c.rev, seg)
				return &Error{Kind: DuplicateField, Offset: nameAt}
			}
			elem = p.fields[i].plan
		} else {
			if seenNames == nil {
				seenNames = map[string]struct{}{}
			}
			if _, dup := seenNames[string(name)]; dup {
				c.rev = append(c.rev, seg)
				return &Error{Kind: DuplicateField, Offset: nameAt}
			}
			seenNames[string(name)] = struct{}{}
			elem = p.elem
		}
		if err := c.value(elem, depth+1); err != nil {
			if err.Kind != Syntax {
				c.rev = append(c.rev, seg)
			}
			return err
		}
		c.skipSpace()
		if c.pos < len(c.data) && c.data[c.pos] == ',' {
			c.pos++
			continue
		}
		if c.pos < len(c.data) && c.data[c.pos] == '}' {
			c.pos++
			return nil
		}
		return c.unexpected("an object, after a value where ',' or '}' belongs")
	}
}

func (c *checker) array(p *plan, depth int) *Error {
	c.pos++ // '['
	c.skipSpace()
	if c.pos < len(c.data) && c.data[c.pos] == ']' {
		c.pos++
		return nil
	}
	for i := 0; ; i++ {
		c.skipSpace()
		if err := c.value(p.elem, depth+1); err != nil {
			if err.Kind != Syntax {
				c.rev = append(c.rev, pathSeg{index: i, element: true})
			}
			return err
		}
		c.skipSpace()
		if c.pos < len(c.data) && c.data[c.pos] == ',' {
			c.pos++
			continue
		}
		if c.pos < len(c.data) && c.data[c.pos] == ']' {
			c.pos++
			return nil
		}
		return c.unexpected("an array, after a value where ',' or ']' belongs")
	}
}

// str reads a string at c.pos and returns its raw content (between the quotes) and whether it
// holds escapes.
func (c *checker) str() (raw []byte, escaped bool, err *Error) {
	c.pos++ // '"'
	start := c.pos
	for c.pos < len(c.data) {
		switch b := c.data[c.pos]; {
		case b == '"':
			raw = c.data[start:c.pos]
			c.pos++
			return raw, escaped, nil
		case b == '\\':
			escaped = true
			c.pos++
			if c.pos >= len(c.data) {
				return nil, false, c.unexpected("a string")
			}
			switch c.data[c.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				c.pos++
			case 'u':
				c.pos++
				for range 4 {
					if c.pos >= len(c.data) || !isHex(c.data[c.pos]) {
						return nil, false, c.unexpected("a \\u escape")
					}
					c.pos++
				}
			default:
				return nil, false, c.unexpected("a string escape")
			}
		case b < 0x20:
			return nil, false, c.syntax("a control character in a string: write it as an escape such as \\n")
		default:
			c.pos++
		}
	}
	return nil, false, c.unexpected("a string")
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259 §6).
func (c *checker) number() *Error {
	if c.data[c.pos] == '-' {
		c.pos++
	}
	switch {
	case c.pos < len(c.data) && c.data[c.pos] == '0':
		c.pos++
	case c.pos < len(c.data) && '1' <= c.data[c.pos] && c.data[c.pos] <= '9':
		c.digits()
	default:
		return c.unexpected("a number")
	}
	if c.pos < len(c.data) && c.data[c.pos] == '.' {
		c.pos++
		if !c.digits() {
			return c.unexpected("a number, where a digit belongs")
		}
	}
	if c.pos < len(c.data) && (c.data[c.pos] == 'e' || c.data[c.pos] == 'E') {
		c.pos++
		if c.pos < len(c.data) && (c.data[c.pos] == '+' || c.data[c.pos] == '-') {
			c.pos++
		}
		if !c.digits() {
			return c.unexpected("a number, where a digit belongs")
		}
	}
	return nil
}

func (c *checker) digits() bool {
	start := c.pos
	for c.pos < len(c.data) && '0' <= c.data[c.pos] && c.data[c.pos] <= '9' {
		c.pos++
	}
	return c.pos > start
}

// unescape decodes the escapes of a string already checked by str, as encoding/json does
// (an unpaired surrogate becomes U+FFFD).
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			out = append(out, raw[i])
			i++
			continue
		}
		i++
		switch e := raw[i]; e {
		case 'u':
			r := rune(hex4(raw[i+1 : i+5]))
			i += 5
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = rune(hex4(raw[i+2 : i+6]))
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		case 'b':
			out, i = append(out, '\b'), i+1
		case 'f':
			out, i = append(out, '\f'), i+1
		case 'n':
			out, i = append(out, '\n'), i+1
		case 'r':
			out, i = append(out, '\r'), i+1
		case 't':
			out, i = append(out, '\t'), i+1
		default: // '"', '\\', '/'
			out, i = append(out, e), i+1
		}
	}
	return out
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b {
		v <<= 4
		switch {
		case c <= '9':
			v |= uint16(c - '0')
		case c >= 'a':
			v |= uint16(c - 'a' + 10)
		default:
			v |= uint16(c - 'A' + 10)
		}
	}
	return v
}

// jsonType is a set of JSON value types.
type jsonType uint8

const (
	typeObject jsonType = 1 << iota
	typeArray
	typeString
	typeNumber
	typeBool
	typeNull
	typeAny = typeObject | typeArray | typeString | typeNumber | typeBool
)

// plan is what a Go type accepts, worked out once per type.
type plan struct {
	accepts jsonType
	want    string       // accepts in words, for WrongType
	number  reflect.Kind // the Go kind a JSON number goes into, for its range; 0 for none
	fields  []field      // a struct's JSON names; nil for anything else
	elem    *plan        // a map's values, an array's elements
}

type field struct {
	name string
	plan *plan
}

// field returns the index of the field named exactly name, or -1.
func (p *plan) field(name []byte) int {
	for i := range p.fields {
		if p.fields[i].name == string(name) {
			return i
		}
	}
	return -1
}

// suggest returns the field whose name matches name but for case.
func (p *plan) suggest(name []byte) string {
	for _, f := range p.fields {
		if strings.EqualFold(f.name, string(name)) {
			return f.name
		}
	}
	return ""
}

// inRange checks that the number text fits the Go kind it goes into, as encoding/json will.
func (p *plan) inRange(text []byte, offset int) *Error {
	if p.number == 0 {
		return nil
	}
	var err error
	switch p.number {
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(string(text), p.bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		_, err = strconv.ParseUint(string(text), 10, p.bits())
		if _, signed := strconv.ParseInt(string(text), 10, 64); err != nil && text[0] == '-' && (signed == nil || errors.Is(signed, strconv.ErrRange)) {
			err = strconv.ErrRange // a negative whole number: the right form, out of an unsigned range
		}
	default:
		_, err = strconv.ParseInt(string(text), 10, p.bits())
	}
	if err == nil {
		return nil
	}
	e := &Error{Kind: WrongType, Offset: offset, Want: p.want}
	if errors.Is(err, strconv.ErrRange) {
		e.Detail = string(text) + " is out of range"
	}
	return e
}

func (p *plan) bits() int {
	switch p.number {
	case reflect.Int8, reflect.Uint8:
		return 8
	case reflect.Int16, reflect.Uint16:
		return 16
	case reflect.Int32, reflect.Uint32, reflect.Float32:
		return 32
	}
	return 64
}

var anyPlan = &plan{accepts: typeAny, want: "a JSON value"}

func init() { anyPlan.elem = anyPlan }

var stringPlan = &plan{accepts: typeString, want: "a string"}

var plans sync.Map // reflect.Type -> *plan

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t, map[reflect.Type]*plan{})
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	shapedType          = reflect.TypeFor[Shaped]()
)

// buildPlan follows encoding/json's rules for which JSON a Go type takes. building holds the
// plans under construction, so recursive types end.
func buildPlan(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := building[t]; ok {
		return p
	}
	implements := func(i reflect.Type) bool { return t.Implements(i) || reflect.PointerTo(t).Implements(i) }
	switch {
	case t.Kind() == reflect.Pointer:
		return buildPlan(t.Elem(), building) // null is always allowed; anything else is the element's
	case implements(shapedType):
		return buildPlan(reflect.TypeOf(reflect.New(t).Interface().(Shaped).JSONShape()), building)
	case implements(unmarshalerType) || t.Kind() == reflect.Interface:
		return anyPlan
	case implements(textUnmarshalerType):
		return stringPlan
	}
	p := &plan{}
	building[t] = p
	switch t.Kind() {
	case reflect.Struct:
		p.accepts, p.want = typeObject, "an object"
		p.fields = structFields(t, building)
	case reflect.Map:
		p.accepts, p.want = typeObject, "an object"
		p.elem = buildPlan(t.Elem(), building)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(unmarshalerType) {
			p.accepts, p.want = typeString, "a base64 string"
			break
		}
		fallthrough
	case reflect.Array:
		p.accepts, p.want = typeArray, "an array"
		p.elem = buildPlan(t.Elem(), building)
	case reflect.String:
		*p = *stringPlan
	case reflect.Bool:
		p.accepts, p.want = typeBool, "true or false"
	case reflect.Float32, reflect.Float64:
		p.accepts, p.want, p.number = typeNumber, "a number", t.Kind()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.accepts, p.want, p.number = typeNumber, "a whole number", t.Kind()
	default:
		// Channels, functions, complex numbers: encoding/json refuses them itself.
		*p = *anyPlan
	}
	return p
}

// structFields lists the JSON names of a struct as encoding/json does: exported fields, the tag
// name or else the Go name, "-" left out, fields of untagged embedded structs promoted (the
// shallower one winning a clash, as in encoding/json; clashes at one depth drop the name).
func structFields(t reflect.Type, building map[reflect.Type]*plan) []field {
	type candidate struct {
		field
		depth  int
		tagged bool
	}
	var all []candidate
	var walk func(t reflect.Type, depth int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
				if name == "" && ft.Kind() == reflect.Struct {
					walk(ft, depth+1, seen)
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			fp := buildPlan(sf.Type, building)
			if hasOpt(opts, "string") && isScalar(ft) {
				fp = &plan{accepts: typeString, want: "a string holding " + fp.want} // encoding/json checks the inside
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			all = append(all, candidate{field{name, fp}, depth, tagged})
		}
	}
	walk(t, 0, map[reflect.Type]bool{})
	var out []field
	for i, c := range all {
		keep := true
		for j, o := range all {
			if i == j || o.name != c.name {
				continue
			}
			// encoding/json: the shallowest wins; at equal depth a tagged one wins; a tie drops both.
			if o.depth < c.depth || o.depth == c.depth && (o.tagged && !c.tagged || o.tagged == c.tagged) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, c.field)
		}
	}
	if out == nil {
		out = []field{} // a struct with no fields still refuses every name
	}
	return out
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// describe names what encoding/json expected of t, for its type errors.
func describe(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	return planOf(t).want
}
