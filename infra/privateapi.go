package infra

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// FunctionTarget is what the API needs of a function it integrates: its name, and the alias it
// invokes (Qualifier) with that alias's invoke ARN. The permissions name the same alias, since
// Lambda checks the policy of the qualifier it is invoked by.
type FunctionTarget struct {
	Name      pulumi.StringInput
	Qualifier pulumi.StringInput
	InvokeArn pulumi.StringInput
}

// PrivateAPIArgs configures the PRIVATE REST API, its routes and its stage.
type PrivateAPIArgs struct {
	Region    string
	Partition Partition
	AccountID pulumi.StringInput
	// EndpointID is the execute-api interface endpoint the API is associated with and admits.
	EndpointID pulumi.StringInput
	// ConsumerEndpointIDs are the endpoint consumers' own execute-api endpoints, of any account: the
	// API lists them beside EndpointID in vpcEndpointIds (which publishes each one's
	// <apiId>-<vpceId> alias) and in the resource policy's aws:SourceVpce, and admits no other.
	ConsumerEndpointIDs []pulumi.StringInput
	// Routes drive resources, methods, integrations, permissions and the deployment hash.
	Routes []Route
	// Functions maps each route's Function to its deployed function.
	Functions map[string]FunctionTarget
	// Callers are the principals the API admits, each to exactly its routes: the resource policy
	// names them, and the API attaches each one's identity policy to its role and user.
	Callers []Caller
	// AllowedSourceCidrs, when set, limits callers to these aws:VpcSourceIp ranges.
	AllowedSourceCidrs []string
	StageName          string
	LoggingLevel       string
	ThrottlingRate     float64
	ThrottlingBurst    int
	LogRetentionDays   int
	// ReservedConcurrency is what each function reserves (0: nothing). Where it is set, every method
	// is throttled so that its function's reservation is not exceeded (methodThrottle).
	ReservedConcurrency int
	// LogKeyArn, when set, encrypts the access and execution log groups with the stack's key.
	LogKeyArn pulumi.StringInput
	// ManageAccountLoggingRole sets the account-wide API Gateway CloudWatch role (opt-in).
	ManageAccountLoggingRole bool
}

// PrivateAPI is the REST API reachable only through the VPC endpoint.
type PrivateAPI struct {
	pulumi.ResourceState

	// ID is the REST API id.
	ID pulumi.IDOutput
	// Name is the REST API's name: the ApiName dimension of its CloudWatch metrics.
	Name pulumi.StringOutput
	// Host is exactly this API's private host name, <apiId>.execute-api.<region>.<dnsSuffix>.
	Host pulumi.StringOutput
	// ExecutionArn is arn:<partition>:execute-api:<region>:<account>:<apiId>, the prefix of every route ARN.
	ExecutionArn pulumi.StringOutput
	// StageName is the deployed stage.
	StageName pulumi.StringOutput
	// DeploymentTrigger is the hash that re-creates the deployment when routes or policy change.
	DeploymentTrigger pulumi.StringOutput
}

func (a *PrivateAPIArgs) validate() error {
	if a.Region == "" || a.EndpointID == nil || a.AccountID == nil {
		return errors.New("PrivateAPI: Region, AccountID and EndpointID are required")
	}
	if err := a.Partition.validate(); err != nil {
		return fmt.Errorf("PrivateAPI: %w", err)
	}
	if len(a.Routes) == 0 {
		return errors.New("PrivateAPI: no routes")
	}
	seen := map[string]bool{}
	for _, r := range a.Routes {
		fn, ok := a.Functions[r.Function]
		if !ok {
			return fmt.Errorf("PrivateAPI: route %s %s names function %q, which is not given", r.Method, r.Path, r.Function)
		}
		if fn.Name == nil || fn.Qualifier == nil || fn.InvokeArn == nil {
			return fmt.Errorf("PrivateAPI: function %q needs Name, Qualifier (the alias the API invokes, never $LATEST) and InvokeArn", r.Function)
		}
		if seen[r.Key()] {
			return fmt.Errorf("PrivateAPI: route %s %s is listed twice", r.Method, r.Path)
		}
		seen[r.Key()] = true
	}
	if a.StageName == "" {
		return errors.New("PrivateAPI: StageName is required")
	}
	return nil
}

// NewPrivateAPI registers the API, its routes, resource policy, deployment and stage.
func NewPrivateAPI(ctx *pulumi.Context, name string, args *PrivateAPIArgs, opts ...pulumi.ResourceOption) (*PrivateAPI, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &PrivateAPI{}
	if err := ctx.RegisterComponentResource(typeToken("PrivateAPI"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	endpoints := append([]pulumi.StringInput{args.EndpointID}, args.ConsumerEndpointIDs...)
	api, err := apigateway.NewRestApi(ctx, name+"-api", &apigateway.RestApiArgs{
		Description: pulumi.String("Private API, reachable only through its VPC endpoint"),
		EndpointConfiguration: apigateway.RestApiEndpointConfigurationArgs{
			Types:          pulumi.String("PRIVATE"),
			VpcEndpointIds: pulumi.StringArray(endpoints),
		},
		Tags: tags(ctx, name+"-api"),
	}, opt)
	if err != nil {
		return nil, err
	}
	c.ID = api.ID()
	c.Name = api.Name
	c.Host = api.ID().ApplyT(func(id pulumi.ID) string {
		return args.Partition.ExecuteAPIHost(string(id), args.Region)
	}).(pulumi.StringOutput)
	c.ExecutionArn = api.ExecutionArn
	c.StageName = pulumi.String(args.StageName).ToStringOutput()

	routeDeps, err := c.routes(ctx, name, api, args)
	if err != nil {
		return nil, err
	}

	policyJSON, policy, err := c.policy(ctx, name, api, endpoints, args)
	if err != nil {
		return nil, err
	}
	if err := c.grantCallers(ctx, name, api, args); err != nil {
		return nil, err
	}
	deployment, err := c.deployment(ctx, name, api, policyJSON, append(routeDeps, policy), args)
	if err != nil {
		return nil, err
	}
	if err := c.stage(ctx, name, api, deployment, args); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"id": c.ID, "host": c.Host, "stageName": c.StageName, "deploymentTrigger": c.DeploymentTrigger,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// policy registers the resource policy: only through this stack's endpoints, only by the callers,
// each to its routes. It returns the policy text too, which the deployment hashes.
func (c *PrivateAPI) policy(ctx *pulumi.Context, name string, api *apigateway.RestApi, endpoints []pulumi.StringInput, args *PrivateAPIArgs) (pulumi.StringOutput, *apigateway.RestApiPolicy, error) {
	opt := pulumi.Parent(c)
	// Inputs: the execution ARN, the endpoints, then each caller's role and user ARNs.
	inputs := append([]pulumi.StringInput{api.ExecutionArn}, endpoints...)
	for _, caller := range args.Callers {
		inputs = append(inputs, caller.RoleArn, orEmpty(caller.UserArn))
	}
	policyJSON := policydoc.Render(func(v []string) policydoc.Document {
		first := 1 + len(endpoints)
		grants := make([]callerGrant, len(args.Callers))
		for i, caller := range args.Callers {
			grants[i] = callerGrant{sid: caller.Name, routes: caller.Routes, principals: nonEmpty(v[first+2*i], v[first+1+2*i])}
		}
		return resourcePolicy(v[0], v[1:first], args.StageName, grants, args.AllowedSourceCidrs)
	}, inputs...)
	policy, err := apigateway.NewRestApiPolicy(ctx, name+"-policy", &apigateway.RestApiPolicyArgs{
		RestApiId: api.ID(),
		Policy:    policyJSON,
	}, opt)
	return policyJSON, policy, err
}

// deployment registers the deployment, re-created whenever DeploymentTrigger (the hash of the
// routes, their integration targets and the policy) changes; deps are what it serves.
func (c *PrivateAPI) deployment(ctx *pulumi.Context, name string, api *apigateway.RestApi, policyJSON pulumi.StringOutput, deps []pulumi.Resource, args *PrivateAPIArgs) (*apigateway.Deployment, error) {
	// The trigger hashes everything a stage serves: routes, their integration targets and the policy.
	// Without it the stage keeps serving the old API after `pulumi up`.
	hashInputs := []any{policyJSON}
	for _, r := range args.Routes {
		hashInputs = append(hashInputs, args.Functions[r.Function].InvokeArn)
	}
	c.DeploymentTrigger = pulumi.All(hashInputs...).ApplyT(func(v []any) string {
		return deploymentHash(args.Routes, v)
	}).(pulumi.StringOutput)
	return apigateway.NewDeployment(ctx, name+"-deployment", &apigateway.DeploymentArgs{
		RestApi:     api.ID(),
		Description: pulumi.String("Routes, integrations and resource policy as hashed in triggers"),
		Triggers:    pulumi.StringMap{"redeployment": c.DeploymentTrigger},
	}, pulumi.Parent(c), pulumi.DependsOn(deps))
}

// routes registers the resource tree, one validated AWS_IAM method per route with its Lambda proxy
// integration and a permission scoped to that method and path. It returns what the deployment needs.
func (c *PrivateAPI) routes(ctx *pulumi.Context, name string, api *apigateway.RestApi, args *PrivateAPIArgs) ([]pulumi.Resource, error) {
	opt := pulumi.Parent(c)
	validator, err := apigateway.NewRequestValidator(ctx, name+"-validator", &apigateway.RequestValidatorArgs{
		RestApi:                   api.ID(),
		Name:                      pulumi.String("parameters-and-body"),
		ValidateRequestParameters: pulumi.Bool(true),
		ValidateRequestBody:       pulumi.Bool(true),
	}, opt)
	if err != nil {
		return nil, err
	}
	resourceFor := resourceTree(ctx, name, api, opt)
	deps := []pulumi.Resource{validator}
	for _, r := range args.Routes {
		resourceID, err := resourceFor(r.Path)
		if err != nil {
			return nil, err
		}
		method, integration, err := c.route(ctx, name, api, validator, resourceID, r, args)
		if err != nil {
			return nil, err
		}
		deps = append(deps, method, integration)
	}
	return deps, nil
}

// resourceTree returns what registers the API resources of a path, each prefix once, from the root
// down, and answers the path's resource id.
func resourceTree(ctx *pulumi.Context, name string, api *apigateway.RestApi, opt pulumi.ResourceOption) func(path string) (pulumi.StringInput, error) {
	resources := map[string]pulumi.StringInput{"": api.RootResourceId}
	return func(path string) (pulumi.StringInput, error) {
		parts := segments(path)
		for i := range parts {
			prefix := strings.Join(parts[:i+1], "/")
			if _, ok := resources[prefix]; ok {
				continue
			}
			res, err := apigateway.NewResource(ctx, name+"-res-"+pathKey(prefix), &apigateway.ResourceArgs{
				RestApi:  api.ID(),
				ParentId: resources[strings.Join(parts[:i], "/")],
				PathPart: pulumi.String(parts[i]),
			}, opt)
			if err != nil {
				return nil, err
			}
			resources[prefix] = res.ID()
		}
		return resources[strings.Join(parts, "/")], nil
	}
}

// route registers one route's AWS_IAM method, its Lambda proxy integration and the permission
// for API Gateway to invoke the function's alias on that method and path.
func (c *PrivateAPI) route(ctx *pulumi.Context, name string, api *apigateway.RestApi, validator *apigateway.RequestValidator, resourceID pulumi.StringInput, r Route, args *PrivateAPIArgs) (*apigateway.Method, *apigateway.Integration, error) {
	opt := pulumi.Parent(c)
	params := pulumi.BoolMap{}
	for _, p := range r.params() {
		params["method.request.path."+p] = pulumi.Bool(true)
	}
	method, err := apigateway.NewMethod(ctx, name+"-"+r.Key(), &apigateway.MethodArgs{
		RestApi:            api.ID(),
		ResourceId:         resourceID,
		HttpMethod:         pulumi.String(r.Method),
		Authorization:      pulumi.String("AWS_IAM"),
		RequestValidatorId: validator.ID(),
		RequestParameters:  params,
	}, opt)
	if err != nil {
		return nil, nil, err
	}
	fn := args.Functions[r.Function]
	integration, err := apigateway.NewIntegration(ctx, name+"-"+r.Key()+"-integration", &apigateway.IntegrationArgs{
		RestApi:               api.ID(),
		ResourceId:            resourceID,
		HttpMethod:            method.HttpMethod,
		Type:                  pulumi.String("AWS_PROXY"),
		IntegrationHttpMethod: pulumi.String("POST"),
		Uri:                   fn.InvokeArn,
	}, opt)
	if err != nil {
		return nil, nil, err
	}
	// Qualified: the permission is on the alias the integration invokes, so nothing admits a
	// call of $LATEST or of another version (AddPermission, Qualifier:
	// https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html).
	if _, err := lambda.NewPermission(ctx, name+"-"+r.Key()+"-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.Name,
		Qualifier:     fn.Qualifier,
		Principal:     pulumi.String(args.Partition.ServicePrincipal("apigateway")),
		SourceArn:     api.ExecutionArn.ApplyT(r.SourceArn).(pulumi.StringOutput),
		SourceAccount: args.AccountID,
	}, opt); err != nil {
		return nil, nil, err
	}
	return method, integration, nil
}

// stage registers the stage with JSON access logs, X-Ray, its log groups (created first, with
// retention) and the method settings: metrics and execution logging on, data trace off, throttling.
func (c *PrivateAPI) stage(ctx *pulumi.Context, name string, api *apigateway.RestApi, deployment *apigateway.Deployment, args *PrivateAPIArgs) error {
	opt := pulumi.Parent(c)
	accessLogs, err := newLogGroup(ctx, name+"-access-logs", nil, args.LogRetentionDays, args.LogKeyArn, opt)
	if err != nil {
		return err
	}
	// API Gateway would create this group itself, without retention, on the first logged request.
	executionLogs, err := newLogGroup(ctx, name+"-execution-logs",
		pulumi.Sprintf("API-Gateway-Execution-Logs_%s/%s", api.ID(), args.StageName), args.LogRetentionDays, args.LogKeyArn, opt)
	if err != nil {
		return err
	}
	stageDeps := []pulumi.Resource{accessLogs, executionLogs}
	if args.ManageAccountLoggingRole {
		account, err := c.accountLoggingRole(ctx, name, args)
		if err != nil {
			return err
		}
		stageDeps = append(stageDeps, account)
	}
	stage, err := apigateway.NewStage(ctx, name+"-stage", &apigateway.StageArgs{
		RestApi:            api.ID(),
		Deployment:         deployment.ID(),
		StageName:          pulumi.String(args.StageName),
		XrayTracingEnabled: pulumi.Bool(true),
		AccessLogSettings: apigateway.StageAccessLogSettingsArgs{
			DestinationArn: accessLogs.Arn,
			Format:         pulumi.String(accessLogFormat),
		},
		Tags: tags(ctx, name+"-stage"),
	}, opt, pulumi.DependsOn(stageDeps))
	if err != nil {
		return err
	}
	_, err = apigateway.NewMethodSettings(ctx, name+"-method-settings", &apigateway.MethodSettingsArgs{
		RestApi:    api.ID(),
		StageName:  stage.StageName,
		MethodPath: pulumi.String("*/*"),
		Settings: apigateway.MethodSettingsSettingsArgs{
			MetricsEnabled:       pulumi.Bool(true),
			LoggingLevel:         pulumi.String(args.LoggingLevel),
			DataTraceEnabled:     pulumi.Bool(false),
			ThrottlingRateLimit:  pulumi.Float64(args.ThrottlingRate),
			ThrottlingBurstLimit: pulumi.Int(args.ThrottlingBurst),
		},
	}, opt, pulumi.DependsOn(stageDeps))
	if err != nil {
		return err
	}
	throttles := MethodThrottles(args.Routes, args.ReservedConcurrency, args.ThrottlingRate, args.ThrottlingBurst)
	for _, r := range args.Routes {
		t, ok := throttles[r]
		if !ok {
			continue // no reservation: the stage's limits alone
		}
		if _, err := apigateway.NewMethodSettings(ctx, name+"-"+r.Key()+"-throttle", &apigateway.MethodSettingsArgs{
			RestApi:    api.ID(),
			StageName:  stage.StageName,
			MethodPath: pulumi.String(r.MethodPath()),
			Settings: apigateway.MethodSettingsSettingsArgs{
				MetricsEnabled:       pulumi.Bool(true),
				LoggingLevel:         pulumi.String(args.LoggingLevel),
				DataTraceEnabled:     pulumi.Bool(false),
				ThrottlingRateLimit:  pulumi.Float64(t.Rate),
				ThrottlingBurstLimit: pulumi.Int(t.Burst),
			},
		}, opt, pulumi.DependsOn(stageDeps)); err != nil {
			return err
		}
	}
	return nil
}

// AssumedLatencySeconds is the function duration the method throttles are sized for: the handlers
// answer in milliseconds against DynamoDB, so one second leaves room for cold starts and retries.
const AssumedLatencySeconds = 1.0

// methodThrottle sizes one method's limits so that all methods of a function together stay within
// its reserved concurrency at the assumed latency (concurrency = rate x duration). API Gateway
// answers a caller past a method's limit with 429 Too Many Requests, where a Lambda throttle behind
// a proxy integration reaches the caller as a 500
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
// The stage's limits stay the ceiling.
func methodThrottle(reserved, methods int, stageRate float64, stageBurst int) (rate float64, burst int) {
	share := max(1, reserved/methods)
	return min(stageRate, float64(share)/AssumedLatencySeconds), min(stageBurst, share)
}

// routesOf counts the routes a function serves.
func routesOf(routes []Route, function string) int {
	n := 0
	for _, r := range routes {
		if r.Function == function {
			n++
		}
	}
	return n
}

// accountLoggingRole sets the region's account-wide API Gateway CloudWatch role. Only on request:
// it is one setting shared by every API in the account and region. The role and its policy outlive
// the stack (RetainOnDelete): the account setting keeps pointing at the role after a destroy
// (ResetOnDelete stays false), and every stage with logging in the account would otherwise fail
// with "CloudWatch Logs role ARN must be set in account settings to enable logging".
func (c *PrivateAPI) accountLoggingRole(ctx *pulumi.Context, name string, args *PrivateAPIArgs) (pulumi.Resource, error) {
	opt := pulumi.Parent(c)
	keep := pulumi.RetainOnDelete(true)
	role, rolePolicy, err := newServiceRole(ctx, serviceRole{
		name: name + "-apigateway-logging", policyName: name + "-apigateway-logging-write",
		service: "apigateway", description: "API Gateway execution logging for this account and region",
		accountID: args.AccountID, partition: args.Partition,
		policy: policydoc.Render(func(v []string) policydoc.Document {
			return policydoc.New(policydoc.Statement{
				Effect: "Allow",
				Action: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
					"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"},
				Resource: []string{args.Partition.ARN("logs", args.Region, v[0], "log-group:*")},
			})
		}, args.AccountID),
	}, opt, keep)
	if err != nil {
		return nil, err
	}
	// API Gateway checks the role's permissions when the setting changes: write it after the policy.
	return apigateway.NewAccount(ctx, name+"-apigateway-account", &apigateway.AccountArgs{
		CloudwatchRoleArn: role.Arn,
	}, opt, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
}

// accessLogFormat is one JSON object per request: who called, through which endpoint, what, and how it went.
var accessLogFormat = func() string {
	fields := [][2]string{
		{"requestId", "$context.requestId"}, {"requestTime", "$context.requestTime"},
		{"sourceIp", "$context.identity.sourceIp"}, {"caller", "$context.identity.caller"},
		{"userArn", "$context.identity.userArn"}, {"vpceId", "$context.identity.vpceId"},
		{"httpMethod", "$context.httpMethod"}, {"resourcePath", "$context.resourcePath"}, {"path", "$context.path"},
		{"status", "$context.status"}, {"responseLatency", "$context.responseLatency"},
		{"integrationLatency", "$context.integrationLatency"}, {"errorMessage", "$context.error.message"},
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(f[1])
		parts[i] = string(k) + ":" + string(v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}()

// grantCallers attaches to each caller's role (and user) the identity policy for exactly its routes.
func (c *PrivateAPI) grantCallers(ctx *pulumi.Context, name string, api *apigateway.RestApi, args *PrivateAPIArgs) error {
	opt := pulumi.Parent(c)
	for _, caller := range args.Callers {
		policy := policydoc.Render(func(v []string) policydoc.Document {
			return clientPolicy(v[0], args.StageName, caller.Routes)
		}, api.ExecutionArn)
		if _, err := iam.NewRolePolicy(ctx, name+"-"+caller.Name+"-invoke", &iam.RolePolicyArgs{Role: caller.RoleName, Policy: policy},
			append([]pulumi.ResourceOption{opt}, in(caller.Provider)...)...); err != nil {
			return err
		}
		if caller.UserName != nil {
			if _, err := iam.NewUserPolicy(ctx, name+"-"+caller.Name+"-user-invoke", &iam.UserPolicyArgs{User: caller.UserName, Policy: policy}, opt); err != nil {
				return err
			}
		}
	}
	return nil
}

// callerGrant is one caller's principals and routes, resolved for the resource policy.
type callerGrant struct {
	sid        string
	principals []string
	routes     []Route
}

// nonEmpty drops the empty strings that stand in for absent principals.
func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// resourcePolicy admits only calls through this stack's endpoints (the API VPC's and each endpoint
// consumer's), optionally only from the allowed VPC source ranges, and only by the client
// principals. The principal Deny matters for callers of this account: for an AWS_IAM API, API Gateway admits a same-account caller whose identity policy
// allows execute-api:Invoke when the resource policy neither allows nor denies it ("How API Gateway
// resource policies affect authorization workflow",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html),
// so without it an administrator with "*" reaches the API. A caller of another account gets in only
// when its identity policy and an Allow here both name the route (same page), so a consumer
// account's role is named like any client's. aws:PrincipalArn is the role ARN for an assumed-role
// session, so it names roles as configured.
func resourcePolicy(executionArn string, endpointIDs []string, stage string, callers []callerGrant, sourceCidrs []string) policydoc.Document {
	invoke := func(sid, effect string, who *policydoc.Principal, cond policydoc.Condition) policydoc.Statement {
		return policydoc.Statement{Sid: sid, Effect: effect, Principal: who, Action: []string{"execute-api:Invoke"},
			Resource: []string{executionArn + "/*"}, Condition: cond}
	}
	anyone := &policydoc.Principal{All: true}
	statements := []policydoc.Statement{invoke("DenyUnlessThroughThisEndpoint", "Deny", anyone,
		policydoc.Condition{"StringNotEquals": {"aws:SourceVpce": endpointIDs}})}
	if len(sourceCidrs) > 0 {
		statements = append(statements, invoke("DenyOutsideAllowedSourceRanges", "Deny", anyone,
			policydoc.Condition{"NotIpAddress": {"aws:VpcSourceIp": sourceCidrs}}))
	}
	var everyone []string
	for _, c := range callers {
		everyone = append(everyone, c.principals...)
	}
	sort.Strings(everyone)
	if len(everyone) == 0 {
		// No clients yet: nobody may call.
		statements = append(statements, invoke("DenyEveryPrincipalNoClientsYet", "Deny", anyone, nil))
		return policydoc.New(statements...)
	}
	statements = append(statements, invoke("DenyPrincipalsNotConfigured", "Deny", anyone,
		policydoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": everyone}}))
	for _, c := range callers {
		arns := make([]string, len(c.routes))
		for i, r := range c.routes {
			arns[i] = r.InvokeArn(executionArn, stage)
		}
		statements = append(statements, policydoc.Statement{Sid: "Allow" + sidWord(c.sid) + "ItsRoutes", Effect: "Allow",
			Principal: &policydoc.Principal{AWS: c.principals}, Action: []string{"execute-api:Invoke"}, Resource: arns,
			Condition: policydoc.Condition{"StringEquals": {"aws:SourceVpce": endpointIDs}}})
	}
	return policydoc.New(statements...)
}

// clientPolicy allows execute-api:Invoke on exactly each route of the stage, nothing else.
func clientPolicy(executionArn, stage string, routes []Route) policydoc.Document {
	arns := make([]string, len(routes))
	for i, r := range routes {
		arns[i] = r.InvokeArn(executionArn, stage)
	}
	return policydoc.New(policydoc.Statement{
		Sid:      "InvokeThePrivateAPIRoutes",
		Effect:   "Allow",
		Action:   []string{"execute-api:Invoke"},
		Resource: arns,
	})
}

// deploymentHash digests the routes with their resolved integration targets and the policy text.
// values holds the policy first, then one invoke ARN per route.
func deploymentHash(routes []Route, values []any) string {
	h := sha256.New()
	fmt.Fprintf(h, "policy=%v\n", values[0])
	for i, r := range routes {
		fmt.Fprintf(h, "%s %s AWS_IAM AWS_PROXY %v\n", r.Method, r.Path, values[i+1])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sidWord turns a client name ("claims-portal") into statement-id letters ("ClaimsPortal"): a Sid
// holds only ASCII letters and digits (IAM JSON policy reference, "Sid").
func sidWord(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r == '-':
			upper = true
		case upper && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			upper = false
		default:
			b.WriteRune(r)
			upper = false
		}
	}
	return b.String()
}
