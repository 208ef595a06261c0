// Package infra holds the stack's ComponentResources, one per file, and the Program that wires them.
package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// typeToken names a component type. Tokens are part of every URN: never rename one after a deploy
// without pulumi.Aliases.
func typeToken(name string) string { return "private-api:infra:" + name }

// tags are set on every taggable resource: Name for the console, the rest to find the stack's resources.
func tags(ctx *pulumi.Context, name string) pulumi.StringMap {
	return pulumi.StringMap{
		"Name":           pulumi.String(name),
		"pulumi:project": pulumi.String(ctx.Project()),
		"pulumi:stack":   pulumi.String(ctx.Stack()),
	}
}

// privateVPC is the network both VPCs share in shape: private subnets only (no internet or NAT
// gateway, no public IPs), one route table, a default security group stripped of its rules, and
// optional flow logs.
type privateVPC struct {
	vpc        *ec2.Vpc
	subnets    []*ec2.Subnet
	routeTable *ec2.RouteTable
}

type privateVPCArgs struct {
	cidr        string
	subnetCidrs []string
	azs         []string
	flowLogs    bool
	retention   int
	accountID   pulumi.StringInput
	region      string
	// logKeyArn, when set, encrypts the flow-log group with the stack's key.
	logKeyArn pulumi.StringInput
	partition Partition
}

// newPrivateVPC registers the VPC under parent; opts place it (for example in another account).
func newPrivateVPC(ctx *pulumi.Context, name string, args privateVPCArgs, parent pulumi.Resource, opts ...pulumi.ResourceOption) (*privateVPC, error) {
	opt := pulumi.Composite(append([]pulumi.ResourceOption{pulumi.Parent(parent)}, opts...)...)
	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.cidr),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               tags(ctx, name+"-vpc"),
	}, opt)
	if err != nil {
		return nil, err
	}
	// Adopting the default security group with no rules removes AWS's allow-all defaults (EC2.2).
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  tags(ctx, name+"-default-sg"),
	}, opt); err != nil {
		return nil, err
	}
	rt, err := ec2.NewRouteTable(ctx, name+"-private-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  tags(ctx, name+"-private-rt"),
	}, opt)
	if err != nil {
		return nil, err
	}
	p := &privateVPC{vpc: vpc, routeTable: rt}
	for i, cidr := range args.subnetCidrs {
		az := args.azs[i]
		subnetName := fmt.Sprintf("%s-private-%s", name, az)
		subnet, err := ec2.NewSubnet(ctx, subnetName, &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			CidrBlock:           pulumi.String(cidr),
			AvailabilityZone:    pulumi.String(az),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags(ctx, subnetName),
		}, opt)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, subnetName+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId:     subnet.ID(),
			RouteTableId: rt.ID(),
		}, opt); err != nil {
			return nil, err
		}
		p.subnets = append(p.subnets, subnet)
	}
	if args.flowLogs {
		if err := newFlowLogs(ctx, name, vpc, args, opt); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *privateVPC) subnetIDs() pulumi.StringArray {
	ids := make(pulumi.StringArray, len(p.subnets))
	for i, s := range p.subnets {
		ids[i] = s.ID().ToStringOutput()
	}
	return ids
}

// newFlowLogs sends the VPC's accepted and rejected traffic records to a log group with retention,
// through a role that only the flow-logs service of this account can assume.
func newFlowLogs(ctx *pulumi.Context, name string, vpc *ec2.Vpc, args privateVPCArgs, opt pulumi.ResourceOption) error {
	accountID := args.accountID
	partition := args.partition
	group, err := newLogGroup(ctx, name+"-flow-logs", nil, args.retention, args.logKeyArn, opt)
	if err != nil {
		return err
	}
	role, _, err := newServiceRole(ctx, serviceRole{
		name: name + "-flow-logs-role", policyName: name + "-flow-logs-write",
		service: "vpc-flow-logs", description: "VPC flow logs delivery for " + name,
		accountID: accountID, partition: partition,
		policy: policydoc.Render(func(v []string) policydoc.Document {
			return flowLogsPolicy(partition, v[0], v[1], args.region)
		}, group.Arn, accountID),
	}, opt)
	if err != nil {
		return err
	}
	_, err = ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId:              vpc.ID(),
		TrafficType:        pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination:     group.Arn,
		IamRoleArn:         role.Arn,
		Tags:               tags(ctx, name+"-flow-log"),
	}, opt)
	return err
}

// flowLogsPolicy holds the actions the VPC flow logs guide lists for the delivery role
// (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html), scoped to the VPC's
// own log group; DescribeLogGroups lists groups, so it takes the account's log-group pattern.
func flowLogsPolicy(partition Partition, groupArn, accountID, region string) policydoc.Document {
	return policydoc.New(
		policydoc.Statement{Sid: "WriteThisVpcsFlowLogs", Effect: "Allow",
			Action:   []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: []string{groupArn, groupArn + ":*"}},
		policydoc.Statement{Sid: "ListLogGroups", Effect: "Allow",
			Action:   []string{"logs:DescribeLogGroups"},
			Resource: []string{partition.ARN("logs", region, accountID, "log-group:*")}},
	)
}

// accountOnlyEndpointPolicy is an interface endpoint policy that lets only this account's principals
// use the endpoint, for the given actions on the resource built from the account id.
func accountOnlyEndpointPolicy(actions []string, resource func(account string) string, accountID pulumi.StringInput) pulumi.StringOutput {
	return policydoc.Render(func(v []string) policydoc.Document {
		return policydoc.New(policydoc.Statement{
			Sid:       "ThisAccountOnly",
			Effect:    "Allow",
			Principal: &policydoc.Principal{All: true},
			Action:    actions,
			Resource:  []string{resource(v[0])},
			Condition: policydoc.Condition{"StringEquals": {"aws:PrincipalAccount": {v[0]}}},
		})
	}, accountID)
}
