package infra

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/catalogue"
	"github.com/example/private-api/internal/policydoc"
)

// GoFunctionArgs configures one Go Lambda function.
type GoFunctionArgs struct {
	// Code is the zip holding the reproducible `bootstrap` binary.
	Code pulumi.Archive
	// MemoryMB, TimeoutSeconds and ReservedConcurrency size the function; ReservedConcurrency 0
	// reserves nothing.
	MemoryMB            int
	TimeoutSeconds      int
	ReservedConcurrency int
	LogRetentionDays    int
	// VpcID and SubnetIDs place the function in the API VPC's private subnets (at least 2 AZs).
	VpcID     pulumi.StringInput
	SubnetIDs pulumi.StringArrayInput
	// TableName and TableArn name the table; TableGrants are the only actions the role gets on it,
	// each on the items of some partitions only. A function with no grants gets no table access and
	// no network egress at all.
	TableName   pulumi.StringInput
	TableArn    pulumi.StringInput
	TableGrants []TableGrant
	// TableKeyArn is the table's customer-managed key, or nil with an AWS-owned key. The role may
	// use it only through DynamoDB, and only for what its table actions need.
	TableKeyArn pulumi.StringInput
	// LogKeyArn, when set, encrypts the function's log group with the stack's key.
	LogKeyArn pulumi.StringInput
	// DynamoDBPrefixListID is where table traffic goes (the gateway endpoint): the only egress.
	DynamoDBPrefixListID pulumi.StringInput
	AccountID            pulumi.StringInput
	Region               string
	Partition            Partition
	// PinnedVersion, when set, is the published version the alias live serves (config
	// functions.pinnedVersions): a rollback without a rebuild. A pin is exact: a pinned function
	// runs no canary.
	PinnedVersion int
	// CanaryPercent (0-100; the config allows at most 50) of live's traffic goes to the newest published version while
	// ServingVersion keeps the rest.
	CanaryPercent int
	// ServingVersion is the version live served before this deploy, "" where there is no alias
	// yet (a first deploy: nothing to canary against). Read only with a canary.
	ServingVersion string
	// Settings name where the user sets PinnedVersion and CanaryPercent, for the errors that only a
	// deploy can find (a pin past the newest version).
	Settings ReleaseSettings
}

// ReleaseSettings name the settings behind a function's pin and canary, as a user writes them
// ("config private-api:functions.pinnedVersions.claims").
type ReleaseSettings struct{ Pin, Canary string }

// GoFunction is a Lambda function on provided.al2023/arm64 with its own role, log group and SG.
type GoFunction struct {
	pulumi.ResourceState

	// FunctionName is the deployed name; Arn the unqualified function ARN.
	FunctionName pulumi.StringOutput
	Arn          pulumi.StringOutput
	// InvokeArn is what API Gateway invokes: the alias live, never $LATEST or the unqualified
	// function, so a rollback or a canary changes what the API serves without a new deployment.
	InvokeArn pulumi.StringOutput
	// AliasName ("live", an output of the alias, so a permission on it waits for it) and AliasArn
	// name the alias.
	AliasName pulumi.StringOutput
	AliasArn  pulumi.StringOutput
	// Version is the newest published version; LiveVersion the one live serves (during a canary,
	// the one that keeps most of the traffic).
	Version     pulumi.StringOutput
	LiveVersion pulumi.StringOutput
	// RoleArn is the execution role.
	RoleArn pulumi.StringOutput
	// SecurityGroupID is the function's own security group.
	SecurityGroupID pulumi.IDOutput
}

func (a *GoFunctionArgs) validate(name string) error {
	switch {
	case a.Code == nil:
		return fmt.Errorf("GoFunction %s: Code is required (the zipped bootstrap)", name)
	case a.ReservedConcurrency < 0:
		return fmt.Errorf("GoFunction %s: ReservedConcurrency must be 0 (no reservation) or more", name)
	case len(a.TableGrants) > 0 && (a.TableArn == nil || a.TableName == nil || a.DynamoDBPrefixListID == nil):
		return fmt.Errorf("GoFunction %s: table actions need TableName, TableArn and DynamoDBPrefixListID", name)
	case a.Region == "" || a.AccountID == nil:
		return errors.New("GoFunction: Region and AccountID are required")
	case a.PinnedVersion < 0:
		return fmt.Errorf("GoFunction %s: PinnedVersion must be a published version (1 or more), or 0 for none", name)
	case a.CanaryPercent < 0 || a.CanaryPercent > 100:
		// An alias weight is 0.0 to 1.0 (AliasRoutingConfiguration); the config allows less.
		return fmt.Errorf("GoFunction %s: CanaryPercent must be 0 to 100", name)
	}
	return a.Partition.validate()
}

// NewGoFunction registers the function after its log group and permissions exist.
func NewGoFunction(ctx *pulumi.Context, name string, args *GoFunctionArgs, opts ...pulumi.ResourceOption) (*GoFunction, error) {
	if err := args.validate(name); err != nil {
		return nil, err
	}
	c := &GoFunction{}
	if err := ctx.RegisterComponentResource(typeToken("GoFunction"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	functionName := DeployedFunctionName(ctx, name)
	logGroup, err := functionLogs(ctx, name, args, opt)
	if err != nil {
		return nil, err
	}
	role, rolePolicy, err := executionRole(ctx, name, functionName, logGroup, args, opt)
	if err != nil {
		return nil, err
	}
	sg, err := functionSecurityGroup(ctx, name, functionName, args, opt)
	if err != nil {
		return nil, err
	}
	fn, err := lambdaFunction(ctx, name, functionName, args, role, sg, logGroup, opt, pulumi.DependsOn([]pulumi.Resource{logGroup, rolePolicy}))
	if err != nil {
		return nil, err
	}
	alias, err := newLiveAlias(ctx, name, fn, args, opt)
	if err != nil {
		return nil, err
	}
	c.FunctionName = fn.Name
	c.Arn = fn.Arn
	c.InvokeArn = alias.InvokeArn
	c.AliasName = alias.Name
	c.AliasArn = alias.Arn
	c.Version = fn.Version
	c.LiveVersion = alias.FunctionVersion
	c.RoleArn = role.Arn
	c.SecurityGroupID = sg.ID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"functionName": c.FunctionName, "arn": c.Arn, "aliasArn": c.AliasArn, "version": c.Version, "liveVersion": c.LiveVersion,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// functionLogs registers the function's log group, with its retention and key.
func functionLogs(ctx *pulumi.Context, name string, args *GoFunctionArgs, opt pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	// The name is fixed so the log group can exist, with its retention, before the function
	// writes to it (Lambda would otherwise create one that never expires).
	return newLogGroup(ctx, name+"-logs", pulumi.String(functionLogGroup(ctx, name)), args.LogRetentionDays, args.LogKeyArn, opt)
}

// executionRole registers the function's role and its policy of exactly what it uses.
func executionRole(ctx *pulumi.Context, name, functionName string, logGroup *cloudwatch.LogGroup, args *GoFunctionArgs, opt pulumi.ResourceOption) (*iam.Role, *iam.RolePolicy, error) {
	return newServiceRole(ctx, serviceRole{
		name: name + "-role", policyName: name + "-permissions",
		service: "lambda", description: "Execution role of " + functionName,
		accountID: args.AccountID, partition: args.Partition,
		policy: policydoc.Render(func(v []string) policydoc.Document {
			return executionPolicy(v[0], v[1], v[2], args.Partition.ServiceHost("dynamodb", args.Region), args.TableGrants)
		}, logGroup.Arn, orEmpty(args.TableArn), orEmpty(args.TableKeyArn)),
	}, opt)
}

// functionSecurityGroup registers the function's security group: no ingress, and egress only to
// DynamoDB, for a function with table access.
func functionSecurityGroup(ctx *pulumi.Context, name, functionName string, args *GoFunctionArgs, opt pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	sgArgs := &ec2.SecurityGroupArgs{
		VpcId:       args.VpcID,
		Description: pulumi.String("Lambda " + functionName + ": no ingress; egress only to what it calls"),
		Tags:        tags(ctx, name+"-sg"),
	}
	if len(args.TableGrants) > 0 {
		sgArgs.Egress = ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description:   pulumi.String("HTTPS to DynamoDB through the gateway endpoint"),
			Protocol:      pulumi.String("tcp"),
			FromPort:      pulumi.Int(443),
			ToPort:        pulumi.Int(443),
			PrefixListIds: pulumi.StringArray{args.DynamoDBPrefixListID},
		}}
	}
	return ec2.NewSecurityGroup(ctx, name+"-sg", sgArgs, opt)
}

// lambdaFunction registers the Lambda function itself, publishing a version on every change.
func lambdaFunction(ctx *pulumi.Context, name, functionName string, args *GoFunctionArgs, role *iam.Role, sg *ec2.SecurityGroup, logGroup *cloudwatch.LogGroup, opts ...pulumi.ResourceOption) (*lambda.Function, error) {
	// Only a function with table access learns the table's name.
	env := pulumi.StringMap{}
	if len(args.TableGrants) > 0 {
		env["TABLE_NAME"] = args.TableName
	}
	// Unset, Lambda reserves nothing (the provider's -1).
	var reserved pulumi.IntPtrInput
	if args.ReservedConcurrency > 0 {
		reserved = pulumi.Int(args.ReservedConcurrency)
	}
	return lambda.NewFunction(ctx, name, &lambda.FunctionArgs{
		Name: pulumi.String(functionName),
		// Every code or configuration change publishes an immutable version; an unchanged build
		// (byte-identical zip, same settings) changes nothing, so it publishes nothing. The provider
		// publishes only when code or configuration changed, or publish itself did
		// (hashicorp/terraform-provider-aws internal/service/lambda/function.go, resourceFunctionUpdate).
		Publish:                      pulumi.Bool(true),
		Role:                         role.Arn,
		Runtime:                      pulumi.String("provided.al2023"),
		Architectures:                pulumi.StringArray{pulumi.String("arm64")},
		Handler:                      pulumi.String("bootstrap"),
		Code:                         args.Code,
		MemorySize:                   pulumi.Int(args.MemoryMB),
		Timeout:                      pulumi.Int(args.TimeoutSeconds),
		ReservedConcurrentExecutions: reserved,
		TracingConfig:                lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")},
		VpcConfig: lambda.FunctionVpcConfigArgs{
			SubnetIds:        args.SubnetIDs,
			SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		// On destroy, hand the ENIs to the VPC's rule-less default group so this group can go
		// without waiting for Lambda to release them.
		ReplaceSecurityGroupsOnDestroy: pulumi.Bool(true),
		LoggingConfig: lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  logGroup.Name,
		},
		Environment: lambda.FunctionEnvironmentArgs{Variables: env},
		Tags:        tags(ctx, name),
	}, opts...)
}

// LiveAlias is the alias every function serves through: API Gateway invokes it and the Lambda
// permissions name it.
const LiveAlias = "live"

// newLiveAlias points the alias live at what routeLive decides. Only a canary that may run (a
// share, no pin, an alias that already serves a version) depends on the newest version for its
// routing; otherwise the alias has no routing configuration at all.
func newLiveAlias(ctx *pulumi.Context, name string, fn *lambda.Function, args *GoFunctionArgs, opt pulumi.ResourceOption) (*lambda.Alias, error) {
	route := func(newest string) (liveRoute, error) {
		return routeLive(name, newest, args.PinnedVersion, args.CanaryPercent, args.ServingVersion, args.Settings)
	}
	version := fn.Version.ApplyT(func(newest string) (string, error) {
		r, err := route(newest)
		return r.Version, err
	}).(pulumi.StringOutput)
	var routing lambda.AliasRoutingConfigPtrInput
	if args.PinnedVersion == 0 && args.CanaryPercent > 0 && args.ServingVersion != "" {
		routing = fn.Version.ApplyT(func(newest string) (*lambda.AliasRoutingConfig, error) {
			r, err := route(newest)
			if err != nil || r.Canary == "" {
				return nil, err
			}
			return &lambda.AliasRoutingConfig{AdditionalVersionWeights: map[string]float64{r.Canary: r.Weight}}, nil
		}).(lambda.AliasRoutingConfigPtrOutput)
	}
	return lambda.NewAlias(ctx, name+"-"+LiveAlias, &lambda.AliasArgs{
		Name:            pulumi.String(LiveAlias),
		Description:     pulumi.String("What the API invokes: the newest version, a pinned one (functions.pinnedVersions) or a canary split (functions.canaryPercent)"),
		FunctionName:    fn.Name,
		FunctionVersion: version,
		RoutingConfig:   routing,
	}, opt)
}

// liveRoute is what the alias live serves: its main version and, during a canary, one additional
// version with its share of the traffic.
type liveRoute struct {
	Version string
	Canary  string
	Weight  float64
}

// routeLive decides what live serves, given the newest published version of the function:
//   - a pin serves exactly the pinned version: a rollback, with no canary;
//   - a canary serves the version live served before this deploy with 1-percent/100 of the traffic
//     and the newest with percent/100, when live served a version and the newest differs from it;
//   - otherwise the newest version takes all the traffic.
//
// Lambda's weighted alias routes to at most one additional version, besides the alias's own, with a
// weight from 0.0 to 1.0; both must be published versions, never $LATEST
// (https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html,
// https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html).
func routeLive(function, newest string, pin, percent int, serving string, settings ReleaseSettings) (liveRoute, error) {
	newestN, newestPublished := versionNumber(newest)
	if pin > 0 {
		if newestPublished && pin > newestN {
			return liveRoute{}, fmt.Errorf(
				"%s: %d is not a published version: the newest of %s is %s; pin one of 1 to %s (aws lambda list-versions-by-function lists them)", settings.Pin, pin, function, newest, newest)
		}
		return liveRoute{Version: strconv.Itoa(pin)}, nil
	}
	if percent == 0 || serving == "" || serving == newest {
		return liveRoute{Version: newest}, nil
	}
	if _, ok := versionNumber(serving); !ok || !newestPublished {
		return liveRoute{}, fmt.Errorf(
			"%s: a canary of %s needs two published versions, but live serves %q and the newest is %q: deploy with canaryPercent 0 first", settings.Canary, function, serving, newest)
	}
	return liveRoute{Version: serving, Canary: newest, Weight: float64(percent) / 100}, nil
}

// versionNumber reads a published version ("7"); $LATEST and anything else is not one.
func versionNumber(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0 && strconv.Itoa(n) == v
}

// executionPolicy grants a function exactly what it uses. The VPC-networking and X-Ray actions
// support no resource-level permissions, so AWS requires "*" for them. Under a customer-managed
// key, DynamoDB decrypts the table key with the caller's own permission, so a reader needs
// kms:Decrypt and kms:DescribeKey and a writer also the encrypt actions, only through DynamoDB
// (the key policy AWS documents in "How Amazon DynamoDB uses AWS KMS",
// https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html#dynamodb-customer-cmk-policy;
// the same split as the AWS CDK's Table.grantReadData/grantWriteData).
func executionPolicy(logGroupArn, tableArn, keyArn, dynamoDBHost string, grants []TableGrant) policydoc.Document {
	statements := []policydoc.Statement{
		{Sid: "WriteOwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupArn + ":*"}},
		{Sid: "VpcNetworkInterfacesResourceStarRequired", Effect: "Allow", Action: []string{
			"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
			"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
		}, Resource: []string{"*"}},
		{Sid: "XRayResourceStarRequired", Effect: "Allow", Action: []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, Resource: []string{"*"}},
	}
	for i, g := range grants {
		statements = append(statements, policydoc.Statement{Sid: fmt.Sprintf("TableItemsItUses%d", i+1), Effect: "Allow",
			Action: g.Actions, Resource: []string{tableArn},
			Condition: policydoc.Condition{"ForAllValues:StringLike": {"dynamodb:LeadingKeys": g.Partitions}}})
	}
	if len(grants) > 0 {
		if keyArn != "" {
			statements = append(statements, policydoc.Statement{Sid: "TableKeyThroughDynamoDBOnly", Effect: "Allow",
				Action: tableKeyActions(GrantedActions(grants)), Resource: []string{keyArn},
				Condition: policydoc.Condition{"StringEquals": {"kms:ViaService": {dynamoDBHost}}}})
		}
	}
	return policydoc.New(statements...)
}

// TableGrant is table actions on the items of some partitions only, matched against
// dynamodb:LeadingKeys (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
type TableGrant = catalogue.TableGrant

// GrantedActions is every action of the grants, sorted, each once.
func GrantedActions(grants []TableGrant) []string {
	var all []string
	for _, g := range grants {
		all = append(all, g.Actions...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// tableKeyActions are the key actions a role needs for its table actions: to read, decrypt the
// table key; to write, also encrypt with it.
func tableKeyActions(tableActions []string) []string {
	actions := []string{"kms:Decrypt", "kms:DescribeKey"}
	for _, a := range tableActions {
		if a == "dynamodb:PutItem" || a == "dynamodb:UpdateItem" || a == "dynamodb:DeleteItem" || a == "dynamodb:BatchWriteItem" {
			return append(actions, "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo")
		}
	}
	return actions
}

// orEmpty stands an empty string in for an absent optional input, so it can join a policydoc.Render.
func orEmpty(in pulumi.StringInput) pulumi.StringInput {
	if in == nil {
		return pulumi.String("")
	}
	return in
}
