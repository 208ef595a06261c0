package policydoc

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The private-API control, one rule for the offline check (internal/checks, seed:resource-policy)
// and the live audit (cmd/audit): a PRIVATE REST API's resource policy must tie every caller to a
// network path (a VPC endpoint, a VPC or a range of VPC addresses), with a Deny that holds whatever
// else the policy or an identity policy allows, and no condition that only looks like a restriction.
// Each caller prints the verdict in its own format.

// SourceKeys are the condition keys that tie a caller to a network path; a private API's resource
// policy must use one of them, or any principal allowed could call it through any VPC endpoint
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html).
var SourceKeys = []string{"aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"}

// Condition operators (after ForAnyValue:/ForAllValues: and IfExists are taken off) that match when
// the caller is NOT on the listed path: in a Deny they keep everyone else out.
var negativeOperators = []string{"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NotIpAddress", "ArnNotEquals", "ArnNotLike"}

// ...and those that match only when the caller IS on it: in an Allow they let only those callers in.
var positiveOperators = []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "IpAddress", "ArnEquals", "ArnLike"}

// PrivateAPIVerdict is what a resource policy says about who can reach the API, and from where.
type PrivateAPIVerdict struct {
	// RestrictedBy lists the source keys that limit callers: in an Allow that only matches callers on
	// the path, or in a Deny of everyone else. Sorted.
	RestrictedBy []string
	// DenyGuard: some statement is a Guard.
	DenyGuard bool
	// Guards are the Deny statements of execute-api:Invoke on the whole API, to every principal, whose
	// only conditions say "not from this endpoint/VPC/range". Unlike an Allow, such a Deny holds
	// whatever other statements (or identity policies) allow.
	Guards []Guard
	// Tricks are conditions that look right but admit everyone: a wildcard endpoint or VPC id, a
	// range that covers every address, an Allow to "*" with no source condition that limits it.
	Tricks []string
	// Missing says what the policy lacks, for a person: no source restriction at all, or no Deny
	// guarding it. Empty when nothing is missing.
	Missing string
	// Endpoints are the exact endpoint ids the policy names, for comparison with the API's own. Sorted.
	Endpoints []string
}

// Guard is one guarding Deny: its Sid and, per source key, the values it exempts.
type Guard struct {
	Sid     string
	Sources map[string][]string
}

// Pass reports whether the policy meets the control.
func (v PrivateAPIVerdict) Pass() bool { return len(v.Tricks) == 0 && v.Missing == "" }

// Reasons are why the policy fails the control: each trick, then what is missing.
func (v PrivateAPIVerdict) Reasons() []string {
	out := slices.Clone(v.Tricks)
	if v.Missing != "" {
		out = append(out, v.Missing)
	}
	return out
}

// GuardedOnlyBy reports whether some guard exempts callers by key alone, and only with values
// from allowed: "deny unless the call comes through one of these endpoints".
func (v PrivateAPIVerdict) GuardedOnlyBy(key string, allowed []string) bool {
	return slices.ContainsFunc(v.Guards, func(g Guard) bool {
		values := g.Sources[key]
		return len(g.Sources) == 1 && len(values) > 0 && !slices.ContainsFunc(values, func(x string) bool { return !slices.Contains(allowed, x) })
	})
}

// PrivateAPI judges the resource policy of the REST API apiID against the private-API control.
func PrivateAPI(doc Read, apiID string) PrivateAPIVerdict {
	var v PrivateAPIVerdict
	for _, st := range doc.Statement {
		if !invokes(st) {
			continue
		}
		deny := strings.EqualFold(st.Effect, "Deny")
		guard := Guard{Sid: st.Sid, Sources: map[string][]string{}}
		onlyNegativeSource := len(st.Condition) > 0
		limited := false
		for op, keys := range st.Condition {
			qualifier, base, ifExists := splitOperator(op)
			for key, values := range keys {
				source := canonicalSourceKey(key)
				if source != "" {
					v.Tricks = append(v.Tricks, judgeSourceValues(source, values)...)
					v.noteEndpoints(source, values)
				}
				negative := slices.Contains(negativeOperators, base)
				if source == "" || !negative {
					onlyNegativeSource = false
				} else {
					guard.Sources[source] = append(guard.Sources[source], values...)
				}
				// A positive IfExists, or ForAllValues, in an Allow also matches callers that carry
				// no such key at all ("Condition operators", ...IfExists; "Single-valued vs.
				// multivalued context keys": ForAllValues is true for an absent key,
				// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
				positive := slices.Contains(positiveOperators, base) && !ifExists && qualifier != "ForAllValues"
				restricts := deny && negative || !deny && positive
				if source != "" && restricts && !slices.Contains(v.RestrictedBy, source) {
					v.RestrictedBy = append(v.RestrictedBy, source)
				}
				limited = limited || source != "" && !deny && positive
			}
		}
		if deny && onlyNegativeSource && st.Principal != nil && st.Principal.All && slices.ContainsFunc(st.Resource, func(r string) bool { return wholeAPI(r, apiID) }) {
			v.Guards = append(v.Guards, guard)
		}
		if !deny && everyone(st) && !limited {
			v.Tricks = append(v.Tricks, "an Allow to \"*\" has no aws:SourceVpce, aws:SourceVpc or aws:VpcSourceIp condition that only callers on that path meet: every principal of every account is allowed")
		}
	}
	v.DenyGuard = len(v.Guards) > 0
	slices.Sort(v.RestrictedBy)
	slices.Sort(v.Endpoints)
	switch {
	case len(v.RestrictedBy) == 0:
		v.Missing = "resource policy does not restrict callers by " + strings.Join(SourceKeys, ", ")
	case !v.DenyGuard:
		v.Missing = fmt.Sprintf("no Deny guards the resource policy: add Deny execute-api:Invoke on %s/* to principal * with StringNotEquals aws:SourceVpce <your endpoint>", apiID)
	}
	return v
}

func (v *PrivateAPIVerdict) noteEndpoints(source string, values []string) {
	if source != "aws:SourceVpce" {
		return
	}
	for _, id := range values {
		if !strings.ContainsAny(id, "*?") && !slices.Contains(v.Endpoints, id) {
			v.Endpoints = append(v.Endpoints, id)
		}
	}
}

// judgeSourceValues finds values that make a source condition admit everyone.
func judgeSourceValues(key string, values []string) []string {
	var out []string
	for _, v := range values {
		switch key {
		case "aws:SourceVpce", "aws:SourceVpc":
			if strings.ContainsAny(v, "*?") {
				out = append(out, fmt.Sprintf("%s value %q is a wildcard: it matches endpoints or VPCs of every account; name your own ids exactly", key, v))
			}
		case "aws:VpcSourceIp":
			if p, err := netip.ParsePrefix(v); err == nil && p.Bits() == 0 {
				out = append(out, fmt.Sprintf("%s range %s covers every address: list your VPCs' ranges", key, v))
			}
		}
	}
	return out
}

// splitOperator takes the set qualifier (ForAnyValue, ForAllValues) and the IfExists suffix off a
// condition operator.
func splitOperator(op string) (qualifier, base string, ifExists bool) {
	if q, after, qualified := strings.Cut(op, ":"); qualified {
		qualifier, op = q, after
	}
	base, ifExists = strings.CutSuffix(op, "IfExists")
	return qualifier, base, ifExists
}

// canonicalSourceKey returns the source key that key names (condition keys are case-insensitive), or "".
func canonicalSourceKey(key string) string {
	for _, k := range SourceKeys {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return ""
}

// invokes reports whether a statement applies to execute-api:Invoke: its Action names it (`*`
// wildcards included), or its NotAction leaves it out.
func invokes(st ReadStatement) bool {
	const invoke = "execute-api:Invoke"
	if len(st.NotAction) > 0 {
		return !ReadStatement{Action: st.NotAction}.Allows(invoke)
	}
	return st.Allows(invoke)
}

// everyone reports whether an Allow admits every principal: "*", or all but those a NotPrincipal
// names.
func everyone(st ReadStatement) bool {
	return st.Principal != nil && st.Principal.All || st.NotPrincipal != nil
}

// wholeAPI says whether a policy resource covers every stage, method and path of the API:
// "*", "execute-api:/*", or arn:<partition>:execute-api:<region>:<account>:<apiId or *>/* (any
// number of "/*" segments). The API id is the last field before the path, so an account written as
// a placeholder holding a colon (the offline plan's ${aws:accountId}) reads the same.
func wholeAPI(resource, apiID string) bool {
	if resource == "*" {
		return true
	}
	rest, shorthand := strings.CutPrefix(resource, "execute-api:")
	if !shorthand {
		head, path, hasPath := strings.Cut(resource, "/")
		fields := strings.Split(head, ":")
		if len(fields) < 6 || fields[0] != "arn" || fields[2] != "execute-api" {
			return false
		}
		id := fields[len(fields)-1]
		if id != apiID && id != "*" {
			return false
		}
		if !hasPath {
			return id == "*"
		}
		rest = "/" + path
	}
	return strings.Contains(rest, "*") && strings.Trim(rest, "/*") == ""
}
