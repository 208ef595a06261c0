package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// TestPartition runs the dev stack in a China and a GovCloud region: every ARN names the region's
// partition, host names end in its DNS suffix, endpoint services carry its prefix.
func TestPartition(t *testing.T) {
	for _, tc := range []struct {
		region, partition, dnsSuffix, interfacePrefix string
	}{
		{"cn-north-1", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws.cn-north-1."},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com", "com.amazonaws.us-gov-west-1."},
	} {
		t.Run(tc.partition, func(t *testing.T) {
			cfg := spec.StackConfig(t, projectRoot, devStack)
			cfg["aws:region"] = tc.region
			e := runProgram(t, cfg)

			t.Run("every_ARN_names_the_partition", func(t *testing.T) {
				for _, r := range e.Resources() {
					for _, s := range mockengine.Strings(r.Inputs) {
						for i := strings.Index(s, "arn:"); i >= 0; i = strings.Index(s, "arn:") {
							if !strings.HasPrefix(s[i:], "arn:"+tc.partition+":") {
								t.Errorf("%s %s: %q names another partition", r.Type, r.Name, s[i:min(len(s), i+60)])
							}
							s = s[i+4:]
						}
					}
				}
			})
			t.Run("managed_policy_of_the_partition", func(t *testing.T) {
				att := spec.Named(t, e, mockengine.TypeRolePolicyAttachment, "client-test-instance-ssm-core")
				if want := "arn:" + tc.partition + ":iam::aws:policy/AmazonSSMManagedInstanceCore"; spec.Str(att.Inputs, "policyArn") != want {
					t.Errorf("policyArn %q, want %q", spec.Str(att.Inputs, "policyArn"), want)
				}
			})
			t.Run("API_host_ends_in_the_partition_suffix", func(t *testing.T) {
				rules := e.OfType(mockengine.TypeResolverRule)
				if len(rules) != 1 {
					t.Fatalf("%d resolver rules, want 1", len(rules))
				}
				host := spec.Str(rules[0].Inputs, "domainName")
				if want := ".execute-api." + tc.region + "." + tc.dnsSuffix; !strings.HasSuffix(host, want) {
					t.Errorf("forwarding rule for %q, want a host ending %q", host, want)
				}
			})
			t.Run("endpoint_services_of_the_partition", func(t *testing.T) {
				for _, ep := range e.OfType(mockengine.TypeVpcEndpoint) {
					name := spec.Str(ep.Inputs, "serviceName")
					want := tc.interfacePrefix
					if spec.Str(ep.Inputs, "vpcEndpointType") == "Gateway" {
						want = "com.amazonaws." + tc.region + "."
					}
					if !strings.HasPrefix(name, want) {
						t.Errorf("%s: service %q, want prefix %q", ep.Name, name, want)
					}
				}
			})
			t.Run("service_principals", func(t *testing.T) {
				fn := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, "claims-role"), "assumeRolePolicy")
				if got := fn.Statement[0].Principal.Service; !slices.Equal(got, []string{"lambda.amazonaws.com"}) {
					t.Errorf("Lambda trust %v: Lambda's principal is lambda.amazonaws.com in every partition", got)
				}
				client := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role"), "assumeRolePolicy")
				var ec2 []string
				for _, st := range client.Statement {
					if st.Principal != nil && len(st.Principal.Service) > 0 {
						ec2 = st.Principal.Service
					}
				}
				want := []string{"ec2.amazonaws.com"}
				if tc.dnsSuffix != "amazonaws.com" {
					want = append(want, "ec2."+tc.dnsSuffix)
				}
				if !slices.Equal(ec2, want) {
					t.Errorf("test client trust %v, want %v", ec2, want)
				}
			})
		})
	}
}
