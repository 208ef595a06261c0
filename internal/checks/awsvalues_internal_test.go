package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
)

// put writes v at a rule path into inputs, creating the objects and one-element lists it crosses.
func put(inputs map[string]any, path string, v any) {
	head, rest, more := strings.Cut(path, ".")
	if key, ok := strings.CutSuffix(head, "[]"); ok {
		if !more {
			inputs[key] = []any{v}
			return
		}
		elem := map[string]any{}
		inputs[key] = []any{elem}
		put(elem, rest, v)
		return
	}
	if !more {
		inputs[head] = v
		return
	}
	next, ok := inputs[head].(map[string]any)
	if !ok {
		next = map[string]any{}
		inputs[head] = next
	}
	put(next, rest, v)
}

// badValues derives, from a rule alone, values that break it: one per kind of constraint it
// states. A rule for which nothing can be derived fails the test, so every rule has a failing case.
func badValues(rule valueRule) map[string]any {
	out := map[string]any{}
	switch {
	case rule.number && rule.numEnum != nil:
		out["not in the enumeration"] = rule.numEnum[len(rule.numEnum)-1] + 1
	case rule.number:
		out["below the range"] = rule.min - 1
		if rule.max < 1e9 {
			out["above the range"] = rule.max + 1
		}
	case rule.cidr:
		out["not a CIDR"] = "10.0.0.0"
		if rule.minBits > 0 {
			out["too large a block"] = fmt.Sprintf("10.0.0.0/%d", rule.minBits-1)
		}
		if rule.maxBits < 32 {
			out["too small a block"] = fmt.Sprintf("10.0.0.0/%d", rule.maxBits+1)
		}
	case rule.enum != nil:
		out["not in the enumeration"] = "NOT_" + rule.enum[0]
	case rule.notPrefix != "":
		out["forbidden prefix"] = rule.notPrefix + "x"
	}
	if rule.maxLen > 0 {
		out["one character too long"] = strings.Repeat("1", rule.maxLen+1)
	}
	if rule.minLen > 0 {
		out["too short"] = strings.Repeat("a", rule.minLen-1)
	}
	if rule.pattern != nil {
		base := strings.Repeat("a", max(rule.minLen, 1))
		for _, c := range []string{"'", " ", ".", "\u0101", "\u2603"} {
			if !rule.pattern.MatchString(base + c) {
				out["character "+c] = base + c
				break
			}
		}
	}
	return out
}

// TestEveryValueRuleCanFail breaks each catalogued constraint on a resource of its type and expects
// the check to fail on it, naming the constraint.
func TestEveryValueRuleCanFail(t *testing.T) {
	check := valueChecks[0]
	run := func(r mockengine.Resource) Finding {
		e := mockengine.FromResources("p", "s", "x-1", []mockengine.Resource{r})
		return check.eval(e)[0]
	}
	for _, typ := range valueTypes() {
		for _, rule := range valueRules[typ] {
			bad := badValues(rule)
			if len(bad) == 0 {
				t.Errorf("%s %s: no failing value can be derived from the rule", typ, rule.path)
			}
			for why, v := range bad {
				t.Run(typ+"/"+rule.path+"/"+why, func(t *testing.T) {
					r := mockengine.Resource{Type: typ, Name: "r", Custom: true, Inputs: map[string]any{}}
					put(r.Inputs, rule.path, v)
					f := run(r)
					if f.Status != Fail || !strings.Contains(f.Detail, rule.what) || !strings.Contains(f.Detail, rule.doc) {
						t.Errorf("%v at %s: %s %q, want a failure citing %q and %s", v, rule.path, f.Status, f.Detail, rule.what, rule.doc)
					}
				})
			}
		}
	}
	for _, tc := range []struct {
		name string
		tags map[string]any
		env  map[string]any
	}{
		{name: "tag_key_too_long", tags: map[string]any{strings.Repeat("k", 128): "v"}},
		{name: "tag_key_character", tags: map[string]any{"owner's": "v"}},
		{name: "tag_key_aws_prefix", tags: map[string]any{"aws:owner": "v"}},
		{name: "tag_key_empty", tags: map[string]any{"": "v"}},
		{name: "tag_value_too_long", tags: map[string]any{"k": strings.Repeat("v", 257)}},
		{name: "tag_value_character", tags: map[string]any{"Name": "the API's VPC"}},
		{name: "env_name_starts_with_digit", env: map[string]any{"1TABLE": "t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mockengine.Resource{Type: mockengine.TypeFunction, Name: "r", Custom: true, Inputs: map[string]any{"tags": tc.tags}}
			if tc.env != nil {
				r.Inputs["environment"] = map[string]any{"variables": tc.env}
			}
			if f := run(r); f.Status != Fail || !strings.Contains(f.Detail, "(https://docs.aws.amazon.com/") {
				t.Errorf("%s %q, want a failure citing the page", f.Status, f.Detail)
			}
		})
	}
	// An alarm's dimensions, on its metric or on each metric of its metric math.
	for name, inputs := range map[string]map[string]any{
		"dimension_value_too_long":         {"dimensions": map[string]any{"FunctionName": strings.Repeat("f", 1025)}},
		"dimension_value_empty":            {"dimensions": map[string]any{"FunctionName": ""}},
		"dimension_name_starts_with_colon": {"metricQueries": []any{map[string]any{"metric": map[string]any{"dimensions": map[string]any{":TableName": "t"}}}}},
	} {
		t.Run("alarm_"+name, func(t *testing.T) {
			r := mockengine.Resource{Type: mockengine.TypeMetricAlarm, Name: "r", Custom: true, Inputs: inputs}
			if f := run(r); f.Status != Fail || !strings.Contains(f.Detail, docCWDimension) {
				t.Errorf("%s %q, want a failure citing %s", f.Status, f.Detail, docCWDimension)
			}
		})
	}
}
