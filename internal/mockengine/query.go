package mockengine

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// This file holds read-only queries over recorded resources that the checks, the cost estimate, the
// diagram and the plan share, so each of them follows references the same way.

// StackType is the type token of the root stack resource.
const StackType = "pulumi:pulumi:Stack"

// FromResources returns an engine holding exactly the given resources, as if the program had
// registered them: checks and renderers can then be tried on a deliberately broken stack.
func FromResources(project, stack, region string, resources []Resource) *Engine {
	e := New(project, stack, region)
	for i := range resources {
		r := resources[i]
		e.resources = append(e.resources, &r)
	}
	return e
}

// Project, StackName and Region say which stack the engine ran.
func (e *Engine) Project() string   { return e.project }
func (e *Engine) StackName() string { return e.stack }
func (e *Engine) Region() string    { return e.region }

// Root returns the stack resource itself, the parent of every component. The SDK's mock monitor
// registers it without calling NewResource, so it is rebuilt from the parent URN the components name.
func (e *Engine) Root() (Resource, bool) {
	for _, r := range e.Resources() {
		if u := resource.URN(r.Parent); u != "" && u.QualifiedType() == resource.RootStackType {
			return Resource{Type: StackType, Name: u.Name(), URN: r.Parent, Inputs: map[string]any{}, Outputs: map[string]any{}}, true
		}
	}
	return Resource{}, false
}

// placeholderRef matches `${name.property}` anywhere in a string; `${aws:accountId}` has no dot
// before its colon-free name part and `${unknown}` no dot at all, so neither matches.
var placeholderRef = regexp.MustCompile(`\$\{([^.}:]+)\.[^}]+\}`)

// PlaceholderNames returns the resource names whose placeholders appear in s, in order of appearance.
func PlaceholderNames(s string) []string {
	var out []string
	for _, m := range placeholderRef.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Strings returns every string held anywhere in v (maps, lists, nested values), map keys excluded.
func Strings(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		}
	}
	walk(v)
	return out
}

// Get reads a dotted input path (`settings.loggingLevel`) from a map of plain values.
func Get(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// containsARN reports whether any string names c by its computed ARN (only ARNs the mock spells out
// in full count: a bare `${name.arn}` is already matched by name).
func containsARN(strs []string, c Resource) bool {
	arn, _ := c.Outputs["arn"].(string)
	if arn == "" || !strings.HasPrefix(arn, "arn:") {
		return false
	}
	for _, s := range strs {
		// The ARN must end where a name ends, so table/claims does not match table/claims-archive.
		for i := strings.Index(s, arn); i >= 0; {
			end := i + len(arn)
			if end == len(s) || strings.ContainsRune("/:*\"", rune(s[end])) {
				return true
			}
			next := strings.Index(s[end:], arn)
			if next < 0 {
				break
			}
			i = end + next
		}
	}
	return false
}

// RefsOfType returns the custom resources of one type that v points at, by placeholder
// (`${name.id}`) or by a computed ARN embedded in a string (a policy naming a table's ARN), sorted
// by name. v may be any recorded input: a string, a list, an object.
func (e *Engine) RefsOfType(v any, token string) []Resource {
	strs := Strings(v)
	if len(strs) == 0 {
		return nil
	}
	names := map[string]bool{}
	for _, s := range strs {
		for _, n := range PlaceholderNames(s) {
			names[n] = true
		}
	}
	var out []Resource
	for _, c := range e.Resources() {
		if c.Custom && c.Type == token && (names[c.Name] || containsARN(strs, c)) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// APIPath turns an API Gateway resource id (`${name.id}` of an aws:apigateway/resource:Resource, or
// a REST API's `${api.rootResourceId}`) into the path it serves, such as /employees/{employeeId}.
func (e *Engine) APIPath(resourceID string) string {
	var parts []string
	for seen := 0; seen < 64; seen++ { // bounded: a parent cycle in a hand-made stack must not hang
		r, ok := e.Resolve(resourceID)
		if !ok || r.Type != TypeAPIResource {
			break
		}
		part, _ := r.Inputs["pathPart"].(string)
		parts = append([]string{part}, parts...)
		resourceID, _ = r.Inputs["parentId"].(string)
	}
	return "/" + strings.Join(parts, "/")
}

// ProviderOf returns the explicit provider a resource was registered with; false for the default
// provider.
func (e *Engine) ProviderOf(r Resource) (Resource, bool) {
	if r.Provider == "" {
		return Resource{}, false
	}
	urn := r.Provider
	if i := strings.LastIndex(urn, "::"); i > 0 {
		urn = urn[:i]
	}
	return e.ByURN(urn)
}

// AccountOf is the account a resource lives in: for one registered with an explicit provider, the
// account of the role that provider assumes (or the one account it allows); otherwise the
// deploying account, Account.
func (e *Engine) AccountOf(r Resource) string {
	p, ok := e.ProviderOf(r)
	if !ok {
		return Account
	}
	if id := ProviderAccount(p); id != "" {
		return id
	}
	return Account
}

// roleAccount is the account field of an IAM role ARN.
var roleAccount = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/`)

// ProviderAccount is the account an explicit AWS provider works in: the account of the role it
// assumes, else the single account it allows; "" when it says neither. A provider's object inputs
// may be recorded as JSON text (as the engine keeps provider configuration), so both are read.
func ProviderAccount(p Resource) string {
	assume, _ := decodedJSON(p.Inputs["assumeRole"]).(map[string]any)
	role, _ := assume["roleArn"].(string)
	if m := roleAccount.FindStringSubmatch(role); m != nil {
		return m[1]
	}
	if ids := Strings(decodedJSON(p.Inputs["allowedAccountIds"])); len(ids) == 1 {
		return ids[0]
	}
	return ""
}

// decodedJSON returns v, or the value its JSON text holds when v is a string.
func decodedJSON(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return v
	}
	return out
}
