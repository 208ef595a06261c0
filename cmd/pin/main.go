// Command pin sets or removes a function's pinned version in a stack's config: what `make
// rollback` and `make roll-forward` run before `pulumi up`. It refuses, before touching the config,
// a function that is not in the catalogue (with the nearest name) and a version that is not a
// published version number.
//
//	go run ./cmd/pin -stack prod -function claims -version 41      # live serves version 41
//	go run ./cmd/pin -stack prod -function claims -version latest  # live serves the newest again
//
// Exit status: 0 done, 1 the pulumi CLI failed, 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/example/private-api/internal/catalogue"
	"github.com/example/private-api/internal/stackconfig"
)

// Latest as the version removes the pin: live serves the newest published version again.
const Latest = "latest"

// errUsage marks a refused argument (exit status 2).
var errUsage = errors.New("usage")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr, pulumi)
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "pin:", err)
		os.Exit(1)
	}
}

// pulumi runs the pulumi CLI with args, its output on this process's.
func pulumi(args []string, stdout, stderr io.Writer) error {
	cmd := exec.Command("pulumi", args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}

func run(args []string, stdout, stderr io.Writer, cli func([]string, io.Writer, io.Writer) error) error {
	fs := flag.NewFlagSet("pin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "the stack whose config to change (required)")
	function := fs.String("function", "", "the function, one of the catalogue's (required)")
	version := fs.String("version", "", `the published version live serves, or "latest" to remove the pin (required)`)
	check := fs.Bool("check", false, "only check the arguments (make checks them before it selects the stack)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	args, err := configCommand(*stack, *function, *version)
	if err != nil {
		fmt.Fprintf(stderr, "pin: %v\nusage: make rollback STACK=<stack> FN=<function> VERSION=<n>|latest\n", err)
		return errUsage
	}
	if *check {
		return nil
	}
	fmt.Fprintf(stdout, "pulumi %s\n", quoted(args))
	return cli(args, stdout, stderr)
}

// configCommand is the pulumi CLI command that pins function at version in stack's config, or
// removes its pin. With --path the CLI stores an integer as a number, so no --type (which older
// CLIs lack) is needed.
func configCommand(stack, function, version string) ([]string, error) {
	if stack == "" {
		return nil, errors.New("name the stack (STACK=dev)")
	}
	known := catalogue.Names()
	if _, ok := catalogue.Named(function); !ok {
		hint := fmt.Sprintf("use one of %v", known)
		if best, ok := stackconfig.Nearest(function, known); ok && function != "" {
			hint = "did you mean " + best + "?"
		}
		return nil, fmt.Errorf("FN=%q is not a function of this stack: %s", function, hint)
	}
	key := stackconfig.Project + ":functions.pinnedVersions." + function
	if version == Latest {
		return []string{"config", "rm", "--path", key, "--stack", stack}, nil
	}
	if n, err := strconv.Atoi(version); err != nil || n < 1 || strconv.Itoa(n) != version {
		return nil, fmt.Errorf("VERSION=%q: give a published version number such as 41 (aws lambda list-versions-by-function --function-name <name> lists them), or latest to remove the pin", version)
	}
	return []string{"config", "set", "--path", key, version, "--stack", stack}, nil
}

func quoted(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}
