package infra

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PeeringSide is one VPC of a peering: its id, range and the route table that needs the route.
type PeeringSide struct {
	VpcID        pulumi.StringInput
	Cidr         string
	RouteTableID pulumi.StringInput
}

// PeeringArgs connects the API VPC with one consumer VPC (same account and region).
type PeeringArgs struct {
	API      PeeringSide
	Consumer PeeringSide
}

// Peering is a peering connection with a route on each side toward the other VPC's range only.
type Peering struct {
	pulumi.ResourceState

	// ConnectionID is the peering connection.
	ConnectionID pulumi.IDOutput
	// Connection is the peering connection resource, for rules that need it active first.
	Connection *ec2.VpcPeeringConnection
}

// NewPeering registers the connection (auto-accepted: same account and region) and both routes.
func NewPeering(ctx *pulumi.Context, name string, args *PeeringArgs, opts ...pulumi.ResourceOption) (*Peering, error) {
	c := &Peering{}
	if err := ctx.RegisterComponentResource(typeToken("Peering"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	pcx, err := ec2.NewVpcPeeringConnection(ctx, name+"-pcx", &ec2.VpcPeeringConnectionArgs{
		VpcId:      args.Consumer.VpcID,
		PeerVpcId:  args.API.VpcID,
		AutoAccept: pulumi.Bool(true),
		Tags:       tags(ctx, name+"-pcx"),
	}, opt)
	if err != nil {
		return nil, err
	}
	// Each side routes only the other VPC's range over the peering: never a default route.
	for _, r := range []struct {
		suffix string
		from   PeeringSide
		to     PeeringSide
	}{{"-to-consumer", args.API, args.Consumer}, {"-to-api", args.Consumer, args.API}} {
		if _, err := ec2.NewRoute(ctx, name+r.suffix, &ec2.RouteArgs{
			RouteTableId:           r.from.RouteTableID,
			DestinationCidrBlock:   pulumi.String(r.to.Cidr),
			VpcPeeringConnectionId: pcx.ID(),
		}, opt); err != nil {
			return nil, err
		}
	}
	c.ConnectionID = pcx.ID()
	c.Connection = pcx
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"connectionId": pcx.ID()}); err != nil {
		return nil, err
	}
	return c, nil
}
