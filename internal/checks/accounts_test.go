package checks_test

import (
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
)

const partner = "210987654321"

// inPartnerAccount adds the partner account's provider and an execute-api endpoint (with its
// security group) made through it, whose policy admits the callers of accountInPolicy.
func inPartnerAccount(accountInPolicy string) func([]m.Resource) []m.Resource {
	return func(rs []m.Resource) []m.Resource {
		provider := res(m.TypeProvider, "account-"+partner, map[string]any{
			"region": region, "allowedAccountIds": []any{partner},
			"assumeRole": map[string]any{"roleArn": "arn:aws:iam::" + partner + ":role/deploy"},
		})
		through := provider.URN + "::" + ref(provider.Name)
		sg := res(m.TypeSecurityGroup, "partner-sg", map[string]any{"description": "endpoint", "vpcId": ref("c-vpc")})
		vpce := res(m.TypeVpcEndpoint, "partner-vpce", map[string]any{
			"vpcEndpointType": "Interface", "serviceName": "com.amazonaws." + region + ".execute-api",
			"subnetIds": []any{ref("c-1"), ref("c-2")}, "securityGroupIds": []any{ref("partner-sg")},
			"policy": doc(map[string]any{
				"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
				"Resource":  "arn:aws:execute-api:" + region + ":" + m.Account + ":" + ref("api") + "/*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": accountInPolicy}},
			}),
		})
		sg.Provider, vpce.Provider = through, through
		return append(rs, provider, sg, vpce)
	}
}

// TestOtherAccounts: a resource made through another account's provider is judged against that
// account, not the deploying one.
func TestOtherAccounts(t *testing.T) {
	trust := byID(t, "vpc_endpoint_connections_trust_boundaries")
	for _, tc := range []struct {
		name    string
		account string
		want    checks.Status
	}{
		{"an_endpoint_admitting_its_own_account_passes", partner, checks.Pass},
		{"an_endpoint_admitting_the_deploying_account_fails", m.Account, checks.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checks.Run(engine(inPartnerAccount(tc.account)(fixture())), []checks.Check{trust}, nil)
			for _, f := range rep.Results[0].Findings {
				if f.Resource == "partner-vpce" {
					if f.Status != tc.want {
						t.Errorf("%s: %s", f.Status, f.Detail)
					}
					return
				}
			}
			t.Error("no finding on the partner's endpoint")
		})
	}

	t.Run("a_service_trust_confined_to_the_role_account_passes_there_only", func(t *testing.T) {
		confused := byID(t, "iam_role_cross_service_confused_deputy_prevention")
		role := res(m.TypeRole, "partner-flow-logs-role", map[string]any{"assumeRolePolicy": doc(map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": partner}},
		})})
		rs := inPartnerAccount(partner)(fixture())
		deployer := role
		deployer.Name, deployer.URN = "deployer-flow-logs-role", role.URN+"-deployer"
		role.Provider = find(rs, "partner-vpce").Provider
		rep := checks.Run(engine(append(rs, role, deployer)), []checks.Check{confused}, nil)
		got := map[string]checks.Status{}
		for _, f := range rep.Results[0].Findings {
			got[f.Resource] = f.Status
		}
		if got["partner-flow-logs-role"] != checks.Pass || got["deployer-flow-logs-role"] != checks.Fail {
			t.Errorf("trust naming the partner account: %v, want pass in the partner account and fail in the deploying one", got)
		}
	})

	t.Run("the_provider_values_are_judged", func(t *testing.T) {
		values := byID(t, "aws-api:value-constraints")
		for _, broken := range []func([]m.Resource) []m.Resource{
			set("account-"+partner, "allowedAccountIds", []any{"21098765432"}),
			set("account-"+partner, "assumeRole.roleArn", "arn:aws"),
		} {
			rep := checks.Run(engine(broken(inPartnerAccount(partner)(fixture()))), []checks.Check{values}, nil)
			failed := false
			for _, f := range rep.Results[0].Findings {
				failed = failed || f.Resource == "account-"+partner && f.Status == checks.Fail
			}
			if !failed {
				t.Errorf("no failure on the provider: %+v", rep.Results[0].Findings)
			}
		}
	})
}

// TestRouteARNs: a caller's Allow may end in a path parameter; a wildcard stage, method or whole
// path is wider than a route.
func TestRouteARNs(t *testing.T) {
	policyCheck := byID(t, "seed:resource-policy")
	api := "arn:aws:execute-api:" + region + ":" + m.Account + ":" + ref("api")
	for _, tc := range []struct {
		resource string
		want     checks.Status
	}{
		{api + "/v1/GET/whoami", checks.Pass},
		{api + "/v1/GET/members/*/claims/*", checks.Pass},
		{api + "/v1/*/whoami", checks.Fail},
		{api + "/*/GET/whoami", checks.Fail},
		{api + "/v1/GET/*", checks.Fail},
		{api + "/v1/*", checks.Fail},
		{"execute-api:/v1/GET/members/*/claims", checks.Pass},
		{"execute-api:/v1/*/whoami", checks.Fail},
		{"execute-api:/*", checks.Fail},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			rs := fixture()
			allow := find(rs, "api-policy")
			allow.Inputs["policy"] = doc(
				map[string]any{"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": api + "/*",
					"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": ref("vpce")}}},
				map[string]any{"Sid": "DenyOthers", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": api + "/*",
					"Condition": map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + m.Account + ":role/client"}}},
				map[string]any{"Sid": "Allow", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":role/client"},
					"Action": "execute-api:Invoke", "Resource": tc.resource},
			)
			rep := checks.Run(engine(rs), []checks.Check{policyCheck}, nil)
			if got := rep.Results[0].Status(); got != tc.want {
				t.Errorf("%s: %+v", got, rep.Results[0].Findings)
			}
		})
	}
}
