// Package routeset holds the test that the API deploys exactly the routes each function serves: a
// route on one side only would show after deploy as a 404 (or a route nobody can reach).
package routeset

import (
	"slices"
	"testing"

	"github.com/example/private-api/functions/internal/claimsapi"
	"github.com/example/private-api/functions/internal/directoryapi"
	"github.com/example/private-api/functions/internal/whoami"
	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/functionbuild"
)

// served is what each function's handler routes, read from the handlers themselves (the same
// constructors each functions/<name>/main.go wires).
func served() map[string][]string {
	return map[string][]string{
		"claims":    claimsapi.New(nil).Routes(),
		"employees": directoryapi.New(nil).Routes(),
		"whoami":    whoami.Routes(),
	}
}

func deployed() map[string][]string {
	out := map[string][]string{}
	for _, r := range infra.Routes {
		out[r.Function] = append(out[r.Function], r.String())
	}
	for fn := range out {
		slices.Sort(out[fn])
	}
	return out
}

func TestDeployedRoutesAreServedRoutes(t *testing.T) {
	if err := sameRoutes(deployed(), served()); err != "" {
		t.Error(err)
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for fn := range served() {
			if !yield(fn) {
				return
			}
		}
	})
	if !slices.Equal(got, slices.Sorted(slices.Values(functionbuild.Functions))) {
		t.Errorf("handlers for %v, functions built %v", got, functionbuild.Functions)
	}
}

// TestAMismatchIsCaught adds a route to one side only and expects the comparison to name it.
func TestAMismatchIsCaught(t *testing.T) {
	d := deployed()
	d["employees"] = append(d["employees"], "DELETE /employees/{employeeId}")
	if err := sameRoutes(d, served()); err == "" {
		t.Error("a deployed route no handler serves went unnoticed")
	}
	s := served()
	s["claims"] = append(s["claims"], "PUT /members/{memberId}/claims/{claimId}")
	if err := sameRoutes(deployed(), s); err == "" {
		t.Error("a served route the API does not deploy went unnoticed")
	}
}

// sameRoutes says which function's deployed and served routes differ, or "".
func sameRoutes(deployed, served map[string][]string) string {
	for _, fn := range functionbuild.Functions {
		d, s := slices.Clone(deployed[fn]), slices.Clone(served[fn])
		slices.Sort(d)
		slices.Sort(s)
		if !slices.Equal(d, s) {
			return fn + ": the API deploys " + join(d) + " but the handler serves " + join(s)
		}
	}
	return ""
}

func join(v []string) string {
	if len(v) == 0 {
		return "nothing"
	}
	out := v[0]
	for _, s := range v[1:] {
		out += ", " + s
	}
	return out
}
