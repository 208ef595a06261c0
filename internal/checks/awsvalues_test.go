package checks_test

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
)

// judgeValues runs the value-constraint check alone on the given resources.
func judgeValues(t *testing.T, rs ...m.Resource) []checks.Finding {
	t.Helper()
	rep := checks.Run(engine(rs), []checks.Check{byID(t, "aws-api:value-constraints")}, nil)
	return rep.Results[0].Findings
}

func TestValueConstraints(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		r          m.Resource
	}{
		// dev's first `pulumi up` failed on this description: EC2 refuses the apostrophe.
		{"security_group_description_refuses_an_apostrophe", "fail", res(m.TypeSecurityGroup, "sg",
			map[string]any{"description": "Test client: no ingress; HTTPS to the API VPC and this VPC's SSM endpoints"})},
		{"security_group_description_takes_ec2s_punctuation", "pass", res(m.TypeSecurityGroup, "sg",
			map[string]any{"description": "Test client: no ingress; HTTPS (443) to 10.0.0.0/16 & the SSM endpoints [#1, @x, {y}, !$*+=]"})},
		{"rule_description_refuses_an_apostrophe", "fail", res(m.TypeIngressRule, "rule",
			map[string]any{"description": "DNS from the consumer's resolver"})},
		{"function_name_refuses_a_dot", "fail", res(m.TypeFunction, "fn",
			map[string]any{"name": "private-api-pr-1234.feature-long-branch-name-for-tests-whoami"})},
		{"function_name_of_64_characters_passes", "pass", res(m.TypeFunction, "fn",
			map[string]any{"name": strings.Repeat("f", 64)})},
		{"function_name_of_65_characters_fails", "fail", res(m.TypeFunction, "fn",
			map[string]any{"name": strings.Repeat("f", 65)})},
		{"log_group_name_with_a_placeholder_is_judged_on_its_literal_text", "pass", res(m.TypeLogGroup, "lg",
			map[string]any{"name": "API-Gateway-Execution-Logs_${private-api.id}/v1", "retentionInDays": 30.0})},
		{"log_group_name_refuses_a_space_around_a_placeholder", "fail", res(m.TypeLogGroup, "lg",
			map[string]any{"name": "API Gateway ${private-api.id}"})},
		{"retention_outside_the_list_fails", "fail", res(m.TypeLogGroup, "lg", map[string]any{"retentionInDays": 10.0})},
		{"unknown_values_are_not_judged", "pass", res(m.TypeFunction, "fn", map[string]any{"name": m.Unknown})},
		{"account_placeholder_reads_as_twelve_digits", "pass", res(m.TypePermission, "perm",
			map[string]any{"action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com", "sourceAccount": m.Account})},
		{"a_type_missing_from_the_catalogue_fails", "fail", res("aws:s3/bucket:Bucket", "bucket", map[string]any{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := judgeValues(t, tc.r)
			if len(f) != 1 || string(f[0].Status) != tc.want {
				t.Fatalf("findings %+v, want one %s", f, tc.want)
			}
			if tc.want == "fail" && !strings.Contains(f[0].Detail, "https://docs.aws.amazon.com/") && !strings.Contains(f[0].Detail, "catalogue") {
				t.Errorf("failure %q cites no API reference page", f[0].Detail)
			}
		})
	}
}
