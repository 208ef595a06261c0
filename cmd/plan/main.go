// Command plan prints what `pulumi preview` would create for a stack, offline: no Pulumi CLI, no
// credentials, no network. It runs the real program under the mock engine and prints the resource
// tree with its key settings, the security check verdicts and a monthly cost estimate (with the
// three DNS modes side by side), or with -json the shape of `pulumi preview --json`. It exits 1
// when a check fails.
//
//	go run ./cmd/plan -stack dev
//	go run ./cmd/plan -stack prod -json > preview.json
//	go run ./cmd/plan -stack dev -diagram README.md
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/cost"
	"github.com/example/private-api/internal/diagram"
	"github.com/example/private-api/internal/plan"
)

// errChecksFailed makes the exit status 1 after the whole plan has been printed.
var errChecksFailed = errors.New("checks failed")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errChecksFailed):
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack to plan: reads Pulumi.yaml and Pulumi.<stack>.yaml")
	root := fs.String("root", ".", "project directory holding Pulumi.yaml")
	asJSON := fs.Bool("json", false, "write the shape of `pulumi preview --json` instead of the text plan")
	diagramPath := fs.String("diagram", "", "also put the Mermaid architecture diagram into this Markdown file, between its diagram markers (README.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v: use -stack NAME", fs.Args())
	}

	own, runs, err := plan.LoadModes(*root, *stack)
	if err != nil {
		return err
	}
	e := runs[own]
	cfg, err := plan.StackConfig(*root, *stack)
	if err != nil {
		return err
	}
	waivers, err := checks.ForStack(cfg.Waivers)
	if err != nil {
		return fmt.Errorf("stack %s: %w", *stack, err)
	}
	report := checks.Run(e, checks.All(), waivers)

	if *diagramPath != "" {
		command := fmt.Sprintf("go run ./cmd/plan -stack %s -diagram %s", *stack, *diagramPath)
		doc, err := os.ReadFile(*diagramPath)
		if err != nil {
			return err
		}
		updated, err := diagram.Embed(string(doc), e, command)
		if err != nil {
			return fmt.Errorf("%s: %w", *diagramPath, err)
		}
		if err := os.WriteFile(*diagramPath, []byte(updated), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", *diagramPath)
	}

	out := bufio.NewWriter(stdout)
	if *asJSON {
		p, err := plan.PreviewOf(e)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			return err
		}
	} else {
		prices, err := cost.ForRegion(e.Region())
		if err != nil {
			return err
		}
		if err := plan.Tree(out, e); err != nil {
			return err
		}
		fmt.Fprintln(out)
		plan.Costs(out, cost.Of(e, prices), own, cost.CompareDNS(prices, runs, plan.DNSModes))
		fmt.Fprintln(out)
		plan.Verdicts(out, report)
		access, err := plan.AccessOf(e)
		if err != nil {
			return err
		}
		fmt.Fprintln(out)
		access.Render(out)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if failed := report.Failed(); len(failed) > 0 {
		for _, r := range failed {
			for _, f := range r.Findings {
				fmt.Fprintf(stderr, "FAIL %s on %s: %s\n", r.Check.ID(), f.Resource, f.Detail)
			}
		}
		return errChecksFailed
	}
	return nil
}
