package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"
)

// TestAccessMatrix reads who may call what from the recorded policies: dev's test client reaches
// only GET /whoami; a client granted two routes reaches exactly those; prod, with no clients, says
// that nobody can call.
func TestAccessMatrix(t *testing.T) {
	dev, err := offline.Load("../../..", "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := AccessOf(dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Callers) != 1 || a.Callers[0].Role != "client-test-instance-role" {
		t.Fatalf("callers %+v, want the test client only", a.Callers)
	}
	for i, ok := range a.Callers[0].Allowed {
		if ok != (a.Routes[i] == "GET /whoami") {
			t.Errorf("test client on %s: %v", a.Routes[i], ok)
		}
	}

	dir := t.TempDir()
	b, err := os.ReadFile("../../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stack := "config:\n  aws:region: eu-west-1\n  private-api:clients:\n    - name: orders\n      routes: [\"GET /employees\", \"GET /employees/{employeeId}\"]\n      trustedPrincipals: [\"arn:aws:iam::123456789012:role/orders\"]\n"
	for name, text := range map[string]string{"Pulumi.yaml": string(b), "Pulumi.one.yaml": stack} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	one, err := offline.Load(dir, "one", "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err = AccessOf(one); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, ok := range a.Callers[0].Allowed {
		if ok {
			got = append(got, a.Routes[i])
		}
	}
	if len(a.Callers) != 1 || !slices.Equal(got, []string{"GET /employees", "GET /employees/{employeeId}"}) {
		t.Errorf("orders reaches %v (callers %+v)", got, a.Callers)
	}

	prod, err := offline.Load("../../..", "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err = AccessOf(prod); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a.Render(&out)
	if !strings.Contains(out.String(), "nobody can call the API yet") {
		t.Errorf("prod's matrix: %s", out.String())
	}
}
