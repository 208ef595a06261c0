// Command plan shows what `pulumi preview` would do to a stack and judges it, offline: no Pulumi
// CLI, no credentials, no network. It runs the real program under the mock engine (or reads a real
// `pulumi preview --json` with -from-preview) and prints a one-screen summary: resources by
// component, monthly cost, the security checks with every failure and waiver. See usage below.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/cmd/internal/cli"
	"github.com/example/private-api/cmd/internal/plan"
	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/cost"
	"github.com/example/private-api/internal/diagram"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/sarif"
	"github.com/example/private-api/internal/stackconfig"
)

const usage = `Usage: plan [flags]

Plans a stack offline and runs the project's security checks on it.

  plan -stack dev                       one-screen summary of the offline plan
  plan -stack dev -full                 every resource with its settings, the cost tables, every check
  plan -stack dev -json > preview.json  the plan in the shape of 'pulumi preview --json'
  plan -stack dev -format sarif         the check results as SARIF 2.1.0, for GitHub code scanning
  plan -stack dev -format json          the check results as JSON, for other tools
  plan -from-preview preview.json       the same checks and cost on the output of a real
                                        'pulumi preview --json' (stack and region read from it)

Exit status: 0 every check passes, is waived or has nothing to judge; 1 a check fails (everything
is still printed, and the failures are repeated on stderr); 2 the plan could not be made (bad flag,
stack config or preview file: the message says which).

Flags:`

// errChecksFailed makes the exit status 1 after the whole plan has been printed.
var errChecksFailed = errors.New("checks failed")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errChecksFailed):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(2)
	}
}

type options struct {
	stack, root, format, fromPreview, diagram string
	full, previewJSON                         bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.FlagSet("plan", usage, stderr)
	// The flag package prints a backquoted word of a usage string as the flag's argument name, so
	// backquotes mark exactly those and nothing else.
	fs.StringVar(&o.stack, "stack", "dev", "`stack` to plan: reads Pulumi.yaml and Pulumi.<stack>.yaml")
	fs.StringVar(&o.root, "root", ".", "project `directory` holding Pulumi.yaml")
	fs.BoolVar(&o.full, "full", false, "print the whole plan: every resource and its settings, the cost tables, every check")
	fs.BoolVar(&o.previewJSON, "json", false, "write the plan in the shape of 'pulumi preview --json' instead of text")
	fs.StringVar(&o.format, "format", "text", "`format` of the output: text (the plan), json or sarif (the check results)")
	fs.StringVar(&o.fromPreview, "from-preview", "", "read this `file`, the output of 'pulumi preview --json', instead of running the program offline")
	fs.StringVar(&o.diagram, "diagram", "", "also put the Mermaid architecture diagram into this Markdown `file`, between its diagram markers")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %v: use -stack NAME (plan -h lists the flags)", fs.Args())
	}
	switch o.format {
	case "text", "json", "sarif":
	default:
		return o, fmt.Errorf("-format %q: use text, json or sarif", o.format)
	}
	if o.previewJSON && o.format != "text" {
		return o, errors.New("-json writes the preview shape; it cannot be combined with -format " + o.format)
	}
	if o.fromPreview != "" && (o.previewJSON || o.diagram != "") {
		return o, errors.New("-from-preview reads a preview: -json and -diagram need the program (drop -from-preview)")
	}
	return o, nil
}

// planned is a stack ready to report on, from either source.
type planned struct {
	e       *mockengine.Engine
	report  checks.Report
	own     string
	runs    map[string]*mockengine.Engine
	heading string
	changes []plan.Change
	unknown int
	// took is how long the offline run took (the preview document's duration).
	took time.Duration
	// cfg is the stack's validated config.
	cfg stackconfig.Config
	// configFile is where a finding with no known source line is shown in code scanning.
	configFile string
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var p planned
	if o.fromPreview != "" {
		p, err = fromPreview(o.fromPreview, stderr)
	} else {
		p, err = planOffline(o.root, o.stack, stderr)
	}
	if err != nil {
		return err
	}
	e := p.e

	if o.diagram != "" {
		command := fmt.Sprintf("go run ./cmd/plan -stack %s -diagram %s", o.stack, o.diagram)
		doc, err := os.ReadFile(o.diagram)
		if err != nil {
			return err
		}
		updated, err := diagram.Embed(string(doc), e, command)
		if err != nil {
			return fmt.Errorf("%s: %w", o.diagram, err)
		}
		if err := os.WriteFile(o.diagram, []byte(updated), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", o.diagram)
	}

	out := bufio.NewWriter(stdout)
	switch {
	case o.previewJSON:
		_, config, err := mockengine.StackConfig(o.root, o.stack)
		if err != nil {
			return err
		}
		doc, err := plan.PreviewOf(e, config, p.took)
		if err != nil {
			return err
		}
		if err := writeJSON(out, doc); err != nil {
			return err
		}
	case o.format == "json":
		if err := writeJSON(out, plan.VerdictsOf(p.report, e)); err != nil {
			return err
		}
	case o.format == "sarif":
		locate := func(f checks.Finding) sarif.Source {
			r, ok := e.Named(f.Type, f.Resource)
			if !ok {
				return sarif.Source{}
			}
			file, line := plan.SourceLine(r.Source)
			return sarif.Source{File: file, Line: line, URN: r.URN}
		}
		if err := writeJSON(out, sarif.From(p.report, locate, p.configFile)); err != nil {
			return err
		}
	default:
		if err := text(out, p, o.full); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if failed := p.report.Failed(); len(failed) > 0 {
		for _, r := range failed {
			for _, f := range r.Findings {
				fmt.Fprintf(stderr, "FAIL %s on %s: %s\n", r.Check.ID(), f.Resource, f.Detail)
			}
		}
		return errChecksFailed
	}
	return nil
}

func planOffline(root, stack string, stderr io.Writer) (planned, error) {
	fmt.Fprintf(stderr, "plan: running the program for stack %s under the mock engine, once per DNS mode...\n", stack)
	start := time.Now()
	own, runs, err := offline.LoadModes(root, stack)
	if err != nil {
		return planned{}, err
	}
	e := runs[own]
	cfg, err := offline.StackConfig(root, stack)
	if err != nil {
		return planned{}, err
	}
	waivers, err := checks.ForStack(cfg.Waivers)
	if err != nil {
		return planned{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	return planned{
		e: e, cfg: cfg, report: checks.Run(e, checks.All(), waivers), own: own, runs: runs, took: time.Since(start) / time.Duration(len(runs)),
		heading:    fmt.Sprintf("Offline plan of stack %s (project %s, region %s): mock engine, no AWS calls", e.StackName(), e.Project(), e.Region()),
		configFile: "Pulumi." + stack + ".yaml",
	}, nil
}

func fromPreview(path string, stderr io.Writer) (planned, error) {
	fmt.Fprintf(stderr, "plan: reading %s as the output of pulumi preview --json...\n", path)
	f, err := os.Open(path)
	if err != nil {
		return planned{}, err
	}
	defer f.Close()
	doc, err := plan.ReadPreview(f)
	if err != nil {
		return planned{}, fmt.Errorf("%s: %w", path, err)
	}
	pv, err := plan.FromPreview(doc)
	if err != nil {
		return planned{}, fmt.Errorf("%s: %w", path, err)
	}
	e := pv.Engine
	// The stack's own waivers are in its config, which the preview carries.
	cfg, err := stackconfig.ParseMap(pv.Config)
	if err != nil {
		return planned{}, fmt.Errorf("%s: the preview's config: %w", path, err)
	}
	waivers, err := checks.ForStack(cfg.Waivers)
	if err != nil {
		return planned{}, fmt.Errorf("%s: stack %s: %w", path, e.StackName(), err)
	}
	return planned{
		e: e, cfg: cfg, report: checks.Run(e, checks.All(), waivers), changes: pv.Changes, unknown: pv.Unknown,
		heading:    fmt.Sprintf("Preview of stack %s (project %s, region %s), read from %s", e.StackName(), e.Project(), e.Region(), path),
		configFile: "Pulumi." + e.StackName() + ".yaml",
	}, nil
}

// text writes the summary, or with full the whole listing.
func text(w io.Writer, p planned, full bool) error {
	prices, err := cost.ForRegion(p.e.Region())
	if err != nil {
		return err
	}
	est := cost.Of(p.e, prices)
	var modes []cost.DNSMode
	if p.runs != nil {
		modes = cost.CompareDNS(prices, p.runs, offline.DNSModes)
	}
	if !full {
		return plan.Summary(w, plan.SummaryInput{Engine: p.e, Report: p.report, Cost: est, Own: p.own, Modes: modes, Config: p.cfg,
			Heading: p.heading, Changes: p.changes, Unknown: p.unknown})
	}
	if p.changes != nil {
		fmt.Fprintln(w, p.heading)
		plan.Changes(w, p.changes)
		fmt.Fprintln(w)
		if err := plan.ResourceTree(w, p.e); err != nil {
			return err
		}
	} else if err := plan.Tree(w, p.e); err != nil {
		return err
	}
	fmt.Fprintln(w)
	plan.Costs(w, est, p.own, modes)
	fmt.Fprintln(w)
	plan.Verdicts(w, p.report)
	fmt.Fprintln(w)
	plan.RenderAccess(w, p.e)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
