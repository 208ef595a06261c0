package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/cidr"
)

// ConsumerVPCArgs is one consumer VPC.
type ConsumerVPCArgs struct {
	// Name is unique among consumers and part of every child's name.
	Name string
	// Cidr is the VPC's IPv4 range; a peered one must not overlap the API VPC or another peered one.
	Cidr string
	// Endpoint gives the VPC an execute-api interface endpoint of its own instead of a peering.
	Endpoint bool
	// Account, when set, is another account: Provider creates every resource of this consumer there,
	// and its flow logs use CloudWatch Logs' own encryption (the stack's key is the API account's).
	Account  string
	Provider pulumi.ProviderResource
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
	// Region and LogKeyArn (optional: the stack's key) shape the flow logs.
	Region    string
	LogKeyArn pulumi.StringInput
	Partition Partition
	// TestClient, when set, adds the test instance and the SSM endpoints it needs to the first VPC.
	TestClient *TestClientArgs
}

// TestClientArgs configures the test instance: small, arm64, private, managed through SSM only.
type TestClientArgs struct {
	InstanceType string
	// AMI is the Amazon Linux 2023 arm64 image.
	AMI pulumi.StringInput
	// InstanceProfile holds the client role.
	InstanceProfile pulumi.StringInput
	// APICidr is where the client's HTTPS goes (the execute-api endpoint).
	APICidr string
	Region  string
}

// ConsumerVPC is one consumer VPC's handles for peering and DNS.
type ConsumerVPC struct {
	// Name and Cidr repeat the args, for the components that peer and resolve.
	Name string
	Cidr string
	// VpcID is the consumer VPC.
	VpcID pulumi.IDOutput
	// SubnetIDs are its private subnets, one per AZ.
	SubnetIDs pulumi.StringArray
	// RouteTableID is the private route table its subnets use.
	RouteTableID pulumi.IDOutput
	// Endpoint is the consumer's own execute-api endpoint; nil for a peered consumer.
	Endpoint *ConsumerEndpoint
	// Account and Provider repeat the args: "" and nil in the API's account.
	Account  string
	Provider pulumi.ProviderResource
}

// ConsumerEndpoint is an endpoint consumer's execute-api interface endpoint.
type ConsumerEndpoint struct {
	// ID is the endpoint, listed in the API's vpcEndpointIds and aws:SourceVpce.
	ID pulumi.IDOutput
	// DNSName and ZoneID are its regional DNS entry, the target of an alias record.
	DNSName pulumi.StringOutput
	ZoneID  pulumi.StringOutput
	// SecurityGroupID guards it: HTTPS from the consumer VPC only.
	SecurityGroupID pulumi.IDOutput
}

// ConsumerNetwork is the set of consumer VPCs: private subnets only, no internet path.
type ConsumerNetwork struct {
	pulumi.ResourceState

	// VPCs are the consumer VPCs in config order.
	VPCs []ConsumerVPC
	// VpcIDs are the consumer VPC ids in config order.
	VpcIDs pulumi.StringArrayOutput
	// TestInstanceID is the test client (empty without one).
	TestInstanceID pulumi.StringOutput
}

// NewConsumerNetwork registers every consumer VPC.
func NewConsumerNetwork(ctx *pulumi.Context, name string, args *ConsumerNetworkArgs, opts ...pulumi.ResourceOption) (*ConsumerNetwork, error) {
	if len(args.Consumers) == 0 {
		return nil, fmt.Errorf("ConsumerNetwork %s: no consumer VPCs given", name)
	}
	if err := args.Partition.validate(); err != nil {
		return nil, fmt.Errorf("ConsumerNetwork %s: %w", name, err)
	}
	subnets := make([][]string, len(args.Consumers))
	for i, cons := range args.Consumers {
		cidrs, err := cidr.Subnets(cons.Cidr, args.SubnetPrefixLength, len(args.AZs))
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
		accountID, logKey := args.AccountID, args.LogKeyArn
		if cons.Account != "" {
			accountID, logKey = pulumi.String(cons.Account), nil
		}
		net, err := newPrivateVPC(ctx, name+"-"+cons.Name, privateVPCArgs{
			cidr: cons.Cidr, subnetCidrs: subnets[i], azs: args.AZs,
			flowLogs: args.FlowLogs, retention: args.LogRetentionDays, accountID: accountID,
			region: args.Region, logKeyArn: logKey, partition: args.Partition,
		}, c, in(cons.Provider)...)
		if err != nil {
			return nil, err
		}
		subnetIDs := make(pulumi.StringArray, len(net.subnets))
		for j, s := range net.subnets {
			subnetIDs[j] = s.ID()
		}
		vpc := ConsumerVPC{
			Name: cons.Name, Cidr: cons.Cidr, VpcID: net.vpc.ID(), SubnetIDs: subnetIDs, RouteTableID: net.routeTable.ID(),
			Account: cons.Account, Provider: cons.Provider,
		}
		if cons.Endpoint {
			if vpc.Endpoint, err = newConsumerEndpoint(ctx, name+"-"+cons.Name, vpc, args.Region, args.Partition, c); err != nil {
				return nil, err
			}
		}
		c.VPCs = append(c.VPCs, vpc)
		ids = append(ids, net.vpc.ID())
	}
	c.VpcIDs = ids.ToStringArrayOutput()
	c.TestInstanceID = pulumi.String("").ToStringOutput()
	if args.TestClient != nil {
		id, err := newTestClient(ctx, name, c.VPCs[0], args.TestClient, args.AccountID, args.Partition, c)
		if err != nil {
			return nil, err
		}
		c.TestInstanceID = id
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"vpcIds": c.VpcIDs, "testInstanceId": c.TestInstanceID}); err != nil {
		return nil, err
	}
	return c, nil
}

// newConsumerEndpoint gives a consumer VPC its own execute-api interface endpoint: subnets in every
// AZ, a security group admitting HTTPS from that VPC only. Private DNS stays off, so every other
// *.execute-api name (other teams' public APIs) still resolves publicly in the VPC; callers use the
// endpoint-specific alias <apiId>-<vpceId>.execute-api.<region>.<dnsSuffix>, which AWS publishes once
// the API lists the endpoint in its vpcEndpointIds ("Invoke a private API using a Route53 alias",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html),
// or, with dns.mode privateZone, the API's own name from a zone in the VPC. An endpoint in another
// account reaches the API the same way: the resource policy admits "selected VPCs and VPC endpoints,
// including across AWS accounts" (https://docs.aws.amazon.com/apigateway/latest/developerguide/security-traffic-privacy.html;
// AWS's "Architecture patterns for consuming private APIs cross-account",
// https://aws.amazon.com/blogs/compute/architecture-patterns-for-consuming-private-apis-cross-account/).
func newConsumerEndpoint(ctx *pulumi.Context, prefix string, vpc ConsumerVPC, region string, partition Partition, parent pulumi.Resource) (*ConsumerEndpoint, error) {
	opts := append([]pulumi.ResourceOption{pulumi.Parent(parent)}, in(vpc.Provider)...)
	sg, err := ec2.NewSecurityGroup(ctx, prefix+"-execute-api-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.VpcID,
		Description: pulumi.String("execute-api endpoint: HTTPS from this consumer VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from consumer VPC " + vpc.Cidr),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(vpc.Cidr)},
		}},
		Tags: tags(ctx, prefix+"-execute-api-sg"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	endpoint, err := ec2.NewVpcEndpoint(ctx, prefix+"-execute-api", &ec2.VpcEndpointArgs{
		VpcId:             vpc.VpcID,
		ServiceName:       pulumi.String(partition.InterfaceEndpointService(region, "execute-api")),
		VpcEndpointType:   pulumi.String("Interface"),
		PrivateDnsEnabled: pulumi.Bool(false),
		SubnetIds:         vpc.SubnetIDs,
		SecurityGroupIds:  pulumi.StringArray{sg.ID()},
		// The policy names this API and its callers, which depend on this endpoint: EndpointPolicies
		// attaches it as a resource of its own.
		Tags: tags(ctx, prefix+"-execute-api"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &ConsumerEndpoint{
		ID:              endpoint.ID(),
		DNSName:         endpoint.DnsEntries.Index(pulumi.Int(0)).DnsName().Elem(),
		ZoneID:          endpoint.DnsEntries.Index(pulumi.Int(0)).HostedZoneId().Elem(),
		SecurityGroupID: sg.ID(),
	}, nil
}

// ssmEndpointServices are what the SSM agent needs to reach Systems Manager without the internet.
var ssmEndpointServices = []string{"ssm", "ssmmessages", "ec2messages"}

// newTestClient adds the instance and its SSM endpoints to one consumer VPC. It has no public IP,
// requires IMDSv2, encrypts its root volume and only speaks HTTPS to the API and SSM endpoints.
func newTestClient(ctx *pulumi.Context, name string, vpc ConsumerVPC, args *TestClientArgs, accountID pulumi.StringInput, partition Partition, parent pulumi.Resource) (pulumi.StringOutput, error) {
	opt := pulumi.Parent(parent)
	prefix := name + "-" + vpc.Name
	endpointSG, endpoints, err := ssmEndpoints(ctx, prefix, vpc, args, accountID, partition, opt)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	clientSG, err := testClientSecurityGroup(ctx, prefix, vpc, args, endpointSG, opt)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	instance, err := ec2.NewInstance(ctx, prefix+"-test-client", &ec2.InstanceArgs{
		Ami:                      args.AMI,
		InstanceType:             pulumi.String(args.InstanceType),
		SubnetId:                 vpc.SubnetIDs[0],
		VpcSecurityGroupIds:      pulumi.StringArray{clientSG.ID()},
		IamInstanceProfile:       args.InstanceProfile,
		AssociatePublicIpAddress: pulumi.Bool(false),
		MetadataOptions: ec2.InstanceMetadataOptionsArgs{
			HttpTokens:              pulumi.String("required"),
			HttpEndpoint:            pulumi.String("enabled"),
			HttpPutResponseHopLimit: pulumi.Int(1),
		},
		RootBlockDevice: ec2.InstanceRootBlockDeviceArgs{
			Encrypted:  pulumi.Bool(true),
			VolumeType: pulumi.String("gp3"),
		},
		Tags: tags(ctx, prefix+"-test-client"),
	}, opt, pulumi.DependsOn(endpoints),
		pulumi.IgnoreChanges([]string{"ami"})) // a newer image must not replace the instance on every up
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return instance.ID().ToStringOutput(), nil
}

// ssmEndpoints registers the SSM interface endpoints the test client needs, and their security
// group (HTTPS from this VPC only); each endpoint's policy admits this account only.
func ssmEndpoints(ctx *pulumi.Context, prefix string, vpc ConsumerVPC, args *TestClientArgs, accountID pulumi.StringInput, partition Partition, opt pulumi.ResourceOption) (*ec2.SecurityGroup, []pulumi.Resource, error) {
	endpointSG, err := ec2.NewSecurityGroup(ctx, prefix+"-ssm-endpoints-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.VpcID,
		Description: pulumi.String("SSM endpoints: HTTPS from this VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the consumer VPC"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(vpc.Cidr)},
		}},
		Tags: tags(ctx, prefix+"-ssm-endpoints-sg"),
	}, opt)
	if err != nil {
		return nil, nil, err
	}
	// The SSM agent registers at boot: started before its endpoints exist, it stays offline.
	var endpoints []pulumi.Resource
	for _, svc := range ssmEndpointServices {
		endpoint, err := ec2.NewVpcEndpoint(ctx, prefix+"-"+svc, &ec2.VpcEndpointArgs{
			VpcId:             vpc.VpcID,
			ServiceName:       pulumi.String(partition.InterfaceEndpointService(args.Region, svc)),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         vpc.SubnetIDs,
			SecurityGroupIds:  pulumi.StringArray{endpointSG.ID()},
			Policy:            accountOnlyEndpointPolicy([]string{svc + ":*"}, func(string) string { return "*" }, accountID),
			Tags:              tags(ctx, prefix+"-"+svc),
		}, opt)
		if err != nil {
			return nil, nil, err
		}
		endpoints = append(endpoints, endpoint)
	}
	return endpointSG, endpoints, nil
}

// testClientSecurityGroup registers the test client's security group: no ingress; HTTPS to the
// execute-api endpoint (the API VPC's, or this VPC's own) and to the SSM endpoints.
func testClientSecurityGroup(ctx *pulumi.Context, prefix string, vpc ConsumerVPC, args *TestClientArgs, endpointSG *ec2.SecurityGroup, opt pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	description := "Test client: no ingress; HTTPS to the API VPC and the SSM endpoints of this VPC"
	toAPI := ec2.SecurityGroupEgressArgs{
		Description: pulumi.String("HTTPS to the execute-api endpoint in the API VPC"),
		Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
		CidrBlocks: pulumi.StringArray{pulumi.String(args.APICidr)},
	}
	if vpc.Endpoint != nil {
		description = "Test client: no ingress; HTTPS to the execute-api and SSM endpoints of this VPC"
		toAPI = ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("HTTPS to the execute-api endpoint of this VPC"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			SecurityGroups: pulumi.StringArray{vpc.Endpoint.SecurityGroupID},
		}
	}
	return ec2.NewSecurityGroup(ctx, prefix+"-test-client-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.VpcID,
		Description: pulumi.String(description),
		Egress: ec2.SecurityGroupEgressArray{
			toAPI,
			ec2.SecurityGroupEgressArgs{
				Description: pulumi.String("HTTPS to the SSM endpoints"),
				Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
				SecurityGroups: pulumi.StringArray{endpointSG.ID()},
			},
		},
		Tags: tags(ctx, prefix+"-test-client-sg"),
	}, opt)
}
