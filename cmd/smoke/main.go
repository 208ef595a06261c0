// Command smoke checks a deployed stack from its test client, through SSM Run Command: a signed
// GET /whoami answers 200 as the client role, unsigned or wrong-region calls get 403, the API host
// resolves privately and public AWS host names (STS, another team's execute-api) still resolve
// publicly from the consumer VPC. Run it after `pulumi up` (make smoke STACK=dev):
//
//	smoke -stack dev                  outputs from `pulumi stack output --json --stack dev`
//	smoke -outputs outputs.json       outputs from a file
//
// It prints a PASS or FAIL line per check. Exit status: 0 all pass, 1 any check fails, 2 the
// outputs are missing or unusable, 3 SSM could not run the checks.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/example/private-api/cmd/internal/cli"
)

const (
	exitFail  = 1
	exitUsage = cli.ExitUsage
	exitNoRun = 3
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("smoke", "usage: smoke [-stack NAME | -outputs FILE] [flags]\n\n"+
		"Checks a deployed stack from its test client through SSM Run Command.\n"+
		"Exit status: 0 all pass, 1 any check fails, 2 outputs missing or unusable, 3 SSM could not run the checks.\n\nflags:", stderr)
	outputsFile := fs.String("outputs", "", "read the stack outputs from this `file` (written by pulumi stack output --json) instead of running pulumi")
	stack := fs.String("stack", "", "stack to read the outputs of (default: the selected stack)")
	profile := fs.String("profile", "", cli.ProfileUsage)
	timeout := fs.Duration("timeout", 5*time.Minute, "give up on the checks after this long")
	poll := fs.Duration("poll", 2*time.Second, "how often to ask SSM whether a check has finished")
	onlineTimeout := fs.Duration("online-timeout", 10*time.Minute, "wait this long for the test client to be Online in SSM before the checks")
	if code, ok := cli.ParseFlagsOnly(fs, args, "use -stack NAME or -outputs FILE"); !ok {
		return code
	}
	loadCtx, cancelLoad := context.WithTimeout(ctx, *timeout)
	outputs, err := loadOutputs(loadCtx, *outputsFile, *stack)
	cancelLoad()
	if err != nil {
		fmt.Fprintf(stderr, "smoke: %v\n", err)
		return exitUsage
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(outputs.Region), config.WithSharedConfigProfile(*profile))
	if err != nil {
		fmt.Fprintf(stderr, "smoke: load AWS config: %v\n", err)
		return exitNoRun
	}
	runner := runCommand{client: ssm.NewFromConfig(cfg), instanceID: outputs.TestInstanceID, poll: *poll}
	fmt.Fprintf(stdout, "smoke: %s from test client %s\n", outputs.InvokeURL, outputs.TestInstanceID)
	if err := runner.waitOnline(ctx, *onlineTimeout); err != nil {
		fmt.Fprintf(stderr, "smoke: %v\n", err)
		return exitNoRun
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	// Send every check first, so they run on the instance while the first results are awaited.
	all := checks(outputs)
	commandIDs := make([]string, len(all))
	for i, c := range all {
		if commandIDs[i], err = runner.send(ctx, "private-api smoke "+c.id, c.script); err != nil {
			fmt.Fprintf(stderr, "smoke: %s: %v\n", c.name, err)
			return exitNoRun
		}
	}
	failed := 0
	for i, c := range all {
		out, err := runner.wait(ctx, commandIDs[i])
		if err == nil {
			err = c.verify(out)
		}
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(stdout, "PASS  %s\n", c.name)
	}
	fmt.Fprintf(stdout, "smoke: %d of %d checks passed\n", len(all)-failed, len(all))
	if failed > 0 {
		return exitFail
	}
	return 0
}
