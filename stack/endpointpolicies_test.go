package stack

import (
	"slices"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
	"github.com/example/private-api/internal/policydoc"
)

// TestEndpointPolicies: the API VPC's endpoints admit only this API for its callers and only this
// table for the function roles, attached as resources of their own (the API and the functions
// depend on the endpoints, so an inline policy naming them would be a cycle).
func TestEndpointPolicies(t *testing.T) {
	e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "clients", []map[string]any{
		{"name": "orders", "routes": []string{"GET /employees"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/orders"}},
	}))
	policyFor := func(endpoint string) policydoc.Statement {
		t.Helper()
		ep := spec.Named(t, e, mockengine.TypeVpcEndpoint, endpoint)
		if spec.Str(ep.Inputs, "policy") != "" {
			t.Errorf("%s carries an inline policy too", endpoint)
		}
		for _, p := range e.OfType(mockengine.TypeVpcEndpointPolicy) {
			if refs := e.RefsOfType(spec.Str(p.Inputs, "vpcEndpointId"), mockengine.TypeVpcEndpoint); len(refs) == 1 && refs[0].Name == endpoint {
				doc := spec.Policy(t, p, "policy")
				if len(doc.Statement) != 1 {
					t.Fatalf("%s: %d statements", endpoint, len(doc.Statement))
				}
				return doc.Statement[0]
			}
		}
		t.Fatalf("no VpcEndpointPolicy for %s", endpoint)
		return policydoc.Statement{}
	}
	api := policyFor("api-execute-api")
	execArn := spec.Str(spec.Named(t, e, mockengine.TypeRestAPI, "private-api").Outputs, "executionArn")
	callers := []string{spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-orders-role").Outputs, "arn"), spec.Str(spec.Named(t, e, mockengine.TypeRole, "client-test-instance-role").Outputs, "arn")}
	if api.Effect != "Allow" || !slices.Equal(api.Resource, []string{execArn + "/*"}) || !slices.Equal(api.Condition["ArnEquals"]["aws:PrincipalArn"], callers) {
		t.Errorf("execute-api endpoint policy %+v, want this API for %v only", api, callers)
	}
	table := policyFor("api-dynamodb")
	var roles []string
	for _, fn := range []string{"employees", "claims"} {
		roles = append(roles, spec.Str(spec.Named(t, e, mockengine.TypeRole, fn+"-role").Outputs, "arn"))
	}
	slices.Sort(roles)
	got := slices.Clone(table.Condition["ArnEquals"]["aws:PrincipalArn"])
	slices.Sort(got)
	if !slices.Equal(table.Resource, []string{spec.Str(spec.Named(t, e, tTable, "data-table").Outputs, "arn")}) || !slices.Equal(got, roles) ||
		slices.Contains(table.Action, "dynamodb:DeleteItem") || len(table.Action) == 0 {
		t.Errorf("gateway endpoint policy %+v, want the table's actions for %v only", table, roles)
	}
	// With no callers at all, the execute-api endpoint admits nobody.
	prod := runProgram(t, spec.StackConfig(t, projectRoot, prodStack))
	for _, p := range prod.OfType(mockengine.TypeVpcEndpointPolicy) {
		if p.Name == "endpoints-execute-api" {
			if st := spec.Policy(t, p, "policy").Statement; len(st) != 1 || st[0].Effect != "Deny" {
				t.Errorf("prod's execute-api endpoint policy %+v, want a Deny of everyone", st)
			}
		}
	}
}
