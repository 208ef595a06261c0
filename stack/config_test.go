package stack

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// TestConfig proves each rejected value stops the program before it registers anything, with one
// message that names the key and the fix.
func TestConfig(t *testing.T) {
	dev := func(t *testing.T) map[string]string { return spec.StackConfig(t, projectRoot, devStack) }
	network := func(cidr string, azs, prefix int) map[string]any {
		return map[string]any{"apiVpcCidr": cidr, "azCount": azs, "subnetPrefixLength": prefix}
	}
	consumers := func(pairs ...string) []map[string]string {
		var out []map[string]string
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, map[string]string{"name": pairs[i], "cidr": pairs[i+1]})
		}
		return out
	}
	cases := []struct {
		name  string
		key   string
		value any
		want  []string // the key and the fix, both in the message
	}{
		{"rejects_unparsable_CIDR", "network", network("10.10.0.0/33", 2, 24), []string{"network.apiVpcCidr", "write it like"}},
		{"rejects_CIDR_with_host_bits", "network", network("10.10.1.0/16", 2, 24), []string{"network.apiVpcCidr", "use the network address 10.10.0.0/16"}},
		{"rejects_unparsable_consumer_CIDR", "consumers", consumers("consumer", "ten.twenty/16"), []string{"consumers[0].cidr", "write it like"}},
		{"rejects_consumer_overlapping_API", "consumers", consumers("consumer", "10.10.128.0/17"), []string{"consumers[0].cidr", "overlaps network.apiVpcCidr", "pick another range"}},
		{"rejects_overlapping_consumers", "consumers", consumers("a", "10.20.0.0/16", "b", "10.20.0.0/20"), []string{"consumers[1].cidr", "overlaps consumers[0].cidr"}},
		{"rejects_subnets_that_do_not_fit", "network", network("10.10.0.0/24", 3, 25), []string{"network.subnetPrefixLength", "3 subnets of /25 do not fit", "use a longer prefix"}},
		{"rejects_subnet_larger_than_VPC", "network", network("10.10.0.0/24", 2, 20), []string{"network.subnetPrefixLength", "larger than the VPC"}},
		{"rejects_one_AZ_with_resolver", "network", network("10.10.0.0/16", 1, 24), []string{"network.azCount", "dns.mode resolver", "set azCount to 2"}},
		{"rejects_unknown_dns_mode", "dns", map[string]any{"mode": "split-horizon"}, []string{"dns.mode", "use resolver, privateZone or endpointAlias"}},
		{"rejects_duplicate_consumer_names", "consumers", consumers("app", "10.20.0.0/16", "app", "10.30.0.0/16"), []string{"consumers[1].name", "unique name"}},
		{"rejects_invalid_consumer_name", "consumers", consumers("App_1", "10.20.0.0/16"), []string{"consumers[0].name", "lowercase"}},
		{"rejects_no_consumers", "consumers", consumers(), []string{"consumers", "add at least one"}},
		{"rejects_empty_stage_name", "api", map[string]any{"stageName": ""}, []string{"api.stageName", "letters, digits"}},
		{"rejects_invalid_stage_name", "api", map[string]any{"stageName": "v1/prod"}, []string{"api.stageName", "letters, digits"}},
		{"rejects_negative_rate_limit", "api", map[string]any{"throttlingRateLimit": -1}, []string{"api.throttlingRateLimit", "positive"}},
		{"rejects_negative_burst_limit", "api", map[string]any{"throttlingBurstLimit": -5}, []string{"api.throttlingBurstLimit", "positive"}},
		{"rejects_logging_off", "api", map[string]any{"loggingLevel": "OFF"}, []string{"api.loggingLevel", "use ERROR or INFO"}},
		{"rejects_bad_source_CIDR", "api", map[string]any{"allowedSourceCidrs": []string{"10.20.0.0"}}, []string{"api.allowedSourceCidrs[0]", "write it like"}},
		{"rejects_retention_CloudWatch_refuses", "logs", map[string]any{"retentionDays": 45}, []string{"logs.retentionDays", "one of 1, 3, 5"}},
		{"rejects_retention_never_expire", "logs", map[string]any{"retentionDays": 0}, []string{"logs.retentionDays"}},
		{"rejects_unknown_field", "network", map[string]any{"apiVpcRange": "10.0.0.0/16"}, []string{"network.apiVpcRange", "is not a setting of network", "README"}},
		{"rejects_field_in_another_case", "network", map[string]any{"apiVpcCIDR": "10.0.0.0/16"}, []string{"network.apiVpcCIDR", "did you mean network.apiVpcCidr?"}},
		{"rejects_wrong_type", "network", map[string]any{"azCount": "two"}, []string{"private-api:network.azCount", `expected a whole number, found the text "two"`}},
		{"rejects_unknown_encryption", "table", map[string]any{"encryption": "none"}, []string{"table.encryption", "aws-owned or customer-managed"}},
		{"rejects_timeout_past_API_Gateway", "functions", map[string]any{"timeoutSeconds": 30}, []string{"functions.timeoutSeconds", "29 s"}},
		{"rejects_negative_reserved_concurrency", "functions", map[string]any{"reservedConcurrency": -1}, []string{"functions.reservedConcurrency", "use 0 to reserve nothing"}},
		{"rejects_pin_of_unknown_function", "functions", map[string]any{"pinnedVersions": map[string]int{"claim": 3}}, []string{"private-api:functions.pinnedVersions.claim", "did you mean functions.pinnedVersions.claims?"}},
		{"rejects_pin_of_version_0", "functions", map[string]any{"pinnedVersions": map[string]int{"claims": 0}}, []string{"functions.pinnedVersions.claims", "a whole number from 1"}},
		{"rejects_pin_of_LATEST", "functions", map[string]any{"pinnedVersions": map[string]string{"claims": "$LATEST"}}, []string{"functions.pinnedVersions.claims", "expected a whole number"}},
		{"rejects_canary_past_half", "functions", map[string]any{"canaryPercent": 51}, []string{"functions.canaryPercent", "use 0 (no canary) to 50"}},
		{"rejects_waiver_without_reason", "waivers", []map[string]string{{"check": "EC2.6", "reason": "cost"}}, []string{"waivers[0].reason", "say in a sentence why"}},
		{"rejects_x86_test_instance", "client", map[string]any{"testInstance": true, "instanceType": "t3.micro"}, []string{"client.instanceType", "t4g.nano"}},
		{"rejects_wildcard_principal", "clients", []map[string]any{{"name": "app", "routes": []string{"*"}, "trustedPrincipals": []string{"*"}}}, []string{"clients[0].trustedPrincipals[0]", "IAM role or user ARN"}},
		{"rejects_account_root", "clients", []map[string]any{{"name": "app", "routes": []string{"*"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:root"}}}, []string{"clients[0].trustedPrincipals[0]", "never an account root"}},
		{"rejects_unknown_route", "clients", []map[string]any{{"name": "app", "routes": []string{"GET /employee"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/app"}}}, []string{"clients[0].routes[0]", `"GET /employee" is not a route of this API: use one of "GET /whoami", "GET /employees"`}},
		{"rejects_client_without_routes", "clients", []map[string]any{{"name": "app", "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/app"}}}, []string{"clients[0].routes", "no routes"}},
		{"rejects_client_without_principals", "clients", []map[string]any{{"name": "app", "routes": []string{"*"}}}, []string{"clients[0].trustedPrincipals", "nobody may assume"}},
		{"rejects_duplicate_client_names", "clients", []map[string]any{
			{"name": "app", "routes": []string{"*"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/a"}},
			{"name": "app", "routes": []string{"*"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/b"}}}, []string{"clients[1].name", "unique name"}},
		{"rejects_the_old_single_client_shape", "client", map[string]any{"trustedPrincipals": []string{"arn:aws:iam::123456789012:role/app"}}, []string{"client.trustedPrincipals", "was replaced by one role per calling service", "private-api:clients:", "trustedPrincipals:"}},
		{"rejects_negative_alarm_threshold", "alarms", map[string]any{"apiLatencyP99Ms": -100}, []string{"alarms.apiLatencyP99Ms", "use 1 to 28999 milliseconds"}},
		{"rejects_alarm_percent_over_100", "alarms", map[string]any{"functionDurationP99Percent": 120}, []string{"alarms.functionDurationP99Percent", "use 1 to 100"}},
		{"rejects_5xx_rate_of_100", "alarms", map[string]any{"api5xxRatePercent": 100}, []string{"alarms.api5xxRatePercent", "from 0 (alarm on any 5XX) to below 100"}},
		{"rejects_bad_alarm_email", "alarms", map[string]any{"emails": []string{"oncall@example.com", "oncall at example.com"}}, []string{"alarms.emails[1]", "like oncall@example.com"}},
		{"rejects_high_resolution_period", "alarms", map[string]any{"periodSeconds": 10}, []string{"alarms.periodSeconds", "multiple of 60"}},
		{"rejects_the_old_access_key", "client", map[string]any{"iamUserAccessKey": true}, []string{"client.iamUserAccessKey", "aws iam create-access-key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := mockengine.Run(testProgram, spec.Project, "test", spec.WithKey(t, dev(t), tc.key, tc.value))
			if err == nil {
				t.Fatalf("config %s=%v was accepted", tc.key, tc.value)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n := len(e.Resources()); n != 0 {
				t.Errorf("%d resources registered before the config error", n)
			}
			if calls := e.Calls(); len(calls) != 0 {
				t.Errorf("data sources read before the config error: %v", calls)
			}
		})
	}

	t.Run("rejects_missing_region", func(t *testing.T) {
		cfg := dev(t)
		delete(cfg, "aws:region")
		e, err := mockengine.Run(testProgram, spec.Project, "test", cfg)
		if err == nil || !strings.Contains(err.Error(), "pulumi config set aws:region") {
			t.Fatalf("want an aws:region error, got %v", err)
		}
		if len(e.Resources()) != 0 {
			t.Error("resources registered without a region")
		}
	})

	t.Run("reports_every_problem_at_once", func(t *testing.T) {
		cfg := spec.WithKey(t, dev(t), "logs", map[string]any{"retentionDays": 2})
		cfg = spec.WithKey(t, cfg, "api", map[string]any{"stageName": ""})
		_, err := mockengine.Run(testProgram, spec.Project, "test", cfg)
		if err == nil || !strings.Contains(err.Error(), "logs.retentionDays") || !strings.Contains(err.Error(), "api.stageName") {
			t.Fatalf("want both problems reported, got %v", err)
		}
	})

	t.Run("accepts_both_shipped_stacks", func(t *testing.T) {
		for _, stack := range []string{devStack, prodStack} {
			if len(runProgram(t, spec.StackConfig(t, projectRoot, stack)).Resources()) == 0 {
				t.Errorf("%s registered nothing", stack)
			}
		}
	})
}
