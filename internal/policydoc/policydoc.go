// Package policydoc builds IAM and resource-policy JSON from typed values: the one place the stack
// writes a policy document, so every policy is valid JSON with a stable key order.
package policydoc

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the IAM policy language version every document uses.
const Version = "2012-10-17"

// Document is an IAM policy, trust policy or resource policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Principal, Action and Resource are lists even when they hold one
// value, so readers and checks see one shape.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	Condition Condition  `json:"Condition,omitempty"`
}

// Principal names who a resource or trust policy applies to. All means the anonymous "*" principal,
// which only appears guarded by a condition.
type Principal struct {
	AWS     []string `json:"AWS,omitempty"`
	Service []string `json:"Service,omitempty"`
	All     bool     `json:"-"`
}

// MarshalJSON writes "*" for the all-principal and the object form otherwise.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.All {
		return json.Marshal("*")
	}
	type plain Principal
	return json.Marshal(plain(p))
}

// UnmarshalJSON reads both forms MarshalJSON writes, so checks and tests can parse rendered policies.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if json.Unmarshal(b, &star) == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: only \"*\" may be written as a string", star)
		}
		*p = Principal{All: true}
		return nil
	}
	type plain Principal
	return json.Unmarshal(b, (*plain)(p))
}

// Condition maps an operator (StringEquals, ...) to keys and their allowed values.
type Condition map[string]map[string][]string

// New returns a document holding the statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON renders the document.
func (d Document) JSON() (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

// Render resolves the inputs and builds the document from their values, in order.
func Render(build func(values []string) Document, inputs ...pulumi.StringInput) pulumi.StringOutput {
	all := make([]any, len(inputs))
	for i, in := range inputs {
		all[i] = in
	}
	return pulumi.All(all...).ApplyT(func(vals []any) (string, error) {
		strs := make([]string, len(vals))
		for i, v := range vals {
			// Resource ids resolve to pulumi.ID, not string: both must reach the document.
			switch x := v.(type) {
			case string:
				strs[i] = x
			case pulumi.ID:
				strs[i] = string(x)
			default:
				return "", fmt.Errorf("policy input %d is a %T, not a string", i, v)
			}
		}
		return build(strs).JSON()
	}).(pulumi.StringOutput)
}

// ServiceTrust is the trust policy of a role that an AWS service assumes on this account's behalf
// only (aws:SourceAccount guards against the confused deputy).
func ServiceTrust(service, accountID string) Document {
	return New(Statement{
		Effect:    "Allow",
		Principal: &Principal{Service: []string{service}},
		Action:    []string{"sts:AssumeRole"},
		Condition: Condition{"StringEquals": {"aws:SourceAccount": {accountID}}},
	})
}
