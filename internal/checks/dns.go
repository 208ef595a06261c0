package checks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

var dnsChecks = []Check{
	// CHECKS.md lists CKV2_AWS_5 on this row, but Checkov's CKV2_AWS_5 is "security groups are
	// attached" (network.go); this rule is the project's own.
	forType(mockengine.TypeResolverEndpoint, Check{
		IDs:  []string{"project:resolver-sg-dns-only"},
		Rule: "resolver endpoint security groups allow DNS (53 tcp and udp) only between the inbound and outbound endpoints, in the one direction each needs",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		return judgeResolverGroups(e, r, securityGroupRules(e))
	}),
	forType(mockengine.TypeResolverRuleAssoc, Check{
		IDs:  []string{"aws-docs:resolver-rule-loop", "design:failure-5"},
		Rule: "no forwarding rule is associated with the VPC that holds its target inbound endpoint (a DNS loop)",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		rule, ok := e.Resolve(str(r, "resolverRuleId"))
		if !ok || rule.Type != mockengine.TypeResolverRule {
			return false, "rule is not in this stack, its targets cannot be checked"
		}
		vpc, _ := e.Resolve(str(r, "vpcId"))
		targets := e.RefsOfType(rule.Inputs["targetIps"], mockengine.TypeResolverEndpoint)
		for _, t := range targets {
			for _, home := range endpointVPCs(e, t) {
				if home == vpc.Name {
					return false, fmt.Sprintf("%s targets %s, which lives in %s, the VPC this association adds the rule to", rule.Name, t.Name, home)
				}
			}
		}
		if len(targets) == 0 {
			return true, fmt.Sprintf("%s on %s; its targets are outside this stack", rule.Name, vpc.Name)
		}
		return true, fmt.Sprintf("%s on %s, targets %s elsewhere", rule.Name, vpc.Name, names(targets))
	}),
	{
		IDs:      []string{"design:failure-3"},
		Rule:     "forwarding rules and private zones for execute-api cover exactly this API's host name, never the whole execute-api domain",
		Subjects: []string{mockengine.TypeResolverRule, mockengine.TypeZone},
		eval: func(e *mockengine.Engine) []Finding {
			out := each(e, mockengine.TypeResolverRule, func(r mockengine.Resource) (bool, string) {
				return judgeAPIHost(e, str(r, "domainName"))
			})
			return append(out, each(e, mockengine.TypeZone, func(r mockengine.Resource) (bool, string) {
				return judgeAPIHost(e, str(r, "name"))
			})...)
		},
	},
}

// apiHost is <apiId>.execute-api.<region>.<dnsSuffix>, with the id a placeholder of this stack; the
// suffix is amazonaws.com, or amazonaws.com.cn in China.
var apiHost = regexp.MustCompile(`^\$\{[^}]+\.id\}\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\.?$`)

func judgeAPIHost(e *mockengine.Engine, name string) (bool, string) {
	if !strings.Contains(name, "execute-api") {
		return true, name + " is not an execute-api name"
	}
	if !apiHost.MatchString(name) || len(e.RefsOfType(name, mockengine.TypeRestAPI)) == 0 {
		return false, fmt.Sprintf("%q is not exactly this API's host: other teams' execute-api calls would go to the private endpoint and get 403", name)
	}
	return true, name
}

// endpointVPCs returns the names of the VPCs a resolver endpoint's IPs live in, via their subnets.
func endpointVPCs(e *mockengine.Engine, ep mockengine.Resource) []string {
	seen := map[string]bool{}
	var out []string
	for _, ip := range asList(ep.Inputs["ipAddresses"]) {
		m, _ := ip.(map[string]any)
		subnet, ok := e.Resolve(str(mockengine.Resource{Inputs: m}, "subnetId"))
		if !ok {
			continue
		}
		if vpc, ok := e.Resolve(str(subnet, "vpcId")); ok && !seen[vpc.Name] {
			seen[vpc.Name] = true
			out = append(out, vpc.Name)
		}
	}
	sort.Strings(out)
	return out
}

// judgeResolverGroups: an INBOUND endpoint's groups admit 53 tcp and udp from the outbound
// endpoints' groups and need no egress (answers return statefully); OUTBOUND the mirror image.
func judgeResolverGroups(e *mockengine.Engine, ep mockengine.Resource, rules []sgRule) (bool, string) {
	groups := strs(ep, "securityGroupIds")
	if len(groups) == 0 {
		return false, "no security group"
	}
	want, other := "ingress", "OUTBOUND"
	if str(ep, "direction") == "OUTBOUND" {
		want, other = "egress", "INBOUND"
	}
	var peers []string
	for _, p := range e.OfType(mockengine.TypeResolverEndpoint) {
		if str(p, "direction") == other {
			peers = append(peers, strs(p, "securityGroupIds")...)
		}
	}
	protocols := map[string]bool{}
	for _, rule := range rules {
		if !containsString(groups, rule.group) {
			continue
		}
		if rule.direction != want {
			return false, fmt.Sprintf("%s: %s rule on an %s endpoint, which needs none", rule.label, rule.direction, str(ep, "direction"))
		}
		if rule.from != 53 || rule.to != 53 || (rule.protocol != "tcp" && rule.protocol != "udp") {
			return false, fmt.Sprintf("%s: %s %g-%g, want tcp or udp 53 only", rule.label, rule.protocol, rule.from, rule.to)
		}
		if len(rule.cidrs) > 0 || len(rule.peerGroups) == 0 || !subset(rule.peerGroups, peers) {
			return false, fmt.Sprintf("%s: peer %v, want only the %s endpoint's security group", rule.label, append(rule.cidrs, rule.peerGroups...), strings.ToLower(other))
		}
		protocols[rule.protocol] = true
	}
	if !protocols["tcp"] || !protocols["udp"] {
		return false, fmt.Sprintf("%s DNS needs both tcp and udp 53, have %v", want, sortedKeys(protocols))
	}
	return true, fmt.Sprintf("%s tcp+udp 53 with the %s endpoint only", want, strings.ToLower(other))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
