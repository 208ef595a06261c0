package plan

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
)

const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

func read(t *testing.T, doc string) *Previewed {
	t.Helper()
	p, err := ReadPreview(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	pv, err := FromPreview(p)
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

// An update of a deployed stack: real ids, a replacement, a delete, a value not known until deploy.
const update = `{
  "config": {"aws:region": "eu-west-1"},
  "steps": [
    {"op": "same", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "newState": {"urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "custom": false, "type": "pulumi:pulumi:Stack"}, "detailedDiff": null},
    {"op": "same", "urn": "urn:pulumi:s::p::p:infra:Net::net", "newState": {"urn": "urn:pulumi:s::p::p:infra:Net::net", "custom": false, "type": "p:infra:Net", "parent": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "sourcePosition": "project:///infra/net.go#20,9"}, "detailedDiff": null},
    {"op": "same", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/vpc:Vpc::vpc", "provider": "urn:pulumi:s::p::pulumi:providers:aws::default_6_83_4::a1b2",
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/vpc:Vpc::vpc", "custom": true, "id": "vpc-0a1b2c3d4e5f67890", "type": "aws:ec2/vpc:Vpc",
       "inputs": {"cidrBlock": "10.0.0.0/16"}, "outputs": {"id": "vpc-0a1b2c3d4e5f67890", "arn": "arn:aws:ec2:eu-west-1:210987654321:vpc/vpc-0a1b2c3d4e5f67890"},
       "parent": "urn:pulumi:s::p::p:infra:Net::net", "sourcePosition": "project:///infra/net.go#31,12"}, "detailedDiff": null},
    {"op": "create-replacement", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a",
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a", "custom": true, "type": "aws:ec2/subnet:Subnet",
       "inputs": {"vpcId": "vpc-0a1b2c3d4e5f67890", "cidrBlock": "10.0.9.0/24", "availabilityZone": "eu-west-1a", "mapPublicIpOnLaunch": false},
       "parent": "urn:pulumi:s::p::p:infra:Net::net"}, "replaceReasons": ["cidrBlock"], "detailedDiff": {"cidrBlock": {"kind": "update-replace", "inputDiff": true}}},
    {"op": "replace", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a",
     "oldState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a", "custom": true, "id": "subnet-0aaa", "type": "aws:ec2/subnet:Subnet", "inputs": {"cidrBlock": "10.0.1.0/24"}},
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a", "custom": true, "type": "aws:ec2/subnet:Subnet",
       "inputs": {"vpcId": "vpc-0a1b2c3d4e5f67890", "cidrBlock": "10.0.9.0/24", "availabilityZone": "eu-west-1a", "mapPublicIpOnLaunch": false},
       "parent": "urn:pulumi:s::p::p:infra:Net::net"}, "replaceReasons": ["cidrBlock"], "detailedDiff": {"cidrBlock": {"kind": "update-replace", "inputDiff": true}}},
    {"op": "create", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/securityGroup:SecurityGroup::sg",
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/securityGroup:SecurityGroup::sg", "custom": true, "type": "aws:ec2/securityGroup:SecurityGroup",
       "inputs": {"vpcId": "` + unknown + `", "description": "web",
         "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "open"}]},
       "propertyDependencies": {"vpcId": ["urn:pulumi:s::p::p:infra:Net$aws:ec2/vpc:Vpc::vpc"]},
       "parent": "urn:pulumi:s::p::p:infra:Net::net"}, "detailedDiff": null},
    {"op": "create", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/flowLog:FlowLog::flow",
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/flowLog:FlowLog::flow", "custom": true, "type": "aws:ec2/flowLog:FlowLog",
       "inputs": {"vpcId": "vpc-0a1b2c3d4e5f67890", "trafficType": "ALL", "logDestination": "` + unknown + `",
         "iamRoleArn": "arn:aws:iam::210987654321:role/flow-role"},
       "propertyDependencies": {"logDestination": ["urn:pulumi:s::p::p:infra:Net$aws:cloudwatch/logGroup:LogGroup::flow-logs"]},
       "parent": "urn:pulumi:s::p::p:infra:Net::net"}, "detailedDiff": null},
    {"op": "create", "urn": "urn:pulumi:s::p::p:infra:Net$aws:cloudwatch/logGroup:LogGroup::flow-logs",
     "newState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:cloudwatch/logGroup:LogGroup::flow-logs", "custom": true, "type": "aws:cloudwatch/logGroup:LogGroup",
       "inputs": {"name": "flow-logs", "retentionInDays": "` + unknown + `"}, "parent": "urn:pulumi:s::p::p:infra:Net::net"}, "detailedDiff": null},
    {"op": "delete-replaced", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a",
     "oldState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/subnet:Subnet::a", "custom": true, "id": "subnet-0aaa", "type": "aws:ec2/subnet:Subnet", "delete": true}, "detailedDiff": null},
    {"op": "delete", "urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/internetGateway:InternetGateway::igw",
     "oldState": {"urn": "urn:pulumi:s::p::p:infra:Net$aws:ec2/internetGateway:InternetGateway::igw", "custom": true, "id": "igw-0bbb", "type": "aws:ec2/internetGateway:InternetGateway"}, "detailedDiff": null}
  ],
  "changeSummary": {"create": 3, "delete": 1, "replace": 1, "same": 3},
  "duration": 5000000000
}`

func TestFromPreviewReadsAnUpdate(t *testing.T) {
	pv := read(t, update)
	e := pv.Engine
	if e.StackName() != "s" || e.Project() != "p" || e.Region() != "eu-west-1" {
		t.Errorf("stack %s, project %s, region %s: want s, p, eu-west-1 from the URNs and config", e.StackName(), e.Project(), e.Region())
	}
	if _, ok := e.Named(m.TypeInternetGateway, "igw"); ok {
		t.Error("the deleted internet gateway is still in the stack the checks judge")
	}
	subnets := e.OfType(m.TypeSubnet)
	if len(subnets) != 1 || subnets[0].Inputs["cidrBlock"] != "10.0.9.0/24" {
		t.Fatalf("subnets %+v: want the replacement once, with its new CIDR", subnets)
	}
	// A known id anywhere becomes the plan's placeholder, so checks follow it to the VPC.
	if got := subnets[0].Inputs["vpcId"]; got != "${vpc.id}" {
		t.Errorf("subnet vpcId = %v, want ${vpc.id}", got)
	}
	// An unknown id whose key names the type it depends on is that resource's id; any other unknown
	// (a log destination ARN computed from a log group) stays unknown rather than guessed.
	if sg, _ := e.Named(m.TypeSecurityGroup, "sg"); sg.Inputs["vpcId"] != "${vpc.id}" {
		t.Errorf("unknown vpcId = %v, want ${vpc.id}, the VPC it depends on", sg.Inputs["vpcId"])
	}
	flow, _ := e.Named(m.TypeFlowLog, "flow")
	if got := flow.Inputs["logDestination"]; got != m.Unknown {
		t.Errorf("unknown logDestination = %v, want %s", got, m.Unknown)
	}
	if got := flow.Inputs["iamRoleArn"]; got != "arn:aws:iam::${aws:accountId}:role/flow-role" {
		t.Errorf("iamRoleArn = %v, want the account as the plan's placeholder", got)
	}
	if vpc, _ := e.Named(m.TypeVpc, "vpc"); vpc.Source != "infra/net.go:31" {
		t.Errorf("vpc source %q, want infra/net.go:31 from sourcePosition", vpc.Source)
	}
	ops := map[string]string{}
	for _, c := range pv.Changes {
		ops[c.Op] += c.Name + " "
	}
	if ops[OpReplace] != "a " || ops[OpDelete] != "igw " || ops[OpCreate] != "sg flow flow-logs " || ops[OpSame] != "" {
		t.Errorf("changes %v: want a replaced, igw deleted, three creates, no sames", ops)
	}
	if pv.Unknown != 2 {
		t.Errorf("%d unknown values, want 2 (the log group's retention, the flow log's destination)", pv.Unknown)
	}
}

// A failing check on a resource with an unknown input is "unknown", not a failure; a failure on
// known values still fails; a deleted resource is not judged.
func TestChecksOnAPreview(t *testing.T) {
	pv := read(t, update)
	rep := checks.Run(pv.Engine, checks.All(), nil)
	status := map[string]checks.Status{}
	for _, r := range rep.Results {
		for _, f := range r.Findings {
			status[r.Check.ID()+" "+f.Resource] = f.Status
		}
	}
	if got := status["CKV_AWS_66 flow-logs"]; got != checks.Unknown {
		t.Errorf("retention check on flow-logs (retention unknown): %s, want unknown", got)
	}
	if got := status["EC2.13 sg"]; got != checks.Fail {
		t.Errorf("0.0.0.0/0 ingress on sg, every value known: %s, want fail", got)
	}
	if got := status["EC2.6 vpc"]; got != checks.Pass {
		t.Errorf("flow log check on vpc: %s, want pass through the normalized vpcId", got)
	}
	if _, judged := status["EC2.15 igw"]; judged {
		t.Error("the deleted internet gateway was judged")
	}
	var buf strings.Builder
	Verdicts(&buf, rep)
	if !strings.Contains(buf.String(), "UNKNOWN findings:") || !strings.Contains(buf.String(), "retentionInDays unknown until deploy") {
		t.Errorf("the full verdicts do not list the unknown finding:\n%s", buf.String())
	}
}

func TestReadPreviewRefusesOtherDocuments(t *testing.T) {
	for doc, want := range map[string]string{
		`not json`:            "not the output of `pulumi preview --json`",
		`{"diagnostics": []}`: "no steps",
		`{"steps": [{"op": "create", "urn": "nope"}]}`: "is not a Pulumi URN",
	} {
		p, err := ReadPreview(strings.NewReader(doc))
		if err == nil {
			_, err = FromPreview(p)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", doc, err, want)
		}
	}
}

func TestFromPreviewNeedsARegion(t *testing.T) {
	doc := `{"steps": [{"op": "create", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "newState": {"type": "pulumi:pulumi:Stack", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"}}]}`
	p, err := ReadPreview(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromPreview(p); err == nil || !strings.Contains(err.Error(), "aws:region") {
		t.Errorf("error %v, want one naming aws:region", err)
	}
}

// Without --show-sames a preview leaves the unchanged resources out; judging what is left would
// judge a different stack.
func TestFromPreviewRefusesAPreviewWithoutItsUnchangedResources(t *testing.T) {
	doc := `{"config": {"aws:region": "eu-west-1"}, "changeSummary": {"same": 2, "update": 1}, "steps": [
	  {"op": "same", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "newState": {"type": "pulumi:pulumi:Stack", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"}},
	  {"op": "update", "urn": "urn:pulumi:s::p::aws:ec2/vpc:Vpc::v", "newState": {"type": "aws:ec2/vpc:Vpc", "urn": "urn:pulumi:s::p::aws:ec2/vpc:Vpc::v", "custom": true}}]}`
	p, err := ReadPreview(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromPreview(p); err == nil || !strings.Contains(err.Error(), "--show-sames") {
		t.Errorf("error %v, want one saying to run the preview with --show-sames", err)
	}
}
