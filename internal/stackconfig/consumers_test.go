package stackconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/example/private-api/internal/quotas"
)

const (
	partnerID   = "210987654321"
	partnerRole = "arn:aws:iam::210987654321:role/private-api-deploy"
)

// mixed is a stack with one peered consumer, one endpoint consumer of the API's account and one
// endpoint consumer of another account whose range is the API VPC's own: valid as it stands.
func mixed() map[string]any {
	return map[string]any{
		"private-api:network": map[string]any{"apiVpcCidr": "10.0.0.0/16"},
		"private-api:consumers": []map[string]any{
			{"name": "orders", "cidr": "10.20.0.0/16"},
			{"name": "billing", "cidr": "10.20.0.0/16", "connect": "endpoint"},
			{"name": "partner", "cidr": "10.0.0.0/16", "connect": "endpoint", "account": map[string]any{"id": partnerID, "roleArn": partnerRole}},
		},
		"private-api:clients": []map[string]any{
			{"name": "partner-app", "routes": []string{"GET /whoami"}, "consumer": "partner",
				"trustedPrincipals": []string{"arn:aws:iam::210987654321:role/partner-app"}},
		},
	}
}

// parseWith parses the mixed stack with edit applied to its decoded values.
func parseWith(t *testing.T, edit func(v map[string]any)) (Config, error) {
	t.Helper()
	v := mixed()
	if edit != nil {
		edit(v)
	}
	values := map[string]string{"aws:region": "eu-west-1"}
	for k, x := range v {
		b, err := json.Marshal(x)
		must(t, err)
		values[k] = string(b)
	}
	return ParseMap(values)
}

func consumer(v map[string]any, i int) map[string]any {
	return v["private-api:consumers"].([]map[string]any)[i]
}

func client(v map[string]any, i int) map[string]any {
	return v["private-api:clients"].([]map[string]any)[i]
}

func TestConsumers(t *testing.T) {
	t.Run("accepts_a_mixed_stack_with_an_endpoint_consumer_reusing_the_API_range", func(t *testing.T) {
		cfg, err := parseWith(t, nil)
		must(t, err)
		var connects []string
		for _, c := range cfg.Consumers {
			connects = append(connects, c.Connect+"/"+c.AccountID())
		}
		if got := strings.Join(connects, " "); got != "peering/ endpoint/ endpoint/"+partnerID {
			t.Errorf("connect/account per consumer = %q", got)
		}
	})

	cases := []struct {
		name string
		edit func(v map[string]any)
		want []string // the key and the fix, all in one problem
	}{
		{"rejects_an_unknown_way_to_connect", func(v map[string]any) { consumer(v, 1)["connect"] = "vpn" },
			[]string{"consumers[1].connect", `"vpn"`, "use peering", "or endpoint"}},
		{"rejects_an_account_id_that_is_not_12_digits", func(v map[string]any) {
			consumer(v, 2)["account"] = map[string]any{"id": "21098765432", "roleArn": partnerRole}
		}, []string{"consumers[2].account.id", "12 digits"}},
		{"rejects_a_role_of_another_account", func(v map[string]any) {
			consumer(v, 2)["account"] = map[string]any{"id": partnerID, "roleArn": "arn:aws:iam::123456789012:role/private-api-deploy"}
		}, []string{"consumers[2].account.roleArn", "role the program assumes in account 210987654321"}},
		{"rejects_a_user_where_a_role_is_assumed", func(v map[string]any) {
			consumer(v, 2)["account"] = map[string]any{"id": partnerID, "roleArn": "arn:aws:iam::210987654321:user/deployer"}
		}, []string{"consumers[2].account.roleArn", "arn:aws:iam::210987654321:role/"}},
		{"rejects_peering_with_another_account", func(v map[string]any) { delete(consumer(v, 2), "connect"); consumer(v, 2)["cidr"] = "10.30.0.0/16" },
			[]string{"consumers[2].connect", "another account (210987654321) must use connect: endpoint"}},
		{"rejects_two_roles_for_one_account", func(v map[string]any) {
			consumer(v, 1)["account"] = map[string]any{"id": partnerID, "roleArn": partnerRole}
			consumer(v, 2)["account"] = map[string]any{"id": partnerID, "roleArn": "arn:aws:iam::210987654321:role/other"}
			v["private-api:clients"] = append(v["private-api:clients"].([]map[string]any), map[string]any{"name": "b", "routes": []string{"*"},
				"consumer": "billing", "trustedPrincipals": []string{"arn:aws:iam::210987654321:role/b"}})
		}, []string{"consumers[2].account.roleArn", "one role per account"}},
		{"rejects_two_consumers_with_one_name", func(v map[string]any) { consumer(v, 1)["name"] = "orders" },
			[]string{"consumers[1].name", "unique name"}},
		{"rejects_an_overlap_between_peered_VPCs", func(v map[string]any) { delete(consumer(v, 1), "connect") },
			[]string{"consumers[1].cidr", "overlaps consumers[0].cidr", "connect: endpoint"}},
		{"rejects_a_peered_VPC_overlapping_the_API", func(v map[string]any) { consumer(v, 0)["cidr"] = "10.0.0.0/20" },
			[]string{"consumers[0].cidr", "overlaps network.apiVpcCidr"}},
		{"rejects_a_client_of_an_unknown_consumer", func(v map[string]any) { client(v, 0)["consumer"] = "partnr" },
			[]string{"clients[0].consumer", `"partnr" is not a consumer`, "did you mean partner?"}},
		{"rejects_a_trusted_principal_outside_the_consumer_account", func(v map[string]any) {
			client(v, 0)["trustedPrincipals"] = []string{"arn:aws:iam::123456789012:role/partner-app"}
		}, []string{"clients[0].trustedPrincipals[0]", "not in account 210987654321"}},
		{"rejects_an_IAM_user_in_another_account", func(v map[string]any) { client(v, 0)["iamUser"] = true },
			[]string{"clients[0].iamUser", "set iamUser false"}},
		{"rejects_a_consumer_account_no_client_calls_from", func(v map[string]any) { v["private-api:clients"] = []map[string]any{} },
			[]string{"consumers[2].account", "add a clients entry with consumer: partner"}},
		{"rejects_resolver_without_a_peered_consumer", func(v map[string]any) {
			v["private-api:consumers"] = v["private-api:consumers"].([]map[string]any)[1:]
		}, []string{"dns.mode", "no consumer is peered", "use privateZone"}},
		{"rejects_the_test_client_in_another_account", func(v map[string]any) {
			cs := v["private-api:consumers"].([]map[string]any)
			v["private-api:consumers"] = []map[string]any{cs[2], cs[0]}
			v["private-api:client"] = map[string]any{"testInstance": true}
		}, []string{"client.testInstance", "list a consumer of the API's account first"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseWith(t, tc.edit)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			for _, p := range ps {
				text := p.Error()
				matched := true
				for _, w := range tc.want {
					matched = matched && strings.Contains(text, w)
				}
				if matched {
					return
				}
			}
			t.Errorf("no problem mentions all of %q:\n%v", tc.want, err)
		})
	}
}

func TestConsumerQuotaUsage(t *testing.T) {
	cfg, err := parseWith(t, func(v map[string]any) { v["private-api:client"] = map[string]any{"testInstance": true} })
	must(t, err)
	u := cfg.QuotaUsage()
	// Only the peered consumer peers, routes and takes a rule; the endpoint consumer of the API's
	// account takes a VPC; the other account's takes nothing of this account.
	if u.ConsumerVPCs != 1 || u.EndpointVPCs != 1 || u.TestClientInEndpointVPC {
		t.Errorf("usage %+v: want 1 peered VPC, 1 endpoint VPC here, the test client in the peered one", u)
	}
	need := map[string]int{}
	for _, n := range quotas.Needs(u) {
		need[n.Quota.Name] = n.Amount
	}
	for name, want := range map[string]int{
		quotas.PeeringConnectionsPerVPC: 1, quotas.RoutesPerRouteTable: 2, quotas.RulesPerSecurityGroup: 2,
		quotas.VPCsPerRegion: 3, quotas.ResolverRuleAssociations: 1, quotas.InterfaceEndpointsPerVPC: 3,
	} {
		if need[name] != want {
			t.Errorf("%s: need %d, want %d", name, need[name], want)
		}
	}

	// One peered consumer and fifty endpoint consumers of another account, every one on 10.20.0.0/16:
	// past the peering quota in number, but only the peered one takes a route of the API VPC.
	many := Defaults()
	for i := 1; i <= 50; i++ {
		many.Consumers = append(many.Consumers, Consumer{Name: fmt.Sprintf("c%d", i), Cidr: "10.20.0.0/16",
			Connect: ConnectEndpoint, Account: &Account{ID: partnerID, RoleArn: partnerRole}})
	}
	var routes int
	for _, n := range quotas.Needs(many.QuotaUsage()) {
		if n.Quota.Name == quotas.RoutesPerRouteTable {
			routes = n.Amount
		}
	}
	if routes != 2 {
		t.Errorf("1 peered and 50 endpoint consumers: the API route table needs %d routes, want 2", routes)
	}
}
