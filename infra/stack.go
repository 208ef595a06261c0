package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/stackconfig"
)

// Stack is everything one `pulumi up` builds.
type Stack struct {
	APINetwork      *APINetwork
	ConsumerNetwork *ConsumerNetwork
	Peerings        []*Peering
	API             *PrivateAPI
	DNS             *PrivateDNS
	cfg             stackconfig.Config
}

// Program is the Pulumi program: load and validate config, build the stack, export its outputs.
// Config errors return before any resource is registered.
func Program(ctx *pulumi.Context) error {
	cfg, err := stackconfig.Load(ctx)
	if err != nil {
		return err
	}
	s, err := NewStack(ctx, cfg)
	if err != nil {
		return err
	}
	s.Export(ctx)
	return nil
}

// NewStack builds the whole stack from validated config.
func NewStack(ctx *pulumi.Context, cfg stackconfig.Config) (*Stack, error) {
	caller, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the AWS account: %w", err)
	}
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
	if err != nil {
		return nil, fmt.Errorf("listing availability zones: %w", err)
	}
	if len(zones.Names) < cfg.Network.AZCount {
		return nil, fmt.Errorf("config %s:network.azCount is %d but %s has %d available zones: lower azCount", stackconfig.Project, cfg.Network.AZCount, cfg.Region, len(zones.Names))
	}
	azs := zones.Names[:cfg.Network.AZCount]
	account := pulumi.String(caller.AccountId)

	s := &Stack{cfg: cfg}
	consumerCidrs := make([]string, len(cfg.Consumers))
	consumerArgs := make([]ConsumerVPCArgs, len(cfg.Consumers))
	for i, c := range cfg.Consumers {
		consumerCidrs[i] = c.Cidr
		consumerArgs[i] = ConsumerVPCArgs{Name: c.Name, Cidr: c.Cidr}
	}
	if s.APINetwork, err = NewAPINetwork(ctx, "api", &APINetworkArgs{
		Cidr: cfg.Network.APIVpcCidr, AZs: azs, SubnetPrefixLength: cfg.Network.SubnetPrefixLength,
		ConsumerCidrs: consumerCidrs, FlowLogs: cfg.Network.FlowLogs, LogRetentionDays: cfg.Logs.RetentionDays,
		Region: cfg.Region, AccountID: account,
	}); err != nil {
		return nil, err
	}
	if s.ConsumerNetwork, err = NewConsumerNetwork(ctx, "consumers", &ConsumerNetworkArgs{
		Consumers: consumerArgs, AZs: azs, SubnetPrefixLength: cfg.Network.SubnetPrefixLength,
		FlowLogs: cfg.Network.FlowLogs, LogRetentionDays: cfg.Logs.RetentionDays, AccountID: account,
	}); err != nil {
		return nil, err
	}
	var peeringResources []pulumi.Resource
	consumerVpcIDs := make([]pulumi.StringInput, len(s.ConsumerNetwork.VPCs))
	for i, v := range s.ConsumerNetwork.VPCs {
		p, err := NewPeering(ctx, "peer-"+v.Name, &PeeringArgs{
			API:      PeeringSide{VpcID: s.APINetwork.VpcID, Cidr: cfg.Network.APIVpcCidr, RouteTableID: s.APINetwork.RouteTableID},
			Consumer: PeeringSide{VpcID: v.VpcID, Cidr: v.Cidr, RouteTableID: v.RouteTableID},
		})
		if err != nil {
			return nil, err
		}
		s.Peerings = append(s.Peerings, p)
		peeringResources = append(peeringResources, p.Connection)
		consumerVpcIDs[i] = v.VpcID
	}
	if s.API, err = NewPrivateAPI(ctx, "private", &PrivateAPIArgs{
		Region: cfg.Region, EndpointID: s.APINetwork.EndpointID,
	}); err != nil {
		return nil, err
	}
	apiSubnets := make([]pulumi.StringInput, cfg.Network.AZCount)
	for i := range apiSubnets {
		apiSubnets[i] = s.APINetwork.SubnetIDs.Index(pulumi.Int(i))
	}
	if s.DNS, err = NewPrivateDNS(ctx, "dns", &PrivateDNSArgs{
		Mode: cfg.DNS.Mode, Host: s.API.Host,
		APIVpcID: s.APINetwork.VpcID, APISubnetIDs: apiSubnets,
		ConsumerVpcIDs: consumerVpcIDs,
		OutboundVpcID:  s.ConsumerNetwork.VPCs[0].VpcID, OutboundSubnetIDs: s.ConsumerNetwork.VPCs[0].SubnetIDs,
		EndpointDNSName: s.APINetwork.EndpointDNSName, EndpointZoneID: s.APINetwork.EndpointZoneID,
		Peerings: peeringResources,
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// Export publishes the stack outputs (names are a contract with cmd/ tools and the README).
func (s *Stack) Export(ctx *pulumi.Context) {
	region := s.cfg.Region
	ctx.Export("region", pulumi.String(region))
	ctx.Export("apiId", s.API.ID)
	ctx.Export("apiVpcId", s.APINetwork.VpcID)
	ctx.Export("consumerVpcIds", s.ConsumerNetwork.VpcIDs)
	ctx.Export("vpcEndpointId", s.APINetwork.EndpointID)
	ctx.Export("vpcEndpointDnsNames", s.APINetwork.EndpointDNSNames)
	ctx.Export("resolverInboundIps", s.DNS.InboundIPs)
	ctx.Export("endpointAliasHost", pulumi.All(s.API.ID, s.APINetwork.EndpointID).ApplyT(func(v []any) string {
		return endpointAliasHost(string(v[0].(pulumi.ID)), string(v[1].(pulumi.ID)), region)
	}).(pulumi.StringOutput))
}
