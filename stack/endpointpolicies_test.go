package stack

import (
	"slices"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// TestEndpointPolicies: the API VPC's endpoints admit only this API for its callers and only this
// table for the function roles, attached as resources of their own (the API and the functions
// depend on the endpoints, so an inline policy naming them would be a cycle).
func TestEndpointPolicies(t *testing.T) {
	e := runProgram(t, withKey(t, stackConfig(t, devStack), "clients", []map[string]any{
		{"name": "orders", "routes": []string{"GET /employees"}, "trustedPrincipals": []string{"arn:aws:iam::123456789012:role/orders"}},
	}))
	policyFor := func(endpoint string) policydoc.Statement {
		t.Helper()
		ep := named(t, e, tVpcEndpoint, endpoint)
		if str(ep.Inputs, "policy") != "" {
			t.Errorf("%s carries an inline policy too", endpoint)
		}
		for _, p := range e.OfType(mockengine.TypeVpcEndpointPolicy) {
			if refs := e.RefsOfType(str(p.Inputs, "vpcEndpointId"), tVpcEndpoint); len(refs) == 1 && refs[0].Name == endpoint {
				doc := policy(t, p, "policy")
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
	execArn := str(named(t, e, tRestAPI, "private-api").Outputs, "executionArn")
	callers := []string{str(named(t, e, tRole, "client-orders-role").Outputs, "arn"), str(named(t, e, tRole, "client-test-instance-role").Outputs, "arn")}
	if api.Effect != "Allow" || !slices.Equal(api.Resource, []string{execArn + "/*"}) || !slices.Equal(api.Condition["ArnEquals"]["aws:PrincipalArn"], callers) {
		t.Errorf("execute-api endpoint policy %+v, want this API for %v only", api, callers)
	}
	table := policyFor("api-dynamodb")
	var roles []string
	for _, fn := range []string{"employees", "claims"} {
		roles = append(roles, str(named(t, e, tRole, fn+"-role").Outputs, "arn"))
	}
	slices.Sort(roles)
	got := slices.Clone(table.Condition["ArnEquals"]["aws:PrincipalArn"])
	slices.Sort(got)
	if !slices.Equal(table.Resource, []string{str(named(t, e, tTable, "data-table").Outputs, "arn")}) || !slices.Equal(got, roles) ||
		slices.Contains(table.Action, "dynamodb:DeleteItem") || len(table.Action) == 0 {
		t.Errorf("gateway endpoint policy %+v, want the table's actions for %v only", table, roles)
	}
	// With no callers at all, the execute-api endpoint admits nobody.
	prod := runProgram(t, stackConfig(t, prodStack))
	for _, p := range prod.OfType(mockengine.TypeVpcEndpointPolicy) {
		if p.Name == "endpoints-execute-api" {
			if st := policy(t, p, "policy").Statement; len(st) != 1 || st[0].Effect != "Deny" {
				t.Errorf("prod's execute-api endpoint policy %+v, want a Deny of everyone", st)
			}
		}
	}
}
