// Package spec holds what the mocks specs of the components (infra) and of the whole stack (stack)
// share to read a mock run: recorded inputs read without a panic when an expectation is wrong,
// resources found by name, policies parsed, config built as the CLI passes it. Only tests import it.
package spec

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// Project is the Pulumi project the specs run as, and Region the region they run in.
const (
	Project = "private-api"
	Region  = "eu-west-1"
)

// Str, List, Obj and Num read one recorded input of that type; the zero value when it has another.
func Str(m map[string]any, key string) string { s, _ := m[key].(string); return s }

// List reads a recorded list input.
func List(m map[string]any, key string) []any { l, _ := m[key].([]any); return l }

// Obj reads a recorded object input.
func Obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// Num reads a recorded number input.
func Num(m map[string]any, key string) float64 { n, _ := m[key].(float64); return n }

// StackConfig returns the config the CLI would pass for Pulumi.<stack>.yaml in root.
func StackConfig(t testing.TB, root, stack string) map[string]string {
	t.Helper()
	_, cfg, err := mockengine.StackConfig(root, stack)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// WithKey returns a copy of cfg with one project key set to v (marshalled as the CLI would).
func WithKey(t testing.TB, cfg map[string]string, key string, v any) map[string]string {
	t.Helper()
	out := make(map[string]string, len(cfg)+1)
	for k, val := range cfg {
		out[k] = val
	}
	if s, ok := v.(string); ok {
		out[Project+":"+key] = s
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out[Project+":"+key] = string(b)
	return out
}

// ConsumerConfig returns a config with n consumer VPCs (10.(20+i).0.0/16).
func ConsumerConfig(t testing.TB, base map[string]string, n int) map[string]string {
	t.Helper()
	var cons []map[string]string
	for i := 0; i < n; i++ {
		cons = append(cons, map[string]string{"name": fmt.Sprintf("c%d", i), "cidr": fmt.Sprintf("10.%d.0.0/16", 20+i)})
	}
	return WithKey(t, base, "consumers", cons)
}

// DistinctAZs follows subnet id placeholders to the subnets and returns their distinct AZs.
func DistinctAZs(t testing.TB, e *mockengine.Engine, subnetIDs []any) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, id := range subnetIDs {
		s, _ := id.(string)
		subnet, ok := e.Resolve(s)
		if !ok || subnet.Type != mockengine.TypeSubnet {
			t.Errorf("subnet id %q does not refer to a registered subnet", s)
			continue
		}
		if az := Str(subnet.Inputs, "availabilityZone"); !seen[az] {
			seen[az] = true
			out = append(out, az)
		}
	}
	return out
}

// CountByType counts recorded resources per type token.
func CountByType(e *mockengine.Engine) map[string]int {
	out := map[string]int{}
	for _, r := range e.Resources() {
		out[r.Type]++
	}
	return out
}

// RunComponent runs a program that builds one component in isolation.
func RunComponent(t testing.TB, build func(ctx *pulumi.Context) error) (*mockengine.Engine, error) {
	t.Helper()
	return mockengine.Run(build, Project, "test", map[string]string{"aws:region": Region})
}

// Policy parses a rendered policy document input.
func Policy(t testing.TB, r mockengine.Resource, key string) policydoc.Document {
	t.Helper()
	var d policydoc.Document
	if err := json.Unmarshal([]byte(Str(r.Inputs, key)), &d); err != nil {
		t.Fatalf("%s %s: %s is not a policy document: %v", r.Type, r.Name, key, err)
	}
	return d
}

// Named fails the test when the resource is missing.
func Named(t testing.TB, e *mockengine.Engine, typ, name string) mockengine.Resource {
	t.Helper()
	r, ok := e.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %s", typ, name)
	}
	return r
}

// DependsOn reports whether r waits for the resource with that URN.
func DependsOn(r mockengine.Resource, urn string) bool {
	for _, d := range r.Dependencies {
		if d == urn {
			return true
		}
	}
	return false
}
