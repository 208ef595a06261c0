// Package catalogue is the one list of the stack's functions: each function's name, the routes it
// serves and what it may do on the table, declared once. The build list (internal/functionbuild), the
// API's route table, the roles and their grants, the endpoint and table policies and the specs all
// derive from it; functions/internal/routeset proves each handler serves exactly its routes.
//
// Adding a route: its entry here and its handler. Adding a function: functions/<name>/main.go, its
// handler package, an entry here, and its handler in the routeset test's map.
package catalogue

import (
	"slices"

	"github.com/example/private-api/internal/directorydata"
)

// Route is one method on one API resource path ("/employees/{employeeId}").
type Route struct {
	Method string
	Path   string
}

// TableGrant is table actions on the items of some partitions only: Partitions are partition-key
// values or globs, matched against dynamodb:LeadingKeys.
type TableGrant struct {
	Actions    []string
	Partitions []string
}

// Function is one Lambda service.
type Function struct {
	Name   string
	Routes []Route
	// Table is what its store calls, by partition; nil means no table access at all (no grant, no
	// TABLE_NAME, no network egress).
	Table []TableGrant
}

// pageKey is where every function that lists pages keeps its page-token key, creating it on first
// need (functions/internal/dynamo/pagekey.go).
var pageKey = TableGrant{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}, Partitions: []string{"PAGEKEY"}}

// Functions are the stack's functions, in the order of the API contract of DESIGN.md (the route
// table's order, which the deployment hash follows).
var Functions = []Function{
	{Name: "whoami", Routes: []Route{{"GET", "/whoami"}}},
	{Name: "employees", Routes: []Route{{"GET", "/employees"}, {"GET", "/employees/{employeeId}"}},
		Table: []TableGrant{{Actions: []string{"dynamodb:GetItem", "dynamodb:Query"}, Partitions: []string{directorydata.PartitionKey}}, pageKey}},
	{Name: "claims", Routes: []Route{
		{"POST", "/members/{memberId}/claims"},
		{"GET", "/members/{memberId}/claims"},
		{"GET", "/members/{memberId}/claims/{claimId}"},
		{"PATCH", "/members/{memberId}/claims/{claimId}"},
		{"DELETE", "/members/{memberId}/claims/{claimId}"},
	}, Table: []TableGrant{{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}, Partitions: []string{"MEMBER#*"}}, pageKey}},
}

// Names are the functions' names, sorted: the build order.
func Names() []string {
	names := make([]string, len(Functions))
	for i, f := range Functions {
		names[i] = f.Name
	}
	slices.Sort(names)
	return names
}

// Named returns the function called name.
func Named(name string) (Function, bool) {
	i := slices.IndexFunc(Functions, func(f Function) bool { return f.Name == name })
	if i < 0 {
		return Function{}, false
	}
	return Functions[i], true
}
