package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

type network struct {
	APIVpcCIDR string `json:"apiVpcCIDR"`
	AZCount    int    `json:"azCount"`
	FlowLogs   bool   `json:"flowLogs"`
}

type consumer struct {
	Name string `json:"name"`
	Cidr string `json:"cidr"`
}

type base struct {
	ID string `json:"id"`
}

type config struct {
	base
	Network   network           `json:"network"`
	Consumers []consumer        `json:"consumers"`
	Tags      map[string]string `json:"tags"`
	Extra     any               `json:"extra"`
	Ratio     *float64          `json:"ratio"`
	Small     uint8             `json:"small"`
	Quoted    int               `json:"quoted,string"`
	Untagged  string
	Skipped   string `json:"-"`
	hidden    string // unexported: takes no JSON
}

// opt is a json.Unmarshaler whose JSON is that of a number, as claims.Optional is.
type opt struct{ set bool }

func (o *opt) UnmarshalJSON([]byte) error { o.set = true; return nil }
func (opt) JSONShape() any                { return (*float64)(nil) }

// opaque is a json.Unmarshaler that says nothing of its shape.
type opaque struct{}

func (*opaque) UnmarshalJSON([]byte) error { return nil }

type withCustom struct {
	Amount opt    `json:"amount"`
	Blob   opaque `json:"blob"`
}

type node struct {
	Name string `json:"name"`
	Next *node  `json:"next"`
}

func TestUnmarshal(t *testing.T) {
	t.Run("accepts_names_in_their_declared_case", func(t *testing.T) {
		var c config
		err := Unmarshal([]byte(`{"id":"x","network":{"apiVpcCIDR":"10.0.0.0/16","azCount":2},"consumers":[{"name":"a","cidr":"10.1.0.0/16"}],
			"tags":{"Team":"t","team":"u"},"extra":{"A":1,"a":[{"b":null}]},"ratio":0.5,"small":255,"quoted":"7","Untagged":"u"}`), &c)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != "x" || c.Network.APIVpcCIDR != "10.0.0.0/16" || c.Consumers[0].Cidr != "10.1.0.0/16" || c.Tags["team"] != "u" ||
			*c.Ratio != 0.5 || c.Small != 255 || c.Quoted != 7 || c.Untagged != "u" {
			t.Errorf("decoded %+v", c)
		}
	})

	t.Run("keeps_what_the_text_does_not_set", func(t *testing.T) {
		c := config{Network: network{AZCount: 2, FlowLogs: true}}
		if err := Unmarshal([]byte(`{"network":{"apiVpcCIDR":"10.0.0.0/16"}}`), &c); err != nil {
			t.Fatal(err)
		}
		if c.Network.AZCount != 2 || !c.Network.FlowLogs {
			t.Errorf("defaults lost: %+v", c.Network)
		}
	})

	refused := []struct {
		name, text string
		into       any
		want       Error
	}{
		{"a_name_in_another_case", `{"network":{"apiVpcCidr":"10.0.0.0/16"}}`, &config{},
			Error{Kind: UnknownField, Path: "network.apiVpcCidr", Offset: 12, Suggestion: "apiVpcCIDR"}},
		{"a_name_in_capitals", `{"ID":"x"}`, &config{}, Error{Kind: UnknownField, Path: "ID", Offset: 1, Suggestion: "id"}},
		{"an_unknown_name", `{"consumers":[{"name":"a"},{"cidrs":[]}]}`, &config{}, Error{Kind: UnknownField, Path: "consumers[1].cidrs", Offset: 28}},
		{"the_name_of_a_skipped_field", `{"Skipped":"x"}`, &config{}, Error{Kind: UnknownField, Path: "Skipped", Offset: 1}},
		{"the_name_of_an_unexported_field", `{"hidden":"x"}`, &config{}, Error{Kind: UnknownField, Path: "hidden", Offset: 1}},
		{"a_repeated_name", `{"id":"a","id":"b"}`, &config{}, Error{Kind: DuplicateField, Path: "id", Offset: 10}},
		{"a_repeated_name_written_with_an_escape", `{"id":"a","\u0069d":"b"}`, &config{}, Error{Kind: DuplicateField, Path: "id", Offset: 10}},
		{"a_repeated_map_key", `{"tags":{"a":"1","a":"2"}}`, &config{}, Error{Kind: DuplicateField, Path: "tags.a", Offset: 17}},
		{"a_repeated_name_in_an_untyped_value", `{"extra":[{"k":1,"k":2}]}`, &config{}, Error{Kind: DuplicateField, Path: "extra[0].k", Offset: 17}},
		{"a_repeated_name_inside_an_opaque_unmarshaler", `{"blob":{"k":1,"k":2}}`, &withCustom{}, Error{Kind: DuplicateField, Path: "blob.k", Offset: 15}},
		{"a_string_for_a_number", `{"network":{"azCount":"2"}}`, &config{}, Error{Kind: WrongType, Path: "network.azCount", Offset: 22, Want: "a whole number"}},
		{"a_fraction_for_a_whole_number", `{"network":{"azCount":2.5}}`, &config{}, Error{Kind: WrongType, Path: "network.azCount", Offset: 22, Want: "a whole number"}},
		{"a_number_out_of_range", `{"small":256}`, &config{}, Error{Kind: WrongType, Path: "small", Offset: 9, Want: "a whole number", Detail: "256 is out of range"}},
		{"a_float_out_of_range", `{"ratio":1e400}`, &config{}, Error{Kind: WrongType, Path: "ratio", Offset: 9, Want: "a number", Detail: "1e400 is out of range"}},
		{"a_wrong_type_inside_a_shaped_unmarshaler", `{"amount":"1"}`, &withCustom{}, Error{Kind: WrongType, Path: "amount", Offset: 10, Want: "a number"}},
		{"an_array_for_the_top_level_object", `[1]`, &config{}, Error{Kind: WrongType, Path: "", Offset: 0, Want: "an object"}},
		{"a_number_for_a_quoted_field", `{"quoted":7}`, &config{}, Error{Kind: WrongType, Path: "quoted", Offset: 10, Want: "a string holding a whole number"}},
		{"an_unknown_name_deep_in_a_recursive_type", `{"next":{"next":{"Name":"x"}}}`, &node{}, Error{Kind: UnknownField, Path: "next.next.Name", Offset: 17, Suggestion: "name"}},
		{"latin_1_text", "{\"id\":\"J\xe9r\xf4me\"}", &config{}, Error{Kind: NotUTF8, Offset: 8}},
		{"an_empty_text", "  ", &config{}, Error{Kind: Syntax, Offset: 2, Detail: "no JSON value"}},
		{"data_after_the_value", `{} {}`, &config{}, Error{Kind: Syntax, Offset: 3, Detail: "data after the JSON value"}},
		{"a_truncated_object", `{"id":"x"`, &config{}, Error{Kind: Syntax, Offset: 9, Detail: "the text ends in the middle of an object, after a value where ',' or '}' belongs"}},
		{"a_syntax_error_inside_a_wrongly_typed_value", `{"id":[1,]}`, &config{}, Error{Kind: Syntax, Offset: 9, Detail: `unexpected ']' in a value`}},
	}
	for _, tc := range refused {
		t.Run("refuses_"+tc.name, func(t *testing.T) {
			before := reflect.ValueOf(tc.into).Elem().Interface()
			err := Unmarshal([]byte(tc.text), tc.into)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if got.Error() == "" {
				t.Error("empty message")
			}
			if after := reflect.ValueOf(tc.into).Elem().Interface(); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused text changed the value: %+v", after)
			}
		})
	}

	t.Run("messages_name_the_field_and_the_fix", func(t *testing.T) {
		for _, c := range []struct {
			text, want string
		}{
			{`{"network":{"apiVpcCidr":""}}`, `unknown field "network.apiVpcCidr": names are case-sensitive, did you mean "apiVpcCIDR"?`},
			{`{"id":"a","id":"b"}`, `field "id" is given twice: give each name once`},
			{`{"small":-1}`, `small must be a whole number (-1 is out of range)`},
			{"\xff", `byte 0 is not UTF-8: the text must be UTF-8 encoded`},
		} {
			if err := Unmarshal([]byte(c.text), &config{}); err == nil || err.Error() != c.want {
				t.Errorf("%s: %v, want %s", c.text, err, c.want)
			}
		}
	})

	t.Run("needs_a_pointer", func(t *testing.T) {
		if err := Unmarshal([]byte(`{}`), config{}); err == nil {
			t.Error("a non-pointer was accepted")
		}
	})
}

func TestCheckAgreesWithEncodingJSONOnSyntax(t *testing.T) {
	for _, text := range syntaxSeeds {
		checkSyntax(t, []byte(text))
	}
}

var syntaxSeeds = []string{
	``, ` `, `{}`, `[]`, `[1,2]`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `"\u00e9"`, `"\ud83d\ude00"`, `"\ud83d"`,
	`"\x"`, `"\u12"`, "\"\t\"", `-`, `-0`, `01`, `1.`, `1.5e`, `1e+5`, `.5`, `tru`, `true`, `nul`, `null `, `1 2`,
	`{"a":[{"b":{"c":[true,false,null,"x",-1.5E-3]}}]}`, "\"J\xe9r\xf4me\"", `[[[[[[[[[[]]]]]]]]]]`, `"\/\b\f\n\r\t\"\\"`,
}

// checkSyntax holds Check to encoding/json's idea of a JSON text (json.Valid does not look at
// UTF-8, which Check refuses first).
func checkSyntax(t *testing.T, data []byte) {
	t.Helper()
	err := Check(data, reflect.TypeFor[any]())
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("%q: err %v is not an *Error", data, err)
	}
	switch {
	case !utf8.Valid(data):
		if e == nil || e.Kind != NotUTF8 || e.Offset > len(data) || utf8.Valid(data[:e.Offset]) == false {
			t.Errorf("%q: %v, want NotUTF8 at the first bad byte", data, err)
		}
	case json.Valid(data) && hasDuplicates(data):
		if e == nil || e.Kind != DuplicateField {
			t.Errorf("%q: %v, want DuplicateField", data, err)
		}
	case json.Valid(data):
		if err != nil {
			t.Errorf("%q: encoding/json accepts it, Check says %v", data, err)
		}
	default:
		// A repeated name before the syntax error is reported first, as the walk meets it.
		if e == nil || e.Kind != Syntax && e.Kind != DuplicateField {
			t.Errorf("%q: encoding/json refuses it, Check says %v", data, err)
		}
	}
}

// hasDuplicates reports whether a valid JSON text has an object with a repeated name, using
// encoding/json's own tokenizer.
func hasDuplicates(data []byte) bool {
	dec := json.NewDecoder(bytesReader(data))
	var stack []map[string]bool
	var expectName []bool
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, map[string]bool{})
				expectName = append(expectName, true)
				continue
			case '[':
				stack = append(stack, nil)
				expectName = append(expectName, false)
				continue
			default:
				stack, expectName = stack[:len(stack)-1], expectName[:len(expectName)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && expectName[n-1] {
				if stack[n-1][v] {
					return true
				}
				stack[n-1][v] = true
				expectName[n-1] = false
				continue
			}
		}
		// A value ends: the next string in an object is a name again.
		if n := len(stack); n > 0 && stack[n-1] != nil {
			expectName[n-1] = true
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range syntaxSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"id":"a","id":"b"}`))
	f.Add([]byte(`{"ID":"a"}`))
	f.Add([]byte(`{"network":{"apiVpcCidr":"x"}}`))
	f.Add([]byte(`{"tags":{"a":"1","\u0061":"2"}}`))
	f.Add([]byte("{\"id\":\"J\xe9r\xf4me\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSyntax(t, data)
		// Whatever Unmarshal accepts for a typed target, encoding/json accepts and decodes the same.
		var strict, loose config
		if Unmarshal(data, &strict) == nil {
			if err := json.Unmarshal(data, &loose); err != nil {
				t.Fatalf("%q: accepted, but encoding/json says %v", data, err)
			}
			if !reflect.DeepEqual(strict, loose) {
				t.Fatalf("%q: decoded %+v, encoding/json %+v", data, strict, loose)
			}
		}
	})
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
