package policydoc

import (
	"slices"
	"strings"
	"testing"
)

// guardedPolicy is the audit's compliant recorded policy: a Deny unless through the endpoint, and an
// Allow to one role.
const guardedPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f60718"}}},` +
	`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/client"},"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}]}`

// judgeControl reads a policy and judges it for the API a1b2c3d4e5.
func judgeControl(t *testing.T, policy string) PrivateAPIVerdict {
	t.Helper()
	doc, err := Parse(policy)
	if err != nil {
		t.Fatal(err)
	}
	return PrivateAPI(doc, "a1b2c3d4e5")
}

// TestPrivateAPI: which source keys restrict callers and whether a Deny guards them (moved with the
// rule from cmd/audit, assertions unchanged), then what each new case adds.
func TestPrivateAPI(t *testing.T) {
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
		{"seed_policy_is_guarded", guardedPolicy, []string{"aws:SourceVpce"}, true},
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
		// New with the one rule.
		{"guard_with_ForAnyValue_qualifier", deny(`"*"`, apiARN, `{"ForAnyValue:StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), []string{"aws:SourceVpce"}, true},
		{"guard_on_an_action_wildcard", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"execute-api:In*","Resource":` + apiARN + `,"Condition":` + notVpce + `}}`, []string{"aws:SourceVpce"}, true},
		{"guard_by_NotAction_that_leaves_Invoke_in", `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":` + apiARN + `,"Condition":` + notVpce + `}}`, []string{"aws:SourceVpce"}, true},
		{"guard_on_an_ARN_whose_account_is_a_placeholder", deny(`"*"`, `"arn:aws:execute-api:eu-west-1:${aws:accountId}:a1b2c3d4e5/*"`, notVpce), []string{"aws:SourceVpce"}, true},
		{"guard_on_every_API_of_the_account", deny(`"*"`, `"arn:aws:execute-api:us-east-1:123456789012:*"`, notVpce), []string{"aws:SourceVpce"}, true},
		{"deny_on_the_API_without_a_path_does_not_guard", deny(`"*"`, `"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"`, notVpce), []string{"aws:SourceVpce"}, false},
		{"deny_except_one_principal_does_not_guard", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/x"},"Action":"execute-api:Invoke","Resource":` + apiARN + `,"Condition":` + notVpce + `}}`, []string{"aws:SourceVpce"}, false},
		{"allow_ForAllValues_does_not_restrict",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := judgeControl(t, tc.policy)
			if !slices.Equal(got.RestrictedBy, tc.wantRestrictedBy) || got.DenyGuard != tc.wantGuard {
				t.Errorf("got restricted by %v, guard %v; want %v, %v", got.RestrictedBy, got.DenyGuard, tc.wantRestrictedBy, tc.wantGuard)
			}
		})
	}
}

// TestPrivateAPITricksAndReasons: values that admit everyone are tricks, each with its reason; a
// policy passes only with a restriction, a guard and no trick.
func TestPrivateAPITricksAndReasons(t *testing.T) {
	guard := func(cond string) string {
		return `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":` + cond + `}`
	}
	doc := func(statements ...string) string { return `{"Statement":[` + strings.Join(statements, ",") + `]}` }
	allowRole := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/r"},"Action":"execute-api:Invoke","Resource":"*"}`
	cases := []struct {
		name, policy string
		wantReasons  []string
	}{
		{"guarded", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), allowRole), nil},
		{"wildcard_endpoint", doc(guard(`{"StringNotLike":{"aws:SourceVpce":"vpce-*"}}`)), []string{`aws:SourceVpce value "vpce-*" is a wildcard`}},
		{"wildcard_VPC", doc(guard(`{"StringNotLike":{"aws:sourcevpc":"vpc-?"}}`)), []string{`aws:SourceVpc value "vpc-?" is a wildcard`}},
		{"every_IPv4_address", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), guard(`{"NotIpAddress":{"aws:VpcSourceIp":"0.0.0.0/0"}}`)),
			[]string{"aws:VpcSourceIp range 0.0.0.0/0 covers every address"}},
		{"every_IPv6_address", doc(guard(`{"NotIpAddress":{"aws:VpcSourceIp":["10.0.0.0/16","::/0"]}}`)), []string{"aws:VpcSourceIp range ::/0 covers every address"}},
		{"allow_everyone_beside_a_guard", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}`), []string{`an Allow to "*" has no aws:SourceVpce`}},
		{"allow_everyone_but_one_beside_a_guard", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"execute-api:Invoke","Resource":"*"}`), []string{`an Allow to "*" has no aws:SourceVpce`}},
		{"allow_everyone_from_anywhere_but_the_endpoint", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}`),
			[]string{`an Allow to "*" has no aws:SourceVpce`}},
		{"allow_everyone_by_NotAction", doc(guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`),
			`{"Effect":"Allow","Principal":"*","NotAction":"iam:*","Resource":"*"}`), []string{`an Allow to "*" has no aws:SourceVpce`}},
		{"no_restriction", doc(allowRole), []string{"resource policy does not restrict callers by aws:SourceVpce, aws:SourceVpc, aws:VpcSourceIp"}},
		{"restriction_without_guard", doc(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}`),
			[]string{"no Deny guards the resource policy: add Deny execute-api:Invoke on a1b2c3d4e5/*"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := judgeControl(t, tc.policy)
			got := v.Reasons()
			if v.Pass() != (len(tc.wantReasons) == 0) || len(got) != len(tc.wantReasons) {
				t.Fatalf("pass %v, reasons %q; want %q", v.Pass(), got, tc.wantReasons)
			}
			for i, want := range tc.wantReasons {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("reason %d is %q, want it to start %q", i, got[i], want)
				}
			}
		})
	}
}

// TestGuardedOnlyBy: the offline check's stricter reading of a guard: exempt only the given
// endpoints, by aws:SourceVpce alone.
func TestGuardedOnlyBy(t *testing.T) {
	guard := func(cond string) string {
		return `{"Statement":{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":` + cond + `}}`
	}
	own := []string{"vpce-1"}
	for _, tc := range []struct {
		name, policy string
		want         bool
	}{
		{"own_endpoint", guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`), true},
		{"own_endpoint_IfExists", guard(`{"StringNotEqualsIfExists":{"aws:SourceVpce":["vpce-1"]}}`), true},
		{"another_endpoint_too", guard(`{"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}`), false},
		{"by_VPC", guard(`{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`), false},
		{"by_endpoint_or_range", guard(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"},"NotIpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := judgeControl(t, tc.policy).GuardedOnlyBy("aws:SourceVpce", own); got != tc.want {
				t.Errorf("GuardedOnlyBy = %v, want %v", got, tc.want)
			}
		})
	}
}
