package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DNSMode is how consumer VPCs resolve the API's host name.
type DNSMode string

const (
	// DNSResolver forwards the host name from the consumer VPCs to an inbound endpoint in the API VPC.
	DNSResolver DNSMode = "resolver"
	// DNSPrivateZone answers the host name from a private hosted zone associated with the consumers.
	DNSPrivateZone DNSMode = "privateZone"
	// DNSEndpointAlias creates nothing: consumers call the <apiId>-<vpceId> host name.
	DNSEndpointAlias DNSMode = "endpointAlias"
)

// PrivateDNSArgs says how consumer VPCs resolve the API's private host name.
type PrivateDNSArgs struct {
	// Mode is how consumers resolve Host.
	Mode DNSMode
	// Host is exactly this API's host name, <apiId>.execute-api.<region>.<dnsSuffix>.
	Host pulumi.StringInput
	// APIVpcID and APISubnetIDs place the inbound resolver endpoint (one IP per subnet).
	APIVpcID     pulumi.StringInput
	APISubnetIDs []pulumi.StringInput
	// ConsumerVpcIDs are the peered consumer VPCs: they get the forwarding rule (resolver) or the
	// shared private zone aliasing the API VPC's endpoint (privateZone).
	ConsumerVpcIDs []pulumi.StringInput
	// EndpointConsumers each get, in privateZone mode, a zone of their own aliasing their own
	// endpoint; in the other modes nothing (they call the <apiId>-<vpceId> alias).
	EndpointConsumers []DNSEndpointConsumer
	// OutboundVpcID and OutboundSubnetIDs place the one outbound endpoint all consumers share.
	OutboundVpcID     pulumi.StringInput
	OutboundSubnetIDs []pulumi.StringInput
	// EndpointDNSName and EndpointZoneID are the alias target of the privateZone record.
	EndpointDNSName pulumi.StringInput
	EndpointZoneID  pulumi.StringInput
	// Peerings must be active before security groups reference each other across them.
	Peerings []pulumi.Resource
}

// DNSEndpointConsumer is an endpoint consumer's VPC and endpoint, in its account.
type DNSEndpointConsumer struct {
	Name  string
	VpcID pulumi.StringInput
	// EndpointDNSName and EndpointZoneID are its endpoint's regional entry.
	EndpointDNSName pulumi.StringInput
	EndpointZoneID  pulumi.StringInput
	// Provider is the consumer account's provider (nil: the API's account).
	Provider pulumi.ProviderResource
}

// PrivateDNS is the consumers' name resolution for the API host.
type PrivateDNS struct {
	pulumi.ResourceState

	// InboundIPs are the inbound resolver endpoint's addresses (resolver mode; empty otherwise).
	InboundIPs pulumi.StringArrayOutput
	// RuleID is the forwarding rule (resolver mode).
	RuleID pulumi.StringOutput
	// ZoneID is the private hosted zone (privateZone mode).
	ZoneID pulumi.StringOutput
}

func (a *PrivateDNSArgs) validate() error {
	switch a.Mode {
	case DNSResolver:
		if len(a.APISubnetIDs) < 2 || len(a.OutboundSubnetIDs) < 2 {
			return fmt.Errorf("PrivateDNS: resolver endpoints need subnets in at least 2 AZs (got %d inbound, %d outbound)", len(a.APISubnetIDs), len(a.OutboundSubnetIDs))
		}
	case DNSPrivateZone, DNSEndpointAlias:
	default:
		return fmt.Errorf("PrivateDNS: unknown mode %q", a.Mode)
	}
	if a.Mode == DNSResolver && len(a.ConsumerVpcIDs) == 0 {
		return fmt.Errorf("PrivateDNS: mode %s needs at least one peered consumer VPC", a.Mode)
	}
	if a.Mode == DNSPrivateZone && len(a.ConsumerVpcIDs) == 0 && len(a.EndpointConsumers) == 0 {
		return fmt.Errorf("PrivateDNS: mode %s needs at least one consumer VPC", a.Mode)
	}
	return nil
}

// NewPrivateDNS registers the resources of the chosen mode.
func NewPrivateDNS(ctx *pulumi.Context, name string, args *PrivateDNSArgs, opts ...pulumi.ResourceOption) (*PrivateDNS, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &PrivateDNS{
		InboundIPs: pulumi.StringArray{}.ToStringArrayOutput(),
		RuleID:     pulumi.String("").ToStringOutput(),
		ZoneID:     pulumi.String("").ToStringOutput(),
	}
	if err := ctx.RegisterComponentResource(typeToken("PrivateDNS"), name, c, opts...); err != nil {
		return nil, err
	}
	var err error
	switch args.Mode {
	case DNSResolver:
		err = c.resolver(ctx, name, args)
	case DNSPrivateZone:
		err = c.privateZone(ctx, name, args)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"inboundIps": c.InboundIPs, "ruleId": c.RuleID, "zoneId": c.ZoneID,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// resolver forwards the API host name, and nothing else, from the consumer VPCs to an inbound
// endpoint in the API VPC, where the execute-api endpoint's private DNS answers it.
func (c *PrivateDNS) resolver(ctx *pulumi.Context, name string, args *PrivateDNSArgs) error {
	opt := pulumi.Parent(c)
	inboundSG, err := resolverGroup(ctx, name+"-inbound-sg", args.APIVpcID, "inbound", "DNS from the outbound endpoint only", opt)
	if err != nil {
		return err
	}
	outboundSG, err := resolverGroup(ctx, name+"-outbound-sg", args.OutboundVpcID, "outbound", "DNS to the inbound endpoint only", opt)
	if err != nil {
		return err
	}
	if err := dnsBetween(ctx, name, inboundSG, outboundSG, args.Peerings, opt); err != nil {
		return err
	}
	inbound, err := resolverEndpoint(ctx, name+"-inbound", "INBOUND", inboundSG, args.APISubnetIDs, opt)
	if err != nil {
		return err
	}
	outbound, err := resolverEndpoint(ctx, name+"-outbound", "OUTBOUND", outboundSG, args.OutboundSubnetIDs, opt)
	if err != nil {
		return err
	}
	rule, err := route53.NewResolverRule(ctx, name+"-forward-api", &route53.ResolverRuleArgs{
		// Exactly this API's host: a rule for the whole execute-api domain would send every other
		// team's public API through the private endpoint, where it answers 403.
		DomainName:         args.Host,
		RuleType:           pulumi.String("FORWARD"),
		ResolverEndpointId: outbound.ID(),
		TargetIps: inbound.IpAddresses.ApplyT(func(ips []route53.ResolverEndpointIpAddress) []route53.ResolverRuleTargetIp {
			targets := make([]route53.ResolverRuleTargetIp, 0, len(ips))
			for _, ip := range ips {
				targets = append(targets, route53.ResolverRuleTargetIp{Ip: ip.Ip, Port: pulumi.IntRef(53), Protocol: pulumi.StringRef("Do53")})
			}
			return targets
		}).(route53.ResolverRuleTargetIpArrayOutput),
		Tags: tags(ctx, name+"-forward-api"),
	}, opt)
	if err != nil {
		return err
	}
	// Consumers only: associating the rule with the API VPC, home of its target, would loop.
	for i, vpcID := range args.ConsumerVpcIDs {
		if _, err := route53.NewResolverRuleAssociation(ctx, fmt.Sprintf("%s-forward-api-%d", name, i), &route53.ResolverRuleAssociationArgs{
			ResolverRuleId: rule.ID(),
			VpcId:          vpcID,
		}, opt); err != nil {
			return err
		}
	}
	c.InboundIPs = inbound.IpAddresses.ApplyT(func(ips []route53.ResolverEndpointIpAddress) []string {
		out := make([]string, 0, len(ips))
		for _, ip := range ips {
			if ip.Ip != nil {
				out = append(out, *ip.Ip)
			}
		}
		return out
	}).(pulumi.StringArrayOutput)
	c.RuleID = rule.ID().ToStringOutput()
	return nil
}

// dnsBetween is the only traffic the two resolver groups allow: DNS (tcp and udp 53) from the
// outbound endpoint's group to the inbound endpoint's.
func dnsBetween(ctx *pulumi.Context, name string, inboundSG, outboundSG *ec2.SecurityGroup, peerings []pulumi.Resource, opt pulumi.ResourceOption) error {
	// The two groups reference each other across the peering, which must be active first.
	ruleOpts := []pulumi.ResourceOption{opt, pulumi.DependsOn(peerings)}
	for _, proto := range []string{"tcp", "udp"} {
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-inbound-dns-"+proto, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           inboundSG.ID(),
			Description:               pulumi.String("DNS (" + proto + ") from the outbound resolver endpoint"),
			IpProtocol:                pulumi.String(proto),
			FromPort:                  pulumi.Int(53),
			ToPort:                    pulumi.Int(53),
			ReferencedSecurityGroupId: outboundSG.ID(),
			Tags:                      tags(ctx, name+"-inbound-dns-"+proto),
		}, ruleOpts...); err != nil {
			return err
		}
		if _, err := vpc.NewSecurityGroupEgressRule(ctx, name+"-outbound-dns-"+proto, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId:           outboundSG.ID(),
			Description:               pulumi.String("DNS (" + proto + ") to the inbound resolver endpoint"),
			IpProtocol:                pulumi.String(proto),
			FromPort:                  pulumi.Int(53),
			ToPort:                    pulumi.Int(53),
			ReferencedSecurityGroupId: inboundSG.ID(),
			Tags:                      tags(ctx, name+"-outbound-dns-"+proto),
		}, ruleOpts...); err != nil {
			return err
		}
	}
	return nil
}

// resolverGroup is the security group of one resolver endpoint; its only rules are the DNS rules
// between the two endpoints.
func resolverGroup(ctx *pulumi.Context, name string, vpcID pulumi.StringInput, direction, purpose string, opt pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	return ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       vpcID,
		Description: pulumi.String("Route 53 Resolver " + direction + " endpoint: " + purpose),
		Tags:        tags(ctx, name),
	}, opt)
}

// resolverEndpoint is a Do53 resolver endpoint in the given direction with one IP in each subnet.
func resolverEndpoint(ctx *pulumi.Context, name, direction string, sg *ec2.SecurityGroup, subnetIDs []pulumi.StringInput, opt pulumi.ResourceOption) (*route53.ResolverEndpoint, error) {
	ips := make(route53.ResolverEndpointIpAddressArray, len(subnetIDs))
	for i, id := range subnetIDs {
		ips[i] = route53.ResolverEndpointIpAddressArgs{SubnetId: id}
	}
	return route53.NewResolverEndpoint(ctx, name, &route53.ResolverEndpointArgs{
		Direction:        pulumi.String(direction),
		SecurityGroupIds: pulumi.StringArray{sg.ID()},
		IpAddresses:      ips,
		Protocols:        pulumi.StringArray{pulumi.String("Do53")},
		Tags:             tags(ctx, name),
	}, opt)
}

// privateZone answers the API host name in the peered consumer VPCs from a private hosted zone
// whose apex aliases the API VPC's execute-api endpoint, and in each endpoint consumer's VPC from a
// zone of its own (in its account) aliasing that consumer's endpoint. Only the API's host is in
// each zone, so every other execute-api name resolves publicly as before ("Private DNS" in
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
// recommends exactly this: private DNS off, a private hosted zone per private API).
func (c *PrivateDNS) privateZone(ctx *pulumi.Context, name string, args *PrivateDNSArgs) error {
	if len(args.ConsumerVpcIDs) > 0 {
		zoneID, err := c.aliasZone(ctx, name, "Private API host name for the consumer VPCs", args.Host, args.ConsumerVpcIDs,
			args.EndpointDNSName, args.EndpointZoneID)
		if err != nil {
			return err
		}
		c.ZoneID = zoneID
	}
	for _, cons := range args.EndpointConsumers {
		if _, err := c.aliasZone(ctx, name+"-"+cons.Name, "Private API host name for consumer "+cons.Name+", through its own endpoint",
			args.Host, []pulumi.StringInput{cons.VpcID}, cons.EndpointDNSName, cons.EndpointZoneID, in(cons.Provider)...); err != nil {
			return err
		}
	}
	return nil
}

// aliasZone registers a private hosted zone for host, associated with vpcIDs, whose apex is an
// alias of an endpoint's DNS entry.
func (c *PrivateDNS) aliasZone(ctx *pulumi.Context, name, comment string, host pulumi.StringInput, vpcIDs []pulumi.StringInput,
	targetName, targetZone pulumi.StringInput, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	opts = append([]pulumi.ResourceOption{pulumi.Parent(c)}, opts...)
	vpcs := make(route53.ZoneVpcArray, len(vpcIDs))
	for i, id := range vpcIDs {
		vpcs[i] = route53.ZoneVpcArgs{VpcId: id}
	}
	zone, err := route53.NewZone(ctx, name+"-zone", &route53.ZoneArgs{
		Name:    host,
		Comment: pulumi.String(comment),
		Vpcs:    vpcs,
		Tags:    tags(ctx, name+"-zone"),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := route53.NewRecord(ctx, name+"-api-alias", &route53.RecordArgs{
		ZoneId: zone.ZoneId,
		Name:   host,
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name:                 targetName,
			ZoneId:               targetZone,
			EvaluateTargetHealth: pulumi.Bool(false),
		}},
	}, opts...); err != nil {
		return pulumi.StringOutput{}, err
	}
	return zone.ZoneId, nil
}
