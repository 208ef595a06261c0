package stackconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
)

// Problem is one rejected config value: the key path it sits at and, in words, what is wrong and
// how to fix it.
type Problem struct {
	// Key is the path under the project namespace, such as "network.apiVpcCidr" or "consumers[1].name".
	Key     string
	Message string
}

func (p Problem) Error() string { return p.Setting() + ": " + p.Message }

// Setting names the key as a user sets it: "config private-api:network.apiVpcCidr".
func (p Problem) Setting() string { return "config " + Project + ":" + p.Key }

// Problems is every rejected value of one stack config, decode and validation alike, so a user
// fixes them in one pass.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	noun := "problems"
	if len(ps) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "%d %s in the stack config (the config reference is in README.md):", len(ps), noun)
	for _, p := range ps {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// errOrNil returns ps as an error, or nil when there is nothing to report.
func (ps Problems) errOrNil() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// add records a problem at key.
func (ps *Problems) add(key, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

// node is one JSON value with object members kept in order and repeated names kept, so the decoder
// can refuse what encoding/json silently accepts (a repeated name, a name in another case).
type node struct {
	kind    byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	text    string
	members []member
	items   []*node
}

type member struct {
	name  string
	value *node
}

// parseValue reads config text as the CLI hands it over: JSON for structured values, anything
// else (a plain YAML scalar) is the text itself.
func parseValue(raw string) *node {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return &node{kind: 's', text: raw}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &node{kind: 's', text: raw}
	}
	return n
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				nameTok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{name: nameTok.(string), value: v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &node{kind: 's', text: t}, nil
	case json.Number:
		return &node{kind: 'n', text: t.String()}, nil
	case bool:
		return &node{kind: 'b', text: fmt.Sprint(t)}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// found says in words what a value is.
func (n *node) found() string {
	switch n.kind {
	case 'o':
		return "an object"
	case 'a':
		return "a list"
	case 's':
		return fmt.Sprintf("the text %q", n.text)
	case 'n':
		return "the number " + n.text
	case 'b':
		return n.text
	}
	return "no value (null)"
}

// expected says in words what a Go field holds.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		return "an object with the fields " + strings.Join(fieldNames(t), ", ")
	case reflect.Slice:
		return "a list of " + plural(expected(t.Elem()))
	case reflect.Map:
		return "an object of " + plural(expected(t.Elem()))
	case reflect.Pointer:
		return expected(t.Elem())
	case reflect.String:
		return "text"
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

func plural(s string) string {
	switch {
	case s == "text":
		return "texts"
	case s == "true or false":
		return "true/false values"
	case strings.HasPrefix(s, "an object"):
		return "objects" + strings.TrimPrefix(s, "an object")
	case strings.HasPrefix(s, "a "):
		return strings.TrimPrefix(s, "a ") + "s"
	}
	return s
}

// clientsShape shows the shape that replaced the single client role.
const clientsShape = `was replaced by one role per calling service: write
      private-api:clients:
        - name: orders
          routes: ["GET /employees/{employeeId}"]
          trustedPrincipals: ["arn:aws:iam::123456789012:role/orders-service"]
          iamUser: false
    (client.testInstance and client.instanceType stay where they are)`

// movedKeys are settings that moved, each with the message that shows the new shape.
var movedKeys = map[string]string{
	"client.trustedPrincipals": clientsShape,
	"client.iamUser":           clientsShape,
	"client.iamUserAccessKey":  "is gone: create an access key for a client's IAM user yourself (aws iam create-access-key), so its secret never sits in the stack's state; the user itself " + clientsShape,
}

// decodeInto fills v from n, recording a problem for every value that does not fit, at its path.
// Names match only as written in the reference; unknown and repeated names are problems.
func decodeInto(n *node, v reflect.Value, path string, ps *Problems) {
	mismatch := func() { ps.add(path, "expected %s, found %s", expected(v.Type()), n.found()) }
	switch v.Kind() {
	case reflect.Struct:
		if n.kind != 'o' {
			mismatch()
			return
		}
		decodeStruct(n, v, path, ps)
	case reflect.Slice:
		if n.kind == 'z' { // a YAML key with nothing under it: an empty list
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		if n.kind != 'a' {
			mismatch()
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, item := range n.items {
			decodeInto(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), ps)
		}
		v.Set(s)
	case reflect.Map:
		if n.kind != 'o' {
			mismatch()
			return
		}
		decodeMap(n, v, path, ps)
	case reflect.Pointer: // an optional object: absent or null is nil
		if n.kind == 'z' {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		elem := reflect.New(v.Type().Elem())
		decodeInto(n, elem.Elem(), path, ps)
		v.Set(elem)
	default:
		if !decodeScalar(n, v) {
			mismatch()
		}
	}
}

// decodeStruct fills the struct v from the object n: each member names a field by its json tag.
func decodeStruct(n *node, v reflect.Value, path string, ps *Problems) {
	fields := jsonFields(v.Type())
	seen := map[string]bool{}
	for _, m := range n.members {
		key := path + "." + m.name
		if seen[m.name] {
			ps.add(key, "is set twice: keep one of the two values")
			continue
		}
		seen[m.name] = true
		i, ok := fields[m.name]
		if !ok {
			if moved, ok := movedKeys[key]; ok {
				ps.add(key, "%s", moved)
				continue
			}
			ps.add(key, "is not a setting of %s%s", path, suggest(m.name, fieldNames(v.Type()), path+"."))
			continue
		}
		decodeInto(m.value, v.Field(i), key, ps)
	}
}

// decodeMap fills the map v from the object n, one entry per member.
func decodeMap(n *node, v reflect.Value, path string, ps *Problems) {
	m := reflect.MakeMapWithSize(v.Type(), len(n.members))
	for _, mem := range n.members {
		key := path + "." + mem.name
		if m.MapIndex(reflect.ValueOf(mem.name)).IsValid() {
			ps.add(key, "is set twice: keep one of the two values")
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		decodeInto(mem.value, elem, key, ps)
		m.SetMapIndex(reflect.ValueOf(mem.name), elem)
	}
	v.Set(m)
}

// decodeScalar sets a string, integer, number or boolean v from n; false when n is not one.
func decodeScalar(n *node, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		if n.kind != 's' {
			return false
		}
		v.SetString(n.text)
	case reflect.Int:
		var i int64
		if _, err := fmt.Sscan(n.text, &i); n.kind != 'n' || err != nil || fmt.Sprint(i) != n.text {
			return false
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if _, err := fmt.Sscan(n.text, &f); n.kind != 'n' || err != nil {
			return false
		}
		v.SetFloat(f)
	case reflect.Bool:
		if n.kind != 'b' {
			return false
		}
		v.SetBool(n.text == "true")
	default:
		panic(fmt.Sprintf("stackconfig: no decoder for %s", v.Type()))
	}
	return true
}

// jsonFields maps each field's reference name (its json tag) to its index.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if name := tagName(t.Field(i)); name != "" {
			out[name] = i
		}
	}
	return out
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := tagName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// suggest names the known key closest to name ("; did you mean network.flowLogs?"), or says which
// keys exist when none is close.
func suggest(name string, known []string, prefix string) string {
	if best, ok := Nearest(name, known); ok {
		return "; did you mean " + prefix + best + "?"
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return "; the settings are " + prefix + strings.Join(sorted, ", "+prefix)
}

// Nearest is the known name closest to name, ignoring case, when it is close enough to be what was
// meant (at most 2 edits, or a third of the name's length).
func Nearest(name string, known []string) (string, bool) {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best, best != "" && (bestDist <= 2 || bestDist <= len(name)/3)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
