// Command audit checks every REST API in a region against the private-API controls: endpoint type
// PRIVATE, a resource policy that restricts callers by aws:SourceVpce, aws:SourceVpc or
// aws:VpcSourceIp with a Deny guarding it, no method without authorization (OPTIONS aside), and on
// every stage access logs, execution logging and X-Ray tracing.
//
//	audit -region eu-west-1          a table, then what fails and how to fix it
//	audit -region eu-west-1 -json    the same as JSON
//
// Exit status: 0 when every API passes, 1 when any fails, 2 for a usage error, 3 when API Gateway
// could not be read (credentials, permissions: it needs apigateway:GET on /restapis and /restapis/*).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/example/private-api/cmd/internal/cli"
)

const (
	exitFail    = 1
	exitUsage   = cli.ExitUsage
	exitNoRead  = 3
	usageHeader = "usage: audit [-region REGION] [-profile NAME] [-json]\n\n" +
		"Audits every REST API in the region. Exit status: 0 all pass, 1 any fails, 2 usage error, 3 API Gateway could not be read.\n\nflags:"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("audit", usageHeader, stderr)
	region := fs.String("region", "", "region to audit (default: AWS_REGION or the profile's region)")
	profile := fs.String("profile", "", cli.ProfileUsage)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if code, ok := cli.ParseFlagsOnly(fs, args, "the audit takes only flags"); !ok {
		return code
	}

	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(*region), config.WithSharedConfigProfile(*profile))
	if err != nil {
		fmt.Fprintf(stderr, "audit: load AWS config: %v\n", err)
		return exitNoRead
	}
	if cfg.Region == "" {
		fmt.Fprintln(stderr, "audit: -region: no region configured; pass -region or set AWS_REGION")
		return exitUsage
	}
	reports, err := auditRegion(ctx, apigateway.NewFromConfig(cfg))
	if err != nil {
		fmt.Fprintf(stderr, "audit: %s: %v\n", cfg.Region, err)
		return exitNoRead
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Region string      `json:"region"`
			APIs   []apiReport `json:"apis"`
		}{cfg.Region, reports}); err != nil {
			fmt.Fprintf(stderr, "audit: %v\n", err)
			return exitNoRead
		}
	} else {
		writeTable(stdout, cfg.Region, reports)
	}
	for _, r := range reports {
		if !r.Pass {
			return exitFail
		}
	}
	return 0
}

func writeTable(w io.Writer, region string, reports []apiReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API ID\tNAME\tENDPOINT\tRESTRICTED BY\tDENY GUARD\tNO-AUTH METHODS\tSTAGES\tRESULT")
	passed := 0
	for _, r := range reports {
		result := "FAIL"
		if r.Pass {
			result = "PASS"
			passed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", printable(r.ID), printable(r.Name), orDash(strings.Join(r.EndpointTypes, ",")),
			orDash(strings.Join(r.RestrictedBy, ",")), yesNo(r.DenyGuard), len(r.UnauthorizedMethods), stagesSummary(r.Stages), result)
	}
	_ = tw.Flush()
	for _, r := range reports {
		for _, warning := range r.Warnings {
			fmt.Fprintf(w, "\nWARN %s (%s): %s\n", printable(r.ID), printable(r.Name), printable(warning))
		}
		if r.Pass {
			continue
		}
		fmt.Fprintf(w, "\nFAIL %s (%s):\n", printable(r.ID), printable(r.Name))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  - %s\n", printable(p))
		}
	}
	fmt.Fprintf(w, "\n%d of %d REST APIs in %s pass\n", passed, len(reports), region)
}

// stagesSummary reads "dev(logs,INFO,xray)"; what is off shows as no-logs, OFF, no-xray.
func stagesSummary(stages []stageReport) string {
	var parts []string
	for _, s := range stages {
		logs, xray := "logs", "xray"
		if !s.AccessLogs {
			logs = "no-logs"
		}
		if !s.Tracing {
			xray = "no-xray"
		}
		parts = append(parts, fmt.Sprintf("%s(%s,%s,%s)", s.Name, logs, s.LoggingLevel, xray))
	}
	return orDash(strings.Join(parts, " "))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printable escapes what AWS returned so it cannot shape the table: a name holding a newline or a
// tab would otherwise forge a row or a column.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
