package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/policydoc"
)

const seedPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f60718"}}},` +
	`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/client"},"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}]}`

func TestDecodePolicy(t *testing.T) {
	apiGatewayForm := strings.NewReplacer(`"`, `\"`, `/`, `\/`).Replace(seedPolicy)
	for name, raw := range map[string]string{
		"plain_JSON":                seedPolicy,
		"API_Gateway_escaped":       apiGatewayForm,
		"quoted_JSON_string":        `"` + strings.ReplaceAll(seedPolicy, `"`, `\"`) + `"`,
		"URL_encoded":               url.PathEscape(seedPolicy),
		"URL_encoded_and_escaped":   url.PathEscape(apiGatewayForm),
		"surrounded_by_white_space": "\n  " + apiGatewayForm + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := decodePolicy(raw)
			if err != nil {
				t.Fatalf("decodePolicy: %v", err)
			}
			if len(doc.Statement) != 2 || doc.Statement[0].Effect != "Deny" ||
				!slices.Equal(doc.Statement[0].Condition["StringNotEquals"]["aws:SourceVpce"], policydoc.Strings{"vpce-0a1b2c3d4e5f60718"}) ||
				!slices.Equal(doc.Statement[1].Resource, policydoc.Strings{"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}) {
				t.Errorf("decoded %+v", doc)
			}
		})
	}
	for name, raw := range map[string]string{
		"truncated":        apiGatewayForm[:90],
		"not_JSON":         "Allow everyone",
		"no_statements":    `{"Version":"2012-10-17","Statement":[]}`,
		"JSON_null":        "null",
		"statement_string": `{"Statement":"Allow"}`,
	} {
		t.Run("rejects_"+name, func(t *testing.T) {
			if doc, err := decodePolicy(raw); err == nil {
				t.Errorf("decoded %+v, want an error", doc)
			}
		})
	}
}

func TestEvaluatePolicy(t *testing.T) {
	const apiARN = `"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"`
	deny := func(principal, resource, condition string) string {
		return `{"Statement":{"Effect":"Deny","Principal":` + principal + `,"Action":"execute-api:Invoke","Resource":` + resource + `,"Condition":` + condition + `}}`
	}
	notVpce := `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`
	cases := []struct {
		name, policy     string
		wantRestrictedBy []string
		wantGuard        bool
	}{
		{"seed_policy_is_guarded", seedPolicy, []string{"aws:SourceVpce"}, true},
		{"guard_on_the_execute-api_shorthand", deny(`"*"`, `"execute-api:/*"`, notVpce), []string{"aws:SourceVpce"}, true},
		{"guard_on_every_stage_method_and_path", deny(`"*"`, `"arn:aws:execute-api:*:*:*/*/*/*"`, notVpce), []string{"aws:SourceVpce"}, true},
		{"guard_to_AWS_star_in_a_list", deny(`{"AWS":["*"]}`, apiARN, notVpce), []string{"aws:SourceVpce"}, true},
		{"guard_with_IfExists_still_denies_callers_without_the_key", deny(`"*"`, apiARN, `{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`), []string{"aws:SourceVpce"}, true},
		{"guard_by_VPC_source_IP", deny(`"*"`, apiARN, `{"NotIpAddress":{"aws:VpcSourceIp":["10.1.0.0/16"]}}`), []string{"aws:VpcSourceIp"}, true},
		{"condition_keys_are_case_insensitive", deny(`"*"`, apiARN, `{"StringNotEquals":{"AWS:sourcevpc":"vpc-1"}}`), []string{"aws:SourceVpc"}, true},
		{"deny_on_another_API_does_not_guard", deny(`"*"`, `"arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/*"`, notVpce), []string{"aws:SourceVpce"}, false},
		{"deny_on_one_path_does_not_guard", deny(`"*"`, `"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/GET/*"`, notVpce), []string{"aws:SourceVpce"}, false},
		{"deny_to_one_principal_does_not_guard", deny(`{"AWS":"arn:aws:iam::123456789012:root"}`, apiARN, notVpce), []string{"aws:SourceVpce"}, false},
		{"deny_narrowed_by_another_condition_does_not_guard",
			deny(`"*"`, apiARN, `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"},"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`), []string{"aws:SourceVpce"}, false},
		{"deny_without_condition_restricts_nothing", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}]}`, nil, false},
		{"deny_of_other_actions_is_ignored", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":` + notVpce + `}]}`, nil, false},
		{"allow_from_the_endpoint_restricts_without_guard",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}`, []string{"aws:SourceVpce"}, false},
		{"allow_IfExists_does_not_restrict",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]}`, nil, false},
		{"allow_everyone_restricts_nothing", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}]}`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := decodePolicy(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			got := evaluatePolicy(doc, "a1b2c3d4e5")
			if !slices.Equal(got.RestrictedBy, tc.wantRestrictedBy) || got.DenyGuard != tc.wantGuard {
				t.Errorf("got restricted by %v, guard %v; want %v, %v", got.RestrictedBy, got.DenyGuard, tc.wantRestrictedBy, tc.wantGuard)
			}
		})
	}
}
