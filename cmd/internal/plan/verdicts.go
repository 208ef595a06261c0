package plan

import (
	"strings"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/mockengine"
)

// VerdictsDoc is the check report for other tools (-format json): every check with its IDs, rule, fix
// and verdict, every finding with the resource, where the program registers it, and the reason.
type VerdictsDoc struct {
	Stack  string         `json:"stack"`
	Counts map[string]int `json:"counts"`
	Checks []CheckVerdict `json:"checks"`
	// Waivers are those in scope for the stack, with how many findings each covered.
	Waivers []WaiverUse `json:"waivers"`
}

type CheckVerdict struct {
	ID       string           `json:"id"`
	IDs      []string         `json:"ids"`
	Rule     string           `json:"rule"`
	Fix      string           `json:"fix"`
	Verdict  string           `json:"verdict"`
	Findings []FindingVerdict `json:"findings"`
}

type FindingVerdict struct {
	Verdict  string `json:"verdict"`
	Resource string `json:"resource"`
	Type     string `json:"type"`
	URN      string `json:"urn,omitempty"`
	// Source is "file:line" of the registration in the program, when known.
	Source string `json:"source,omitempty"`
	Reason string `json:"reason"`
	Waiver string `json:"waiver,omitempty"`
}

type WaiverUse struct {
	CheckID  string `json:"checkId"`
	Resource string `json:"resource,omitempty"`
	Reason   string `json:"reason"`
	// Source is where the waiver is written: the stack's config or the code.
	Source  string `json:"source"`
	Covered int    `json:"covered"`
}

// VerdictsOf renders the report; e locates each finding's resource.
func VerdictsOf(rep checks.Report, e *mockengine.Engine) VerdictsDoc {
	doc := VerdictsDoc{Stack: rep.Stack, Counts: map[string]int{}, Checks: []CheckVerdict{}, Waivers: []WaiverUse{}}
	for _, res := range rep.Results {
		cv := CheckVerdict{ID: res.Check.ID(), IDs: res.Check.IDs, Rule: res.Check.Rule, Fix: res.Check.Fix(),
			Verdict: string(res.Status()), Findings: []FindingVerdict{}}
		doc.Counts[cv.Verdict]++
		for _, f := range res.Findings {
			fv := FindingVerdict{Verdict: string(f.Status), Resource: f.Resource, Type: f.Type, Reason: f.Detail}
			if r, ok := e.Named(f.Type, f.Resource); ok {
				fv.URN, fv.Source = r.URN, r.Source
			}
			if f.Waiver != nil {
				fv.Waiver = f.Waiver.Reason
			}
			cv.Findings = append(cv.Findings, fv)
		}
		doc.Checks = append(doc.Checks, cv)
	}
	for _, w := range rep.Waivers {
		source := "internal/checks/waivers.go"
		if w.FromConfig {
			source = "private-api:waivers"
		}
		doc.Waivers = append(doc.Waivers, WaiverUse{CheckID: w.CheckID, Resource: w.Resource, Reason: w.Reason, Source: source, Covered: w.Covered})
	}
	return doc
}

// SourceLine splits "infra/api.go:42" into the file and the line (0 when absent).
func SourceLine(source string) (string, int) {
	file, line, ok := strings.Cut(source, ":")
	if !ok {
		return file, 0
	}
	n := 0
	for _, c := range line {
		if c < '0' || c > '9' {
			return file, 0
		}
		n = n*10 + int(c-'0')
	}
	return file, n
}
