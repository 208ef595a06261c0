package stack

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
	"github.com/example/private-api/internal/quotas"
	"github.com/example/private-api/internal/stackconfig"
)

// TestQuotas: a config that needs more of an AWS quota than the account allows is refused before
// anything is registered, naming the quota, the need, the default and the fix; the largest config
// that fits is accepted.
func TestQuotas(t *testing.T) {
	dev := spec.StackConfig(t, projectRoot, devStack)
	refused := func(t *testing.T, cfg map[string]string, want ...string) {
		t.Helper()
		e, err := mockengine.Run(testProgram, spec.Project, "test", cfg)
		if err == nil {
			t.Fatal("config accepted")
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error does not mention %q:\n%v", w, err)
			}
		}
		if n := len(e.Resources()); n != 0 {
			t.Errorf("%d resources registered before the quota error", n)
		}
		if calls := e.Calls(); len(calls) != 0 {
			t.Errorf("data sources read before the quota error: %v", calls)
		}
	}

	t.Run("largest_consumer_count_within_the_default_VPCs_per_region_is_accepted", func(t *testing.T) {
		if n := len(runProgram(t, spec.ConsumerConfig(t, dev, 4)).OfType(mockengine.TypeVpc)); n != 5 {
			t.Errorf("%d VPCs, want 5", n)
		}
	})
	t.Run("one_more_consumer_is_refused_for_VPCs_per_region", func(t *testing.T) {
		refused(t, spec.ConsumerConfig(t, dev, 5), "private-api:consumers", `"VPCs per Region"`, "needs 6", "AWS default of 5",
			"quota L-F678F1CE", "private-api:quotas.vpcsPerRegion")
	})

	raisedVPCs := spec.WithKey(t, dev, "quotas", map[string]int{"vpcsPerRegion": 100})
	t.Run("with_VPCs_raised_the_largest_count_the_route_table_holds_is_accepted", func(t *testing.T) {
		e := runProgram(t, spec.ConsumerConfig(t, raisedVPCs, 49))
		apiRoutes := 0
		for _, r := range e.OfType(mockengine.TypeRoute) {
			if strings.HasSuffix(r.Name, "-to-consumer") {
				apiRoutes++
			}
		}
		// Plus the DynamoDB gateway endpoint's route: 50 routes, the default quota.
		if apiRoutes != 49 || len(e.OfType(mockengine.TypePeering)) != 49 {
			t.Errorf("%d routes to consumers and %d peerings, want 49", apiRoutes, len(e.OfType(mockengine.TypePeering)))
		}
	})
	t.Run("one_more_is_refused_for_routes_per_route_table", func(t *testing.T) {
		refused(t, spec.ConsumerConfig(t, raisedVPCs, 50), "private-api:consumers", `"Routes per route table"`, "needs 51",
			"AWS default of 50", "quota L-93826ACB", "private-api:quotas.routesPerRouteTable", "fewer consumer VPCs")
	})
	t.Run("the_120_consumers_of_the_issue_are_refused_for_routes_rules_and_peerings", func(t *testing.T) {
		refused(t, spec.ConsumerConfig(t, raisedVPCs, 120), `"Routes per route table"`, "needs 121",
			`"Inbound or outbound rules per security group"`, "AWS default of 60",
			`"Active VPC peering connections per VPC"`, "needs 120")
	})

	t.Run("quotas_object_only_raises_known_adjustable_quotas", func(t *testing.T) {
		refused(t, spec.WithKey(t, dev, "quotas", map[string]int{"routesPerRouteTable": 20}), "private-api:quotas.routesPerRouteTable", "below the AWS default of 50")
		refused(t, spec.WithKey(t, dev, "quotas", map[string]int{"routes": 100}), "private-api:quotas.routes: is not a quota", "use one of routesPerRouteTable")
		refused(t, spec.WithKey(t, dev, "quotas", map[string]int{"vpcsPerPrivateHostedZone": 500}), "does not raise")
		refused(t, spec.WithKey(t, dev, "quotas", map[string]any{"vpcsPerRegion": "ten"}), "private-api:quotas")
	})

	t.Run("allowed_source_CIDRs_past_the_resource_policy_size_are_refused", func(t *testing.T) {
		refused(t, spec.WithKey(t, dev, "api", map[string]any{"allowedSourceCidrs": cidrs(400)}), "private-api:api.allowedSourceCidrs",
			`"Length, in characters, of API Gateway resource policy"`, "AWS default of 8192")
	})

	t.Run("reservation_past_the_account_concurrency_is_refused", func(t *testing.T) {
		refused(t, spec.WithKey(t, dev, "functions", map[string]any{"reservedConcurrency": 400}), "private-api:functions.reservedConcurrency",
			`"Lambda concurrent executions"`, "needs 1300", "private-api:quotas.lambdaConcurrentExecutions")
	})
}

// TestResourcePolicySizeBound: the size quotas counts for the resource policy is an upper bound of
// the policy the stack sends, with every deploy-time value at its longest.
func TestResourcePolicySizeBound(t *testing.T) {
	placeholder := regexp.MustCompile(`\$\{[^}]*\}`)
	longest := func(p string) string {
		switch {
		case p == "${aws:accountId}":
			return strings.Repeat("1", 12)
		case strings.HasSuffix(p, ".name}"): // an IAM role name
			return strings.Repeat("r", 64)
		default: // an id: the endpoint's vpce- and 17 hex digits is the longest
			return "vpce-" + strings.Repeat("0", 17)
		}
	}
	longestPlace := strings.NewReplacer("arn:aws:", "arn:aws-us-gov:", spec.Region, "us-gov-west-1")
	if len(infra.Routes) > quotas.AllRoutesBound {
		t.Fatalf("the route table has %d routes, more than quotas.AllRoutesBound (%d) counts for a client with every route: raise the bound", len(infra.Routes), quotas.AllRoutesBound)
	}
	client := func(name string, iamUser bool, routes ...string) map[string]any {
		return map[string]any{"name": name, "routes": routes, "iamUser": iamUser,
			"trustedPrincipals": []string{"arn:aws:iam::123456789012:role/" + name}}
	}
	for _, tc := range []struct {
		cidrs, endpoints int
		clients          []map[string]any
	}{
		{0, 0, nil},
		{1, 0, []map[string]any{client("orders", false, "GET /employees")}},
		{100, 0, []map[string]any{client("orders", false, "*")}},
		{10, 0, []map[string]any{client("orders", true, "*"), client("portal-with-a-long1", true, "GET /whoami", "POST /members/{memberId}/claims")}},
		{0, 12, []map[string]any{client("orders", false, "GET /whoami"), client("billing", false, "GET /whoami"), client("portal", false, "GET /employees")}},
	} {
		t.Run(fmt.Sprintf("%d_CIDRs_%d_endpoint_consumers_%d_clients", tc.cidrs, tc.endpoints, len(tc.clients)), func(t *testing.T) {
			cfg := spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "api", map[string]any{"allowedSourceCidrs": cidrs(tc.cidrs)})
			cfg = spec.WithKey(t, cfg, "clients", tc.clients)
			consumers := []map[string]any{{"name": "consumer", "cidr": "10.20.0.0/16"}}
			for i := 0; i < tc.endpoints; i++ {
				consumers = append(consumers, map[string]any{"name": fmt.Sprintf("e%d", i), "cidr": "10.30.0.0/16", "connect": "endpoint"})
			}
			cfg = spec.WithKey(t, cfg, "consumers", consumers)
			cfg = spec.WithKey(t, cfg, "quotas", map[string]int{"vpcsPerRegion": 20})
			e := runProgram(t, cfg)
			policies := e.OfType(mockengine.TypeRestAPIPolicy)
			if len(policies) != 1 {
				t.Fatalf("%d resource policies", len(policies))
			}
			doc := longestPlace.Replace(placeholder.ReplaceAllStringFunc(spec.Str(policies[0].Inputs, "policy"), longest))
			c, err := stackconfig.Parse(func(k string) (string, bool) { v, ok := cfg[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			bound := quotas.PolicyCharacters(c.QuotaUsage())
			t.Logf("policy %d characters, bound %d", len(doc), bound)
			if len(doc) > bound {
				t.Errorf("policy of %d characters, over the bound of %d:\n%s", len(doc), bound, doc)
			}
		})
	}
}

// cidrs returns n distinct /32 ranges.
func cidrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.20.%d.%d/32", i/256, i%256)
	}
	return out
}
