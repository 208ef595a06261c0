package sarif

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/sarif/sariftest"
)

func validate(t *testing.T, doc []byte) {
	t.Helper()
	if err := sariftest.Validate(doc); err != nil {
		t.Fatal(err)
	}
}

// A VPC with no flow log fails EC2.6 on one stack; a waiver turns the same failure into a note.
func report(waivers []checks.Waiver) checks.Report {
	e := m.FromResources("p", "s", "eu-west-1", []m.Resource{
		{Type: m.TypeVpc, Name: "api-vpc", URN: "urn:pulumi:s::p::aws:ec2/vpc:Vpc::api-vpc", Custom: true, ID: "${api-vpc.id}",
			Inputs: map[string]any{"cidrBlock": "10.0.0.0/16"}, Source: "infra/apinetwork.go:42"},
	})
	return checks.Run(e, checks.All(), waivers)
}

func locate(f checks.Finding) Source {
	if f.Resource == "api-vpc" {
		return Source{File: "infra/apinetwork.go", Line: 42, URN: "urn:pulumi:s::p::aws:ec2/vpc:Vpc::api-vpc"}
	}
	return Source{}
}

func TestFailureIsAnErrorAtTheRegisteringLine(t *testing.T) {
	log := From(report(nil), locate, "Pulumi.s.yaml")
	doc, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc)
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(checks.All()) {
		t.Errorf("%d rules, want one per check (%d)", len(run.Tool.Driver.Rules), len(checks.All()))
	}
	var flow *Result
	for i, r := range run.Results {
		if r.RuleID == "EC2.6" {
			flow = &run.Results[i]
		}
	}
	if flow == nil {
		t.Fatalf("no EC2.6 result in %+v", run.Results)
	}
	loc := flow.Locations[0].PhysicalLocation
	if flow.Level != "error" || loc.ArtifactLocation.URI != "infra/apinetwork.go" || loc.Region == nil || loc.Region.StartLine != 42 {
		t.Errorf("EC2.6 result: level %s at %+v, want an error at infra/apinetwork.go:42", flow.Level, loc)
	}
	rule := run.Tool.Driver.Rules[flow.RuleIndex]
	if rule.ID != "EC2.6" || !strings.Contains(rule.Help.Text, "network.flowLogs") || !strings.Contains(strings.Join(rule.Properties.Tags, " "), "CKV2_AWS_11") {
		t.Errorf("rule at ruleIndex: %+v, want EC2.6 with its fix and every ID as a tag", rule)
	}
	if run.AutomationDetails.ID != "private-api-checks/s/" {
		t.Errorf("category %q, want one per stack", run.AutomationDetails.ID)
	}
}

func TestWaivedFindingIsANoteWithTheReason(t *testing.T) {
	log := From(report([]checks.Waiver{{CheckID: "EC2.6", Reason: "flow logs cost too much here"}}), locate, "Pulumi.s.yaml")
	doc, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc)
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "EC2.6" {
			if r.Level != "note" || !strings.Contains(r.Message.Text, "flow logs cost too much here") || r.Properties.Waiver == "" {
				t.Errorf("waived result %+v, want a note with the reason", r)
			}
			return
		}
	}
	t.Error("the waived finding is missing")
}

// A resource with no known place goes to the fallback file, without a region.
func TestUnlocatedFindingFallsBackToTheStackFile(t *testing.T) {
	log := From(report(nil), func(checks.Finding) Source { return Source{} }, "Pulumi.s.yaml")
	for _, r := range log.Runs[0].Results {
		if pl := r.Locations[0].PhysicalLocation; pl.ArtifactLocation.URI != "Pulumi.s.yaml" || pl.Region != nil {
			t.Errorf("%s located at %+v, want Pulumi.s.yaml", r.RuleID, pl)
		}
	}
}

// The validator is a real one: a log missing what the schema requires is refused.
func TestSchemaRefusesABrokenLog(t *testing.T) {
	log := From(report(nil), locate, "Pulumi.s.yaml")
	log.Version = "2.0.0"
	doc, _ := json.Marshal(log)
	if err := sariftest.Validate(doc); err == nil {
		t.Error("a log with version 2.0.0 validated")
	}
}

func TestRuleName(t *testing.T) {
	for id, want := range map[string]string{"EC2.6": "EC26", "seed:resource-policy": "SeedResourcePolicy", "apigateway_restapi_public": "ApigatewayRestapiPublic"} {
		if got := ruleName(id); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", id, got, want)
		}
	}
}
