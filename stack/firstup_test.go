package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
	"github.com/example/private-api/internal/policydoc"
)

// TestFirstUp holds what a first `pulumi up` in a new account needs of the program.
func TestFirstUp(t *testing.T) {
	t.Run("no_reservation_unless_asked", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "functions", map[string]any{}))
		for _, f := range e.OfType(mockengine.TypeFunction) {
			if v, set := f.Inputs["reservedConcurrentExecutions"]; set {
				t.Errorf("%s reserves %v with functions.reservedConcurrency unset", f.Name, v)
			}
		}
	})

	t.Run("resource_policy_denies_every_principal_not_configured", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "clients", []map[string]any{
			{"name": "orders", "routes": []string{"GET /employees"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/orders"}, "iamUser": true},
		}))
		doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeRestAPIPolicy, "private-policy"), "policy")
		var deny *policydoc.Statement
		var allowed []string
		for i, s := range doc.Statement {
			if s.Sid == "DenyPrincipalsNotConfigured" {
				deny = &doc.Statement[i]
			}
			if s.Effect == "Allow" {
				allowed = append(allowed, s.Principal.AWS...)
			}
		}
		if deny == nil || deny.Effect != "Deny" || deny.Principal == nil || !deny.Principal.All {
			t.Fatalf("no Deny to every principal but the clients: %+v", doc.Statement)
		}
		exempt := deny.Condition["ArnNotEquals"]["aws:PrincipalArn"]
		slices.Sort(allowed)
		if len(exempt) != 3 || !slices.Equal(exempt, allowed) { // the client's role and user, the test client's role
			t.Errorf("Deny exempts %v, the policy allows %v: they must be the same principals", exempt, allowed)
		}
	})

	t.Run("under_a_customer_key_every_log_group_uses_it", func(t *testing.T) {
		e := runProgram(t, spec.StackConfig(t, projectRoot, prodStack))
		key := spec.Named(t, e, mockengine.TypeKMSKey, "data-key")
		groups := e.OfType(mockengine.TypeLogGroup)
		if len(groups) < 5 {
			t.Fatalf("only %d log groups", len(groups))
		}
		for _, g := range groups {
			if spec.Str(g.Inputs, "kmsKeyId") != "${"+key.URN+".arn}" && !strings.Contains(spec.Str(g.Inputs, "kmsKeyId"), key.Name) {
				t.Errorf("log group %s is not under the stack's key: kmsKeyId %q", g.Name, spec.Str(g.Inputs, "kmsKeyId"))
			}
		}
		// The key admits CloudWatch Logs of this region only for this stack's log groups.
		doc := spec.Policy(t, key, "policy")
		var logs *policydoc.Statement
		for i, s := range doc.Statement {
			if s.Principal != nil && slices.Contains(s.Principal.Service, "logs."+spec.Region+".amazonaws.com") {
				logs = &doc.Statement[i]
			}
		}
		if logs == nil {
			t.Fatalf("key policy does not admit CloudWatch Logs: %+v", doc.Statement)
		}
		arns := logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
		for _, want := range []string{"log-group:/aws/lambda/private-api-test-*", "log-group:API-Gateway-Execution-Logs_*/v1", "log-group:api-flow-logs-*"} {
			if !slices.ContainsFunc(arns, func(a string) bool { return strings.HasSuffix(a, want) }) {
				t.Errorf("logs may not use the key for %s: %v", want, arns)
			}
		}
		for _, a := range arns {
			if strings.HasSuffix(a, "log-group:*") {
				t.Errorf("logs may use the key for every log group: %s", a)
			}
		}
	})

	t.Run("function_roles_use_the_table_key_only_through_DynamoDB", func(t *testing.T) {
		e := runProgram(t, spec.StackConfig(t, projectRoot, prodStack))
		want := map[string][]string{
			"claims-permissions": {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
			// The directory function writes its page-token key on first need.
			"employees-permissions": {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
			"whoami-permissions":    nil,
		}
		for name, actions := range want {
			var got []string
			for _, s := range spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, name), "policy").Statement {
				if s.Sid != "TableKeyThroughDynamoDBOnly" {
					continue
				}
				got = s.Action
				if via := s.Condition["StringEquals"]["kms:ViaService"]; !slices.Equal(via, []string{"dynamodb." + spec.Region + ".amazonaws.com"}) {
					t.Errorf("%s uses the key outside DynamoDB: %v", name, s.Condition)
				}
			}
			if !slices.Equal(got, actions) {
				t.Errorf("%s key actions %v, want %v", name, got, actions)
			}
		}
	})

	t.Run("account_logging_role_outlives_the_stack", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "api", map[string]any{"manageAccountLoggingRole": true}))
		role := spec.Named(t, e, mockengine.TypeRole, "private-apigateway-logging")
		rolePolicy := spec.Named(t, e, mockengine.TypeRolePolicy, "private-apigateway-logging-write")
		account := spec.Named(t, e, "aws:apigateway/account:Account", "private-apigateway-account")
		if !role.RetainOnDelete || !rolePolicy.RetainOnDelete {
			t.Error("destroying the stack would delete the role the account setting still names")
		}
		if !spec.DependsOn(account, rolePolicy.URN) {
			t.Error("the account setting is written before the role may write logs")
		}
	})
}

// TestThrottledCallersGet429 proves the method throttles keep each function within its reservation
// at the assumed latency, so API Gateway answers 429 before Lambda would throttle (a 500 through a
// proxy integration); a stack that reserves nothing gets no method throttles.
func TestThrottledCallersGet429(t *testing.T) {
	e := runProgram(t, spec.StackConfig(t, projectRoot, prodStack)) // reserves 50 per function
	perFunction := map[string]float64{}
	settings := map[string]mockengine.Resource{}
	for _, ms := range e.OfType(mockengine.TypeMethodSettings) {
		settings[spec.Str(ms.Inputs, "methodPath")] = ms
	}
	for _, r := range infra.Routes {
		ms, ok := settings[r.MethodPath()]
		if !ok {
			t.Fatalf("no method settings for %s %s", r.Method, r.Path)
		}
		in := spec.Obj(ms.Inputs, "settings")
		if spec.Num(in, "throttlingBurstLimit") < 1 || spec.Num(in, "throttlingRateLimit") <= 0 || in["loggingLevel"] == nil || in["metricsEnabled"] != true {
			t.Errorf("%s: settings %v", r.MethodPath(), in)
		}
		perFunction[r.Function] += spec.Num(in, "throttlingRateLimit") * infra.AssumedLatencySeconds
	}
	for fn, concurrency := range perFunction {
		if concurrency > 50 {
			t.Errorf("%s's methods together admit %v concurrent calls at the assumed latency, over its reservation of 50", fn, concurrency)
		}
	}
	if n := len(runProgram(t, spec.StackConfig(t, projectRoot, devStack)).OfType(mockengine.TypeMethodSettings)); n != 1 {
		t.Errorf("dev reserves nothing but has %d method settings, want the stage's one", n)
	}
}

// TestEachFunctionReachesOnlyItsPartitions: the directory function reads only the DIRECTORY
// partition, the claims function only member partitions, both their page-token key, whoami nothing.
func TestEachFunctionReachesOnlyItsPartitions(t *testing.T) {
	e := runProgram(t, spec.StackConfig(t, projectRoot, devStack))
	want := map[string][]string{
		"employees": {"DIRECTORY", "PAGEKEY"},
		"claims":    {"MEMBER#*", "PAGEKEY"},
		"whoami":    nil,
	}
	for fn, partitions := range want {
		var got []string
		for _, s := range spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, fn+"-permissions"), "policy").Statement {
			got = append(got, s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]...)
		}
		if !slices.Equal(got, partitions) {
			t.Errorf("%s reaches partitions %v, want %v", fn, got, partitions)
		}
	}
	for _, s := range spec.Policy(t, spec.Named(t, e, mockengine.TypeRolePolicy, "employees-permissions"), "policy").Statement {
		if slices.Contains(s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"], "DIRECTORY") && !slices.Equal(s.Action, []string{"dynamodb:GetItem", "dynamodb:Query"}) {
			t.Errorf("the directory function may %v the directory, want only reads", s.Action)
		}
	}
}

// TestTableDefendsItself: the table's resource policy denies other accounts, and with admin
// principals every principal of the account but the function roles and the admins, who are never
// denied (they seed the directory at deploy); the key separates administration from use.
func TestTableDefendsItself(t *testing.T) {
	admins := []string{"arn:aws:iam::123456789012:role/ci-deploy", "arn:aws:iam::123456789012:role/break-glass"}
	for _, tc := range []struct {
		name   string
		admins []string
	}{{"account_mode", nil}, {"admin_mode", admins}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := spec.StackConfig(t, projectRoot, prodStack)
			if tc.admins != nil {
				cfg = spec.WithKey(t, cfg, "table", map[string]any{"adminPrincipals": tc.admins, "encryption": "customer-managed", "deletionProtection": true, "protect": true})
			}
			e := runProgram(t, cfg)
			doc := spec.Policy(t, spec.Named(t, e, mockengine.TypeDynamoDBResourcePolicy, "data-access-policy"), "policy")
			if st := doc.Statement[0]; st.Effect != "Deny" || !st.Principal.All || !slices.Equal(st.Condition["StringNotEquals"]["aws:PrincipalAccount"], []string{mockengine.Account}) {
				t.Errorf("first statement %+v does not deny other accounts", st)
			}
			roles := []string{spec.Str(spec.Named(t, e, mockengine.TypeRole, "employees-role").Outputs, "arn"), spec.Str(spec.Named(t, e, mockengine.TypeRole, "claims-role").Outputs, "arn")}
			keyUse := spec.Policy(t, spec.Named(t, e, tKMSKey, "data-key"), "policy").Statement[1]
			if tc.admins == nil {
				if len(doc.Statement) != 1 || keyUse.Condition["ArnLike"] != nil {
					t.Errorf("without admins only other accounts are denied: %+v, key use %+v", doc.Statement, keyUse)
				}
				return
			}
			exempt := doc.Statement[1].Condition["ArnNotEquals"]["aws:PrincipalArn"]
			for _, p := range append(admins, roles...) {
				if !slices.Contains(exempt, p) {
					t.Errorf("%s is denied the table's items (exempt: %v)", p, exempt)
				}
			}
			users := keyUse.Condition["ArnLike"]["aws:PrincipalArn"]
			for _, p := range admins {
				if !slices.Contains(users, p) {
					t.Errorf("admin %s may not use the key (users: %v)", p, users)
				}
			}
			if !slices.Contains(users, "arn:aws:iam::${aws:accountId}:role/claims-role-*") && !slices.Contains(users, "arn:aws:iam::"+mockengine.Account+":role/claims-role-*") {
				t.Errorf("the claims role may not use the key: %v", users)
			}
		})
	}
}
