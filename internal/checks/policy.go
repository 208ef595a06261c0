package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// policy is an IAM or resource-policy document as AWS reads it: Statement, Action, Resource and
// principals may each be one value or a list, so the checks accept both instead of trusting that
// every document came from internal/policydoc.
type policy struct {
	Statement statements `json:"Statement"`
}

type statement struct {
	Sid          string     `json:"Sid"`
	Effect       string     `json:"Effect"`
	Principal    *principal `json:"Principal"`
	NotPrincipal *principal `json:"NotPrincipal"`
	Action       list       `json:"Action"`
	NotAction    list       `json:"NotAction"`
	Resource     list       `json:"Resource"`
	NotResource  list       `json:"NotResource"`
	Condition    conditions `json:"Condition"`
}

// conditions maps an operator (StringEquals) to keys and their values.
type conditions map[string]map[string]list

// values returns the values of a condition key under any of the operators given.
func (c conditions) values(key string, operators ...string) []string {
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

type list []string

func (l *list) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = list{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = many
	return nil
}

type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// principal is "*" (All) or an object of principal kinds.
type principal struct {
	All       bool
	AWS       list `json:"AWS"`
	Service   list `json:"Service"`
	Federated list `json:"Federated"`
}

func (p *principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: only \"*\" may stand alone", star)
		}
		p.All = true
		return nil
	}
	type plain principal
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = principal(q)
	p.All = containsString(p.AWS, "*")
	return nil
}

// parsePolicy reads a policy document recorded as a JSON string input.
func parsePolicy(doc string) (policy, error) {
	var p policy
	switch {
	case doc == "":
		return p, errors.New("no policy document")
	case strings.Contains(doc, mockengine.Unknown):
		return p, errors.New("policy document is " + notKnown + ", so it cannot be reviewed")
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	if len(p.Statement) == 0 {
		return p, errors.New("policy document has no statement")
	}
	return p, nil
}

// allows reports whether a statement's actions include action, wildcards included.
func (s statement) allows(action string) bool {
	for _, a := range s.Action {
		if actionMatches(a, action) {
			return true
		}
	}
	return false
}

// actionMatches compares IAM actions case-insensitively with `*` wildcards in the pattern.
func actionMatches(pattern, action string) bool {
	return globFold(strings.ToLower(pattern), strings.ToLower(action))
}

// globFold matches `*` (any run) and `?` (one character), as IAM does.
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

// thisAccount reports whether every value names the deploying account.
func thisAccount(values []string) bool {
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		if v != mockengine.Account {
			return false
		}
	}
	return true
}

// accountGuard reports whether a statement's condition confines it to this account.
func accountGuard(c conditions) bool {
	for _, key := range []string{"aws:PrincipalAccount", "aws:SourceAccount", "aws:ResourceAccount"} {
		if thisAccount(c.values(key, "StringEquals")) {
			return true
		}
	}
	return false
}
