package stack

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/catalogue"
	"github.com/example/private-api/internal/directorydata"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

const (
	tMethod         = mockengine.TypeMethod
	tIntegration    = mockengine.TypeIntegration
	tPermission     = mockengine.TypePermission
	tFunction       = mockengine.TypeFunction
	tAlias          = mockengine.TypeAlias
	tAPIPolicy      = mockengine.TypeRestAPIPolicy
	tDeployment     = mockengine.TypeDeployment
	tStage          = mockengine.TypeStage
	tMethodSettings = mockengine.TypeMethodSettings
	tValidator      = mockengine.TypeRequestValidator
	tAPIAccount     = mockengine.TypeAPIAccount
	tTable          = mockengine.TypeTable
	tTableItem      = mockengine.TypeTableItem
	tKMSKey         = mockengine.TypeKMSKey
	tInstance       = mockengine.TypeInstance
	tUser           = mockengine.TypeUser
	tAccessKey      = "aws:iam/accessKey:AccessKey"
)

// TestRequestPath is the specification of issue 3 over both shipped stacks.
func TestRequestPath(t *testing.T) {
	for _, stack := range []string{devStack, prodStack} {
		t.Run(stack, func(t *testing.T) {
			e := runProgram(t, spec.StackConfig(t, projectRoot, stack))
			specAPI(t, e)
			specFunctions(t, e, stack)
			specTable(t, e, stack)
			specClient(t, e, stack)
		})
	}
}

func specAPI(t *testing.T, e *mockengine.Engine) {
	api := spec.Named(t, e, mockengine.TypeRestAPI, "private-api")
	endpoint := spec.Named(t, e, mockengine.TypeVpcEndpoint, "api-execute-api")
	execArn := spec.Str(api.Outputs, "executionArn")
	methods := e.OfType(tMethod)

	t.Run("one_method_per_route_every_one_AWS_IAM_and_validated", func(t *testing.T) {
		if len(methods) != len(infra.Routes) {
			t.Fatalf("%d methods for %d routes", len(methods), len(infra.Routes))
		}
		validator := spec.Named(t, e, tValidator, "private-validator")
		for _, m := range methods {
			if spec.Str(m.Inputs, "authorization") != "AWS_IAM" {
				t.Errorf("method %s authorization %q, want AWS_IAM", m.Name, spec.Str(m.Inputs, "authorization"))
			}
			if spec.Str(m.Inputs, "requestValidatorId") != validator.ID {
				t.Errorf("method %s has no request validator", m.Name)
			}
		}
	})
	t.Run("path_parameters_are_required", func(t *testing.T) {
		m := spec.Named(t, e, tMethod, "private-PATCH-members-memberId-claims-claimId")
		params := spec.Obj(m.Inputs, "requestParameters")
		if params["method.request.path.memberId"] != true || params["method.request.path.claimId"] != true {
			t.Errorf("PATCH parameters %v", params)
		}
	})
	t.Run("integrations_proxy_to_the_live_alias_of_the_routes_function", func(t *testing.T) {
		for _, r := range infra.Routes {
			in := spec.Named(t, e, tIntegration, "private-"+r.Key()+"-integration")
			alias := spec.Named(t, e, tAlias, r.Function+"-live")
			uri := spec.Str(in.Inputs, "uri")
			if spec.Str(in.Inputs, "type") != "AWS_PROXY" || spec.Str(in.Inputs, "integrationHttpMethod") != "POST" || uri != spec.Str(alias.Outputs, "invokeArn") {
				t.Errorf("%s %s integration %v does not proxy to the alias of %s", r.Method, r.Path, in.Inputs, r.Function)
			}
			if fnArn := spec.Str(spec.Named(t, e, tFunction, r.Function).Outputs, "arn"); !strings.HasSuffix(uri, "/functions/"+fnArn+":live/invocations") {
				t.Errorf("%s %s integration URI %s does not invoke %s:live", r.Method, r.Path, uri, fnArn)
			}
		}
	})
	t.Run("lambda_permissions_are_scoped_to_method_and_path", func(t *testing.T) {
		perms := e.OfType(tPermission)
		if len(perms) != len(infra.Routes) {
			t.Fatalf("%d permissions for %d routes", len(perms), len(infra.Routes))
		}
		for _, r := range infra.Routes {
			p := spec.Named(t, e, tPermission, "private-"+r.Key()+"-invoke")
			want := execArn + "/*/" + r.Method + r.ARNPath()
			if spec.Str(p.Inputs, "sourceArn") != want || spec.Str(p.Inputs, "principal") != "apigateway.amazonaws.com" ||
				spec.Str(p.Inputs, "sourceAccount") != mockengine.Account || spec.Str(p.Inputs, "action") != "lambda:InvokeFunction" {
				t.Errorf("permission %s: %v, want source ARN %s", p.Name, p.Inputs, want)
			}
			if spec.Str(p.Inputs, "function") != spec.Str(spec.Named(t, e, tFunction, r.Function).Inputs, "name") || spec.Str(p.Inputs, "qualifier") != "live" {
				t.Errorf("permission %s names function %q qualifier %q, want %s:live", p.Name, spec.Str(p.Inputs, "function"), spec.Str(p.Inputs, "qualifier"), r.Function)
			}
			if !spec.DependsOn(p, spec.Named(t, e, tAlias, r.Function+"-live").URN) {
				t.Errorf("permission %s does not wait for the alias it names (AddPermission on a missing alias fails)", p.Name)
			}
		}
	})
	policyRes := spec.Named(t, e, tAPIPolicy, "private-policy")
	doc := spec.Policy(t, policyRes, "policy")
	t.Run("resource_policy_denies_every_other_endpoint", func(t *testing.T) {
		deny := doc.Statement[0]
		if deny.Effect != "Deny" || !deny.Principal.All || !slices.Equal(deny.Action, []string{"execute-api:Invoke"}) ||
			!slices.Equal(deny.Resource, []string{execArn + "/*"}) ||
			!slices.Equal(deny.Condition["StringNotEquals"]["aws:SourceVpce"], []string{endpoint.ID}) {
			t.Errorf("first statement %+v does not deny calls from other endpoints", deny)
		}
	})
	if _, ok := e.Named(mockengine.TypeRole, "client-test-instance-role"); !ok {
		// prod names no clients yet: nobody may call, and the policy says so.
		t.Run("resource_policy_without_callers_denies_everyone", func(t *testing.T) {
			for _, st := range doc.Statement {
				if st.Effect == "Allow" {
					t.Errorf("Allow %+v in a stack with no callers", st)
				}
			}
			if last := doc.Statement[len(doc.Statement)-1]; last.Effect != "Deny" || !last.Principal.All || len(last.Condition) != 0 {
				t.Errorf("no unconditional Deny: %+v", last)
			}
		})
		return
	}
	t.Run("resource_policy_allows_each_caller_exactly_its_routes_through_the_endpoint", func(t *testing.T) {
		// dev has no clients and the test client, whose role may call only the smoke test's routes.
		role := spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role")
		stage := spec.Str(spec.Named(t, e, tStage, "private-stage").Inputs, "stageName")
		var allows int
		for _, st := range doc.Statement {
			if st.Effect != "Allow" {
				continue
			}
			allows++
			if st.Principal.All || !slices.Equal(st.Principal.AWS, []string{spec.Str(role.Outputs, "arn")}) {
				t.Errorf("allow statement %+v does not name exactly the test client's role", st)
			}
			if !slices.Equal(st.Condition["StringEquals"]["aws:SourceVpce"], []string{endpoint.ID}) {
				t.Errorf("allow statement %+v is not limited to the endpoint", st)
			}
			if !slices.Equal(st.Resource, []string{execArn + "/" + stage + "/GET/whoami"}) {
				t.Errorf("allow statement covers %v, want only GET /whoami", st.Resource)
			}
		}
		if allows != 1 {
			t.Errorf("%d Allow statements, want the test client's only", allows)
		}
	})
	t.Run("caller_policy_names_exactly_its_route_ARNs", func(t *testing.T) {
		pol := spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, "private-test-instance-invoke"), "policy")
		var got []string
		for _, st := range pol.Statement {
			if !slices.Equal(st.Action, []string{"execute-api:Invoke"}) {
				t.Errorf("caller policy action %v", st.Action)
			}
			got = append(got, st.Resource...)
		}
		stage := spec.Str(spec.Named(t, e, tStage, "private-stage").Inputs, "stageName")
		if want := []string{execArn + "/" + stage + "/GET/whoami"}; !slices.Equal(got, want) {
			t.Errorf("caller policy resources %v, want %v", got, want)
		}
	})
	t.Run("deployment_follows_policy_methods_and_integrations", func(t *testing.T) {
		dep := spec.Named(t, e, tDeployment, "private-deployment")
		if !spec.DependsOn(dep, policyRes.URN) {
			t.Error("deployment does not wait for the resource policy")
		}
		for _, typ := range []string{tMethod, tIntegration} {
			for _, r := range e.OfType(typ) {
				if !spec.DependsOn(dep, r.URN) {
					t.Errorf("deployment does not wait for %s", r.Name)
				}
			}
		}
		if len(spec.Str(spec.Obj(dep.Inputs, "triggers"), "redeployment")) != 64 {
			t.Errorf("deployment trigger %v is not a sha256", dep.Inputs["triggers"])
		}
	})
	t.Run("stage_logs_JSON_traces_and_throttles", func(t *testing.T) {
		stage := spec.Named(t, e, tStage, "private-stage")
		if stage.Inputs["xrayTracingEnabled"] != true || len(spec.Obj(stage.Inputs, "variables")) != 0 {
			t.Errorf("stage %v: X-Ray off or stage variables set", stage.Inputs)
		}
		als := spec.Obj(stage.Inputs, "accessLogSettings")
		if spec.Str(als, "destinationArn") != spec.Str(spec.Named(t, e, mockengine.TypeLogGroup, "private-access-logs").Outputs, "arn") {
			t.Errorf("access logs go to %q", spec.Str(als, "destinationArn"))
		}
		var format map[string]string
		if err := json.Unmarshal([]byte(spec.Str(als, "format")), &format); err != nil {
			t.Fatalf("access log format is not JSON: %v", err)
		}
		for _, field := range []string{"requestId", "sourceIp", "caller", "userArn", "vpceId", "httpMethod", "resourcePath", "status", "responseLatency"} {
			if !strings.HasPrefix(format[field], "$context.") {
				t.Errorf("access log format lacks %s", field)
			}
		}
		ms := spec.Obj(spec.Named(t, e, tMethodSettings, "private-method-settings").Inputs, "settings")
		if ms["metricsEnabled"] != true || ms["dataTraceEnabled"] != false || spec.Str(ms, "loggingLevel") != "ERROR" ||
			spec.Num(ms, "throttlingRateLimit") <= 0 || spec.Num(ms, "throttlingBurstLimit") <= 0 {
			t.Errorf("method settings %v", ms)
		}
		if len(e.OfType(tAPIAccount)) != 0 {
			t.Error("the account-wide CloudWatch role is set without opting in")
		}
		execLogs := spec.Named(t, e, mockengine.TypeLogGroup, "private-execution-logs")
		if !strings.HasPrefix(spec.Str(execLogs.Inputs, "name"), "API-Gateway-Execution-Logs_"+api.ID+"/") || !spec.DependsOn(stage, execLogs.URN) {
			t.Errorf("execution log group %q is not pre-created before the stage", spec.Str(execLogs.Inputs, "name"))
		}
	})
}

func specFunctions(t *testing.T, e *mockengine.Engine, stack string) {
	fns := e.OfType(tFunction)
	t.Run("functions_run_provided_al2023_on_arm64_in_two_AZs", func(t *testing.T) {
		if len(fns) != len(catalogue.Functions) {
			t.Fatalf("%d functions, want the catalogue's %v", len(fns), catalogue.Names())
		}
		// dev reserves nothing (the default: new accounts could not deploy a reservation), prod 50.
		memory, reserved := 256.0, any(nil)
		if stack == prodStack {
			memory, reserved = 512, 50.0
		}
		for _, f := range fns {
			in := f.Inputs
			if spec.Str(in, "runtime") != "provided.al2023" || !slices.Equal(spec.List(in, "architectures"), []any{"arm64"}) || spec.Str(in, "handler") != "bootstrap" {
				t.Errorf("%s runs %s on %v", f.Name, spec.Str(in, "runtime"), in["architectures"])
			}
			if azs := spec.DistinctAZs(t, e, spec.List(spec.Obj(in, "vpcConfig"), "subnetIds")); len(azs) < 2 {
				t.Errorf("%s in AZs %v", f.Name, azs)
			}
			if spec.Str(spec.Obj(in, "tracingConfig"), "mode") != "Active" || spec.Num(in, "memorySize") != memory || in["reservedConcurrentExecutions"] != reserved {
				t.Errorf("%s tracing %v memory %v reserved %v", f.Name, in["tracingConfig"], in["memorySize"], in["reservedConcurrentExecutions"])
			}
			if in["replaceSecurityGroupsOnDestroy"] != true {
				t.Errorf("%s keeps its security group's ENIs on destroy", f.Name)
			}
			if archive := spec.Obj(in, "code"); spec.Str(archive, "archive") != "file:build/"+f.Name+".zip" {
				t.Errorf("%s code %v, want the built zip", f.Name, in["code"])
			}
			vars := spec.Obj(spec.Obj(in, "environment"), "variables")
			if wantTable := len(functionTableAccess[f.Name]) > 0; (spec.Str(vars, "TABLE_NAME") == spec.Str(spec.Named(t, e, tTable, "data-table").Outputs, "name")) != wantTable {
				t.Errorf("%s environment %v: TABLE_NAME only where the function uses the table", f.Name, vars)
			}
		}
	})
	t.Run("log_group_with_retention_exists_before_the_function", func(t *testing.T) {
		retention := 30.0
		if stack == prodStack {
			retention = 365
		}
		for _, f := range fns {
			lg := spec.Named(t, e, mockengine.TypeLogGroup, f.Name+"-logs")
			if spec.Str(lg.Inputs, "name") != "/aws/lambda/"+spec.Str(f.Inputs, "name") || spec.Num(lg.Inputs, "retentionInDays") != retention || !spec.DependsOn(f, lg.URN) {
				t.Errorf("%s log group %v (retention %v) not created first", f.Name, lg.Inputs["name"], lg.Inputs["retentionInDays"])
			}
		}
	})
	t.Run("roles_grant_only_the_table_actions_each_function_uses", func(t *testing.T) {
		tableArn := spec.Str(spec.Named(t, e, tTable, "data-table").Outputs, "arn")
		for _, f := range fns {
			doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, f.Name+"-permissions"), "policy")
			var tableActions []string
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if strings.Contains(a, "*") {
						t.Errorf("%s: wildcard action %q", f.Name, a)
					}
					if strings.HasPrefix(a, "dynamodb:") {
						tableActions = append(tableActions, a)
						if !slices.Equal(st.Resource, []string{tableArn}) {
							t.Errorf("%s: %s on %v, want only the table", f.Name, a, st.Resource)
						}
						if keys := st.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]; len(keys) == 0 || slices.Contains(keys, "*") {
							t.Errorf("%s: %s on every partition (LeadingKeys %v)", f.Name, a, keys)
						}
					}
				}
				if slices.Contains(st.Resource, "*") && !strings.HasSuffix(st.Sid, "ResourceStarRequired") {
					t.Errorf("%s: statement %s uses resource * without a documented reason", f.Name, st.Sid)
				}
			}
			slices.Sort(tableActions)
			if !slices.Equal(slices.Compact(tableActions), infra.GrantedActions(functionTableAccess[f.Name])) {
				t.Errorf("%s table actions %v, want %v", f.Name, tableActions, infra.GrantedActions(functionTableAccess[f.Name]))
			}
			trust := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, f.Name+"-role"), "assumeRolePolicy").Statement[0]
			if trust.Principal.Service[0] != "lambda.amazonaws.com" || len(trust.Condition["StringEquals"]["aws:SourceAccount"]) != 1 {
				t.Errorf("%s trust %+v", f.Name, trust)
			}
		}
	})
	t.Run("function_egress_only_to_DynamoDB_when_it_uses_the_table", func(t *testing.T) {
		prefixList := spec.Str(spec.Named(t, e, mockengine.TypeVpcEndpoint, "api-dynamodb").Outputs, "prefixListId")
		for _, f := range fns {
			sg := spec.Named(t, e, mockengine.TypeSecurityGroup, f.Name+"-sg")
			egress := spec.List(sg.Inputs, "egress")
			if len(spec.List(sg.Inputs, "ingress")) != 0 {
				t.Errorf("%s SG has ingress", f.Name)
			}
			if len(functionTableAccess[f.Name]) == 0 {
				if len(egress) != 0 {
					t.Errorf("%s has no table access but has egress %v", f.Name, egress)
				}
				continue
			}
			if len(egress) != 1 || spec.Num(egress[0].(map[string]any), "fromPort") != 443 ||
				!slices.Equal(spec.List(egress[0].(map[string]any), "prefixListIds"), []any{prefixList}) || len(spec.List(egress[0].(map[string]any), "cidrBlocks")) != 0 {
				t.Errorf("%s egress %v, want only 443 to the DynamoDB prefix list", f.Name, egress)
			}
		}
	})
}

func specTable(t *testing.T, e *mockengine.Engine, stack string) {
	table := spec.Named(t, e, tTable, "data-table")
	in := table.Inputs
	t.Run("table_is_on_demand_with_PITR_TTL_and_the_key_layout", func(t *testing.T) {
		if spec.Str(in, "billingMode") != "PAY_PER_REQUEST" || spec.Str(in, "hashKey") != "PK" || spec.Str(in, "rangeKey") != "SK" ||
			spec.Obj(in, "pointInTimeRecovery")["enabled"] != true || spec.Str(spec.Obj(in, "ttl"), "attributeName") != infra.TTLAttribute {
			t.Errorf("table inputs %v", in)
		}
	})
	t.Run("prod_protects_and_encrypts_with_its_own_key_dev_does_not", func(t *testing.T) {
		prod := stack == prodStack
		sse := spec.Obj(in, "serverSideEncryption")
		keys := e.OfType(tKMSKey)
		if in["deletionProtectionEnabled"] != prod || table.Protect != prod || sse["enabled"] != prod || (len(keys) == 1) != prod {
			t.Errorf("%s: deletion protection %v, protect %v, sse %v, %d keys", stack, in["deletionProtectionEnabled"], table.Protect, sse, len(keys))
		}
		if prod && (spec.Str(sse, "kmsKeyArn") != spec.Str(keys[0].Outputs, "arn") || keys[0].Inputs["enableKeyRotation"] != true || !keys[0].Protect) {
			t.Errorf("prod key %v not rotating, protected and used by the table", keys[0].Inputs)
		}
	})
	t.Run("directory_entries_are_seeded_from_the_data_file", func(t *testing.T) {
		entries, err := directorydata.Entries()
		if err != nil {
			t.Fatal(err)
		}
		items := e.OfType(tTableItem)
		if len(items) != len(entries) || len(entries) == 0 {
			t.Fatalf("%d items for %d directory entries", len(items), len(entries))
		}
		for _, it := range items {
			if spec.Str(it.Inputs, "hashKey") != "PK" || spec.Str(it.Inputs, "rangeKey") != "SK" || spec.Str(it.Inputs, "tableName") != spec.Str(table.Outputs, "name") {
				t.Errorf("item %s: %v", it.Name, it.Inputs)
			}
		}
	})
}

func specClient(t *testing.T, e *mockengine.Engine, stack string) {
	instances := e.OfType(tInstance)
	t.Run("test_client_is_private_IMDSv2_encrypted_and_SSM_managed", func(t *testing.T) {
		if stack == prodStack {
			if len(instances) != 0 {
				t.Errorf("prod has %d test instances", len(instances))
			}
			return
		}
		if len(instances) != 1 {
			t.Fatalf("%d test instances, want 1", len(instances))
		}
		in := instances[0].Inputs
		if in["associatePublicIpAddress"] != false || spec.Str(spec.Obj(in, "metadataOptions"), "httpTokens") != "required" ||
			spec.Obj(in, "rootBlockDevice")["encrypted"] != true || !strings.HasPrefix(spec.Str(in, "instanceType"), "t4g.") {
			t.Errorf("test instance %v", in)
		}
		profile := spec.Named(t, e, mockengine.TypeInstanceProfile, "client-profile")
		if spec.Str(in, "iamInstanceProfile") != spec.Str(profile.Outputs, "name") || spec.Str(profile.Inputs, "role") != spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role").Outputs, "name") {
			t.Errorf("test instance profile %q does not hold the test client's role", spec.Str(in, "iamInstanceProfile"))
		}
		subnet, _ := e.Resolve(spec.Str(in, "subnetId"))
		if !strings.HasPrefix(subnet.Name, "consumers-") {
			t.Errorf("test instance in %s, want a consumer subnet", subnet.Name)
		}
		var services []string
		for _, ep := range e.OfType(mockengine.TypeVpcEndpoint) {
			if strings.HasPrefix(ep.Name, "consumers-") {
				services = append(services, spec.Str(ep.Inputs, "serviceName"))
			}
		}
		slices.Sort(services)
		want := []string{"com.amazonaws.eu-west-1.ec2messages", "com.amazonaws.eu-west-1.ssm", "com.amazonaws.eu-west-1.ssmmessages"}
		if !slices.Equal(services, want) {
			t.Errorf("consumer VPC endpoints %v, want %v", services, want)
		}
	})
	t.Run("no_IAM_user_unless_asked", func(t *testing.T) {
		if n := len(e.OfType(tUser)) + len(e.OfType(tAccessKey)); n != 0 {
			t.Errorf("%d IAM users or keys without client.iamUser", n)
		}
	})
}

// TestDeploymentTrigger: the stage is redeployed exactly when what it serves changes.
func TestDeploymentTrigger(t *testing.T) {
	trigger := func(t *testing.T, routes []infra.Route, cidrs []string) string {
		t.Helper()
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := infra.NewPrivateAPI(ctx, "private", privateAPIArgs(routes, cidrs))
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		return spec.Str(spec.Obj(spec.Named(t, e, tDeployment, "private-deployment").Inputs, "triggers"), "redeployment")
	}
	base := trigger(t, infra.Routes, nil)
	t.Run("unchanged_routes_and_policy_keep_the_trigger", func(t *testing.T) {
		if again := trigger(t, infra.Routes, nil); again != base {
			t.Errorf("trigger changed without a change: %s then %s", base, again)
		}
	})
	t.Run("a_changed_route_changes_the_trigger", func(t *testing.T) {
		changed := append([]infra.Route(nil), infra.Routes...)
		changed[0].Path = "/identity"
		if trigger(t, changed, nil) == base {
			t.Error("renaming a route kept the trigger")
		}
		if trigger(t, infra.Routes[:len(infra.Routes)-1], nil) == base {
			t.Error("removing a route kept the trigger")
		}
	})
	t.Run("a_changed_policy_changes_the_trigger", func(t *testing.T) {
		if trigger(t, infra.Routes, []string{"10.20.0.0/16"}) == base {
			t.Error("adding a source-IP allow-list kept the trigger")
		}
	})
}

func privateAPIArgs(routes []infra.Route, cidrs []string) *infra.PrivateAPIArgs {
	fns := map[string]infra.FunctionTarget{}
	for _, r := range routes {
		fns[r.Function] = infra.FunctionTarget{Name: pulumi.String(r.Function), Qualifier: pulumi.String(infra.LiveAlias),
			InvokeArn: pulumi.String("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:" + r.Function + ":live/invocations")}
	}
	return &infra.PrivateAPIArgs{
		Region: spec.Region, Partition: commercial, AccountID: pulumi.String("123456789012"), EndpointID: pulumi.String("vpce-123"),
		Routes: routes, Functions: fns, Callers: []infra.Caller{{Name: "app", Routes: routes,
			RoleName: pulumi.String("app").ToStringOutput(), RoleArn: pulumi.String("arn:aws:iam::123456789012:role/app").ToStringOutput()}},
		AllowedSourceCidrs: cidrs, StageName: "v1", LoggingLevel: "INFO", ThrottlingRate: 10, ThrottlingBurst: 20, LogRetentionDays: 7,
	}
}

func TestPrivateAPI(t *testing.T) {
	t.Run("is_PRIVATE_and_associated_with_the_endpoint", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := infra.NewPrivateAPI(ctx, "private", privateAPIArgs(infra.Routes, nil))
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		ec := spec.Obj(e.OfType(mockengine.TypeRestAPI)[0].Inputs, "endpointConfiguration")
		if spec.Str(ec, "types") != "PRIVATE" || !slices.Equal(spec.List(ec, "vpcEndpointIds"), []any{"vpce-123"}) {
			t.Errorf("endpoint configuration %v", ec)
		}
	})
	t.Run("source_IP_allow_list_denies_everything_else", func(t *testing.T) {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error {
			_, err := infra.NewPrivateAPI(ctx, "private", privateAPIArgs(infra.Routes, []string{"10.20.0.0/16"}))
			return err
		})

		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, st := range spec.Policy(t, e.OfType(tAPIPolicy)[0], "policy").Statement {
			if st.Effect == "Deny" && slices.Equal(st.Condition["NotIpAddress"]["aws:VpcSourceIp"], []string{"10.20.0.0/16"}) {
				found = true
			}
		}
		if !found {
			t.Error("no Deny outside aws:VpcSourceIp 10.20.0.0/16")
		}
	})
	t.Run("rejects_a_route_without_its_function", func(t *testing.T) {
		args := privateAPIArgs(infra.Routes, nil)
		delete(args.Functions, "claims")
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := infra.NewPrivateAPI(ctx, "private", args); return err })
		if err == nil || !strings.Contains(err.Error(), `"claims"`) || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
	t.Run("rejects_a_function_without_the_alias_it_invokes", func(t *testing.T) {
		args := privateAPIArgs(infra.Routes, nil)
		args.Functions["claims"] = infra.FunctionTarget{Name: args.Functions["claims"].Name, InvokeArn: args.Functions["claims"].InvokeArn}
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := infra.NewPrivateAPI(ctx, "private", args); return err })
		if err == nil || !strings.Contains(err.Error(), "Qualifier") || len(e.Resources()) != 0 {
			t.Fatalf("err %v, %d resources", err, len(e.Resources()))
		}
	})
	t.Run("account_logging_role_only_on_opt_in", func(t *testing.T) {
		args := privateAPIArgs(infra.Routes, nil)
		args.ManageAccountLoggingRole = true
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := infra.NewPrivateAPI(ctx, "private", args); return err })
		if err != nil {
			t.Fatal(err)
		}
		account := e.OfType(tAPIAccount)
		if len(account) != 1 || !spec.DependsOn(e.OfType(tMethodSettings)[0], account[0].URN) {
			t.Fatal("opting in did not set the account role before logging is turned on")
		}
	})
}

func TestClientAccess(t *testing.T) {
	run := func(t *testing.T, args *infra.ClientAccessArgs) *mockengine.Engine {
		e, err := spec.RunComponent(t, func(ctx *pulumi.Context) error { _, err := infra.NewClientAccess(ctx, "client", args); return err })
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	account := pulumi.String("123456789012")
	orders := infra.ClientArgs{Name: "orders", Routes: infra.RoutesNamed([]string{"GET /employees"}), TrustedPrincipals: []string{"arn:aws:iam::123456789012:role/app"}}
	t.Run("each_client_role_trusts_exactly_its_principals", func(t *testing.T) {
		portal := infra.ClientArgs{Name: "portal", Routes: infra.Routes, TrustedPrincipals: []string{"arn:aws:iam::123456789012:role/portal"}}
		e := run(t, &infra.ClientAccessArgs{Clients: []infra.ClientArgs{orders, portal}, AccountID: account, Partition: commercial})
		for _, c := range []infra.ClientArgs{orders, portal} {
			doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, "client-"+c.Name+"-role"), "assumeRolePolicy")
			if len(doc.Statement) != 1 || !slices.Equal(doc.Statement[0].Principal.AWS, c.TrustedPrincipals) {
				t.Errorf("%s trust %+v", c.Name, doc.Statement)
			}
		}
		for _, r := range e.OfType(mockengine.TypeRole) {
			if strings.Contains(spec.Str(r.Inputs, "assumeRolePolicy"), ":root") {
				t.Errorf("%s trusts an account root", r.Name)
			}
		}
	})
	t.Run("no_clients_no_roles", func(t *testing.T) {
		if n := len(run(t, &infra.ClientAccessArgs{AccountID: account, Partition: commercial}).OfType(mockengine.TypeRole)); n != 0 {
			t.Errorf("%d roles for a stack with no clients", n)
		}
	})
	t.Run("test_client_has_its_own_EC2_role", func(t *testing.T) {
		e := run(t, &infra.ClientAccessArgs{Clients: []infra.ClientArgs{orders}, TestInstanceRoutes: infra.RoutesNamed(infra.TestClientRoutes), AccountID: account, Partition: commercial})
		doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role"), "assumeRolePolicy")
		if len(doc.Statement) != 1 || !slices.Equal(doc.Statement[0].Principal.Service, []string{"ec2.amazonaws.com"}) || len(doc.Statement[0].Principal.AWS) != 0 {
			t.Errorf("test client trust %+v", doc.Statement)
		}
		profile := spec.Named(t, e, mockengine.TypeInstanceProfile, "client-profile")
		if spec.Str(profile.Inputs, "role") != spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role").Outputs, "name") {
			t.Error("the instance profile does not hold the test client's role")
		}
	})
	t.Run("user_only_when_asked_and_never_a_key", func(t *testing.T) {
		withUser := orders
		withUser.IAMUser = true
		e := run(t, &infra.ClientAccessArgs{Clients: []infra.ClientArgs{withUser}, AccountID: account, Partition: commercial})
		if len(e.OfType(tUser)) != 1 || len(e.OfType(tAccessKey)) != 0 {
			t.Error("iamUser must make a user and no key")
		}
		if len(run(t, &infra.ClientAccessArgs{Clients: []infra.ClientArgs{orders}, AccountID: account, Partition: commercial}).OfType(tUser)) != 0 {
			t.Error("a user without iamUser")
		}
	})
}

// TestArtifacts: the deployed program refuses to ship a function it could not build.
func TestArtifacts(t *testing.T) {
	e, err := mockengine.Run(Program(BuiltArtifacts{ModuleRoot: t.TempDir(), OutDir: t.TempDir()}), spec.Project, "test", spec.StackConfig(t, projectRoot, devStack))
	if err == nil || !strings.Contains(err.Error(), "refusing to deploy without a fresh build") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if len(e.Resources()) != 0 {
		t.Errorf("%d resources registered before the build failed", len(e.Resources()))
	}
}
