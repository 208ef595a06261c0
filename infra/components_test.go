package infra

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

var testAZs = []string{"eu-west-1a", "eu-west-1b"}

func apiNetworkArgs() *APINetworkArgs {
	return &APINetworkArgs{
		Cidr: "10.10.0.0/16", AZs: testAZs, SubnetPrefixLength: 24, ConsumerCidrs: []string{"10.20.0.0/16"},
		LogRetentionDays: 30, Region: spec.Region, AccountID: pulumi.String("123456789012"), Partition: commercial,
	}
}

func TestAPINetwork(t *testing.T) {
	t.Run("rejects_a_single_AZ_before_registering", func(t *testing.T) {
		args := apiNetworkArgs()
		args.AZs = testAZs[:1]
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewAPINetwork(ctx, "api", args); return err })
		if err == nil || !strings.Contains(err.Error(), "at least 2") || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
	t.Run("children_are_named_after_the_component", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			if _, err := NewAPINetwork(ctx, "one", apiNetworkArgs()); err != nil {
				return err
			}
			_, err := NewAPINetwork(ctx, "two", apiNetworkArgs())
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		for _, r := range e.Resources() {
			if r.Custom && !strings.HasPrefix(r.Name, "one-") && !strings.HasPrefix(r.Name, "two-") {
				t.Errorf("child %s is not named after its component", r.Name)
			}
		}
	})
	t.Run("subnets_carved_in_order_one_per_AZ", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewAPINetwork(ctx, "api", apiNetworkArgs()); return err })
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range e.OfType(mockengine.TypeSubnet) {
			got = append(got, spec.Str(s.Inputs, "availabilityZone")+"="+spec.Str(s.Inputs, "cidrBlock"))
		}
		if want := []string{"eu-west-1a=10.10.0.0/24", "eu-west-1b=10.10.1.0/24"}; !slices.Equal(got, want) {
			t.Errorf("subnets %v, want %v", got, want)
		}
	})
	t.Run("dynamodb_gateway_endpoint_on_the_private_route_table", func(t *testing.T) {
		args := apiNetworkArgs()
		args.TableArn = pulumi.String("arn:aws:dynamodb:eu-west-1:123456789012:table/claims")
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewAPINetwork(ctx, "api", args); return err })
		if err != nil {
			t.Fatal(err)
		}
		ep, ok := e.Named(mockengine.TypeVpcEndpoint, "api-dynamodb")
		if !ok || spec.Str(ep.Inputs, "vpcEndpointType") != "Gateway" || len(spec.List(ep.Inputs, "routeTableIds")) != 1 {
			t.Fatalf("no gateway endpoint on the private route table: %+v", ep.Inputs)
		}
	})
	t.Run("flow_logs_role_is_trusted_by_this_account_only", func(t *testing.T) {
		args := apiNetworkArgs()
		args.FlowLogs = true
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewAPINetwork(ctx, "api", args); return err })
		if err != nil {
			t.Fatal(err)
		}
		if len(e.OfType(mockengine.TypeFlowLog)) != 1 {
			t.Fatal("no flow log")
		}
		group := e.OfType(mockengine.TypeLogGroup)[0]
		if spec.Num(group.Inputs, "retentionInDays") != 30 {
			t.Errorf("flow log group retention %v", group.Inputs["retentionInDays"])
		}
		trust := spec.Policy(t, e.OfType(mockengine.TypeRole)[0], "assumeRolePolicy").Statement[0]
		if trust.Principal.Service[0] != "vpc-flow-logs.amazonaws.com" || trust.Condition["StringEquals"]["aws:SourceAccount"][0] != "123456789012" {
			t.Errorf("flow logs trust %+v", trust)
		}
		for _, a := range spec.Policy(t, e.OfType(mockengine.TypeRolePolicy)[0], "policy").Statement[0].Action {
			if strings.Contains(a, "*") {
				t.Errorf("flow logs policy action %q is a wildcard", a)
			}
		}
	})
}

func TestConsumerNetwork(t *testing.T) {
	t.Run("one_VPC_per_consumer_named_after_it", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := NewConsumerNetwork(ctx, "consumers", &ConsumerNetworkArgs{
				Consumers: []ConsumerVPCArgs{{Name: "app", Cidr: "10.20.0.0/16"}, {Name: "batch", Cidr: "10.30.0.0/16"}},
				AZs:       testAZs, SubnetPrefixLength: 24, LogRetentionDays: 30, AccountID: pulumi.String("123456789012"), Partition: commercial,
			})
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range e.OfType(mockengine.TypeVpc) {
			got = append(got, v.Name+"="+spec.Str(v.Inputs, "cidrBlock"))
		}
		if want := []string{"consumers-app-vpc=10.20.0.0/16", "consumers-batch-vpc=10.30.0.0/16"}; !slices.Equal(got, want) {
			t.Errorf("VPCs %v, want %v", got, want)
		}
		if n := len(e.OfType(mockengine.TypeSubnet)); n != 4 {
			t.Errorf("%d subnets, want 2 per consumer", n)
		}
	})
	t.Run("rejects_no_consumers", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := NewConsumerNetwork(ctx, "consumers", &ConsumerNetworkArgs{AZs: testAZs, SubnetPrefixLength: 24, Partition: commercial})
			return err
		})

		if err == nil || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
}

func TestPeering(t *testing.T) {
	t.Run("routes_each_side_to_the_other_range_on_its_own_table", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := NewPeering(ctx, "peer", &PeeringArgs{
				API:      PeeringSide{VpcID: pulumi.String("vpc-api"), Cidr: "10.10.0.0/16", RouteTableID: pulumi.String("rtb-api")},
				Consumer: PeeringSide{VpcID: pulumi.String("vpc-c"), Cidr: "10.20.0.0/16", RouteTableID: pulumi.String("rtb-c")},
			})
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range e.OfType(mockengine.TypeRoute) {
			got = append(got, spec.Str(r.Inputs, "routeTableId")+"->"+spec.Str(r.Inputs, "destinationCidrBlock"))
		}
		slices.Sort(got)
		if want := []string{"rtb-api->10.20.0.0/16", "rtb-c->10.10.0.0/16"}; !slices.Equal(got, want) {
			t.Errorf("routes %v, want %v", got, want)
		}
		pcx := e.OfType(mockengine.TypePeering)[0]
		if spec.Str(pcx.Inputs, "vpcId") != "vpc-c" || spec.Str(pcx.Inputs, "peerVpcId") != "vpc-api" {
			t.Errorf("peering %v does not join the consumer to the API VPC", pcx.Inputs)
		}
	})
}

func TestPrivateDNS(t *testing.T) {
	subnets := []pulumi.StringInput{pulumi.String("subnet-a"), pulumi.String("subnet-b")}
	args := func(mode DNSMode) *PrivateDNSArgs {
		return &PrivateDNSArgs{
			Mode: mode, Host: pulumi.String("abc123.execute-api.eu-west-1.amazonaws.com"),
			APIVpcID: pulumi.String("vpc-api"), APISubnetIDs: subnets,
			ConsumerVpcIDs: []pulumi.StringInput{pulumi.String("vpc-c1"), pulumi.String("vpc-c2")},
			OutboundVpcID:  pulumi.String("vpc-c1"), OutboundSubnetIDs: subnets,
			EndpointDNSName: pulumi.String("vpce-1.execute-api.eu-west-1.vpce.amazonaws.com"), EndpointZoneID: pulumi.String("Z1"),
		}
	}
	t.Run("rejects_resolver_with_one_subnet", func(t *testing.T) {
		a := args(DNSResolver)
		a.APISubnetIDs = subnets[:1]
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewPrivateDNS(ctx, "dns", a); return err })
		if err == nil || !strings.Contains(err.Error(), "at least 2 AZs") || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
	t.Run("rejects_unknown_mode", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := NewPrivateDNS(ctx, "dns", args("hosts-file")); return err })
		if err == nil || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
	t.Run("resolver_rule_is_for_the_given_host_and_every_consumer", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := NewPrivateDNS(ctx, "dns", args(DNSResolver))
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		rule := e.OfType(mockengine.TypeResolverRule)[0]
		if spec.Str(rule.Inputs, "domainName") != "abc123.execute-api.eu-west-1.amazonaws.com" {
			t.Errorf("rule domain %q", spec.Str(rule.Inputs, "domainName"))
		}
		var vpcs []string
		for _, a := range e.OfType(mockengine.TypeResolverRuleAssoc) {
			vpcs = append(vpcs, spec.Str(a.Inputs, "vpcId"))
		}
		slices.Sort(vpcs)
		if !slices.Equal(vpcs, []string{"vpc-c1", "vpc-c2"}) {
			t.Errorf("rule associated with %v", vpcs)
		}
	})
	t.Run("private_zone_covers_every_consumer", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := NewPrivateDNS(ctx, "dns", args(DNSPrivateZone))
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		zone := e.OfType(mockengine.TypeZone)[0]
		if len(spec.List(zone.Inputs, "vpcs")) != 2 {
			t.Errorf("zone VPCs %v", zone.Inputs["vpcs"])
		}
	})
}
