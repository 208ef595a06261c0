// Command doctor checks, before the first `pulumi up`, that the account and region the stack deploys
// to can take it: the credentials work, the region has the zones and endpoint services the stack
// uses, the test client's image exists, Lambda can hold the stack's reserved concurrency, the API
// Gateway CloudWatch role is set (or this stack sets it) and who owns it, and every AWS quota the
// stack counts against has room for it. It only reads (see README, "First deploy", for the
// permissions) and prints one PASS or FAIL line per check, with the fix.
//
//	go run ./cmd/doctor -stack dev
//	make doctor STACK=dev
//
// Exit status: 0 every check passes, 1 a check fails (or the stack config is invalid), 2 usage
// error, 3 AWS could not be read.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/example/private-api/stack/offline"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/example/private-api/cmd/internal/cli"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
)

const (
	exitFail   = 1
	exitUsage  = cli.ExitUsage
	exitNoRead = 3
	usageText  = "usage: doctor [-stack NAME] [-root DIR] [-profile NAME]\n\n" +
		"Read-only preflight checks of the account and region of Pulumi.<stack>.yaml, before `pulumi up`.\n" +
		"Exit status: 0 all pass, 1 a check fails, 2 usage error, 3 AWS could not be read.\n\nflags:"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("doctor", usageText, stderr)
	stack := fs.String("stack", "dev", "stack to check: reads Pulumi.yaml and Pulumi.<stack>.yaml")
	root := fs.String("root", ".", "project directory holding Pulumi.yaml")
	profile := fs.String("profile", "", cli.ProfileUsage)
	if code, ok := cli.ParseFlagsOnly(fs, args, "use -stack NAME"); !ok {
		return code
	}

	project, values, err := mockengine.StackConfig(*root, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
		return exitUsage
	}
	t := target{project: project, stack: *stack}
	// The validation of `pulumi up` and the plan (unknown keys too), then the plan itself, for what
	// the stack would create.
	t.cfg, err = stackconfig.ParseMap(values)
	if err == nil {
		t.services, err = interfaceServices(*root, *stack)
	}
	if err != nil {
		fmt.Fprintf(stdout, "FAIL  stack config %s: %s\n", *stack, strings.ReplaceAll(err.Error(), "\n", "\n      "))
		fmt.Fprintf(stdout, "\ndoctor: fix Pulumi.%s.yaml first; no AWS check was run\n", *stack)
		return exitFail
	}

	// The region is the stack's aws:region, as `pulumi up` uses it, whatever AWS_REGION says.
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(t.cfg.Region), config.WithSharedConfigProfile(*profile))
	if err != nil {
		fmt.Fprintf(stderr, "doctor: load AWS config: %v\n", err)
		return exitNoRead
	}
	d := &doctor{c: newClients(awsCfg), t: t}
	d.run(ctx)
	return report(stdout, d)
}

// interfaceServices lists the service of every interface endpoint the plan of the stack creates.
func interfaceServices(root, stack string) ([]string, error) {
	e, err := offline.Load(root, stack, "")
	if err != nil {
		return nil, err
	}
	var services []string
	for _, r := range e.OfType(mockengine.TypeVpcEndpoint) {
		if r.Inputs["vpcEndpointType"] == "Interface" {
			if name, ok := r.Inputs["serviceName"].(string); ok && !slices.Contains(services, name) {
				services = append(services, name)
			}
		}
	}
	return services, nil
}

// report prints one line per check (the fix under each failure) and a summary, and returns the
// exit status: unreadable AWS outranks a failed check, since the verdicts are incomplete.
func report(w io.Writer, d *doctor) int {
	counts := map[Status]int{}
	for _, r := range d.results {
		counts[r.Status]++
		fmt.Fprintf(w, "%-5s %s: %s\n", r.Status, r.Check, r.Detail)
		if r.Fix != "" {
			fmt.Fprintf(w, "      fix: %s\n", r.Fix)
		}
	}
	fmt.Fprintf(w, "\nstack %s in %s: %d checks, %d pass, %d FAIL, %d could not be read\n", d.t.stack, d.t.cfg.Region,
		len(d.results), counts[Pass], counts[Fail], counts[Unread])
	switch {
	case counts[Unread] > 0:
		return exitNoRead
	case counts[Fail] > 0:
		return exitFail
	}
	fmt.Fprintf(w, "ready: make up STACK=%s\n", d.t.stack)
	return 0
}
