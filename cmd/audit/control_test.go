package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// One rule for the private-API control: the live audit (apiReport.checkPolicy) and the offline check
// seed:resource-policy (internal/checks, run on a one-API stack) must reach the same verdict on every
// policy: the audit's recorded APIs and tricks, the check's failing cases, and the cases where the
// two disagreed before they shared policydoc.PrivateAPI.
//
// The check then asks more of this stack's own policy than the control (its endpoints only, a Deny
// of every principal it does not name, each principal only its routes); a row that passes the
// control but not those names the check's reason in stack, and the check's verdict on the control
// is "passes, or fails for that reason only".

const (
	controlAPI      = "a1b2c3d4e5"
	controlEndpoint = "vpce-0a1b2c3d4e5f60718"
	clientRole      = "arn:aws:iam::123456789012:role/private-api-client"
	apiResource     = "arn:aws:execute-api:us-east-1:123456789012:" + controlAPI + "/*"
)

type controlCase struct {
	name, policy string
	endpoints    []string
	// control is the verdict both must reach; stack, the check's own reason to fail a policy that
	// passes the control.
	control bool
	stack   string
}

// The check's stricter requirements, as its detail words them.
const (
	widerThanRoutes   = "wider than the caller's route ARNs"
	noPrincipalDeny   = "no Deny of execute-api:Invoke to every principal but the named clients"
	notOwnEndpointsIn = "no Deny of execute-api:Invoke to \"*\" unless aws:SourceVpce is " + controlEndpoint
)

func statement(effect string, principal any, resource string, condition map[string]any) map[string]any {
	s := map[string]any{"Effect": effect, "Principal": principal, "Action": "execute-api:Invoke", "Resource": resource}
	if condition != nil {
		s["Condition"] = condition
	}
	return s
}

func policyOf(statements ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b)
}

func cond(operator, key string, values ...string) map[string]any {
	return map[string]any{operator: map[string]any{key: values}}
}

// stackPolicy is the shape the stack writes (infra: resourcePolicy) with the guards given: the
// client is named, denied nothing else, and allowed one route from the endpoint.
func stackPolicy(guards ...map[string]any) string {
	return policyOf(append(guards,
		statement("Deny", "*", apiResource, cond("ArnNotEquals", "aws:PrincipalArn", clientRole)),
		statement("Allow", map[string]any{"AWS": clientRole}, "arn:aws:execute-api:us-east-1:123456789012:"+controlAPI+"/v1/GET/whoami",
			cond("StringEquals", "aws:SourceVpce", controlEndpoint)))...)
}

// recordedCases are every REST API of the audit's recorded GetRestApis answers.
func recordedCases(t *testing.T) []controlCase {
	want := map[string]controlCase{
		"restapis/a1b2c3d4e5":                         {control: true, stack: widerThanRoutes},
		"restapis/f6g7h8i9j0":                         {control: false},
		"restapis@page2/k1l2m3n4o5":                   {control: false},
		"restapis@page2/p6q7r8s9t0":                   {control: false},
		"restapis-compliant/a1b2c3d4e5":               {control: true, stack: widerThanRoutes},
		"restapis-trick-allow-everyone/a1b2c3d4e5":    {control: false},
		"restapis-trick-every-address/a1b2c3d4e5":     {control: false},
		"restapis-trick-foreign-endpoint/a1b2c3d4e5":  {control: true, stack: widerThanRoutes},
		"restapis-trick-newline-name/a1b2c3d4e5":      {control: true, stack: widerThanRoutes},
		"restapis-trick-wildcard-endpoint/a1b2c3d4e5": {control: false},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "apigateway", "restapis*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []controlCase
	for _, f := range files {
		list := strings.TrimSuffix(filepath.Base(f), ".json")
		if strings.Contains(list, "_") {
			continue // an API's resources or stages, not a list of APIs
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Item []struct {
				ID                    string
				Policy                string
				EndpointConfiguration struct{ VpcEndpointIds []string }
			}
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, api := range page.Item {
			name := list + "/" + api.ID
			c, ok := want[name]
			if !ok {
				t.Errorf("recorded API %s has no expected verdict here", name)
				continue
			}
			delete(want, name)
			c.name, c.policy, c.endpoints = "recorded/"+name, api.Policy, api.EndpointConfiguration.VpcEndpointIds
			out = append(out, c)
		}
	}
	for name := range want {
		t.Errorf("no recorded API %s", name)
	}
	return out
}

func TestAuditAndCheckJudgeTheControlAlike(t *testing.T) {
	notOwn := cond("StringNotEquals", "aws:SourceVpce", controlEndpoint)
	guard := statement("Deny", "*", apiResource, notOwn)
	cases := append(recordedCases(t), []controlCase{
		// The check's own cases (internal/checks TestEveryCheckCanFail, its passing fixture).
		{name: "check/fixture", policy: stackPolicy(guard), control: true},
		{name: "check/no_policy", control: false},
		{name: "check/allow_everyone", policy: policyOf(statement("Allow", "*", "*", nil)), control: false},
		{name: "check/client_allowed_the_whole_API", policy: policyOf(guard,
			statement("Deny", "*", apiResource, cond("ArnNotEquals", "aws:PrincipalArn", clientRole)),
			statement("Allow", map[string]any{"AWS": clientRole}, apiResource, nil)), control: true, stack: widerThanRoutes},
		{name: "check/no_principal_deny", policy: policyOf(guard,
			statement("Allow", map[string]any{"AWS": clientRole}, "execute-api:/v1/GET/whoami", nil)), control: true, stack: noPrincipalDeny},
		{name: "check/guard_names_another_endpoint_too", policy: stackPolicy(statement("Deny", "*", apiResource,
			cond("StringNotEquals", "aws:SourceVpce", controlEndpoint, "vpce-0fffffffffffffff0"))), control: true, stack: notOwnEndpointsIn},
		// Where the two disagreed before the one rule: the check read only StringNotEquals, exactly,
		// and did not ask what the guard covers or whether a range covers every address.
		{name: "disagreed_before/guard_with_IfExists", policy: stackPolicy(statement("Deny", "*", apiResource,
			cond("StringNotEqualsIfExists", "aws:SourceVpce", controlEndpoint))), control: true},
		{name: "disagreed_before/guard_with_ForAnyValue", policy: stackPolicy(statement("Deny", "*", apiResource,
			cond("ForAnyValue:StringNotEquals", "aws:SourceVpce", controlEndpoint))), control: true},
		{name: "disagreed_before/condition_key_case", policy: stackPolicy(statement("Deny", "*", apiResource,
			cond("StringNotEquals", "AWS:SOURCEVPCE", controlEndpoint))), control: true},
		{name: "disagreed_before/range_of_every_address", policy: stackPolicy(guard, statement("Deny", "*", apiResource,
			cond("NotIpAddress", "aws:VpcSourceIp", "0.0.0.0/0"))), control: false},
		{name: "disagreed_before/guard_on_one_path", policy: stackPolicy(statement("Deny", "*",
			"arn:aws:execute-api:us-east-1:123456789012:"+controlAPI+"/v1/POST/*", notOwn)), control: false},
		{name: "disagreed_before/guard_narrowed_to_one_account", policy: stackPolicy(statement("Deny", "*", apiResource, map[string]any{
			"StringNotEquals": map[string]any{"aws:SourceVpce": controlEndpoint}, "StringEquals": map[string]any{"aws:PrincipalAccount": "123456789012"}})),
			control: false},
		{name: "disagreed_before/wildcard_endpoint", policy: stackPolicy(statement("Deny", "*", apiResource,
			cond("StringNotLike", "aws:SourceVpce", "vpce-*"))), control: false},
	}...)

	seed := seedCheck(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoints := tc.endpoints
			if endpoints == nil {
				endpoints = []string{controlEndpoint}
			}
			audit := apiReport{ID: controlAPI, VPCEndpointIDs: endpoints}
			audit.checkPolicy(tc.policy)
			auditPass := len(audit.Problems) == 0

			f := checkFinding(t, seed, tc.policy, endpoints)
			checkPass := f.Status == checks.Pass || tc.stack != "" && f.Status == checks.Fail && strings.Contains(f.Detail, tc.stack)

			if auditPass != tc.control || checkPass != tc.control {
				t.Fatalf("control: want pass %v; the audit says %v %q, the check says %s %q", tc.control, auditPass, audit.Problems, f.Status, f.Detail)
			}
			if tc.control && tc.stack == "" && f.Status != checks.Pass {
				t.Errorf("the check fails a policy of the stack's shape: %q", f.Detail)
			}
			// A policy that reads fails both for the same reasons, the rule's, in each one's words.
			if _, err := policydoc.Parse(tc.policy); err == nil && !tc.control {
				for _, p := range audit.Problems {
					if reason := strings.TrimPrefix(p, "resource policy: "); !strings.Contains(f.Detail, reason) {
						t.Errorf("the check's detail %q lacks the audit's reason %q", f.Detail, reason)
					}
				}
			}
		})
	}
}

func seedCheck(t *testing.T) checks.Check {
	t.Helper()
	for _, c := range checks.All() {
		if c.ID() == "seed:resource-policy" {
			return c
		}
	}
	t.Fatal("no check seed:resource-policy")
	return checks.Check{}
}

// checkFinding runs the check on a stack of one private API carrying the policy inline.
func checkFinding(t *testing.T, seed checks.Check, policy string, endpoints []string) checks.Finding {
	t.Helper()
	inputs := map[string]any{"endpointConfiguration": map[string]any{"types": []any{"PRIVATE"}, "vpcEndpointIds": toAny(endpoints)}}
	if policy != "" {
		inputs["policy"] = policy
	}
	api := m.Resource{Type: m.TypeRestAPI, Name: "api", URN: "urn:pulumi:test::control::" + m.TypeRestAPI + "::api", ID: controlAPI, Custom: true, Inputs: inputs}
	rep := checks.Run(m.FromResources("control", "test", "us-east-1", []m.Resource{api}), []checks.Check{seed}, nil)
	if len(rep.Results) != 1 || len(rep.Results[0].Findings) != 1 {
		t.Fatalf("want one finding, got %+v", rep.Results)
	}
	return rep.Results[0].Findings[0]
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
