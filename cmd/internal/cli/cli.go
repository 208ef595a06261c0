// Package cli holds what the project's commands (cmd/...) share in reading their command line: a
// flag set that reports to the command's stderr with the command's own usage text, and the parse
// that turns -h, a bad flag or a stray argument into an exit status.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ExitUsage is the exit status of every command here for a usage error.
const ExitUsage = 2

// ProfileUsage is the help of the -profile flag of the commands that call AWS.
const ProfileUsage = "shared config profile (default: AWS_PROFILE or the default chain)"

// FlagSet returns the flag set of the command name. Errors go to stderr, and -h or a bad flag
// prints usage (the command line, what it does, its exit statuses), then the flags.
func FlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// ParseFlagsOnly parses args for a command that takes flags and nothing else. ok is false when the
// command must stop with code: 0 after -h, ExitUsage after a bad flag (the flag package has said
// which) or an argument after the flags (said here, with hint: what to pass instead).
func ParseFlagsOnly(fs *flag.FlagSet, args []string, hint string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected arguments %q; %s\n", fs.Name(), fs.Args(), hint)
		return ExitUsage, false
	}
	return 0, true
}
