package stack

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
	"github.com/example/private-api/internal/stackconfig"
)

const (
	multiStack     = "multi"
	partnerAccount = "210987654321"
	partnerRole    = "arn:aws:iam::210987654321:role/private-api-consumer-deploy"
)

// partnerProvider is the reference the SDK sends for resources made through the partner
// account's provider (the mock engine gives every custom resource the id ${name.id}).
var partnerProvider = "urn:pulumi:test::private-api::pulumi:providers:aws::account-" + partnerAccount + "::${account-" + partnerAccount + ".id}"

// TestMixedConsumers is the specification of a stack whose consumers connect both ways, in two
// accounts (Pulumi.multi.yaml): billing, an endpoint consumer of the API's account listed first so
// the test client sits in it; orders, peered, on billing's own range; partner, an endpoint consumer
// of account 210987654321 on the API VPC's own range, 10.0.0.0/16.
func TestMixedConsumers(t *testing.T) {
	cfg := spec.StackConfig(t, projectRoot, multiStack)
	e := runProgram(t, cfg)

	t.Run("the_overlapping_ranges_are_accepted", func(t *testing.T) {
		api, billing, orders, partner := spec.Named(t, e, mockengine.TypeVpc, "api-vpc"), spec.Named(t, e, mockengine.TypeVpc, "consumers-billing-vpc"),
			spec.Named(t, e, mockengine.TypeVpc, "consumers-orders-vpc"), spec.Named(t, e, mockengine.TypeVpc, "consumers-partner-vpc")
		if spec.Str(partner.Inputs, "cidrBlock") != spec.Str(api.Inputs, "cidrBlock") || spec.Str(billing.Inputs, "cidrBlock") != spec.Str(orders.Inputs, "cidrBlock") {
			t.Errorf("partner %s vs API %s, billing %s vs orders %s: the spec wants both overlaps",
				spec.Str(partner.Inputs, "cidrBlock"), spec.Str(api.Inputs, "cidrBlock"), spec.Str(billing.Inputs, "cidrBlock"), spec.Str(orders.Inputs, "cidrBlock"))
		}
	})

	t.Run("every_resource_of_the_other_account_is_registered_with_its_provider", func(t *testing.T) {
		p := spec.Named(t, e, mockengine.TypeProvider, "account-"+partnerAccount)
		if got := spec.Str(spec.Obj(p.Inputs, "assumeRole"), "roleArn"); got != partnerRole {
			t.Errorf("provider assumes %q, want the configured %q", got, partnerRole)
		}
		if got := spec.List(p.Inputs, "allowedAccountIds"); len(got) != 1 || got[0] != partnerAccount {
			t.Errorf("provider allows accounts %v, want exactly [%s]", got, partnerAccount)
		}
		if got := spec.Str(p.Inputs, "region"); got != spec.Region {
			t.Errorf("provider region %q, want aws:region %q", got, spec.Region)
		}
		if p.Parent != "" && !strings.HasSuffix(p.Parent, "pulumi:pulumi:Stack::private-api-test") {
			t.Errorf("provider parented to %s: its URN must not move with a component", p.Parent)
		}
		// What belongs to the partner: its consumer's VPC, endpoint and zone, its endpoint policy, and
		// the role of the client that calls from there with that role's policy.
		inPartner := func(name string) bool {
			for _, prefix := range []string{"consumers-partner-", "endpoints-partner-", "dns-partner-", "client-partner-app-", "private-partner-app-"} {
				if strings.HasPrefix(name, prefix) {
					return true
				}
			}
			return false
		}
		seen := 0
		for _, r := range e.Resources() {
			if !r.Custom || r.Type == mockengine.TypeProvider {
				continue
			}
			want := ""
			if inPartner(r.Name) {
				want = partnerProvider
				seen++
			}
			if r.Provider != want {
				t.Errorf("%s %s registered with provider %q, want %q", r.Type, r.Name, r.Provider, want)
			}
		}
		// VPC, default SG, route table, 2 subnets and associations, flow logs (group, role, policy,
		// log), endpoint SG and endpoint, endpoint policy, zone and record, client role and policy.
		if seen != 18 {
			t.Errorf("%d resources in the partner account, want 18", seen)
		}
		role := spec.Named(t, e, mockengine.TypeRole, "client-partner-app-role")
		if got := spec.Str(role.Outputs, "arn"); !strings.HasPrefix(got, "arn:aws:iam::"+partnerAccount+":role/") {
			t.Errorf("partner role ARN %q is not in account %s", got, partnerAccount)
		}
	})

	endpointIDs := func() []string {
		var ids []string
		for _, name := range []string{"api-execute-api", "consumers-billing-execute-api", "consumers-partner-execute-api"} {
			ids = append(ids, spec.Named(t, e, mockengine.TypeVpcEndpoint, name).ID)
		}
		slices.Sort(ids)
		return ids
	}()

	t.Run("the_API_and_its_policy_list_exactly_the_three_endpoints", func(t *testing.T) {
		api := e.OfType(mockengine.TypeRestAPI)[0]
		got := mockengine.Strings(spec.Obj(api.Inputs, "endpointConfiguration")["vpcEndpointIds"])
		slices.Sort(got)
		if !slices.Equal(got, endpointIDs) {
			t.Errorf("vpcEndpointIds %v, want %v", got, endpointIDs)
		}
		doc := spec.Policy(t, e.OfType(mockengine.TypeRestAPIPolicy)[0], "policy")
		conditions := 0
		for _, s := range doc.Statement {
			for op, keys := range s.Condition {
				if vpce, ok := keys["aws:SourceVpce"]; ok {
					conditions++
					got := slices.Sorted(slices.Values(vpce))
					if !slices.Equal(got, endpointIDs) {
						t.Errorf("statement %s %s aws:SourceVpce %v, want exactly %v", s.Sid, op, got, endpointIDs)
					}
				}
			}
		}
		if conditions < 2 {
			t.Errorf("%d aws:SourceVpce conditions, want the Deny and every Allow", conditions)
		}
	})

	t.Run("the_partner_role_is_allowed_its_routes_and_spared_by_the_principal_Deny", func(t *testing.T) {
		roleArn := spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-partner-app-role").Outputs, "arn")
		doc := spec.Policy(t, e.OfType(mockengine.TypeRestAPIPolicy)[0], "policy")
		var allowed []string
		exempt := false
		for _, s := range doc.Statement {
			if s.Effect == "Allow" && s.Principal != nil && slices.Contains(s.Principal.AWS, roleArn) {
				allowed = append(allowed, s.Resource...)
			}
			if s.Effect == "Deny" && slices.Contains(s.Condition["ArnNotEquals"]["aws:PrincipalArn"], roleArn) {
				exempt = true
			}
		}
		if len(allowed) != 2 || !strings.HasSuffix(allowed[0], "/v1/GET/members/*/claims") || !strings.HasSuffix(allowed[1], "/v1/GET/members/*/claims/*") {
			t.Errorf("partner role allowed %v, want exactly its two claims routes", allowed)
		}
		if !exempt {
			t.Errorf("the principal Deny does not spare %s", roleArn)
		}
		trust := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, "client-partner-app-role"), "assumeRolePolicy")
		if got := trust.Statement[0].Principal.AWS; !slices.Equal(got, []string{"arn:aws:iam::210987654321:role/partner-claims-reader"}) {
			t.Errorf("partner role trusts %v, want the principal the config names there", got)
		}
		identity := spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, "private-partner-app-invoke"), "policy")
		if got := identity.Statement[0].Resource; !slices.Equal(got, allowed) {
			t.Errorf("partner role's own policy allows %v, the resource policy %v: want the same routes", got, allowed)
		}
	})

	t.Run("nothing_peers_routes_or_resolves_for_the_endpoint_consumers", func(t *testing.T) {
		orders := spec.Named(t, e, mockengine.TypeVpc, "consumers-orders-vpc")
		for _, p := range e.OfType(mockengine.TypePeering) {
			if spec.Str(p.Inputs, "vpcId") != orders.ID {
				t.Errorf("peering %s joins %s, want only the peered consumer orders", p.Name, spec.Str(p.Inputs, "vpcId"))
			}
		}
		if n := len(e.OfType(mockengine.TypePeering)); n != 1 {
			t.Errorf("%d peerings, want 1", n)
		}
		for _, r := range e.OfType(mockengine.TypeRoute) {
			if !strings.HasPrefix(r.Name, "peer-orders-") {
				t.Errorf("route %s to %s: only the peering routes", r.Name, spec.Str(r.Inputs, "destinationCidrBlock"))
			}
		}
		sg := spec.Named(t, e, mockengine.TypeSecurityGroup, "api-execute-api-sg")
		var admitted []string
		for _, rule := range spec.List(sg.Inputs, "ingress") {
			admitted = append(admitted, mockengine.Strings(rule.(map[string]any)["cidrBlocks"])...)
		}
		if !slices.Equal(admitted, []string{"10.0.0.0/16", "10.20.0.0/16"}) {
			t.Errorf("the API VPC's endpoint admits %v, want the API VPC and the peered consumer only", admitted)
		}
		shared := spec.Named(t, e, mockengine.TypeZone, "dns-zone")
		if got := spec.List(shared.Inputs, "vpcs"); len(got) != 1 || spec.Str(got[0].(map[string]any), "vpcId") != orders.ID {
			t.Errorf("the shared zone is associated with %v, want the peered consumer only", got)
		}

		resolver := runProgram(t, spec.WithKey(t, cfg, "dns", map[string]any{"mode": "resolver"}))
		ordersID := spec.Named(t, resolver, mockengine.TypeVpc, "consumers-orders-vpc").ID
		assocs := resolver.OfType(mockengine.TypeResolverRuleAssoc)
		if len(assocs) != 1 || spec.Str(assocs[0].Inputs, "vpcId") != ordersID {
			t.Errorf("resolver mode: rule associations %v, want only the peered consumer", assocs)
		}
		// The outbound endpoint serves the peered VPCs from the first of them, not from billing, the
		// first consumer.
		outbound := spec.Named(t, resolver, mockengine.TypeResolverEndpoint, "dns-outbound")
		for _, ip := range spec.List(outbound.Inputs, "ipAddresses") {
			subnet, _ := resolver.Resolve(spec.Str(ip.(map[string]any), "subnetId"))
			if spec.Str(subnet.Inputs, "vpcId") != ordersID {
				t.Errorf("outbound resolver endpoint in subnet %s of %s, want the peered consumer %s", subnet.Name, spec.Str(subnet.Inputs, "vpcId"), ordersID)
			}
		}
	})

	t.Run("each_endpoint_consumer_has_its_own_private_endpoint_open_to_its_VPC_only", func(t *testing.T) {
		for _, name := range []string{"billing", "partner"} {
			ep := spec.Named(t, e, mockengine.TypeVpcEndpoint, "consumers-"+name+"-execute-api")
			vpc := spec.Named(t, e, mockengine.TypeVpc, "consumers-"+name+"-vpc")
			if ep.Inputs["privateDnsEnabled"] != false || spec.Str(ep.Inputs, "vpcId") != vpc.ID || !strings.HasSuffix(spec.Str(ep.Inputs, "serviceName"), ".execute-api") {
				t.Errorf("%s endpoint %v: want execute-api in its VPC, private DNS off", name, ep.Inputs)
			}
			if azs := spec.DistinctAZs(t, e, spec.List(ep.Inputs, "subnetIds")); len(azs) < 2 {
				t.Errorf("%s endpoint in AZs %v, want at least 2", name, azs)
			}
			sg, _ := e.Resolve(spec.List(ep.Inputs, "securityGroupIds")[0].(string))
			rules := spec.List(sg.Inputs, "ingress")
			if len(rules) != 1 || spec.Num(rules[0].(map[string]any), "fromPort") != 443 ||
				!slices.Equal(mockengine.Strings(rules[0].(map[string]any)["cidrBlocks"]), []string{spec.Str(vpc.Inputs, "cidrBlock")}) ||
				len(spec.List(sg.Inputs, "egress")) != 0 {
				t.Errorf("%s endpoint SG %v: want 443 from its VPC only, no egress", name, sg.Inputs)
			}
		}
	})

	t.Run("each_endpoint_admits_this_API_for_the_callers_of_its_own_account", func(t *testing.T) {
		partnerRoleArn := spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-partner-app-role").Outputs, "arn")
		ordersRoleArn := spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-orders-app-role").Outputs, "arn")
		for name, want := range map[string]struct {
			account string
			callers []string
		}{
			"endpoints-partner-execute-api": {partnerAccount, []string{partnerRoleArn}},
			"endpoints-billing-execute-api": {mockengine.Account, []string{ordersRoleArn, spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role").Outputs, "arn")}},
			"endpoints-execute-api":         {mockengine.Account, []string{ordersRoleArn, spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role").Outputs, "arn")}},
		} {
			doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeVpcEndpointPolicy, name), "policy")
			s := doc.Statement[0]
			if s.Effect != "Allow" || !slices.Equal(s.Condition["StringEquals"]["aws:PrincipalAccount"], []string{want.account}) ||
				!slices.Equal(s.Condition["ArnEquals"]["aws:PrincipalArn"], want.callers) || !strings.HasSuffix(s.Resource[0], "/*") {
				t.Errorf("%s: %+v, want Invoke on this API by %v of account %s only", name, s, want.callers, want.account)
			}
		}
	})

	t.Run("privateZone_gives_each_endpoint_consumer_a_zone_aliasing_its_endpoint", func(t *testing.T) {
		host := fmt.Sprintf("%s.execute-api.%s.amazonaws.com", e.OfType(mockengine.TypeRestAPI)[0].ID, spec.Region)
		for _, name := range []string{"billing", "partner"} {
			zone := spec.Named(t, e, mockengine.TypeZone, "dns-"+name+"-zone")
			vpcs := spec.List(zone.Inputs, "vpcs")
			if spec.Str(zone.Inputs, "name") != host || len(vpcs) != 1 || spec.Str(vpcs[0].(map[string]any), "vpcId") != spec.Named(t, e, mockengine.TypeVpc, "consumers-"+name+"-vpc").ID {
				t.Errorf("%s zone %v: want the API host in its VPC only", name, zone.Inputs)
			}
			record := spec.Named(t, e, mockengine.TypeRecord, "dns-"+name+"-api-alias")
			target := spec.Str(spec.List(spec.Named(t, e, mockengine.TypeVpcEndpoint, "consumers-"+name+"-execute-api").Outputs, "dnsEntries")[0].(map[string]any), "dnsName")
			if alias := spec.List(record.Inputs, "aliases"); len(alias) != 1 || spec.Str(alias[0].(map[string]any), "name") != target {
				t.Errorf("%s record aliases %v, want its own endpoint %s", name, record.Inputs["aliases"], target)
			}
		}
	})

	t.Run("the_test_client_calls_through_its_consumer_endpoint", func(t *testing.T) {
		sg := spec.Named(t, e, mockengine.TypeSecurityGroup, "consumers-billing-test-client-sg")
		endpointSG := spec.List(spec.Named(t, e, mockengine.TypeVpcEndpoint, "consumers-billing-execute-api").Inputs, "securityGroupIds")[0]
		var toAPI []any
		for _, rule := range spec.List(sg.Inputs, "egress") {
			toAPI = append(toAPI, spec.List(rule.(map[string]any), "securityGroups")...)
			if cidrs := spec.List(rule.(map[string]any), "cidrBlocks"); len(cidrs) > 0 {
				t.Errorf("test client egress to %v: in an endpoint consumer it needs no route out of its VPC", cidrs)
			}
		}
		if !slices.Contains(toAPI, endpointSG) {
			t.Errorf("test client egress %v does not reach its consumer's endpoint %v", toAPI, endpointSG)
		}
	})
}

// TestMixedConsumerURLs: each endpoint consumer gets its endpoint's alias URL; the test client's URL
// and endpoint are its consumer's.
func TestMixedConsumerURLs(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		testHost string // what the test client's URL's host is made of
	}{
		{stackconfig.DNSPrivateZone, "api"},
		{stackconfig.DNSEndpointAlias, "api-billing"},
		{stackconfig.DNSResolver, "api-billing"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := spec.WithKey(t, spec.StackConfig(t, projectRoot, multiStack), "dns", map[string]any{"mode": tc.mode})
			var mu sync.Mutex
			got := map[string]string{}
			record := func(key string, o pulumi.StringOutput) {
				o.ApplyT(func(v string) string { mu.Lock(); got[key] = v; mu.Unlock(); return v })
			}
			e, err := mockengine.Run(func(ctx *pulumi.Context) error {
				c, err := stackconfig.Load(ctx)
				if err != nil {
					return err
				}
				s, err := NewStack(ctx, c, PackagedArtifacts("build"))
				if err != nil {
					return err
				}
				u := s.callURLs()
				for name, url := range u.Consumers {
					record("consumer "+name, url.ToStringOutput())
				}
				record("test", u.TestClient)
				record("test endpoint", u.TestClientEndpoint)
				return nil
			}, spec.Project, "test", cfg)
			if err != nil {
				t.Fatal(err)
			}
			api := e.OfType(mockengine.TypeRestAPI)[0].ID
			alias := func(consumer string) string {
				ep := spec.Named(t, e, mockengine.TypeVpcEndpoint, "consumers-"+consumer+"-execute-api").ID
				return fmt.Sprintf("https://%s-%s.execute-api.%s.amazonaws.com/v1", api, ep, spec.Region)
			}
			want := map[string]string{
				"consumer billing": alias("billing"), "consumer partner": alias("partner"),
				"test endpoint": spec.Named(t, e, mockengine.TypeVpcEndpoint, "consumers-billing-execute-api").ID,
				"test":          fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/v1", api, spec.Region),
			}
			if tc.testHost == "api-billing" {
				want["test"] = alias("billing")
			}
			mu.Lock()
			defer mu.Unlock()
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s = %q, want %q", k, got[k], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("URLs %v, want exactly %v", got, want)
			}
		})
	}
}

// TestMixedConsumerRejections: what the program refuses in a mixed stack, before it registers or
// reads anything.
func TestMixedConsumerRejections(t *testing.T) {
	base := spec.StackConfig(t, projectRoot, multiStack)
	consumers := func(edit func(partner map[string]any)) []map[string]any {
		partner := map[string]any{"name": "partner", "cidr": "10.0.0.0/16", "connect": "endpoint",
			"account": map[string]any{"id": partnerAccount, "roleArn": partnerRole}}
		edit(partner)
		return []map[string]any{{"name": "billing", "cidr": "10.20.0.0/16", "connect": "endpoint"}, {"name": "orders", "cidr": "10.20.0.0/16"}, partner}
	}
	for _, tc := range []struct {
		name  string
		key   string
		value any
		want  []string
	}{
		{"peering_with_another_account", "consumers", consumers(func(p map[string]any) { delete(p, "connect"); p["cidr"] = "10.30.0.0/16" }),
			[]string{"consumers[2].connect", "must use connect: endpoint"}},
		{"an_account_id_of_11_digits", "consumers", consumers(func(p map[string]any) { p["account"] = map[string]any{"id": "21098765432", "roleArn": partnerRole} }),
			[]string{"consumers[2].account.id", "12 digits"}},
		{"a_role_of_another_account", "consumers", consumers(func(p map[string]any) {
			p["account"] = map[string]any{"id": partnerAccount, "roleArn": "arn:aws:iam::123456789012:role/private-api-consumer-deploy"}
		}), []string{"consumers[2].account.roleArn", "in account 210987654321"}},
		{"two_consumers_with_one_name", "consumers", consumers(func(p map[string]any) { p["name"] = "orders" }),
			[]string{"consumers[2].name", "unique name"}},
		{"an_overlap_between_peered_VPCs", "consumers", []map[string]any{{"name": "orders", "cidr": "10.20.0.0/16"}, {"name": "billing", "cidr": "10.20.0.0/20"}},
			[]string{"consumers[1].cidr", "overlaps consumers[0].cidr"}},
		{"a_peered_VPC_on_the_API_range", "consumers", []map[string]any{{"name": "orders", "cidr": "10.0.0.0/16"}},
			[]string{"consumers[0].cidr", "overlaps network.apiVpcCidr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := mockengine.Run(testProgram, spec.Project, "test", spec.WithKey(t, base, tc.key, tc.value))
			if err == nil {
				t.Fatalf("config %s=%v was accepted", tc.key, tc.value)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(e.Resources()) != 0 || len(e.Calls()) != 0 {
				t.Errorf("%d resources registered, data sources %v read before the config error", len(e.Resources()), e.Calls())
			}
		})
	}
}
