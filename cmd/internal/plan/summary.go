package plan

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/cost"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/quotas"
	"github.com/example/private-api/internal/stackconfig"
)

// Section is a part of the summary that a capability outside the plan fills, such as the
// account-wide quotas a stack takes. Lines returns nothing when the section has nothing to say for
// this stack, and then the summary leaves the section out.
type Section struct {
	Title string
	Lines func(in SectionInput) []string
}

// SectionInput is what a section reads: the planned stack and its validated config.
type SectionInput struct {
	Engine *mockengine.Engine
	Config stackconfig.Config
}

// Sections are the summary's extension points, in print order.
var Sections = []Section{
	{Title: "Account-wide quotas this stack uses (make doctor compares them with the account)", Lines: func(in SectionInput) []string {
		return quotas.AccountLines(in.Config.QuotaUsage(), quotas.Limits(in.Config.Quotas))
	}},
	{Title: "Resources in other accounts (through each account's provider, which assumes the role the config names)", Lines: OtherAccounts},
	{Title: "Alarms", Lines: AlarmLines},
	{Title: "Reserved concurrency", Lines: ReservedConcurrency},
	{Title: "What each function's alias serves (the API invokes only these)", Lines: releaseLines},
	{Title: "Access matrix", Lines: accessLines},
}

// accessLines is the access matrix (access.go) as summary lines; a policy a preview does not know
// yet leaves it unevaluated, and says so.
func accessLines(in SectionInput) []string {
	var b strings.Builder
	RenderAccess(&b, in.Engine)
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

// RenderAccess writes the access matrix, or why it cannot be evaluated: in a preview of a new stack
// the policies are built from ids AWS has not assigned yet.
func RenderAccess(w io.Writer, e *mockengine.Engine) {
	a, err := AccessOf(e)
	if err == nil {
		a.Render(w)
		return
	}
	for _, p := range e.OfType(mockengine.TypeRestAPIPolicy) {
		if slices.Contains(p.Unknown, "policy") {
			fmt.Fprintln(w, "Access: not known before deploy (the resource policy is built from ids AWS assigns)")
			return
		}
	}
	fmt.Fprintf(w, "Access: not evaluated: %v\n", err)
}

// SummaryInput is what a summary reports on.
type SummaryInput struct {
	Engine *mockengine.Engine
	Report checks.Report
	Cost   cost.Estimate
	// Own and Modes are the stack's DNS mode and the cost of each mode (empty for a real preview,
	// which shows one mode only).
	Own   string
	Modes []cost.DNSMode
	// Config is the stack's validated config, for the sections.
	Config stackconfig.Config
	// Heading is the first line: what was planned, from where.
	Heading string
	// Changes are a real preview's operations; nil for the offline plan, where everything is created.
	Changes []Change
	Unknown int
}

// maxChangeLines bounds the changes a summary lists one per line (replacements and deletes always
// are); -full lists them all.
const maxChangeLines = 15

// Summary writes the plan in one screen: the resources by component, the monthly cost, the check
// counts with every failure and waiver, and the sections that have something to say.
func Summary(w io.Writer, in SummaryInput) error {
	e := in.Engine
	root, ok := e.Root()
	if !ok {
		return fmt.Errorf("stack %s: the program registered no stack resource", e.StackName())
	}
	fmt.Fprintln(w, in.Heading)
	if in.Changes == nil {
		fmt.Fprintln(w, Count(e).Header())
	} else {
		writeChanges(w, in.Changes, false)
		if in.Unknown > 0 {
			fmt.Fprintf(w, "  %d input value(s) unknown until deploy (AWS assigns them); checks on them show as unknown\n", in.Unknown)
		}
	}

	fmt.Fprintln(w, "\nBy component (resources it holds, by type):")
	children := childrenByParent(e)
	for _, top := range children[root.URN] {
		if top.Type == mockengine.TypeProvider {
			continue // the other-accounts section says what it creates
		}
		counts := map[string]int{}
		var walk func(urn string)
		walk = func(urn string) {
			for _, r := range children[urn] {
				counts[shortType(r)]++
				walk(r.URN)
			}
		}
		walk(top.URN)
		total := 0
		for _, n := range counts {
			total += n
		}
		held := typeCounts(counts)
		if total == 0 {
			held = "nothing in this stack's config"
		}
		fmt.Fprintf(w, "  %s (%s, %d): %s\n", top.Name, shortType(top), total, held)
	}

	fmt.Fprintf(w, "\nMonthly cost, %s: $%.2f idle, $%.2f per million requests", in.Cost.Where(), in.Cost.IdleTotal(), in.Cost.PerMillionTotal())
	if len(in.Cost.Missing) > 0 {
		fmt.Fprintf(w, " (no price for %s, counted as $0)", strings.Join(in.Cost.Missing, ", "))
	}
	fmt.Fprintln(w)
	if len(in.Modes) > 0 {
		var parts []string
		for _, m := range in.Modes {
			mark := ""
			if m.Mode == in.Own {
				mark = "*"
			}
			parts = append(parts, fmt.Sprintf("%s%s $%.2f", m.Mode, mark, m.StackIdle))
		}
		fmt.Fprintf(w, "  idle by DNS mode (* = this stack's): %s\n", strings.Join(parts, ", "))
	}

	checkSummary(w, in.Report)

	for _, s := range Sections {
		lines := s.Lines(SectionInput{Engine: e, Config: in.Config})
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", s.Title)
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	fmt.Fprintln(w, "\n-full prints every resource with its settings, the cost tables and every check.")
	return nil
}

// checkSummary writes the counts, then each failure with its fix, each unknown, and each waiver in
// scope once with the resources it covered.
func checkSummary(w io.Writer, rep checks.Report) {
	counts := map[checks.Status]int{}
	for _, r := range rep.Results {
		counts[r.Status()]++
	}
	fmt.Fprintf(w, "\nChecks: %d, %d pass, %d waived, %d n/a", len(rep.Results), counts[checks.Pass], counts[checks.Waived], counts[checks.NotApplicable])
	if counts[checks.Unknown] > 0 {
		fmt.Fprintf(w, ", %d unknown until deploy", counts[checks.Unknown])
	}
	fmt.Fprintf(w, ", %d FAIL\n", counts[checks.Fail])
	for _, r := range rep.Results {
		var unknown []string
		for _, f := range r.Findings {
			switch f.Status {
			case checks.Fail:
				fmt.Fprintf(w, "  FAIL %s on %s: %s\n    fix: %s\n", r.Check.ID(), f.Resource, f.Detail, r.Check.Fix())
			case checks.Unknown:
				unknown = append(unknown, f.Resource)
			}
		}
		// One line per check: a preview of a new stack leaves the same value unknown on many resources.
		if len(unknown) > 0 {
			fmt.Fprintf(w, "  UNKNOWN %s on %s: depends on values AWS assigns at deploy (-full says which)\n", r.Check.ID(), strings.Join(unknown, ", "))
		}
	}
	for _, aw := range rep.Waivers {
		var covered []string
		for _, r := range rep.Results {
			for _, f := range r.Findings {
				if f.Status == checks.Waived && f.Waiver != nil && *f.Waiver == aw.Waiver {
					covered = append(covered, f.Resource)
				}
			}
		}
		switch {
		case len(covered) > 0:
			fmt.Fprintf(w, "  WAIVED %s on %s: %s\n", aw.CheckID, strings.Join(covered, ", "), aw.Reason)
		case aw.FromConfig:
			fmt.Fprintf(w, "  UNUSED WAIVER %s in private-api:waivers covers nothing in this stack: remove it\n", aw.CheckID)
		}
		// The code's waivers hold for every stack; one with nothing to waive here is not news.
	}
}

// writeChanges writes a preview's change counts and its changes: replacements and deletes always,
// updates and the other ops up to maxChangeLines, creates only when all is set (-full).
func writeChanges(w io.Writer, changes []Change, all bool) {
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.Op]++
	}
	var ops []string
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var parts []string
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%s %d to %s", opSymbol(op), counts[op], op))
	}
	if len(parts) == 0 {
		parts = []string{"no changes"}
	}
	fmt.Fprintf(w, "Changes: %s\n", strings.Join(parts, ", "))
	listed, skipped := 0, 0
	for _, c := range changes {
		switch {
		case c.Op == OpCreateReplacement || c.Op == OpDeleteReplaced:
			continue // the replace line says it
		case all, c.Op == OpReplace, c.Op == OpDelete:
			// -full lists everything; a summary always lists what AWS will destroy.
		case c.Op == OpCreate:
			continue // counted above; -full lists them
		case listed >= maxChangeLines:
			skipped++
			continue
		}
		listed++
		line := fmt.Sprintf("  %s %s  %s", opSymbol(c.Op), c.Name, c.Type)
		if len(c.Reasons) > 0 {
			line += "  (" + strings.Join(c.Reasons, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	if skipped > 0 {
		fmt.Fprintf(w, "  ... and %d more (-full lists them)\n", skipped)
	}
}

func opSymbol(op string) string {
	switch op {
	case OpCreate:
		return "+"
	case OpUpdate:
		return "~"
	case OpDelete, OpDeleteReplaced:
		return "-"
	case OpReplace, OpCreateReplacement:
		return "+-"
	}
	return op
}

// shortType is a type token's last part: Vpc, Function, or the component's own type name.
func shortType(r mockengine.Resource) string {
	return r.Type[strings.LastIndex(r.Type, ":")+1:]
}

// typeCounts lists "Vpc 1, Subnet 2" most numerous first, then by name.
func typeCounts(counts map[string]int) string {
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if counts[types[i]] != counts[types[j]] {
			return counts[types[i]] > counts[types[j]]
		}
		return types[i] < types[j]
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%s %d", t, counts[t])
	}
	return strings.Join(parts, ", ")
}

// ReservedConcurrency lists each function's reservation when any function reserves. Reservations
// come out of the account's regional concurrency quota, 1,000 by default and lower in some new
// accounts (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), of which
// Lambda keeps 100 unreserved ("You can reserve up to the Unreserved account concurrency value that
// is shown, minus 100", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html):
// the quotas section says what that asks of the account.
func ReservedConcurrency(in SectionInput) []string {
	var lines []string
	any := false
	for _, f := range in.Engine.OfType(mockengine.TypeFunction) {
		n, ok := f.Inputs["reservedConcurrentExecutions"].(float64)
		if !ok || n < 0 {
			lines = append(lines, fmt.Sprintf("%s: none (shares the account's unreserved pool)", f.Name))
			continue
		}
		any = true
		lines = append(lines, fmt.Sprintf("%s: %g", f.Name, n))
	}
	if !any {
		return nil
	}
	return lines
}

// OtherAccounts says, per account other than the deploying one, which consumers live there and how
// many resources of which types the stack creates in it (-full marks each one); nothing when every
// resource is in the deploying account.
func OtherAccounts(in SectionInput) []string {
	counts := map[string]map[string]int{}
	var accounts []string
	for _, r := range in.Engine.Resources() {
		account := in.Engine.AccountOf(r)
		if account == mockengine.Account || r.Type == mockengine.TypeProvider {
			continue
		}
		if counts[account] == nil {
			counts[account] = map[string]int{}
			accounts = append(accounts, account)
		}
		counts[account][shortType(r)]++
	}
	sort.Strings(accounts)
	var lines []string
	for _, account := range accounts {
		var consumers []string
		for _, c := range in.Config.Consumers {
			if c.AccountID() == account {
				consumers = append(consumers, c.Name)
			}
		}
		total := 0
		for _, n := range counts[account] {
			total += n
		}
		who := ""
		if len(consumers) > 0 {
			who = " (consumer " + strings.Join(consumers, ", ") + ")"
		}
		lines = append(lines, fmt.Sprintf("in account %s%s: %d resources: %s", account, who, total, typeCounts(counts[account])))
	}
	return lines
}

// Changes writes every change of a preview (the -full listing).
func Changes(w io.Writer, changes []Change) { writeChanges(w, changes, true) }
