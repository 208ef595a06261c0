package diagram_test

import (
	"os"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/internal/diagram"
	"github.com/example/private-api/internal/mockengine"
)

// Committed is the README that embeds the diagram, and Command the one way to make it.
const (
	committed = "../../README.md"
	command   = "go run ./cmd/plan -stack dev -diagram README.md"
)

func dev(t *testing.T) *mockengine.Engine {
	t.Helper()
	e, err := offline.Load("../..", "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCommittedDiagramMatchesTheProgram keeps the README's diagram true to the program.
func TestCommittedDiagramMatchesTheProgram(t *testing.T) {
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	want, err := diagram.Embed(string(got), dev(t), command)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with the program: regenerate it with `%s` and commit it", committed, command)
	}
}

func TestFlowchartShowsTheArchitecture(t *testing.T) {
	e := dev(t)
	chart := diagram.Flowchart(e)
	if !strings.HasPrefix(chart, "flowchart LR\n") {
		t.Fatalf("not a Mermaid flowchart:\n%s", chart)
	}
	// Every VPC is a box, every function and the table a node, and the request and DNS paths are edges.
	for _, want := range []string{
		"subgraph n_api_vpc[", "subgraph n_consumers_consumer_vpc[",
		`n_consumers_consumer_vpc <==>|"peering `,
		`n_api_execute_api -->|"HTTPS, only via this endpoint"| n_private_api`,
		`-->|"GET /whoami"| n_whoami`,
		`n_dns_outbound -->|"DNS 53 tcp+udp"| n_dns_inbound`,
		"n_data_table[(",
	} {
		if !strings.Contains(chart, want) {
			t.Errorf("flowchart lacks %q:\n%s", want, chart)
		}
	}
	for _, fn := range e.OfType(mockengine.TypeFunction) {
		if !strings.Contains(chart, "n_"+fn.Name+`["λ `+fn.Name) {
			t.Errorf("function %s is not drawn", fn.Name)
		}
	}
	if chart != diagram.Flowchart(dev(t)) {
		t.Error("two runs of the same stack drew different charts: the committed file would churn")
	}
}
