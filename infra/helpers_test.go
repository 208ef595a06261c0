package infra

import (
	"encoding/json"
	"testing"

	"github.com/example/private-api/internal/mockengine"
)

// Type tokens the specs look for.
const (
	tVpc            = "aws:ec2/vpc:Vpc"
	tSubnet         = "aws:ec2/subnet:Subnet"
	tRoute          = "aws:ec2/route:Route"
	tRouteTable     = "aws:ec2/routeTable:RouteTable"
	tDefaultSG      = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	tSG             = "aws:ec2/securityGroup:SecurityGroup"
	tIngressRule    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEgressRule     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	tVpcEndpoint    = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tPeering        = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
	tFlowLog        = "aws:ec2/flowLog:FlowLog"
	tResolverEP     = "aws:route53/resolverEndpoint:ResolverEndpoint"
	tResolverRule   = "aws:route53/resolverRule:ResolverRule"
	tRuleAssoc      = "aws:route53/resolverRuleAssociation:ResolverRuleAssociation"
	tZone           = "aws:route53/zone:Zone"
	tRecord         = "aws:route53/record:Record"
	tRestAPI        = "aws:apigateway/restApi:RestApi"
	tIGW            = "aws:ec2/internetGateway:InternetGateway"
	tNAT            = "aws:ec2/natGateway:NatGateway"
	tEIP            = "aws:ec2/eip:Eip"
	tLogGroup       = "aws:cloudwatch/logGroup:LogGroup"
	tRole           = "aws:iam/role:Role"
	tRolePolicy     = "aws:iam/rolePolicy:RolePolicy"
	projectRoot     = ".."
	projectName     = "private-api"
	devStack        = "dev"
	prodStack       = "prod"
	regionUnderTest = "eu-west-1"
)

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
	e, err := mockengine.Run(Program, projectName, "test", cfg)
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
