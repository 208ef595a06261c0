package plan

import (
	"fmt"
	"sort"

	"github.com/example/private-api/internal/mockengine"
)

// Preview is the shape of `pulumi preview --json` for a stack that does not exist yet: one create
// step per resource, the stack first, every parent and dependency before the resources that need it.
type Preview struct {
	Steps         []Step         `json:"steps"`
	ChangeSummary map[string]int `json:"changeSummary"`
}

// Step is one resource operation.
type Step struct {
	Op       string `json:"op"`
	URN      string `json:"urn"`
	NewState State  `json:"newState"`
}

// State is the resource as the step would leave it. IDs and computed outputs are placeholders
// (`${name.id}`), secret values are "[secret]".
type State struct {
	Type         string         `json:"type"`
	URN          string         `json:"urn"`
	ID           string         `json:"id,omitempty"`
	Custom       bool           `json:"custom"`
	Parent       string         `json:"parent,omitempty"`
	Protect      bool           `json:"protect,omitempty"`
	Inputs       map[string]any `json:"inputs"`
	Outputs      map[string]any `json:"outputs"`
	Dependencies []string       `json:"dependencies,omitempty"`
}

// PreviewOf builds the preview of the recorded stack.
func PreviewOf(e *mockengine.Engine) (Preview, error) {
	root, ok := e.Root()
	if !ok {
		return Preview{}, fmt.Errorf("stack %s: the program registered no stack resource", e.StackName())
	}
	ordered, err := creationOrder(root, e.Resources())
	if err != nil {
		return Preview{}, err
	}
	p := Preview{ChangeSummary: map[string]int{"create": len(ordered)}}
	for _, r := range ordered {
		p.Steps = append(p.Steps, Step{Op: "create", URN: r.URN, NewState: State{
			Type: r.Type, URN: r.URN, ID: r.ID, Custom: r.Custom, Parent: r.Parent, Protect: r.Protect,
			Inputs: redact(r.Inputs, r.Secrets), Outputs: redact(r.Outputs, r.Secrets), Dependencies: r.Dependencies,
		}})
	}
	return p, nil
}

// creationOrder sorts resources so each comes after its parent and dependencies (ties by URN, so
// the output is stable run to run although the program registers concurrently).
func creationOrder(root mockengine.Resource, rs []mockengine.Resource) ([]mockengine.Resource, error) {
	all := append([]mockengine.Resource{root}, rs...)
	byURN := map[string]mockengine.Resource{}
	for _, r := range all {
		byURN[r.URN] = r
	}
	waitsFor := map[string]map[string]bool{}
	for _, r := range all {
		waitsFor[r.URN] = map[string]bool{}
		for _, u := range append([]string{r.Parent}, r.Dependencies...) {
			if _, known := byURN[u]; known && u != r.URN {
				waitsFor[r.URN][u] = true
			}
		}
	}
	var out []mockengine.Resource
	done := map[string]bool{}
	for len(out) < len(all) {
		var ready []string
		for u, deps := range waitsFor {
			if done[u] {
				continue
			}
			blocked := false
			for d := range deps {
				if !done[d] {
					blocked = true
					break
				}
			}
			if !blocked {
				ready = append(ready, u)
			}
		}
		if len(ready) == 0 {
			return nil, fmt.Errorf("the recorded resources depend on each other in a cycle; %d of %d ordered", len(out), len(all))
		}
		sort.Strings(ready)
		for _, u := range ready {
			done[u] = true
			out = append(out, byURN[u])
		}
	}
	return out, nil
}

func redact(m map[string]any, secrets []string) map[string]any {
	if len(secrets) == 0 {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range secrets {
		if _, ok := out[k]; ok {
			out[k] = "[secret]"
		}
	}
	return out
}
