package checks

import (
	"fmt"

	"github.com/example/private-api/internal/mockengine"
)

// integrationLimitSeconds is API Gateway's REST integration timeout: a function that runs longer is
// cut off with a 504 while it keeps running (and billing).
const integrationLimitSeconds = 29

// failureModeChecks guard the production failures listed in CHECKS.md ("Known ways this architecture
// fails"); the DNS ones (3 and 5) live in dns.go.
var failureModeChecks = []Check{
	forType(mockengine.TypeDeployment, Check{
		IDs:  []string{"design:failure-1", "design:failure-2"},
		Rule: "every deployment has triggers (so route, integration and policy changes redeploy) and is ordered after the API's resource policy",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		triggers, _ := r.Inputs["triggers"].(map[string]any)
		if len(triggers) == 0 {
			return false, "no triggers: the stage keeps serving the old deployment after a change"
		}
		api, ok := e.Resolve(str(r, "restApi"))
		if !ok {
			return false, "restApi is not an API of this stack"
		}
		if str(api, "policy") != "" {
			return true, fmt.Sprintf("triggers %v; policy inline on %s", sortedKeys(triggers), api.Name)
		}
		for _, p := range e.OfType(mockengine.TypeRestAPIPolicy) {
			if refersTo(e, str(p, "restApiId"), api) && containsString(r.Dependencies, p.URN) {
				return true, fmt.Sprintf("triggers %v; after %s", sortedKeys(triggers), p.Name)
			}
		}
		return false, "not ordered after the API's resource policy: the first deployment can race it"
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"design:failure-7"},
		Rule: "every function in a VPC has replaceSecurityGroupsOnDestroy, so destroy does not hang on its ENIs",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		if len(strs(r, "vpcConfig.subnetIds")) == 0 {
			return true, "not in a VPC"
		}
		on := flag(r, "replaceSecurityGroupsOnDestroy")
		return on, fmt.Sprintf("replaceSecurityGroupsOnDestroy=%t", on)
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"design:failure-8"},
		Rule: fmt.Sprintf("every function times out before API Gateway's %d s integration limit", integrationLimitSeconds),
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		t, ok := num(r, "timeout")
		if !ok {
			return true, "default timeout 3 s"
		}
		return t < integrationLimitSeconds, fmt.Sprintf("timeout %g s", t)
	}),
}
