package strictjson

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

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
