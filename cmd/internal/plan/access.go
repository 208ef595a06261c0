package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// Access is who may call which route, read from the recorded policies, not from the config: a
// caller reaches a route when its role's identity policy allows execute-api:Invoke on the route's
// ARN, the API's resource policy allows its role that ARN, and no Deny of the resource policy
// applies to it (calls through the stack's endpoint assumed).
type Access struct {
	Routes  []string // route keys, in route-table order
	Callers []CallerAccess
}

// CallerAccess is one caller role and, per route, whether it gets in.
type CallerAccess struct {
	Role    string
	Allowed []bool
}

// AccessOf evaluates the recorded stack's policies.
func AccessOf(e *mockengine.Engine) (Access, error) {
	var a Access
	var resourcePolicy policydoc.Document
	policies := e.OfType(mockengine.TypeRestAPIPolicy)
	if len(policies) != 1 {
		return a, fmt.Errorf("access matrix: %d API resource policies, want 1", len(policies))
	}
	if err := json.Unmarshal([]byte(text(policies[0].Inputs["policy"])), &resourcePolicy); err != nil {
		return a, fmt.Errorf("access matrix: resource policy: %w", err)
	}
	stages := e.OfType(mockengine.TypeStage)
	if len(stages) != 1 {
		return a, fmt.Errorf("access matrix: %d stages, want 1", len(stages))
	}
	stage := text(stages[0].Inputs["stageName"])
	execArn := executionArnOf(resourcePolicy)
	arns := make([]string, len(infra.Routes))
	for i, r := range infra.Routes {
		a.Routes = append(a.Routes, r.String())
		arns[i] = r.InvokeArn(execArn, stage)
	}
	for _, rp := range e.OfType(mockengine.TypeRolePolicy) {
		var identity policydoc.Document
		if err := json.Unmarshal([]byte(text(rp.Inputs["policy"])), &identity); err != nil {
			return a, fmt.Errorf("access matrix: %s: %w", rp.Name, err)
		}
		if !grantsInvoke(identity) {
			continue
		}
		role, ok := e.Resolve(text(rp.Inputs["role"]))
		if !ok {
			return a, fmt.Errorf("access matrix: %s names no recorded role", rp.Name)
		}
		roleArn := text(role.Outputs["arn"])
		c := CallerAccess{Role: role.Name}
		for _, arn := range arns {
			c.Allowed = append(c.Allowed, allows(identity, "", arn) && allows(resourcePolicy, roleArn, arn) && !denies(resourcePolicy, roleArn, arn))
		}
		a.Callers = append(a.Callers, c)
	}
	slices.SortFunc(a.Callers, func(x, y CallerAccess) int { return strings.Compare(x.Role, y.Role) })
	return a, nil
}

// Render prints the matrix; with no caller it says plainly that nobody can call the API.
func (a Access) Render(w io.Writer) {
	if len(a.Callers) == 0 {
		fmt.Fprintln(w, "Access: nobody can call the API yet: add a client to private-api:clients")
		return
	}
	fmt.Fprintln(w, "Access (from the identity and resource policies; Y = allowed through the endpoint):")
	for _, c := range a.Callers {
		var allowed, denied []string
		for i, ok := range c.Allowed {
			if ok {
				allowed = append(allowed, a.Routes[i])
			} else {
				denied = append(denied, a.Routes[i])
			}
		}
		fmt.Fprintf(w, "  %s: %d of %d routes\n", c.Role, len(allowed), len(a.Routes))
		for _, r := range allowed {
			fmt.Fprintf(w, "    Y %s\n", r)
		}
		if len(denied) > 0 && len(allowed) > 0 {
			fmt.Fprintf(w, "    - every other route (%d)\n", len(denied))
		}
	}
}

func text(v any) string { s, _ := v.(string); return s }

// executionArnOf is the API's execution ARN, read off the resource policy's whole-API Deny.
func executionArnOf(d policydoc.Document) string {
	for _, s := range d.Statement {
		for _, r := range s.Resource {
			if strings.HasSuffix(r, "/*") {
				return strings.TrimSuffix(r, "/*")
			}
		}
	}
	return ""
}

func grantsInvoke(d policydoc.Document) bool {
	for _, s := range d.Statement {
		if s.Effect == "Allow" && slices.Contains(s.Action, "execute-api:Invoke") {
			return true
		}
	}
	return false
}

// allows says whether an Allow of d gives principal (empty: the identity policy's own holder)
// execute-api:Invoke on arn.
func allows(d policydoc.Document, principal, arn string) bool {
	for _, s := range d.Statement {
		if s.Effect != "Allow" || !slices.Contains(s.Action, "execute-api:Invoke") || !covers(s.Resource, arn) {
			continue
		}
		if principal == "" || (s.Principal != nil && (s.Principal.All || slices.Contains(s.Principal.AWS, principal))) {
			return true
		}
	}
	return false
}

// denies says whether a Deny of d applies to principal on arn whatever the endpoint: unconditional,
// or conditional on aws:PrincipalArn not being one it names.
func denies(d policydoc.Document, principal, arn string) bool {
	for _, s := range d.Statement {
		if s.Effect != "Deny" || !covers(s.Resource, arn) {
			continue
		}
		if len(s.Condition) == 0 {
			return true
		}
		if exempt, ok := s.Condition["ArnNotEquals"]["aws:PrincipalArn"]; ok && !slices.Contains(exempt, principal) {
			return true
		}
	}
	return false
}

// covers matches arn against resource patterns, where * spans any characters, "/" included.
func covers(patterns []string, arn string) bool {
	for _, p := range patterns {
		// path.Match's * stops at "/": an ARN wildcard does not, so compare segment-free.
		if ok, _ := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(arn, "/", "\x00")); ok {
			return true
		}
	}
	return false
}
