package stack

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/directorydata"
	"github.com/example/private-api/internal/functionbuild"
	"github.com/example/private-api/internal/stackconfig"
)

// AmazonLinuxParameter is the public SSM parameter naming the current Amazon Linux 2023 arm64 image.
const AmazonLinuxParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

// Stack is everything one `pulumi up` builds.
type Stack struct {
	APINetwork      *infra.APINetwork
	ConsumerNetwork *infra.ConsumerNetwork
	Peerings        []*infra.Peering
	Table           *infra.Table
	Functions       map[string]*infra.GoFunction
	Client          *infra.ClientAccess
	API             *infra.PrivateAPI
	DNS             *infra.PrivateDNS
	Monitoring      *infra.Monitoring
	// Accounts are the providers of the other accounts consumers live in.
	Accounts  infra.AccountProviders
	cfg       stackconfig.Config
	partition infra.Partition
}

// Program is the Pulumi program with functions packaged by artifacts: load and validate config,
// build the stack, export its outputs. Config errors return before any resource is registered.
func Program(artifacts Artifacts) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, err := stackconfig.Load(ctx)
		if err != nil {
			return err
		}
		if err := cfg.CheckRoutes(infra.RouteKeys()); err != nil {
			return err
		}
		s, err := NewStack(ctx, cfg, artifacts)
		if err != nil {
			return err
		}
		s.Export(ctx)
		return nil
	}
}

// NewStack builds the whole stack from validated config: what it deploys is read first (packages,
// seed data, the account and its zones), then each concern registers its components in turn.
func NewStack(ctx *pulumi.Context, cfg stackconfig.Config, artifacts Artifacts) (*Stack, error) {
	b := &build{Stack: &Stack{cfg: cfg, Functions: map[string]*infra.GoFunction{}}, ctx: ctx, functionNames: functionbuild.Functions}
	if err := b.readPackages(artifacts); err != nil {
		return nil, err
	}
	if err := b.readAccount(); err != nil {
		return nil, err
	}
	for _, step := range []func() error{b.data, b.networks, b.functions, b.api, b.dns, b.monitoring} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.Stack, nil
}

// build is one run of NewStack: the stack so far (with its config and partition) and what its
// steps share.
type build struct {
	*Stack
	ctx           *pulumi.Context
	functionNames []string
	code          map[string]pulumi.Archive
	items         []string
	account       pulumi.StringInput
	azs           []string
	// stackKey is the customer-managed key every log group and the table share (CKV_AWS_158), or nil.
	stackKey pulumi.StringInput
	// What the networks step leaves for the API and DNS steps.
	peeringResources                    []pulumi.Resource
	consumerVpcIDs, consumerEndpointIDs []pulumi.StringInput
	peered                              []infra.ConsumerVPC
	targets                             map[string]infra.FunctionTarget
	functionRoles                       []pulumi.StringInput
}

// readPackages reads every function's package and the seed data: a missing binary or a bad
// directory file stops the deploy before anything is created.
func (b *build) readPackages(artifacts Artifacts) error {
	b.code = map[string]pulumi.Archive{}
	for _, name := range b.functionNames {
		archive, err := artifacts.Archive(name)
		if err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
		b.code[name] = archive
	}
	items, err := directorydata.TableItems()
	if err != nil {
		return fmt.Errorf("employee directory data: %w", err)
	}
	b.items = items
	return nil
}

// readAccount reads the account, its partition and its zones, and checks the config against them.
func (b *build) readAccount() error {
	ctx, cfg := b.ctx, b.cfg
	caller, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return fmt.Errorf("reading the AWS account: %w", err)
	}
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
	if err != nil {
		return fmt.Errorf("listing availability zones: %w", err)
	}
	if len(zones.Names) < cfg.Network.AZCount {
		return fmt.Errorf("config %s:network.azCount is %d but %s has %d available zones: lower azCount", stackconfig.Project, cfg.Network.AZCount, cfg.Region, len(zones.Names))
	}
	b.azs = zones.Names[:cfg.Network.AZCount]
	partition, err := infra.ReadPartition(ctx)
	if err != nil {
		return err
	}
	b.partition, b.account = partition, pulumi.String(caller.AccountId)
	for i, c := range cfg.Consumers {
		if c.AccountID() == caller.AccountId {
			return fmt.Errorf("config %s:consumers[%d].account: %s is the account this stack deploys to: leave account out for a consumer of the API's own account", stackconfig.Project, i, c.AccountID())
		}
	}
	return nil
}

// data registers the other accounts' providers, the table and its key.
func (b *build) data() error {
	s, cfg, ctx, account, partition := b.Stack, b.cfg, b.ctx, b.account, b.partition
	var err error
	roles := map[string]string{} // validated: one role per account, of that account
	for _, c := range cfg.Consumers {
		if c.Account != nil {
			roles[c.Account.ID] = c.Account.RoleArn
		}
	}
	if s.Accounts, err = infra.NewAccountProviders(ctx, roles, cfg.Region); err != nil {
		return err
	}
	customerManaged := cfg.Table.Encryption == stackconfig.EncryptionCustomerManaged
	if s.Table, err = infra.NewTable(ctx, "data", &infra.TableArgs{
		DeletionProtection: cfg.Table.DeletionProtection, Protect: cfg.Table.Protect,
		CustomerManagedKey: customerManaged, Items: b.items,
		LogGroups: stackLogGroups(ctx, cfg), AccountID: account, Region: cfg.Region, Partition: partition,
		AdminPrincipals: cfg.Table.AdminPrincipals, FunctionRoles: functionRoleGlobs(),
		AlarmTopicName: infra.AlarmTopicName(ctx),
	}); err != nil {
		return err
	}
	if customerManaged {
		b.stackKey = s.Table.KeyArn
	}
	return nil
}

// networks registers the API VPC, the client roles, the consumer VPCs and the peerings.
func (b *build) networks() error {
	s, cfg, ctx, account, partition, stackKey := b.Stack, b.cfg, b.ctx, b.account, b.partition, b.stackKey
	var err error
	azs := b.azs
	var consumerCidrs []string // the peered ones: only they reach the API VPC's endpoint
	consumerArgs := make([]infra.ConsumerVPCArgs, len(cfg.Consumers))
	for i, c := range cfg.Consumers {
		if c.Peered() {
			consumerCidrs = append(consumerCidrs, c.Cidr)
		}
		consumerArgs[i] = infra.ConsumerVPCArgs{Name: c.Name, Cidr: c.Cidr, Endpoint: !c.Peered(),
			Account: c.AccountID(), Provider: s.Accounts.Of(c.AccountID())}
	}
	if s.APINetwork, err = infra.NewAPINetwork(ctx, "api", &infra.APINetworkArgs{
		Cidr: cfg.Network.APIVpcCidr, AZs: azs, SubnetPrefixLength: cfg.Network.SubnetPrefixLength,
		ConsumerCidrs: consumerCidrs, FlowLogs: cfg.Network.FlowLogs, LogRetentionDays: cfg.Logs.RetentionDays,
		LogKeyArn: stackKey, Region: cfg.Region, Partition: partition, AccountID: account,
		TableArn: s.Table.Arn,
	}); err != nil {
		return err
	}

	clientArgs := &infra.ClientAccessArgs{AccountID: account, Partition: partition}
	for _, cl := range cfg.Clients {
		cons, _ := cfg.ConsumerNamed(cl.Consumer)
		clientArgs.Clients = append(clientArgs.Clients, infra.ClientArgs{
			Name: cl.Name, Routes: infra.RoutesNamed(cl.Routes), TrustedPrincipals: cl.TrustedPrincipals, IAMUser: cl.IAMUser,
			Account: cons.AccountID(), Provider: s.Accounts.Of(cons.AccountID()),
		})
	}
	if cfg.Client.TestInstance {
		clientArgs.TestInstanceRoutes = infra.RoutesNamed(infra.TestClientRoutes)
	}
	if s.Client, err = infra.NewClientAccess(ctx, "client", clientArgs); err != nil {
		return err
	}
	consumerNetArgs := &infra.ConsumerNetworkArgs{
		Consumers: consumerArgs, AZs: azs, SubnetPrefixLength: cfg.Network.SubnetPrefixLength,
		FlowLogs: cfg.Network.FlowLogs, LogRetentionDays: cfg.Logs.RetentionDays, AccountID: account,
		Region: cfg.Region, LogKeyArn: stackKey, Partition: partition,
	}
	if cfg.Client.TestInstance {
		ami, err := ssm.LookupParameter(ctx, &ssm.LookupParameterArgs{Name: AmazonLinuxParameter})
		if err != nil {
			return fmt.Errorf("looking up the Amazon Linux 2023 arm64 image: %w", err)
		}
		consumerNetArgs.TestClient = &infra.TestClientArgs{
			InstanceType: cfg.Client.InstanceType, AMI: pulumi.String(ami.Value),
			InstanceProfile: s.Client.InstanceProfileName, APICidr: cfg.Network.APIVpcCidr, Region: cfg.Region,
		}
	}
	if s.ConsumerNetwork, err = infra.NewConsumerNetwork(ctx, "consumers", consumerNetArgs); err != nil {
		return err
	}
	// Peered consumers get a peering each; endpoint consumers reach the API through their own
	// endpoint: no peering, route, resolver rule or association.
	for _, v := range s.ConsumerNetwork.VPCs {
		if v.Endpoint != nil {
			b.consumerEndpointIDs = append(b.consumerEndpointIDs, v.Endpoint.ID)
			continue
		}
		p, err := infra.NewPeering(ctx, "peer-"+v.Name, &infra.PeeringArgs{
			API:      infra.PeeringSide{VpcID: s.APINetwork.VpcID, Cidr: cfg.Network.APIVpcCidr, RouteTableID: s.APINetwork.RouteTableID},
			Consumer: infra.PeeringSide{VpcID: v.VpcID, Cidr: v.Cidr, RouteTableID: v.RouteTableID},
		})
		if err != nil {
			return err
		}
		s.Peerings = append(s.Peerings, p)
		b.peeringResources = append(b.peeringResources, p.Connection)
		b.consumerVpcIDs = append(b.consumerVpcIDs, v.VpcID)
		b.peered = append(b.peered, v)
	}
	return nil
}

// functions registers each function of the catalogue with its alias live.
func (b *build) functions() error {
	s, cfg, ctx, account, partition, stackKey := b.Stack, b.cfg, b.ctx, b.account, b.partition, b.stackKey
	var err error
	b.targets = map[string]infra.FunctionTarget{}
	for _, name := range b.functionNames {
		pin := cfg.Functions.PinnedVersions[name]
		serving := ""
		if cfg.Functions.CanaryPercent > 0 && pin == 0 {
			if serving, err = servingVersion(ctx, infra.DeployedFunctionName(ctx, name)); err != nil {
				return err
			}
		}
		args := &infra.GoFunctionArgs{
			PinnedVersion: pin, CanaryPercent: cfg.Functions.CanaryPercent, ServingVersion: serving,
			Settings: infra.ReleaseSettings{
				Pin:    stackconfig.Problem{Key: "functions.pinnedVersions." + name}.Setting(),
				Canary: stackconfig.Problem{Key: "functions.canaryPercent"}.Setting(),
			},
			Code: b.code[name], MemoryMB: cfg.Functions.MemoryMB, TimeoutSeconds: cfg.Functions.TimeoutSeconds,
			ReservedConcurrency: cfg.Functions.ReservedConcurrency, LogRetentionDays: cfg.Logs.RetentionDays,
			VpcID: s.APINetwork.VpcID, SubnetIDs: s.APINetwork.SubnetIDs,
			TableName: s.Table.Name, TableArn: s.Table.Arn, TableGrants: functionTableAccess[name],
			TableKeyArn: stackKey, LogKeyArn: stackKey,
			DynamoDBPrefixListID: s.APINetwork.DynamoDBPrefixListID, AccountID: account, Region: cfg.Region, Partition: partition,
		}
		fn, err := infra.NewGoFunction(ctx, name, args)
		if err != nil {
			return err
		}
		s.Functions[name] = fn
		b.targets[name] = infra.FunctionTarget{Name: fn.FunctionName, Qualifier: fn.AliasName, InvokeArn: fn.InvokeArn}
	}
	return nil
}

// api registers the private API and the policies that guard it and the table: the table's
// resource policy and the endpoints' policies.
func (b *build) api() error {
	s, cfg, ctx, account, partition, stackKey := b.Stack, b.cfg, b.ctx, b.account, b.partition, b.stackKey
	var err error
	if s.API, err = infra.NewPrivateAPI(ctx, "private", &infra.PrivateAPIArgs{
		Region: cfg.Region, Partition: partition, AccountID: account, EndpointID: s.APINetwork.EndpointID,
		ConsumerEndpointIDs: b.consumerEndpointIDs, Routes: infra.Routes, Functions: b.targets, Callers: s.Client.Callers,
		AllowedSourceCidrs: cfg.API.AllowedSourceCidrs, StageName: cfg.API.StageName,
		LoggingLevel: cfg.API.LoggingLevel, ThrottlingRate: cfg.API.ThrottlingRateLimit,
		ThrottlingBurst: cfg.API.ThrottlingBurstLimit, LogRetentionDays: cfg.Logs.RetentionDays, LogKeyArn: stackKey,
		ReservedConcurrency:      cfg.Functions.ReservedConcurrency,
		ManageAccountLoggingRole: cfg.API.ManageAccountLoggingRole,
	}); err != nil {
		return err
	}

	for _, name := range b.functionNames {
		if len(functionTableAccess[name]) > 0 {
			b.functionRoles = append(b.functionRoles, s.Functions[name].RoleArn)
		}
	}
	if _, err := infra.NewTablePolicy(ctx, "data-access", &infra.TablePolicyArgs{
		TableArn: s.Table.Arn, AccountID: account, AdminPrincipals: cfg.Table.AdminPrincipals, FunctionRoleArns: b.functionRoles,
	}); err != nil {
		return err
	}
	// Each endpoint admits the callers of its own account: the API VPC's and the same-account
	// consumers' those of the API's account, another account's consumer endpoint that account's.
	var consumerPolicies []infra.ConsumerEndpointPolicyArgs
	for _, v := range s.ConsumerNetwork.VPCs {
		if v.Endpoint == nil {
			continue
		}
		accountID := pulumi.StringInput(account)
		if v.Account != "" {
			accountID = pulumi.String(v.Account)
		}
		consumerPolicies = append(consumerPolicies, infra.ConsumerEndpointPolicyArgs{
			Name: v.Name, EndpointID: v.Endpoint.ID, AccountID: accountID,
			CallerArns: infra.CallerArns(s.Client.Callers, v.Account), Provider: v.Provider,
		})
	}
	if _, err := infra.NewEndpointPolicies(ctx, "endpoints", &infra.EndpointPoliciesArgs{
		AccountID:            account,
		ExecuteAPIEndpointID: s.APINetwork.EndpointID, ExecutionArn: s.API.ExecutionArn, CallerArns: infra.CallerArns(s.Client.Callers, ""),
		DynamoDBEndpointID: s.APINetwork.DynamoDBEndpointID, TableArn: s.Table.Arn,
		TableActions: unionActions(functionTableAccess), FunctionRoleArns: b.functionRoles,
		Consumers: consumerPolicies,
	}); err != nil {
		return err
	}
	return nil
}

// dns registers how consumers resolve the API's host name.
func (b *build) dns() error {
	s, cfg, ctx := b.Stack, b.cfg, b.ctx
	var err error
	apiSubnets := make([]pulumi.StringInput, cfg.Network.AZCount)
	for i := range apiSubnets {
		apiSubnets[i] = s.APINetwork.SubnetIDs.Index(pulumi.Int(i))
	}
	dnsArgs := &infra.PrivateDNSArgs{
		Mode: infra.DNSMode(cfg.DNS.Mode), Host: s.API.Host,
		APIVpcID: s.APINetwork.VpcID, APISubnetIDs: apiSubnets,
		ConsumerVpcIDs:  b.consumerVpcIDs,
		EndpointDNSName: s.APINetwork.EndpointDNSName, EndpointZoneID: s.APINetwork.EndpointZoneID,
		Peerings: b.peeringResources,
	}
	if len(b.peered) > 0 { // the outbound endpoint serves the peered VPCs from the first of them
		dnsArgs.OutboundVpcID, dnsArgs.OutboundSubnetIDs = b.peered[0].VpcID, b.peered[0].SubnetIDs
	}
	for _, v := range s.ConsumerNetwork.VPCs {
		if v.Endpoint != nil {
			dnsArgs.EndpointConsumers = append(dnsArgs.EndpointConsumers, infra.DNSEndpointConsumer{
				Name: v.Name, VpcID: v.VpcID, EndpointDNSName: v.Endpoint.DNSName, EndpointZoneID: v.Endpoint.ZoneID, Provider: v.Provider,
			})
		}
	}
	if s.DNS, err = infra.NewPrivateDNS(ctx, "dns", dnsArgs); err != nil {
		return err
	}
	return nil
}

// monitoring registers the alarms, their topic and the dashboard.
func (b *build) monitoring() error {
	s, cfg, ctx, account, partition, stackKey := b.Stack, b.cfg, b.ctx, b.account, b.partition, b.stackKey
	var err error
	monitored := make([]infra.MonitoredFunction, len(b.functionNames))
	for i, name := range b.functionNames {
		monitored[i] = infra.MonitoredFunction{Name: name, FunctionName: s.Functions[name].FunctionName, TimeoutSeconds: cfg.Functions.TimeoutSeconds}
	}
	if s.Monitoring, err = infra.NewMonitoring(ctx, "monitoring", &infra.MonitoringArgs{
		Region: cfg.Region, Partition: partition, AccountID: account,
		TopicName: infra.AlarmTopicName(ctx), KeyArn: stackKey, Alarms: infra.AlarmThresholds(cfg.Alarms),
		API: infra.MonitoredAPI{Name: s.API.Name, Stage: cfg.API.StageName}, Functions: monitored,
		Table: infra.MonitoredTable{Name: s.Table.Name, Operations: tableOperations(functionTableAccess)},
	}); err != nil {
		return err
	}
	return nil
}

// servingVersion is the version the alias live of a deployed function serves now (its main
// version), read with GetAlias; "" when the function or its alias does not exist yet. A canary keeps
// that version for most of the traffic: it is the one that served before this deploy.
func servingVersion(ctx *pulumi.Context, function string) (string, error) {
	alias, err := lambda.LookupAlias(ctx, &lambda.LookupAliasArgs{FunctionName: function, Name: infra.LiveAlias})
	if err != nil {
		if aliasNotFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("function %s: reading the version its alias %s serves, which functions.canaryPercent keeps for most of the traffic (the deployer needs lambda:GetAlias): %w", function, infra.LiveAlias, err)
	}
	return alias.FunctionVersion, nil
}

// aliasNotFound reads a failed alias lookup as "no alias yet". An invoke's error reaches the program
// as text only: Lambda answers a missing function or alias with ResourceNotFoundException
// (https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html), which the provider's data
// source reports as "reading Lambda Alias: couldn't find resource" (hashicorp/terraform-provider-aws
// internal/service/lambda/alias_data_source.go wraps it in a NotFoundError, whose text is that),
// and older provider versions with the AWS error code itself.
func aliasNotFound(err error) bool {
	text := err.Error()
	return strings.Contains(text, "ResourceNotFoundException") || strings.Contains(text, "couldn't find resource")
}

// tableOperations are the DynamoDB operations the functions call (GetItem, Query, ...): the
// Operation dimension of the table's per-operation metrics.
func tableOperations(byFunction map[string][]infra.TableGrant) []string {
	actions := unionActions(byFunction)
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = strings.TrimPrefix(a, "dynamodb:")
	}
	return out
}

// functionRoleGlobs match the names Pulumi gives the roles of functions with table access
// ("claims-role-1a2b3c4"): the key policy exists before the roles do.
func functionRoleGlobs() []string {
	var globs []string
	for _, name := range functionbuild.Functions {
		if len(functionTableAccess[name]) > 0 {
			globs = append(globs, name+"-role-*")
		}
	}
	return globs
}

// stackLogGroups are the names (globs) of every log group the stack creates, for the key policy:
// the functions', the stage's access and execution logs, and each VPC's flow logs. Groups that
// Pulumi names get a random suffix, hence the trailing globs.
func stackLogGroups(ctx *pulumi.Context, cfg stackconfig.Config) []string {
	groups := append(infra.FunctionLogGroups(ctx, functionbuild.Functions), "private-access-logs-*",
		"API-Gateway-Execution-Logs_*/"+cfg.API.StageName)
	if cfg.Network.FlowLogs {
		groups = append(groups, "api-flow-logs-*")
		for _, c := range cfg.Consumers {
			if c.Account == nil { // another account's flow logs use CloudWatch Logs' own key
				groups = append(groups, "consumers-"+c.Name+"-flow-logs-*")
			}
		}
	}
	return groups
}

// unionActions lists every table action any function uses, for the gateway endpoint policy.
func unionActions(byFunction map[string][]infra.TableGrant) []string {
	var all []infra.TableGrant
	for _, grants := range byFunction {
		all = append(all, grants...)
	}
	return infra.GrantedActions(all)
}

// Export publishes the stack outputs (names are a contract with cmd/ tools and the README).
func (s *Stack) Export(ctx *pulumi.Context) {
	region := s.cfg.Region
	u := s.callURLs()
	ctx.Export("region", pulumi.String(region))
	ctx.Export("apiId", s.API.ID)
	ctx.Export("stageName", s.API.StageName)
	ctx.Export("invokeUrl", u.Invoke)
	ctx.Export("endpointAliasInvokeUrl", u.Alias)
	ctx.Export("apiVpcId", s.APINetwork.VpcID)
	ctx.Export("consumerVpcIds", s.ConsumerNetwork.VpcIDs)
	ctx.Export("vpcEndpointId", s.APINetwork.EndpointID)
	ctx.Export("vpcEndpointDnsNames", s.APINetwork.EndpointDNSNames)
	ctx.Export("consumerEndpointUrls", u.Consumers)
	ctx.Export("resolverInboundIps", s.DNS.InboundIPs)
	ctx.Export("tableName", s.Table.Name)
	ctx.Export("clientRoleArns", s.Client.RoleArns)
	ctx.Export("clientUserNames", s.Client.UserNames)
	ctx.Export("testClientRoleArn", s.Client.TestRoleArn)
	ctx.Export("testInstanceId", s.ConsumerNetwork.TestInstanceID)
	ctx.Export("testClientInvokeUrl", u.TestClient)
	ctx.Export("testClientEndpointId", u.TestClientEndpoint)
	ctx.Export("alarmTopicArn", s.Monitoring.TopicArn)
	ctx.Export("dashboardName", s.Monitoring.DashboardName)
	ctx.Export("whoamiCommand", whoamiCommand(s.ConsumerNetwork.TestInstanceID, u.TestClient, region))
	versions, aliases := pulumi.StringMap{}, pulumi.StringMap{}
	for name, fn := range s.Functions {
		versions[name] = fn.LiveVersion
		aliases[name] = fn.AliasArn
	}
	ctx.Export("functionVersions", versions)
	ctx.Export("functionAliasArns", aliases)
}

// callURLs are the stage's URLs as each caller reaches them.
type callURLs struct {
	// Invoke is the API's own host name (the alias of the API VPC's endpoint in endpointAlias mode,
	// where no DNS resource makes the own name resolve); Alias the API VPC endpoint's alias.
	Invoke, Alias pulumi.StringOutput
	// Consumers are the endpoint consumers' URLs, each through its own endpoint's alias.
	Consumers pulumi.StringMap
	// TestClient and TestClientEndpoint are what the test client, in the first consumer VPC, calls
	// and through which endpoint: the API VPC's from a peered VPC, else its consumer's own (by the
	// API's own name with dns.mode privateZone, whose zone there aliases that endpoint).
	TestClient, TestClientEndpoint pulumi.StringOutput
}

func (s *Stack) callURLs() callURLs {
	u := callURLs{Alias: s.aliasURL(s.APINetwork.EndpointID), Consumers: pulumi.StringMap{}}
	u.Invoke = pulumi.Sprintf("https://%s/%s", s.API.Host, s.cfg.API.StageName)
	if s.cfg.DNS.Mode == stackconfig.DNSEndpointAlias {
		u.Invoke = u.Alias
	}
	for _, v := range s.ConsumerNetwork.VPCs {
		if v.Endpoint != nil {
			u.Consumers[v.Name] = s.aliasURL(v.Endpoint.ID)
		}
	}
	u.TestClient, u.TestClientEndpoint = u.Invoke, s.APINetwork.EndpointID.ToStringOutput()
	if first := s.ConsumerNetwork.VPCs[0]; first.Endpoint != nil {
		u.TestClientEndpoint = first.Endpoint.ID.ToStringOutput()
		if s.cfg.DNS.Mode != stackconfig.DNSPrivateZone {
			u.TestClient = s.aliasURL(first.Endpoint.ID)
		}
	}
	return u
}

// aliasURL is the stage's URL through one endpoint, by that endpoint's alias host name,
// https://<apiId>-<vpceId>.execute-api.<region>.<dnsSuffix>/<stage>.
func (s *Stack) aliasURL(endpointID pulumi.IDOutput) pulumi.StringOutput {
	host := pulumi.All(s.API.ID, endpointID).ApplyT(func(v []any) string {
		return s.partition.EndpointAliasHost(fmt.Sprint(v[0]), fmt.Sprint(v[1]), s.cfg.Region)
	}).(pulumi.StringOutput)
	return pulumi.Sprintf("https://%s/%s", host, s.cfg.API.StageName)
}
