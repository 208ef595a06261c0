package infra

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/cidr"
)

// APINetworkArgs shapes the VPC that hosts the API's endpoint, the functions and the inbound resolver.
type APINetworkArgs struct {
	// Cidr is the VPC's IPv4 range.
	Cidr string
	// AZs are the availability zones of the private subnets, one subnet each (at least 2).
	AZs []string
	// SubnetPrefixLength is the size of each private subnet, carved from the start of Cidr.
	SubnetPrefixLength int
	// ConsumerCidrs may reach the execute-api endpoint on 443, besides the VPC itself.
	ConsumerCidrs []string
	// FlowLogs turns on VPC flow logs to CloudWatch with LogRetentionDays.
	FlowLogs         bool
	LogRetentionDays int
	// LogKeyArn, when set, encrypts the flow-log group with the stack's key.
	LogKeyArn pulumi.StringInput
	Region    string
	Partition Partition
	AccountID pulumi.StringInput
	// TableArn, when set, adds a DynamoDB gateway endpoint whose policy admits only that table.
	TableArn pulumi.StringInput
}

// APINetwork is the API VPC: private subnets, the execute-api interface endpoint and its security group.
type APINetwork struct {
	pulumi.ResourceState

	// VpcID is the API VPC.
	VpcID pulumi.IDOutput
	// Cidr is the API VPC's range.
	Cidr string
	// SubnetIDs are the private subnets, one per AZ.
	SubnetIDs pulumi.StringArrayOutput
	// RouteTableID is the private route table every subnet uses.
	RouteTableID pulumi.IDOutput
	// EndpointID is the execute-api interface endpoint the API admits.
	EndpointID pulumi.IDOutput
	// EndpointDNSNames are the endpoint's own regional and zonal DNS names.
	EndpointDNSNames pulumi.StringArrayOutput
	// EndpointDNSName and EndpointZoneID are the regional entry, the target of an alias record.
	EndpointDNSName pulumi.StringOutput
	EndpointZoneID  pulumi.StringOutput
	// EndpointSecurityGroupID guards the endpoint (443 from the VPC and consumers only).
	EndpointSecurityGroupID pulumi.IDOutput
	// DynamoDBPrefixListID is the gateway endpoint's prefix list, the only egress functions need
	// to reach the table (empty without TableArn).
	DynamoDBPrefixListID pulumi.StringOutput
	// DynamoDBEndpointID is the gateway endpoint (empty without TableArn).
	DynamoDBEndpointID pulumi.StringOutput
}

func (a *APINetworkArgs) validate() error {
	if len(a.AZs) < 2 {
		return fmt.Errorf("APINetwork: %d availability zones given: interface endpoints need at least 2", len(a.AZs))
	}
	if a.Region == "" {
		return errors.New("APINetwork: Region is required")
	}
	if err := a.Partition.validate(); err != nil {
		return fmt.Errorf("APINetwork: %w", err)
	}
	return nil
}

// NewAPINetwork registers the API VPC and its endpoint.
func NewAPINetwork(ctx *pulumi.Context, name string, args *APINetworkArgs, opts ...pulumi.ResourceOption) (*APINetwork, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	subnetCidrs, err := cidr.Subnets(args.Cidr, args.SubnetPrefixLength, len(args.AZs))
	if err != nil {
		return nil, fmt.Errorf("APINetwork %s: %w", name, err)
	}
	c := &APINetwork{Cidr: args.Cidr}
	if err := ctx.RegisterComponentResource(typeToken("APINetwork"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	net, err := newPrivateVPC(ctx, name, privateVPCArgs{
		cidr: args.Cidr, subnetCidrs: subnetCidrs, azs: args.AZs,
		flowLogs: args.FlowLogs, retention: args.LogRetentionDays, accountID: args.AccountID,
		region: args.Region, logKeyArn: args.LogKeyArn, partition: args.Partition,
	}, c)
	if err != nil {
		return nil, err
	}

	sg, err := executeAPISecurityGroup(ctx, name, net, args, opt)
	if err != nil {
		return nil, err
	}
	endpoint, err := executeAPIEndpoint(ctx, name, net, sg, args, opt)
	if err != nil {
		return nil, err
	}
	c.DynamoDBPrefixListID = pulumi.String("").ToStringOutput()
	c.DynamoDBEndpointID = pulumi.String("").ToStringOutput()
	if args.TableArn != nil {
		gateway, err := dynamoDBEndpoint(ctx, name, net, args, opt)
		if err != nil {
			return nil, err
		}
		c.DynamoDBPrefixListID = gateway.PrefixListId
		c.DynamoDBEndpointID = gateway.ID().ToStringOutput()
	}

	c.VpcID = net.vpc.ID()
	c.SubnetIDs = net.subnetIDs().ToStringArrayOutput()
	c.RouteTableID = net.routeTable.ID()
	c.EndpointID = endpoint.ID()
	c.EndpointSecurityGroupID = sg.ID()
	c.EndpointDNSNames = endpointDNSNames(endpoint)
	c.EndpointDNSName = endpoint.DnsEntries.Index(pulumi.Int(0)).DnsName().Elem()
	c.EndpointZoneID = endpoint.DnsEntries.Index(pulumi.Int(0)).HostedZoneId().Elem()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vpcId":            c.VpcID,
		"subnetIds":        c.SubnetIDs,
		"endpointId":       c.EndpointID,
		"endpointDnsNames": c.EndpointDNSNames,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// executeAPISecurityGroup registers the execute-api endpoint's security group: HTTPS from the API
// VPC and the consumer VPCs only.
func executeAPISecurityGroup(ctx *pulumi.Context, name string, net *privateVPC, args *APINetworkArgs, opt pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	ingress := ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
		Description: pulumi.String("HTTPS from the API VPC"),
		Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
		CidrBlocks: pulumi.StringArray{pulumi.String(args.Cidr)},
	}}
	for _, cidr := range args.ConsumerCidrs {
		ingress = append(ingress, ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from consumer VPC " + cidr),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(cidr)},
		})
	}
	// No egress rules: the endpoint only answers connections, which security groups allow back statefully.
	return ec2.NewSecurityGroup(ctx, name+"-execute-api-sg", &ec2.SecurityGroupArgs{
		VpcId:       net.vpc.ID(),
		Description: pulumi.String("execute-api endpoint: HTTPS from the API VPC and consumer VPCs only"),
		Ingress:     ingress,
		Tags:        tags(ctx, name+"-execute-api-sg"),
	}, opt)
}

// executeAPIEndpoint registers the execute-api interface endpoint, with private DNS, in every subnet.
func executeAPIEndpoint(ctx *pulumi.Context, name string, net *privateVPC, sg *ec2.SecurityGroup, args *APINetworkArgs, opt pulumi.ResourceOption) (*ec2.VpcEndpoint, error) {
	return ec2.NewVpcEndpoint(ctx, name+"-execute-api", &ec2.VpcEndpointArgs{
		VpcId:           net.vpc.ID(),
		ServiceName:     pulumi.String(args.Partition.InterfaceEndpointService(args.Region, "execute-api")),
		VpcEndpointType: pulumi.String("Interface"),
		// Private DNS makes the API host name resolve to the endpoint inside this VPC; the inbound
		// resolver answers consumers from here.
		PrivateDnsEnabled: pulumi.Bool(true),
		SubnetIds:         net.subnetIDs(),
		SecurityGroupIds:  pulumi.StringArray{sg.ID()},
		// The policy names this API and its callers, which depend on this endpoint: EndpointPolicies
		// attaches it as a resource of its own.
		Tags: tags(ctx, name+"-execute-api"),
	}, opt)
}

// dynamoDBEndpoint registers the DynamoDB gateway endpoint on the private route table.
func dynamoDBEndpoint(ctx *pulumi.Context, name string, net *privateVPC, args *APINetworkArgs, opt pulumi.ResourceOption) (*ec2.VpcEndpoint, error) {
	return ec2.NewVpcEndpoint(ctx, name+"-dynamodb", &ec2.VpcEndpointArgs{
		VpcId:           net.vpc.ID(),
		ServiceName:     pulumi.String(args.Partition.GatewayEndpointService(args.Region, "dynamodb")),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   pulumi.StringArray{net.routeTable.ID()},
		// The policy names the function roles, which depend on this endpoint: EndpointPolicies
		// attaches it as a resource of its own.
		Tags: tags(ctx, name+"-dynamodb"),
	}, opt)
}

// endpointDNSNames are an interface endpoint's regional and zonal DNS names.
func endpointDNSNames(endpoint *ec2.VpcEndpoint) pulumi.StringArrayOutput {
	return endpoint.DnsEntries.ApplyT(func(entries []ec2.VpcEndpointDnsEntry) []string {
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if e.DnsName != nil {
				names = append(names, *e.DnsName)
			}
		}
		return names
	}).(pulumi.StringArrayOutput)
}
