// Package sarif writes the check report as SARIF 2.1.0, the format GitHub code scanning reads, so
// findings show on pull requests next to the infra/ line that registers the resource.
//
// The shape follows the OASIS SARIF 2.1.0 schema (sariftest/sarif-schema-2.1.0.json, which the tests
// validate against) and the subset GitHub documents in "SARIF support for code scanning"
// (https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning):
// one reportingDescriptor per rule with shortDescription, fullDescription and help; results with
// ruleId, level, message and a physicalLocation relative to the repository root; and
// runAutomationDetails.id as the category, so the dev and prod uploads do not replace each other.
package sarif

import (
	"fmt"
	"strings"

	"github.com/example/private-api/internal/checks"
)

// SchemaURI is the schema the log names: the OASIS errata 01 schema held in testdata.
const SchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// Log is a sarifLog with one run.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one tool's analysis of one stack.
type Run struct {
	Tool              Tool              `json:"tool"`
	AutomationDetails AutomationDetails `json:"automationDetails"`
	Results           []Result          `json:"results"`
}

type Tool struct {
	Driver Driver `json:"driver"`
}

type Driver struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is a reportingDescriptor: one check.
type Rule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     Message        `json:"shortDescription"`
	FullDescription      Message        `json:"fullDescription"`
	Help                 Help           `json:"help"`
	DefaultConfiguration Configuration  `json:"defaultConfiguration"`
	Properties           RuleProperties `json:"properties"`
}

type Help struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type Configuration struct {
	Level string `json:"level"`
}

// RuleProperties carries every scanner ID the check stands for as tags, which GitHub lists and
// filters by.
type RuleProperties struct {
	Tags []string `json:"tags"`
}

type Message struct {
	Text string `json:"text"`
}

// AutomationDetails.ID is "<category>/" for GitHub: one category per stack.
type AutomationDetails struct {
	ID string `json:"id"`
}

// Result is one failing or waived finding.
type Result struct {
	RuleID     string           `json:"ruleId"`
	RuleIndex  int              `json:"ruleIndex"`
	Level      string           `json:"level"`
	Message    Message          `json:"message"`
	Locations  []Location       `json:"locations"`
	Properties ResultProperties `json:"properties"`
}

// ResultProperties say what the finding is about in the stack's own terms.
type ResultProperties struct {
	Resource string `json:"resource"`
	Type     string `json:"type"`
	Verdict  string `json:"verdict"`
	Waiver   string `json:"waiver,omitempty"`
}

type Location struct {
	PhysicalLocation PhysicalLocation  `json:"physicalLocation"`
	LogicalLocations []LogicalLocation `json:"logicalLocations,omitempty"`
}

type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

type ArtifactLocation struct {
	URI string `json:"uri"`
}

type Region struct {
	StartLine int `json:"startLine"`
}

type LogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

// Source is where a finding's resource is registered: a repository-relative file and a 1-based
// line (0 when only the file is known), and the resource's URN.
type Source struct {
	File string
	Line int
	URN  string
}

// ToolName names the driver in code scanning.
const ToolName = "private-api checks"

// From converts a report into a SARIF log. locate gives each finding's resource its place in the
// repository; fallback is the file used when locate knows none (the stack's config file), since
// GitHub shows a result only at a file. Passing and n/a findings are left out: code scanning lists
// problems. Failures are errors; waived findings are notes carrying the waiver's reason.
func From(rep checks.Report, locate func(checks.Finding) Source, fallback string) Log {
	run := Run{
		Tool:              Tool{Driver: Driver{Name: ToolName}},
		AutomationDetails: AutomationDetails{ID: "private-api-checks/" + rep.Stack + "/"},
		Results:           []Result{},
	}
	for i, res := range rep.Results {
		c := res.Check
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, Rule{
			ID:                   c.ID(),
			Name:                 ruleName(c.ID()),
			ShortDescription:     Message{Text: c.Rule},
			FullDescription:      Message{Text: fmt.Sprintf("%s (%s)", c.Rule, strings.Join(c.IDs, ", "))},
			Help:                 Help{Text: "Fix: " + c.Fix(), Markdown: fmt.Sprintf("**Rule:** %s\n\n**Fix:** %s\n\n**IDs:** %s", c.Rule, c.Fix(), "`"+strings.Join(c.IDs, "`, `")+"`")},
			DefaultConfiguration: Configuration{Level: "error"},
			Properties:           RuleProperties{Tags: append([]string{"security"}, c.IDs...)},
		})
		for _, f := range res.Findings {
			r := Result{RuleID: c.ID(), RuleIndex: i, Properties: ResultProperties{Resource: f.Resource, Type: f.Type, Verdict: string(f.Status)}}
			switch f.Status {
			case checks.Fail:
				r.Level = "error"
				r.Message.Text = fmt.Sprintf("%s (%s) fails %s: %s. Fix: %s", f.Resource, f.Type, c.ID(), f.Detail, c.Fix())
			case checks.Waived:
				r.Level = "note"
				r.Properties.Waiver = f.Waiver.Reason
				r.Message.Text = fmt.Sprintf("%s (%s) fails %s, waived for stack %s: %s. Finding: %s", f.Resource, f.Type, c.ID(), rep.Stack, f.Waiver.Reason, f.Detail)
			default:
				continue
			}
			src := locate(f)
			loc := Location{PhysicalLocation: PhysicalLocation{ArtifactLocation: ArtifactLocation{URI: src.File}}}
			if src.File == "" {
				loc.PhysicalLocation.ArtifactLocation.URI = fallback
			} else if src.Line > 0 {
				loc.PhysicalLocation.Region = &Region{StartLine: src.Line}
			}
			loc.LogicalLocations = []LogicalLocation{{Name: f.Resource, FullyQualifiedName: src.URN, Kind: "resource"}}
			r.Locations = []Location{loc}
			run.Results = append(run.Results, r)
		}
	}
	return Log{Schema: SchemaURI, Version: "2.1.0", Runs: []Run{run}}
}

// ruleName turns a check ID into the PascalCase name SARIF suggests for reportingDescriptor.name
// ("EC2.6" → "EC26", "seed:resource-policy" → "SeedResourcePolicy").
func ruleName(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if upper && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}
