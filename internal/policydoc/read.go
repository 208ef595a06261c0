package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Read is a policy document as AWS reads it, the reader beside the writer above: Statement,
// Action, Resource and principals may each be one value or a list, condition values may be
// booleans or numbers, so the offline checks and the live audit accept every shape IAM does
// instead of trusting that a document came from New.
type Read struct {
	Statement ReadStatements `json:"Statement"`
}

// ReadStatement is one statement as read.
type ReadStatement struct {
	Sid          string         `json:"Sid"`
	Effect       string         `json:"Effect"`
	Principal    *ReadPrincipal `json:"Principal"`
	NotPrincipal *ReadPrincipal `json:"NotPrincipal"`
	Action       Strings        `json:"Action"`
	NotAction    Strings        `json:"NotAction"`
	Resource     Strings        `json:"Resource"`
	NotResource  Strings        `json:"NotResource"`
	Condition    Conditions     `json:"Condition"`
}

// Conditions maps an operator ("StringEquals", "ForAnyValue:StringLike") to keys and their values.
type Conditions map[string]map[string]Strings

// Values returns the values of a condition key (condition keys are case-insensitive) under any of
// the operators given, each compared exactly.
func (c Conditions) Values(key string, operators ...string) []string {
	var out []string
	for _, op := range operators {
		for k, v := range c[op] {
			if strings.EqualFold(k, key) {
				out = append(out, v...)
			}
		}
	}
	return out
}

// Strings is one string or a list of them; booleans and numbers (in conditions) read as their text.
type Strings []string

func (l *Strings) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	out := make(Strings, 0, len(items))
	for _, item := range items {
		switch x := item.(type) {
		case string:
			out = append(out, x)
		case bool, float64:
			out = append(out, fmt.Sprint(x))
		default:
			return fmt.Errorf("want a string or a list of strings, found %T", item)
		}
	}
	*l = out
	return nil
}

// ReadStatements accepts IAM's single-statement shorthand (an object instead of a list).
type ReadStatements []ReadStatement

func (s *ReadStatements) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var one ReadStatement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = ReadStatements{one}
		return nil
	}
	return json.Unmarshal(b, (*[]ReadStatement)(s))
}

// ReadPrincipal is "*" (All) or an object of principal kinds; an AWS list holding "*" is All too.
type ReadPrincipal struct {
	All       bool
	AWS       Strings `json:"AWS"`
	Service   Strings `json:"Service"`
	Federated Strings `json:"Federated"`
}

func (p *ReadPrincipal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: only \"*\" may stand alone", star)
		}
		p.All = true
		return nil
	}
	type plain ReadPrincipal
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = ReadPrincipal(q)
	for _, a := range p.AWS {
		p.All = p.All || a == "*"
	}
	return nil
}

// Allows reports whether the statement's actions include action, `*` and `?` wildcards included,
// compared without regard to case as IAM does.
func (s ReadStatement) Allows(action string) bool {
	for _, a := range s.Action {
		if globFold(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// globFold matches `*` (any run) and `?` (one character).
func globFold(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if globFold(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

// Parse reads a policy document. API Gateway returns one with its own quotes and slashes
// backslash-escaped ({\"Version\":...}); IAM-style tools URL-encode it; some copies carry it as a
// quoted JSON string. Each layer is taken off until a document parses.
func Parse(raw string) (Read, error) {
	text := strings.TrimSpace(raw)
	var err error
	for range 4 {
		var doc Read
		if err = json.Unmarshal([]byte(text), &doc); err == nil {
			if len(doc.Statement) == 0 {
				return doc, errors.New("the document has no Statement")
			}
			return doc, nil
		}
		next, ok := unescapeOnce(text)
		if !ok {
			break
		}
		text = strings.TrimSpace(next)
	}
	return Read{}, fmt.Errorf("not a JSON policy document: %w", err)
}

func unescapeOnce(s string) (string, bool) {
	var out string
	switch {
	case strings.HasPrefix(s, "%7B"), strings.HasPrefix(s, "%7b"), strings.HasPrefix(s, "%22"):
		u, err := url.PathUnescape(s)
		return u, err == nil
	case strings.HasPrefix(s, `"`):
		return out, json.Unmarshal([]byte(s), &out) == nil
	case strings.Contains(s, `\"`):
		return out, json.Unmarshal([]byte(`"`+s+`"`), &out) == nil
	}
	return "", false
}
