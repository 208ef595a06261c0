// Package checks holds the stack's security and reliability checks, named by the scanner and AWS
// Security Hub IDs of CHECKS.md, and evaluates them over the resources the mock engine recorded:
// what `pulumi up` would send to AWS. Checkov and Trivy cannot read a Pulumi Go program, so these
// checks stand in for them in tests and in the offline plan.
//
// Every check returns one finding per subject resource: pass or fail, with the reason. A failing
// finding that a Waiver (waivers.go) covers becomes waived and carries the waiver's reason.
//
// A check whose subject resources are absent from the stack (no IAM user, no Lambda permission) has
// no findings and is reported "n/a" with the types it looked for. That is deliberate: a vacuous pass
// would read as evidence; n/a says there was nothing to judge. Checks whose subject must exist say
// so in their rule and look at the resource that needs it (every VPC needs a flow log: the subject
// is the VPC, so a missing flow log fails).
package checks

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// Status is the verdict on one resource.
type Status string

const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	Waived        Status = "waived"
	NotApplicable Status = "n/a"
	// Unknown is a failure on a resource some of whose inputs a real preview could not know (values
	// AWS assigns at deploy): it cannot be judged from that preview, and does not fail it. The offline
	// plan, where every value is a placeholder, judges the same program in full.
	Unknown Status = "unknown"
)

// Finding is the verdict of one check on one resource.
type Finding struct {
	Status Status
	// Resource is the resource's name; Type its type token.
	Resource string
	Type     string
	// Detail says what was seen, so a reviewer can judge the verdict without reading code.
	Detail string
	// Waiver is set when Status is Waived.
	Waiver *Waiver
}

// Check is one rule of CHECKS.md.
type Check struct {
	// IDs are the Prowler, Checkov, Security Hub, Trivy (or project) identifiers the check stands for.
	IDs []string
	// Rule is the one-line statement of what the stack must show.
	Rule string
	// Subjects are the type tokens the check judges; none present makes it not applicable.
	Subjects []string
	eval     func(e *mockengine.Engine) []Finding
}

// ID is the check's first identifier, the one the plan and the waivers use to name it.
func (c Check) ID() string { return c.IDs[0] }

// Result is one check's findings on a stack.
type Result struct {
	Check    Check
	Findings []Finding
}

// Status summarises the findings: fail beats unknown beats waived beats pass; no findings is n/a.
func (r Result) Status() Status {
	if len(r.Findings) == 0 {
		return NotApplicable
	}
	worst := Pass
	for _, f := range r.Findings {
		switch {
		case f.Status == Fail:
			return Fail
		case f.Status == Unknown:
			worst = Unknown
		case f.Status == Waived && worst == Pass:
			worst = Waived
		}
	}
	return worst
}

// Report is every check's result on one stack, with the waivers that were in scope for it.
type Report struct {
	Stack   string
	Results []Result
	// Waivers in scope for this stack, each with the number of failing findings it turned to waived.
	Waivers []AppliedWaiver
}

// AppliedWaiver is a waiver in scope for the stack and how many findings it covered.
type AppliedWaiver struct {
	Waiver
	Covered int
}

// Failed returns the failing findings, each with its check.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		var failed []Finding
		for _, f := range res.Findings {
			if f.Status == Fail {
				failed = append(failed, f)
			}
		}
		if len(failed) > 0 {
			out = append(out, Result{Check: res.Check, Findings: failed})
		}
	}
	return out
}

// All returns every check, in the order of CHECKS.md, then the guards for DESIGN.md's known failures.
func All() []Check {
	var out []Check
	for _, group := range [][]Check{apiGatewayChecks, lambdaChecks, dynamoDBChecks, networkChecks, logChecks, iamChecks, dnsChecks, failureModeChecks, alarmChecks, valueChecks} {
		out = append(out, group...)
	}
	return out
}

// Run evaluates checks on the recorded stack and applies waivers (ForStack gives a stack's).
func Run(e *mockengine.Engine, checks []Check, waivers []Waiver) Report {
	rep := Report{Stack: e.StackName()}
	fromPreview := false
	for _, r := range e.Resources() {
		fromPreview = fromPreview || len(r.Unknown) > 0
	}
	inScope := make([]*AppliedWaiver, len(waivers))
	for i, w := range waivers {
		inScope[i] = &AppliedWaiver{Waiver: w}
	}
	for _, c := range checks {
		findings := c.eval(e)
		sort.SliceStable(findings, func(i, j int) bool { return findings[i].Resource < findings[j].Resource })
		for i := range findings {
			if findings[i].Status != Fail {
				continue
			}
			for _, w := range inScope {
				if w.covers(c, findings[i].Resource) {
					findings[i].Status = Waived
					findings[i].Waiver = &w.Waiver
					w.Covered++
					break
				}
			}
			if findings[i].Status != Fail || !fromPreview {
				continue
			}
			// A failure on a value the preview could not know: on the resource itself, or on
			// another it refers to, which the check names in its detail.
			if r, ok := e.Named(findings[i].Type, findings[i].Resource); ok && len(r.Unknown) > 0 {
				findings[i].Status = Unknown
				findings[i].Detail += fmt.Sprintf(" (%s unknown until deploy)", strings.Join(r.Unknown, ", "))
			} else if d := findings[i].Detail; strings.Contains(d, mockengine.Unknown) || strings.Contains(d, notKnown) {
				findings[i].Status = Unknown
			}
		}
		rep.Results = append(rep.Results, Result{Check: c, Findings: findings})
	}
	for _, w := range inScope {
		rep.Waivers = append(rep.Waivers, *w)
	}
	return rep
}

// notKnown is how a check says it met a value not known before deploy.
const notKnown = "not known before deploy"

// Waiver accepts the failures of one check on some resources, with the reason in code review.
type Waiver struct {
	// CheckID is any of the check's IDs.
	CheckID string
	// Resource is a glob over resource names; empty means every resource the check judges.
	Resource string
	// Reason is the one line the plan prints next to the waived finding.
	Reason string
	// FromConfig is set for the stack's own waivers (private-api:waivers), unset for the code's.
	FromConfig bool
}

func (w Waiver) covers(c Check, resource string) bool {
	if !containsString(c.IDs, w.CheckID) {
		return false
	}
	return w.Resource == "" || matches(w.Resource, resource)
}

// matches is path.Match with a malformed pattern treated as no match (waivers_test rejects those).
func matches(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// judgeFunc says whether one resource passes a check, and why.
type judgeFunc func(e *mockengine.Engine, r mockengine.Resource) (bool, string)

// forType completes c as a check of each resource of one type, judged by itself: the type is both
// the check's subject and what it iterates, stated once.
func forType(token string, c Check, judge judgeFunc) Check {
	return forTypeWhere(token, func(mockengine.Resource) bool { return true }, c, judge)
}

// forTypeWhere is forType for the resources of the type that keep selects; the others get no finding.
func forTypeWhere(token string, keep func(mockengine.Resource) bool, c Check, judge judgeFunc) Check {
	c.Subjects = []string{token}
	c.eval = func(e *mockengine.Engine) []Finding {
		var out []Finding
		for _, r := range e.OfType(token) {
			if keep(r) {
				ok, detail := judge(e, r)
				out = append(out, verdict(r, ok, detail))
			}
		}
		return out
	}
	return c
}

// each judges every resource of one type with judge, which returns whether it passes and why.
func each(e *mockengine.Engine, token string, judge func(r mockengine.Resource) (bool, string)) []Finding {
	var out []Finding
	for _, r := range e.OfType(token) {
		ok, detail := judge(r)
		out = append(out, verdict(r, ok, detail))
	}
	return out
}

func verdict(r mockengine.Resource, ok bool, detail string) Finding {
	s := Fail
	if ok {
		s = Pass
	}
	return Finding{Status: s, Resource: r.Name, Type: r.Type, Detail: detail}
}

// str, flag, num and strs read recorded inputs by dotted path; a missing value reads as zero.
func str(r mockengine.Resource, p string) string {
	v, _ := mockengine.Get(r.Inputs, p)
	s, _ := v.(string)
	return s
}

func flag(r mockengine.Resource, p string) bool {
	v, _ := mockengine.Get(r.Inputs, p)
	b, _ := v.(bool)
	return b
}

func num(r mockengine.Resource, p string) (float64, bool) {
	v, _ := mockengine.Get(r.Inputs, p)
	n, ok := v.(float64)
	return n, ok
}

// strs reads a list of strings; a single string reads as a one-element list (some inputs, such as
// RestApi endpoint types, are a list in one provider version and a string in another).
func strs(r mockengine.Resource, p string) []string {
	v, _ := mockengine.Get(r.Inputs, p)
	return asStrings(v)
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// subnetAZs resolves subnet ids to their availability zones; unresolved ids are returned apart.
func subnetAZs(e *mockengine.Engine, subnetIDs []string) (azs []string, unresolved []string) {
	seen := map[string]bool{}
	for _, id := range subnetIDs {
		s, ok := e.Resolve(id)
		if !ok || s.Type != mockengine.TypeSubnet {
			unresolved = append(unresolved, id)
			continue
		}
		if az := str(s, "availabilityZone"); az != "" && !seen[az] {
			seen[az] = true
			azs = append(azs, az)
		}
	}
	sort.Strings(azs)
	return azs, unresolved
}

// multiAZ is the verdict for a resource placed in subnets: at least two distinct AZs, all resolved.
func multiAZ(e *mockengine.Engine, subnetIDs []string) (bool, string) {
	azs, unresolved := subnetAZs(e, subnetIDs)
	if len(unresolved) > 0 {
		return false, fmt.Sprintf("subnets %s are not subnets of this stack", strings.Join(unresolved, ", "))
	}
	if len(azs) < 2 {
		return false, fmt.Sprintf("subnets in %d AZ(s) %v: need at least 2", len(azs), azs)
	}
	return true, "subnets in " + strings.Join(azs, ", ")
}

// names lists resource names for a detail line.
func names(rs []mockengine.Resource) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return strings.Join(out, ", ")
}
