package main

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/example/private-api/internal/policydoc"
)

// sourceKeys are the condition keys that tie a caller to a network path; a private API's resource
// policy must use one of them, or any principal allowed could call it through any VPC endpoint.
var sourceKeys = []string{"aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"}

// Condition operators (after ForAnyValue:/ForAllValues: and IfExists are taken off) that match when
// the caller is NOT on the listed path: in a Deny they keep everyone else out.
var negativeOperators = []string{"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NotIpAddress", "ArnNotEquals", "ArnNotLike"}

// ...and those that match only when the caller IS on it: in an Allow they let only those callers in.
var positiveOperators = []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "IpAddress", "ArnEquals", "ArnLike"}

// The audit reads policies with the one reader beside the writer (internal/policydoc), the same the
// offline checks use.
type policyDocument = policydoc.Read

// decodePolicy parses the policy field of a REST API, in any of the forms API Gateway and other
// tools return it (policydoc.Parse).
func decodePolicy(raw string) (policyDocument, error) { return policydoc.Parse(raw) }

// policyVerdict is what the resource policy says about who can reach the API, and from where.
type policyVerdict struct {
	// RestrictedBy lists the source keys that limit callers: in an Allow that only matches callers on
	// the path, or in a Deny of everyone else.
	RestrictedBy []string
	// DenyGuard: a Deny of execute-api:Invoke on the whole API, to every principal, whose only
	// conditions say "not from this endpoint/VPC/range". Unlike an Allow, it holds whatever other
	// statements (or identity policies) allow.
	DenyGuard bool
	// Tricks are conditions that look right but admit everyone: a wildcard endpoint or VPC id, a
	// range that covers every address, an Allow to "*" with no source condition.
	Tricks []string
	// Endpoints are the exact endpoint ids the policy names, for comparison with the API's own.
	Endpoints []string
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

func evaluatePolicy(doc policyDocument, apiID string) policyVerdict {
	var v policyVerdict
	for _, st := range doc.Statement {
		if !invokes(st.Action) {
			continue
		}
		deny := strings.EqualFold(st.Effect, "Deny")
		onlyNegativeSource := len(st.Condition) > 0
		sourceConditioned := false
		for op, keys := range st.Condition {
			base, ifExists := splitOperator(op)
			for key, values := range keys {
				source := canonicalSourceKey(key)
				if source != "" {
					sourceConditioned = true
					v.Tricks = append(v.Tricks, judgeSourceValues(source, values)...)
					if source == "aws:SourceVpce" {
						for _, id := range values {
							if !strings.ContainsAny(id, "*?") && !slices.Contains(v.Endpoints, id) {
								v.Endpoints = append(v.Endpoints, id)
							}
						}
					}
				}
				negative := slices.Contains(negativeOperators, base)
				if source == "" || !negative {
					onlyNegativeSource = false
				}
				// A positive IfExists in an Allow matches callers that carry no such key at all.
				restricts := deny && negative || !deny && slices.Contains(positiveOperators, base) && !ifExists
				if source != "" && restricts && !slices.Contains(v.RestrictedBy, source) {
					v.RestrictedBy = append(v.RestrictedBy, source)
				}
			}
		}
		if deny && onlyNegativeSource && everyone(st.Principal) && slices.ContainsFunc(st.Resource, func(r string) bool { return wholeAPI(r, apiID) }) {
			v.DenyGuard = true
		}
		if !deny && everyone(st.Principal) && !sourceConditioned {
			v.Tricks = append(v.Tricks, "an Allow to \"*\" has no aws:SourceVpce, aws:SourceVpc or aws:VpcSourceIp condition: every principal of every account is allowed")
		}
	}
	slices.Sort(v.RestrictedBy)
	slices.Sort(v.Endpoints)
	return v
}

// splitOperator takes the set qualifier and the IfExists suffix off a condition operator.
func splitOperator(op string) (base string, ifExists bool) {
	if _, after, qualified := strings.Cut(op, ":"); qualified {
		op = after
	}
	return strings.CutSuffix(op, "IfExists")
}

// canonicalSourceKey returns the source key that key names (condition keys are case-insensitive), or "".
func canonicalSourceKey(key string) string {
	for _, k := range sourceKeys {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return ""
}

func invokes(actions policydoc.Strings) bool {
	return slices.ContainsFunc(actions, func(a string) bool {
		a = strings.ToLower(a)
		return a == "*" || a == "execute-api:*" || a == "execute-api:invoke"
	})
}

func everyone(principal *policydoc.ReadPrincipal) bool {
	return principal != nil && principal.All
}

// wholeAPI says whether a policy resource covers every stage, method and path of the API:
// "*", "execute-api:/*", or arn:<partition>:execute-api:<region>:<account>:<apiId or *>/* (any
// number of "/*" segments).
func wholeAPI(resource, apiID string) bool {
	if resource == "*" {
		return true
	}
	rest, shorthand := strings.CutPrefix(resource, "execute-api:")
	if !shorthand {
		parts := strings.SplitN(resource, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
			return false
		}
		if parts[5] == "*" {
			return true
		}
		id, path, _ := strings.Cut(parts[5], "/")
		if id != apiID && id != "*" {
			return false
		}
		rest = "/" + path
	}
	return strings.Contains(rest, "*") && strings.Trim(rest, "/*") == ""
}
