package stack

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// TestStack is the whole-stack specification, run over every shipped stack config.
func TestStack(t *testing.T) {
	for _, stack := range []string{devStack, prodStack} {
		t.Run(stack, func(t *testing.T) {
			cfg := spec.StackConfig(t, projectRoot, stack)
			e := runProgram(t, cfg)
			apiCidr := "10.10.0.0/16"
			if stack == prodStack {
				apiCidr = "10.110.0.0/16"
			}
			specNetwork(t, e, apiCidr)
			specResolverDNS(t, e)
			specParenting(t, e)
		})
	}
}

// specNetwork: no path to or from the internet, and nothing open beyond what the design needs.
func specNetwork(t *testing.T, e *mockengine.Engine, apiCidr string) {
	t.Run("no_internet_or_NAT_gateway", func(t *testing.T) {
		for _, typ := range []string{mockengine.TypeInternetGateway, mockengine.TypeNatGateway, tEIP, mockengine.TypeEgressOnlyGateway} {
			if n := len(e.OfType(typ)); n != 0 {
				t.Errorf("%d %s registered", n, typ)
			}
		}
	})
	t.Run("no_subnet_maps_public_IPs", func(t *testing.T) {
		subnets := e.OfType(mockengine.TypeSubnet)
		if len(subnets) == 0 {
			t.Fatal("no subnets")
		}
		for _, s := range subnets {
			if v, ok := s.Inputs["mapPublicIpOnLaunch"].(bool); !ok || v {
				t.Errorf("subnet %s: mapPublicIpOnLaunch = %v, want explicit false", s.Name, s.Inputs["mapPublicIpOnLaunch"])
			}
		}
	})
	t.Run("default_security_groups_have_no_rules", func(t *testing.T) {
		vpcs, sgs := e.OfType(mockengine.TypeVpc), e.OfType(mockengine.TypeDefaultSG)
		if len(sgs) != len(vpcs) {
			t.Fatalf("%d default security groups adopted for %d VPCs", len(sgs), len(vpcs))
		}
		for _, sg := range sgs {
			if len(spec.List(sg.Inputs, "ingress")) != 0 || len(spec.List(sg.Inputs, "egress")) != 0 {
				t.Errorf("default SG %s keeps rules: %v", sg.Name, sg.Inputs)
			}
		}
	})
	t.Run("interface_endpoints_span_two_AZs", func(t *testing.T) {
		found := 0
		for _, ep := range e.OfType(mockengine.TypeVpcEndpoint) {
			if spec.Str(ep.Inputs, "vpcEndpointType") != "Interface" {
				continue
			}
			found++
			if azs := spec.DistinctAZs(t, e, spec.List(ep.Inputs, "subnetIds")); len(azs) < 2 {
				t.Errorf("endpoint %s in AZs %v, want at least 2", ep.Name, azs)
			}
		}
		if found == 0 {
			t.Fatal("no interface endpoint")
		}
	})
	t.Run("execute_api_endpoint_admits_443_from_API_and_consumer_VPCs_only", func(t *testing.T) {
		ep, ok := e.Named(mockengine.TypeVpcEndpoint, "api-execute-api")
		if !ok {
			t.Fatal("no execute-api endpoint")
		}
		if !strings.HasSuffix(spec.Str(ep.Inputs, "serviceName"), ".execute-api") || ep.Inputs["privateDnsEnabled"] != true {
			t.Errorf("endpoint %s: service %q, private DNS %v", ep.Name, spec.Str(ep.Inputs, "serviceName"), ep.Inputs["privateDnsEnabled"])
		}
		sgIDs := spec.List(ep.Inputs, "securityGroupIds")
		if len(sgIDs) != 1 {
			t.Fatalf("endpoint has %d security groups, want its own one", len(sgIDs))
		}
		sg, ok := e.Resolve(sgIDs[0].(string))
		if !ok {
			t.Fatalf("security group %v not registered", sgIDs[0])
		}
		allowed := []string{apiCidr}
		for _, v := range e.OfType(mockengine.TypeVpc) {
			if c := spec.Str(v.Inputs, "cidrBlock"); c != apiCidr {
				allowed = append(allowed, c)
			}
		}
		var seen []string
		for _, r := range spec.List(sg.Inputs, "ingress") {
			rule := r.(map[string]any)
			if spec.Str(rule, "protocol") != "tcp" || spec.Num(rule, "fromPort") != 443 || spec.Num(rule, "toPort") != 443 {
				t.Errorf("endpoint SG rule %v is not tcp/443", rule)
			}
			if spec.Str(rule, "description") == "" {
				t.Errorf("endpoint SG rule %v has no description", rule)
			}
			for _, c := range spec.List(rule, "cidrBlocks") {
				seen = append(seen, c.(string))
			}
		}
		slices.Sort(seen)
		slices.Sort(allowed)
		if !slices.Equal(seen, allowed) {
			t.Errorf("endpoint SG admits %v, want exactly the VPC ranges %v", seen, allowed)
		}
		if len(spec.List(sg.Inputs, "egress")) != 0 {
			t.Errorf("endpoint SG has egress rules: %v", sg.Inputs["egress"])
		}
	})
	t.Run("peering_routes_both_ways_never_default", func(t *testing.T) {
		peerings := e.OfType(mockengine.TypePeering)
		if len(peerings) == 0 {
			t.Fatal("no peering")
		}
		for _, p := range peerings {
			if p.Inputs["autoAccept"] != true {
				t.Errorf("peering %s is not auto-accepted", p.Name)
			}
			var dests []string
			for _, r := range e.OfType(mockengine.TypeRoute) {
				if spec.Str(r.Inputs, "vpcPeeringConnectionId") == p.ID {
					dests = append(dests, spec.Str(r.Inputs, "destinationCidrBlock"))
				}
			}
			consumer, _ := e.Resolve(spec.Str(p.Inputs, "vpcId"))
			api, _ := e.Resolve(spec.Str(p.Inputs, "peerVpcId"))
			want := []string{spec.Str(api.Inputs, "cidrBlock"), spec.Str(consumer.Inputs, "cidrBlock")}
			slices.Sort(dests)
			slices.Sort(want)
			if !slices.Equal(dests, want) {
				t.Errorf("peering %s routes %v, want one toward each VPC %v", p.Name, dests, want)
			}
		}
		for _, r := range e.OfType(mockengine.TypeRoute) {
			if d := spec.Str(r.Inputs, "destinationCidrBlock"); d == "0.0.0.0/0" || spec.Str(r.Inputs, "destinationIpv6CidrBlock") == "::/0" {
				t.Errorf("route %s is a default route", r.Name)
			}
		}
	})
	t.Run("every_security_group_and_rule_is_described", func(t *testing.T) {
		for _, typ := range []string{mockengine.TypeSecurityGroup, mockengine.TypeIngressRule, mockengine.TypeEgressRule} {
			for _, r := range e.OfType(typ) {
				if spec.Str(r.Inputs, "description") == "" {
					t.Errorf("%s %s has no description", typ, r.Name)
				}
			}
		}
	})
}

// specResolverDNS: the default DNS mode forwards exactly this API's host from the consumers.
func specResolverDNS(t *testing.T, e *mockengine.Engine) {
	endpoints := e.OfType(mockengine.TypeResolverEndpoint)
	t.Run("one_inbound_and_one_outbound_endpoint_with_IPs_in_two_AZs", func(t *testing.T) {
		dirs := map[string]int{}
		for _, ep := range endpoints {
			dirs[spec.Str(ep.Inputs, "direction")]++
			var subnets []any
			for _, ip := range spec.List(ep.Inputs, "ipAddresses") {
				subnets = append(subnets, ip.(map[string]any)["subnetId"])
			}
			if len(subnets) < 2 {
				t.Errorf("%s has %d IPs, want at least 2", ep.Name, len(subnets))
			}
			if azs := spec.DistinctAZs(t, e, subnets); len(azs) < 2 || len(azs) != len(subnets) {
				t.Errorf("%s IPs in AZs %v: want each IP in a distinct AZ, at least 2", ep.Name, azs)
			}
		}
		if dirs["INBOUND"] != 1 || dirs["OUTBOUND"] != 1 {
			t.Errorf("resolver endpoints by direction %v, want one of each", dirs)
		}
	})
	t.Run("inbound_in_API_VPC_outbound_in_a_consumer_VPC", func(t *testing.T) {
		for _, ep := range endpoints {
			sg, _ := e.Resolve(spec.List(ep.Inputs, "securityGroupIds")[0].(string))
			vpc, _ := e.Resolve(spec.Str(sg.Inputs, "vpcId"))
			isAPI := vpc.Name == "api-vpc"
			if (spec.Str(ep.Inputs, "direction") == "INBOUND") != isAPI {
				t.Errorf("%s (%s) sits in %s", ep.Name, spec.Str(ep.Inputs, "direction"), vpc.Name)
			}
		}
	})
	t.Run("resolver_SGs_allow_53_tcp_and_udp_only_between_the_endpoints", func(t *testing.T) {
		sgOf := map[string]string{} // direction -> SG id
		for _, ep := range endpoints {
			sgOf[spec.Str(ep.Inputs, "direction")] = spec.List(ep.Inputs, "securityGroupIds")[0].(string)
		}
		check := func(typ, ownSG, peerSG string) {
			protos := map[string]bool{}
			for _, r := range e.OfType(typ) {
				if spec.Str(r.Inputs, "securityGroupId") != ownSG {
					continue
				}
				if spec.Num(r.Inputs, "fromPort") != 53 || spec.Num(r.Inputs, "toPort") != 53 || spec.Str(r.Inputs, "referencedSecurityGroupId") != peerSG || r.Inputs["cidrIpv4"] != nil {
					t.Errorf("%s %s is not port 53 to/from the other endpoint's SG only: %v", typ, r.Name, r.Inputs)
				}
				if !dependsOnType(e, r, mockengine.TypePeering) {
					t.Errorf("%s %s does not wait for the peering it references across", typ, r.Name)
				}
				protos[spec.Str(r.Inputs, "ipProtocol")] = true
			}
			if !protos["tcp"] || !protos["udp"] || len(protos) != 2 {
				t.Errorf("%s on %s covers protocols %v, want tcp and udp", typ, ownSG, protos)
			}
		}
		check(mockengine.TypeIngressRule, sgOf["INBOUND"], sgOf["OUTBOUND"])
		check(mockengine.TypeEgressRule, sgOf["OUTBOUND"], sgOf["INBOUND"])
		for _, dir := range []string{"INBOUND", "OUTBOUND"} {
			sg, _ := e.Resolve(sgOf[dir])
			if len(spec.List(sg.Inputs, "ingress")) != 0 || len(spec.List(sg.Inputs, "egress")) != 0 {
				t.Errorf("%s endpoint SG has inline rules besides the DNS rules", dir)
			}
		}
	})
	t.Run("forwarding_rule_covers_only_this_API_host", func(t *testing.T) {
		rules := e.OfType(mockengine.TypeResolverRule)
		if len(rules) != 1 {
			t.Fatalf("%d forwarding rules, want 1", len(rules))
		}
		rule := rules[0]
		api := e.OfType(mockengine.TypeRestAPI)[0]
		want := fmt.Sprintf("%s.execute-api.%s.amazonaws.com", api.ID, spec.Region)
		if got := spec.Str(rule.Inputs, "domainName"); got != want {
			t.Errorf("rule domain %q, want exactly %q", got, want)
		}
		if spec.Str(rule.Inputs, "ruleType") != "FORWARD" {
			t.Errorf("rule type %q", spec.Str(rule.Inputs, "ruleType"))
		}
		var inbound mockengine.Resource
		for _, ep := range endpoints {
			if spec.Str(ep.Inputs, "direction") == "INBOUND" {
				inbound = ep
			}
		}
		var wantIPs, gotIPs []string
		for _, ip := range spec.List(inbound.Outputs, "ipAddresses") {
			wantIPs = append(wantIPs, spec.Str(ip.(map[string]any), "ip"))
		}
		for _, ip := range spec.List(rule.Inputs, "targetIps") {
			m := ip.(map[string]any)
			gotIPs = append(gotIPs, spec.Str(m, "ip"))
			if spec.Num(m, "port") != 53 {
				t.Errorf("target %v is not port 53", m)
			}
		}
		if len(gotIPs) < 2 || !slices.Equal(gotIPs, wantIPs) {
			t.Errorf("rule targets %v, want the inbound endpoint's IPs %v", gotIPs, wantIPs)
		}
		if outbound, ok := e.Resolve(spec.Str(rule.Inputs, "resolverEndpointId")); !ok || spec.Str(outbound.Inputs, "direction") != "OUTBOUND" {
			t.Errorf("rule does not use the outbound endpoint")
		}
	})
	t.Run("rule_associated_with_consumer_VPCs_only", func(t *testing.T) {
		var got, want []string
		for _, a := range e.OfType(mockengine.TypeResolverRuleAssoc) {
			got = append(got, spec.Str(a.Inputs, "vpcId"))
		}
		for _, v := range e.OfType(mockengine.TypeVpc) {
			if v.Name != "api-vpc" {
				want = append(want, v.ID)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Errorf("rule associated with %v, want the consumer VPCs %v (never the API VPC: a loop)", got, want)
		}
	})
}

// specParenting: every resource belongs to a component of this project.
func specParenting(t *testing.T, e *mockengine.Engine) {
	t.Run("every_resource_is_parented_by_a_component", func(t *testing.T) {
		for _, r := range e.Resources() {
			parent, ok := e.ByURN(r.Parent)
			switch {
			case !r.Custom && !strings.HasPrefix(r.Type, "private-api:infra:"):
				t.Errorf("component %s has type %s outside the project namespace", r.Name, r.Type)
			case r.Custom && (!ok || parent.Custom):
				t.Errorf("%s %s is not parented by a component (parent %q)", r.Type, r.Name, r.Parent)
			}
		}
	})
}

func dependsOnType(e *mockengine.Engine, r mockengine.Resource, typ string) bool {
	for _, d := range r.Dependencies {
		if dep, ok := e.ByURN(d); ok && dep.Type == typ {
			return true
		}
	}
	return false
}

// TestDNSModes: the alternatives to resolver endpoints make only what they need.
func TestDNSModes(t *testing.T) {
	base := spec.StackConfig(t, projectRoot, devStack)
	t.Run("privateZone_makes_a_zone_with_an_alias_and_no_resolver", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, base, "dns", map[string]any{"mode": "privateZone"}))
		if n := len(e.OfType(mockengine.TypeResolverEndpoint)) + len(e.OfType(mockengine.TypeResolverRule)); n != 0 {
			t.Errorf("%d resolver resources in privateZone mode", n)
		}
		zones := e.OfType(mockengine.TypeZone)
		if len(zones) != 1 {
			t.Fatalf("%d zones, want 1", len(zones))
		}
		api := e.OfType(mockengine.TypeRestAPI)[0]
		host := fmt.Sprintf("%s.execute-api.%s.amazonaws.com", api.ID, spec.Region)
		if spec.Str(zones[0].Inputs, "name") != host {
			t.Errorf("zone %q, want exactly the API host %q", spec.Str(zones[0].Inputs, "name"), host)
		}
		var zoneVPCs []string
		for _, v := range spec.List(zones[0].Inputs, "vpcs") {
			zoneVPCs = append(zoneVPCs, spec.Str(v.(map[string]any), "vpcId"))
		}
		if consumer, ok := e.Named(mockengine.TypeVpc, "consumers-consumer-vpc"); !ok || !slices.Equal(zoneVPCs, []string{consumer.ID}) {
			t.Errorf("zone associated with %v, want the consumer VPC only", zoneVPCs)
		}
		records := e.OfType(mockengine.TypeRecord)
		if len(records) != 1 {
			t.Fatalf("%d records, want 1 alias", len(records))
		}
		ep, _ := e.Named(mockengine.TypeVpcEndpoint, "api-execute-api")
		wantTarget := spec.Str(spec.List(ep.Outputs, "dnsEntries")[0].(map[string]any), "dnsName")
		aliases := spec.List(records[0].Inputs, "aliases")
		if spec.Str(records[0].Inputs, "name") != host || spec.Str(records[0].Inputs, "type") != "A" || len(aliases) != 1 ||
			spec.Str(aliases[0].(map[string]any), "name") != wantTarget {
			t.Errorf("record %v is not an A alias of the API host to the endpoint %s", records[0].Inputs, wantTarget)
		}
	})
	t.Run("endpointAlias_makes_no_DNS_resources", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, base, "dns", map[string]any{"mode": "endpointAlias"}))
		for _, typ := range []string{mockengine.TypeResolverEndpoint, mockengine.TypeResolverRule, mockengine.TypeResolverRuleAssoc, mockengine.TypeZone, mockengine.TypeRecord} {
			if n := len(e.OfType(typ)); n != 0 {
				t.Errorf("%d %s in endpointAlias mode", n, typ)
			}
		}
	})
}

// TestConsumerScaling: each consumer adds the same resources; the resolver endpoints are shared.
func TestConsumerScaling(t *testing.T) {
	// Ten consumers need 11 VPCs, more than the default quota of 5 per region.
	base := spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "quotas", map[string]int{"vpcsPerRegion": 20})
	counts := map[int]int{}
	for _, n := range []int{1, 3, 10} {
		e := runProgram(t, spec.ConsumerConfig(t, base, n))
		counts[n] = len(e.Resources())
		byType := spec.CountByType(e)
		if byType[mockengine.TypeResolverEndpoint] != 2 || byType[mockengine.TypeResolverRule] != 1 {
			t.Errorf("%d consumers: %d resolver endpoints and %d rules, want 2 and 1", n, byType[mockengine.TypeResolverEndpoint], byType[mockengine.TypeResolverRule])
		}
		if byType[mockengine.TypePeering] != n || byType[mockengine.TypeResolverRuleAssoc] != n || byType[mockengine.TypeVpc] != n+1 {
			t.Errorf("%d consumers: %d peerings, %d rule associations, %d VPCs", n, byType[mockengine.TypePeering], byType[mockengine.TypeResolverRuleAssoc], byType[mockengine.TypeVpc])
		}
		ep, _ := e.Named(mockengine.TypeSecurityGroup, "api-execute-api-sg")
		if got := len(spec.List(ep.Inputs, "ingress")); got != n+1 {
			t.Errorf("%d consumers: endpoint SG has %d rules, want %d", n, got, n+1)
		}
	}
	perConsumer := (counts[3] - counts[1]) / 2
	if perConsumer <= 0 || counts[10]-counts[1] != 9*perConsumer {
		t.Errorf("resource counts %v do not grow linearly with consumers", counts)
	}
}
