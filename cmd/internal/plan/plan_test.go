package plan

import (
	"bytes"
	"strings"
	"testing"

	m "github.com/example/private-api/internal/mockengine"
)

const stackURN = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t"

func small() *m.Engine {
	return m.FromResources("p", "t", "x-1", []m.Resource{
		{Type: "p:infra:Thing", Name: "thing", URN: "urn:thing", Parent: stackURN, Inputs: map[string]any{}},
		{Type: "aws:new/widget:Widget", Name: "w", URN: "urn:w", Parent: "urn:thing", Custom: true, ID: "${w.id}",
			Inputs:  map[string]any{"size": 3.0, "tags": map[string]any{"Name": "w"}, "token": "hunter2", "doc": `{"a":[1]}`},
			Outputs: map[string]any{"token": "hunter2"}, Secrets: []string{"token"}, Dependencies: []string{"urn:v"}},
		{Type: "aws:new/widget:Widget", Name: "v", URN: "urn:v", Parent: "urn:thing", Custom: true, ID: "${v.id}", Inputs: map[string]any{}},
	})
}

// A type the settings table does not list shows every input but tags; secrets never print.
func TestTreeShowsUnlistedTypesAndHidesSecrets(t *testing.T) {
	var out bytes.Buffer
	if err := Tree(&out, small()); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"+ p-t (pulumi:pulumi:Stack)", "└─ + thing  p:infra:Thing", "size: 3", "token: [secret]", "doc: (JSON)", `"a": [`} {
		if !strings.Contains(text, want) {
			t.Errorf("tree lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "hunter2") || strings.Contains(text, "Name: w") {
		t.Errorf("tree shows a secret or tags:\n%s", text)
	}
}

func TestPreviewOrdersDependenciesFirstAndRedactsSecrets(t *testing.T) {
	p, err := PreviewOf(small(), map[string]string{"aws:region": "x-1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range p.Steps {
		order = append(order, s.URN)
		if s.URN == "urn:w" && (s.NewState.Inputs["token"] != "[secret]" || s.NewState.Outputs != nil) {
			t.Errorf("secret not redacted: %+v", s.NewState)
		}
	}
	if got := strings.Join(order, " "); got != stackURN+" urn:thing urn:v urn:w" {
		t.Errorf("order %s: want stack, parent, then v before w, which depends on it", got)
	}
}

func TestPreviewRejectsADependencyCycle(t *testing.T) {
	e := m.FromResources("p", "t", "x-1", []m.Resource{
		{Type: "x:y:Z", Name: "a", URN: "urn:a", Parent: stackURN, Dependencies: []string{"urn:b"}},
		{Type: "x:y:Z", Name: "b", URN: "urn:b", Parent: stackURN, Dependencies: []string{"urn:a"}},
	})
	if _, err := PreviewOf(e, nil, 0); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("error %v, want a cycle reported", err)
	}
}
