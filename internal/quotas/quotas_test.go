package quotas

import (
	"strings"
	"testing"
)

// dev is the dev stack's usage: one consumer, two AZs, resolver mode, test client, no reservation.
var dev = Usage{ConsumerVPCs: 1, AZs: 2, Resolver: true, TestClient: true, Principals: 1, Functions: 3}

func needOf(t *testing.T, u Usage, name string) Need {
	t.Helper()
	for _, n := range Needs(u) {
		if n.Quota.Name == name {
			return n
		}
	}
	t.Fatalf("no need for %s", name)
	return Need{}
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range Catalogue {
		if seen[q.Name] {
			t.Errorf("%s listed twice", q.Name)
		}
		seen[q.Name] = true
		if q.Title == "" || q.Default <= 0 || !strings.HasPrefix(q.Doc, "https://docs.aws.amazon.com/") {
			t.Errorf("%s needs a title, a positive default and its AWS documentation page: %+v", q.Name, q)
		}
		if q.Adjustable != (q.QuotaCode != "") || (q.QuotaCode != "") != (q.ServiceCode != "") {
			t.Errorf("%s: an adjustable quota has a Service Quotas service and quota code, a fixed one neither: %+v", q.Name, q)
		}
	}
	if len(Needs(dev)) != len(Catalogue) {
		t.Errorf("Needs covers %d quotas, the catalogue %d", len(Needs(dev)), len(Catalogue))
	}
}

func TestNeeds(t *testing.T) {
	cases := []struct {
		name  string
		u     Usage
		quota string
		want  int
	}{
		{"API_route_table_holds_one_route_per_consumer_and_the_DynamoDB_endpoint", Usage{ConsumerVPCs: 7}, RoutesPerRouteTable, 8},
		{"endpoint_SG_has_one_rule_per_consumer_and_the_API_VPC", Usage{ConsumerVPCs: 7}, RulesPerSecurityGroup, 8},
		{"API_VPC_peers_with_every_consumer", Usage{ConsumerVPCs: 7}, PeeringConnectionsPerVPC, 7},
		{"VPCs_are_the_API_VPC_and_the_consumers", Usage{ConsumerVPCs: 7}, VPCsPerRegion, 8},
		{"resolver_mode_takes_two_endpoints", dev, ResolverEndpointsPerRegion, 2},
		{"other_modes_take_no_resolver_endpoint", Usage{ConsumerVPCs: 3, PrivateZone: true}, ResolverEndpointsPerRegion, 0},
		{"resolver_endpoint_has_one_IP_per_AZ", Usage{AZs: 3, Resolver: true}, IPAddressesPerResolverEP, 3},
		{"rule_is_associated_with_every_consumer", Usage{ConsumerVPCs: 4, Resolver: true}, ResolverRuleAssociations, 4},
		{"private_zone_is_associated_with_every_consumer", Usage{ConsumerVPCs: 4, PrivateZone: true}, VPCsPerPrivateHostedZone, 4},
		{"test_client_adds_three_SSM_endpoints_to_the_first_consumer", dev, InterfaceEndpointsPerVPC, 3},
		{"without_test_client_the_API_VPC_has_one_interface_endpoint", Usage{ConsumerVPCs: 2}, InterfaceEndpointsPerVPC, 1},
		{"no_reservation_needs_only_the_unreserved_minimum", dev, LambdaConcurrentExecutions, 100},
		{"reservation_is_per_function_plus_the_unreserved_minimum", Usage{Functions: 3, ReservedConcurrency: 50}, LambdaConcurrentExecutions, 250},
		{"policy_grows_with_each_CIDR", Usage{Principals: 1, AllowedSourceCidrs: 10}, ResourcePolicyCharacters,
			PolicyCharacters(Usage{Principals: 1}) + 10*len(`"255.255.255.255/32",`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := needOf(t, tc.u, tc.quota).Amount; got != tc.want {
				t.Errorf("need of %s = %d, want %d", tc.quota, got, tc.want)
			}
		})
	}
}

// TestCheck walks the consumer count up to each limit: the largest count that fits is accepted
// and one more is refused by exactly the quota that binds.
func TestCheck(t *testing.T) {
	raised := func(kv ...any) Limits {
		l := Limits{}
		for i := 0; i < len(kv); i += 2 {
			l[kv[i].(string)] = kv[i+1].(int)
		}
		return l
	}
	cases := []struct {
		name    string
		limits  Limits
		fits    int
		binding string
	}{
		{"defaults_bind_at_VPCs_per_region", Limits{}, 4, VPCsPerRegion},
		{"with_VPCs_raised_routes_bind", raised(VPCsPerRegion, 500), 49, RoutesPerRouteTable},
		{"with_routes_raised_peerings_bind", raised(VPCsPerRegion, 500, RoutesPerRouteTable, 1000), 50, PeeringConnectionsPerVPC},
		{"with_peerings_raised_SG_rules_bind", raised(VPCsPerRegion, 500, RoutesPerRouteTable, 1000, PeeringConnectionsPerVPC, 125), 59, RulesPerSecurityGroup},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := Usage{AZs: 2, Resolver: true, Principals: 1, Functions: 3}
			u.ConsumerVPCs = tc.fits
			if s := Check(u, tc.limits); len(s) != 0 {
				t.Errorf("%d consumers refused: %s", tc.fits, s[0].Message("private-api"))
			}
			u.ConsumerVPCs = tc.fits + 1
			s := Check(u, tc.limits)
			if len(s) != 1 || s[0].Need.Quota.Name != tc.binding {
				t.Fatalf("%d consumers: shortfalls %+v, want only %s", tc.fits+1, s, tc.binding)
			}
		})
	}

	t.Run("message_names_quota_need_default_and_fix", func(t *testing.T) {
		s := Check(Usage{ConsumerVPCs: 50}, Limits{VPCsPerRegion: 100})
		if len(s) == 0 {
			t.Fatal("50 consumers fit 50 routes")
		}
		msg := s[0].Message("private-api")
		for _, want := range []string{`"Routes per route table"`, "needs 51", "AWS default of 50", "amazon-vpc-limits.html",
			"Service Quotas (service vpc, quota L-93826ACB)", "at least 51", "private-api:quotas.routesPerRouteTable", "fewer consumer VPCs"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}
	})
	t.Run("message_of_a_raised_limit_names_the_setting", func(t *testing.T) {
		s := Check(Usage{ConsumerVPCs: 80}, Limits{VPCsPerRegion: 100, RoutesPerRouteTable: 70, PeeringConnectionsPerVPC: 100, RulesPerSecurityGroup: 100})
		if len(s) != 1 || !strings.Contains(s[0].Message("p"), "70 (set in p:quotas.routesPerRouteTable; AWS default 50)") {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("fixed_limit_message_gives_only_the_way_to_need_less", func(t *testing.T) {
		s := Check(Usage{ConsumerVPCs: 301, PrivateZone: true}, Limits{VPCsPerRegion: 1000, RoutesPerRouteTable: 1000, PeeringConnectionsPerVPC: 1000, RulesPerSecurityGroup: 1000})
		if len(s) != 1 || s[0].Need.Quota.Name != VPCsPerPrivateHostedZone || strings.Contains(s[0].Message("p"), "Service Quotas") {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("reservation_past_the_limit_is_refused", func(t *testing.T) {
		s := Check(Usage{ConsumerVPCs: 1, Functions: 3, ReservedConcurrency: 301}, Limits{})
		if len(s) != 1 || s[0].Need.Quota.Name != LambdaConcurrentExecutions || s[0].Need.Amount != 1003 {
			t.Errorf("got %+v", s)
		}
	})
}

func TestLimitsValidate(t *testing.T) {
	cases := []struct {
		name   string
		limits Limits
		want   string
	}{
		{"unknown_quota", Limits{"routesPerTable": 100}, "routesPerTable is not a quota this stack counts against: use one of routesPerRouteTable"},
		{"below_default", Limits{RoutesPerRouteTable: 40}, "routesPerRouteTable 40 is below the AWS default of 50"},
		{"fixed_quota", Limits{VPCsPerPrivateHostedZone: 600}, "does not raise"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.limits.Validate()
			if len(bad) != 1 || !strings.Contains(bad[0].Name+" "+bad[0].Reason, tc.want) {
				t.Errorf("got %v, want one containing %q", bad, tc.want)
			}
		})
	}
	if errs := (Limits{RoutesPerRouteTable: 50, VPCsPerRegion: 20}).Validate(); len(errs) != 0 {
		t.Errorf("default and raised values refused: %v", errs)
	}
}

func TestAccountLines(t *testing.T) {
	lines := AccountLines(dev, Limits{VPCsPerRegion: 10})
	want := []string{
		"Gateway VPC endpoints per Region: takes 1 of 20",
		"VPCs per Region: takes 2 of 10 (the API VPC and 1 consumer VPCs; vpc L-F678F1CE)",
		"Route 53 Resolver endpoints per Region: takes 2 of 4",
		"Route 53 Resolver rules per Region: takes 1 of 1000",
		"Associations between Resolver rules and VPCs per Region: takes 1 of 2000",
		"Lambda concurrent executions: reserves 0, so the account's limit must be at least 100",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i, lines[i], w)
		}
	}
	for _, l := range AccountLines(Usage{ConsumerVPCs: 1, PrivateZone: true}, Limits{}) {
		if strings.Contains(l, "Resolver") {
			t.Errorf("privateZone mode lists %q", l)
		}
	}
}
