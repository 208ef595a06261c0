package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/cmd/internal/plan"
	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/sarif"
	"github.com/example/private-api/internal/sarif/sariftest"
)

var stacks = []string{"dev", "prod"}

// The summary is what `make plan` prints: one screen, with every failure and waiver named.
func TestSummaryFitsAScreen(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			stdout, stderr, err := runPlan(t, "-stack", stack)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if n := strings.Count(stdout, "\n"); n > 100 {
				t.Errorf("summary is %d lines, want at most 100:\n%s", n, stdout)
			}
			wants := []string{"Resources: + ", "By component", "Monthly cost, eu-west-1", "Checks: ", "Account-wide quotas this stack uses", "VPCs per Region: takes 2 of 5", "-full prints"}
			if stack == "prod" { // dev reserves no concurrency, and a section with nothing to say is left out
				wants = append(wants, "Reserved concurrency:\n  claims: 50")
			} else if strings.Contains(stdout, "Reserved concurrency:") {
				t.Errorf("dev reserves nothing, yet the summary has a reserved concurrency section")
			}
			for _, want := range wants {
				if !strings.Contains(stdout, want) {
					t.Errorf("summary lacks %q:\n%s", want, stdout)
				}
			}
			rep := report(t, stack)
			for _, w := range rep.Waivers {
				if w.Covered > 0 && (!strings.Contains(stdout, "WAIVED "+w.CheckID+" on ") || !strings.Contains(stdout, w.Reason)) {
					t.Errorf("summary does not list waiver %s with its reason", w.CheckID)
				}
			}
			for _, r := range rep.Failed() {
				for _, f := range r.Findings {
					if !strings.Contains(stdout, "FAIL "+r.Check.ID()+" on "+f.Resource) {
						t.Errorf("summary does not list the failure of %s on %s", r.Check.ID(), f.Resource)
					}
				}
			}
			if !strings.Contains(stderr, "plan: running the program for stack "+stack) {
				t.Errorf("stderr does not say what the long step is doing: %q", stderr)
			}
		})
	}
}

// report is the check report of a committed stack, with its waivers, as the plan makes it.
func report(t *testing.T, stack string) checks.Report {
	t.Helper()
	e, err := offline.Load(root, stack, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := offline.StackConfig(root, stack)
	if err != nil {
		t.Fatal(err)
	}
	waivers, err := checks.ForStack(cfg.Waivers)
	if err != nil {
		t.Fatal(err)
	}
	return checks.Run(e, checks.All(), waivers)
}

// TestHelpReadsRight: -h lists the formats and the exit codes, and no flag is shown taking an
// argument it does not take (the flag package turns a backquoted word into the argument's name).
func TestHelpReadsRight(t *testing.T) {
	_, stderr, err := runPlan(t, "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp (exit 0)", err)
	}
	for _, want := range []string{"Exit status: 0", "1 a check fails", "2 the plan could not be made", "-from-preview file", "-format format", "  -json\n", "  -full\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "-json pulumi") {
		t.Errorf("help shows -json taking an argument:\n%s", stderr)
	}
}

// Usage errors are not check failures: main exits 2 for them, 1 only when a check fails.
func TestBadFlagsAreNotCheckFailures(t *testing.T) {
	for _, args := range [][]string{{"-format", "xml"}, {"-nosuch"}, {"-json", "-format", "sarif"}, {"dev"}, {"-from-preview", "/nonexistent.json"}} {
		_, _, err := runPlan(t, args...)
		if err == nil || errors.Is(err, errChecksFailed) || errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: error %v, want a usage error (exit 2)", args, err)
		}
	}
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	if err := sariftest.Validate(doc); err != nil {
		t.Fatal(err)
	}
}

// TestSARIFOfTheStacks: what the checks workflow uploads is schema-valid, with one rule per check
// and each result at an existing infra/ file and a line within it.
func TestSARIFOfTheStacks(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			stdout, stderr, err := runPlan(t, "-stack", stack, "-format", "sarif")
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			validateSARIF(t, []byte(stdout))
			var log sarif.Log
			if err := json.Unmarshal([]byte(stdout), &log); err != nil {
				t.Fatal(err)
			}
			run := log.Runs[0]
			problems := 0
			for _, r := range report(t, stack).Results {
				for _, f := range r.Findings {
					if f.Status == checks.Fail || f.Status == checks.Waived {
						problems++
					}
				}
			}
			if len(run.Tool.Driver.Rules) != len(checks.All()) || len(run.Results) != problems {
				t.Fatalf("%d rules, %d results: want one rule per check (%d) and one result per failing or waived finding (%d)", len(run.Tool.Driver.Rules), len(run.Results), len(checks.All()), problems)
			}
			for _, r := range run.Results {
				pl := r.Locations[0].PhysicalLocation
				b, err := os.ReadFile(filepath.Join(root, pl.ArtifactLocation.URI))
				if err != nil || !strings.HasPrefix(pl.ArtifactLocation.URI, "infra/") || pl.Region == nil {
					t.Errorf("%s on %s located at %+v: want a line of an infra/ file (%v)", r.RuleID, r.Properties.Resource, pl, err)
					continue
				}
				if lines := strings.Count(string(b), "\n") + 1; pl.Region.StartLine < 1 || pl.Region.StartLine > lines {
					t.Errorf("%s: line %d outside %s (%d lines)", r.RuleID, pl.Region.StartLine, pl.ArtifactLocation.URI, lines)
				}
			}
		})
	}
}

// TestRoundTrip: the offline plan's JSON read back with -from-preview gets the same verdicts, so
// the checks read a real preview the way they read the plan.
func TestRoundTrip(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			preview, stderr, err := runPlan(t, "-stack", stack, "-json")
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			path := filepath.Join(t.TempDir(), "preview.json")
			if err := os.WriteFile(path, []byte(preview), 0o600); err != nil {
				t.Fatal(err)
			}
			offline, _, err := runPlan(t, "-stack", stack, "-format", "json")
			if err != nil {
				t.Fatal(err)
			}
			read, stderr, err := runPlan(t, "-from-preview", path, "-format", "json")
			if err != nil {
				t.Fatalf("-from-preview: %v\n%s", err, stderr)
			}
			var a, b plan.VerdictsDoc
			if err := json.Unmarshal([]byte(offline), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(read), &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				for i := range a.Checks {
					if i < len(b.Checks) && !reflect.DeepEqual(a.Checks[i], b.Checks[i]) {
						t.Errorf("check %s differs:\noffline %+v\npreview %+v", a.Checks[i].ID, a.Checks[i], b.Checks[i])
					}
				}
				t.Fatalf("verdicts differ: offline %v, from the preview %v", a.Counts, b.Counts)
			}
		})
	}
}
