package stack

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// Type tokens the specs look for.
const (
	tVpc            = mockengine.TypeVpc
	tSubnet         = mockengine.TypeSubnet
	tRoute          = mockengine.TypeRoute
	tRouteTable     = mockengine.TypeRouteTable
	tDefaultSG      = mockengine.TypeDefaultSG
	tSG             = mockengine.TypeSecurityGroup
	tIngressRule    = mockengine.TypeIngressRule
	tEgressRule     = mockengine.TypeEgressRule
	tVpcEndpoint    = mockengine.TypeVpcEndpoint
	tPeering        = mockengine.TypePeering
	tFlowLog        = mockengine.TypeFlowLog
	tResolverEP     = mockengine.TypeResolverEndpoint
	tResolverRule   = mockengine.TypeResolverRule
	tRuleAssoc      = mockengine.TypeResolverRuleAssoc
	tZone           = mockengine.TypeZone
	tRecord         = mockengine.TypeRecord
	tRestAPI        = mockengine.TypeRestAPI
	tIGW            = mockengine.TypeInternetGateway
	tNAT            = mockengine.TypeNatGateway
	tEIP            = "aws:ec2/eip:Eip"
	tLogGroup       = mockengine.TypeLogGroup
	tRole           = mockengine.TypeRole
	tRolePolicy     = mockengine.TypeRolePolicy
	projectRoot     = ".."
	projectName     = "private-api"
	devStack        = "dev"
	prodStack       = "prod"
	regionUnderTest = "eu-west-1"
)

// commercial is the partition aws.GetPartition answers in the commercial regions.
var commercial = infra.Partition{ID: "aws", DNSSuffix: "amazonaws.com", ReverseDNSPrefix: "com.amazonaws"}

// stackConfig returns the config the CLI would pass for a stack file of this repository.
func stackConfig(t *testing.T, stack string) map[string]string {
	t.Helper()
	_, cfg, err := mockengine.StackConfig(projectRoot, stack)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runProgram runs the whole program under the mock engine and fails the test on a program error.
func runProgram(t *testing.T, cfg map[string]string) *mockengine.Engine {
	t.Helper()
	e, err := mockengine.Run(testProgram, projectName, "test", cfg)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return e
}

// withKey returns a copy of cfg with one project key set to v (marshalled as the CLI would).
func withKey(t *testing.T, cfg map[string]string, key string, v any) map[string]string {
	t.Helper()
	out := make(map[string]string, len(cfg)+1)
	for k, val := range cfg {
		out[k] = val
	}
	if s, ok := v.(string); ok {
		out[projectName+":"+key] = s
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out[projectName+":"+key] = string(b)
	return out
}

// str, list and obj read recorded inputs without a panic when a test's expectation is wrong.
func str(m map[string]any, key string) string { s, _ := m[key].(string); return s }
func list(m map[string]any, key string) []any { l, _ := m[key].([]any); return l }
func obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}
func num(m map[string]any, key string) float64 { n, _ := m[key].(float64); return n }

// distinctAZs follows subnet id placeholders to the subnets and returns their distinct AZs.
func distinctAZs(t *testing.T, e *mockengine.Engine, subnetIDs []any) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, id := range subnetIDs {
		s, _ := id.(string)
		subnet, ok := e.Resolve(s)
		if !ok || subnet.Type != tSubnet {
			t.Errorf("subnet id %q does not refer to a registered subnet", s)
			continue
		}
		if az := str(subnet.Inputs, "availabilityZone"); !seen[az] {
			seen[az] = true
			out = append(out, az)
		}
	}
	return out
}

// consumerConfig returns a config with n consumer VPCs (10.(20+i).0.0/16).
func consumerConfig(t *testing.T, base map[string]string, n int) map[string]string {
	t.Helper()
	var cons []map[string]string
	for i := 0; i < n; i++ {
		cons = append(cons, map[string]string{"name": fmt.Sprintf("c%d", i), "cidr": fmt.Sprintf("10.%d.0.0/16", 20+i)})
	}
	return withKey(t, base, "consumers", cons)
}

// countByType counts recorded resources per type token.
func countByType(e *mockengine.Engine) map[string]int {
	out := map[string]int{}
	for _, r := range e.Resources() {
		out[r.Type]++
	}
	return out
}

// runComponent runs a program that builds one component in isolation.
func runComponent(t *testing.T, build func(ctx *pulumi.Context) error) (*mockengine.Engine, error) {
	t.Helper()
	return mockengine.Run(build, projectName, "test", map[string]string{"aws:region": regionUnderTest})
}

// policy parses a rendered policy document input.
func policy(t *testing.T, r mockengine.Resource, key string) policydoc.Document {
	t.Helper()
	var d policydoc.Document
	if err := json.Unmarshal([]byte(str(r.Inputs, key)), &d); err != nil {
		t.Fatalf("%s %s: %s is not a policy document: %v", r.Type, r.Name, key, err)
	}
	return d
}

// testProgram is the real program with packages named, not built: mocks need no binaries.
var testProgram = Program(PackagedArtifacts("build"))

// named fails the test when the resource is missing.
func named(t *testing.T, e *mockengine.Engine, typ, name string) mockengine.Resource {
	t.Helper()
	r, ok := e.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %s", typ, name)
	}
	return r
}

// dependsOn reports whether r waits for the resource with that URN.
func dependsOn(r mockengine.Resource, urn string) bool {
	for _, d := range r.Dependencies {
		if d == urn {
			return true
		}
	}
	return false
}
