package infra

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/stackconfig"
)

// ConsumerVPCArgs is one consumer VPC.
type ConsumerVPCArgs struct {
	// Name is unique among consumers and part of every child's name.
	Name string
	// Cidr is the VPC's IPv4 range; it must not overlap the API VPC or another consumer.
	Cidr string
}

// ConsumerNetworkArgs shapes the consumer VPCs (one by default) whose workloads call the API.
type ConsumerNetworkArgs struct {
	Consumers []ConsumerVPCArgs
	// AZs are the availability zones of each VPC's private subnets.
	AZs                []string
	SubnetPrefixLength int
	FlowLogs           bool
	LogRetentionDays   int
	AccountID          pulumi.StringInput
}

// ConsumerVPC is one consumer VPC's handles for peering and DNS.
type ConsumerVPC struct {
	// Name and Cidr repeat the args, for the components that peer and resolve.
	Name string
	Cidr string
	// VpcID is the consumer VPC.
	VpcID pulumi.IDOutput
	// SubnetIDs are its private subnets, one per AZ.
	SubnetIDs []pulumi.StringInput
	// RouteTableID is the private route table its subnets use.
	RouteTableID pulumi.IDOutput
}

// ConsumerNetwork is the set of consumer VPCs: private subnets only, no internet path.
type ConsumerNetwork struct {
	pulumi.ResourceState

	// VPCs are the consumer VPCs in config order.
	VPCs []ConsumerVPC
	// VpcIDs are the consumer VPC ids in config order.
	VpcIDs pulumi.StringArrayOutput
}

// NewConsumerNetwork registers every consumer VPC.
func NewConsumerNetwork(ctx *pulumi.Context, name string, args *ConsumerNetworkArgs, opts ...pulumi.ResourceOption) (*ConsumerNetwork, error) {
	if len(args.Consumers) == 0 {
		return nil, fmt.Errorf("ConsumerNetwork %s: no consumer VPCs given", name)
	}
	subnets := make([][]string, len(args.Consumers))
	for i, cons := range args.Consumers {
		cidrs, err := stackconfig.SubnetCidrs(cons.Cidr, args.SubnetPrefixLength, len(args.AZs))
		if err != nil {
			return nil, fmt.Errorf("ConsumerNetwork %s: consumer %q: %w", name, cons.Name, err)
		}
		subnets[i] = cidrs
	}
	c := &ConsumerNetwork{}
	if err := ctx.RegisterComponentResource(typeToken("ConsumerNetwork"), name, c, opts...); err != nil {
		return nil, err
	}
	var ids pulumi.StringArray
	for i, cons := range args.Consumers {
		net, err := newPrivateVPC(ctx, name+"-"+cons.Name, privateVPCArgs{
			cidr: cons.Cidr, subnetCidrs: subnets[i], azs: args.AZs,
			flowLogs: args.FlowLogs, retention: args.LogRetentionDays, accountID: args.AccountID,
		}, c)
		if err != nil {
			return nil, err
		}
		subnetIDs := make([]pulumi.StringInput, len(net.subnets))
		for j, s := range net.subnets {
			subnetIDs[j] = s.ID()
		}
		c.VPCs = append(c.VPCs, ConsumerVPC{
			Name: cons.Name, Cidr: cons.Cidr, VpcID: net.vpc.ID(), SubnetIDs: subnetIDs, RouteTableID: net.routeTable.ID(),
		})
		ids = append(ids, net.vpc.ID())
	}
	c.VpcIDs = ids.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"vpcIds": c.VpcIDs}); err != nil {
		return nil, err
	}
	return c, nil
}
