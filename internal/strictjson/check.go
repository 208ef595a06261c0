package strictjson

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

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
	var seen members
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
		elem, kind := seen.add(p, name)
		if kind != 0 {
			c.rev = append(c.rev, seg)
			e := &Error{Kind: kind, Offset: nameAt}
			if kind == UnknownField {
				e.Suggestion = p.suggest(name)
			}
			return e
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

// members remembers the names one object has used: fields of a struct by index (a bit each for the
// first 64, no allocation), keys of a map by name.
type members struct {
	fields uint64
	more   []bool // fields past the 64th
	names  map[string]struct{}
}

// add records name in an object read by p and returns the plan of its value, or the kind of error
// when the name is no field of p's struct (UnknownField) or was used before (DuplicateField).
func (m *members) add(p *plan, name []byte) (*plan, Kind) {
	if p.fields == nil {
		if m.names == nil {
			m.names = map[string]struct{}{}
		}
		if _, dup := m.names[string(name)]; dup {
			return nil, DuplicateField
		}
		m.names[string(name)] = struct{}{}
		return p.elem, 0
	}
	i := p.field(name)
	if i < 0 {
		return nil, UnknownField
	}
	dup := false
	if i < 64 {
		dup = m.fields&(1<<i) != 0
		m.fields |= 1 << i
	} else {
		if m.more == nil {
			m.more = make([]bool, len(p.fields))
		}
		dup, m.more[i] = m.more[i], true
	}
	if dup {
		return nil, DuplicateField
	}
	return p.fields[i].plan, 0
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
