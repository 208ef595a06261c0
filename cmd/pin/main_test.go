package main

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestPin(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		wantCLI   []string
		wantUsage string
	}{
		{"pins_a_version", []string{"-stack", "prod", "-function", "claims", "-version", "41"},
			[]string{"config", "set", "--path", "private-api:functions.pinnedVersions.claims", "41", "--stack", "prod"}, ""},
		{"latest_removes_the_pin", []string{"-stack", "dev", "-function", "whoami", "-version", "latest"},
			[]string{"config", "rm", "--path", "private-api:functions.pinnedVersions.whoami", "--stack", "dev"}, ""},
		{"a_misspelt_function_gets_the_nearest_name", []string{"-stack", "dev", "-function", "claim", "-version", "3"}, nil, `FN="claim" is not a function of this stack: did you mean claims?`},
		{"an_unknown_function_gets_the_list", []string{"-stack", "dev", "-function", "payments", "-version", "3"}, nil, "use one of [claims employees whoami]"},
		{"a_shell_word_is_no_function", []string{"-stack", "dev", "-function", "claims; rm -rf /", "-version", "3"}, nil, "is not a function of this stack"},
		{"version_0", []string{"-stack", "dev", "-function", "claims", "-version", "0"}, nil, `VERSION="0": give a published version number`},
		{"version_LATEST", []string{"-stack", "dev", "-function", "claims", "-version", "$LATEST"}, nil, `VERSION="$LATEST"`},
		{"version_with_a_leading_zero", []string{"-stack", "dev", "-function", "claims", "-version", "07"}, nil, `VERSION="07"`},
		{"no_version", []string{"-stack", "dev", "-function", "claims"}, nil, `VERSION=""`},
		{"no_stack", []string{"-function", "claims", "-version", "3"}, nil, "name the stack"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ran []string
			var out, errOut bytes.Buffer
			err := run(tc.args, &out, &errOut, func(args []string, _, _ io.Writer) error { ran = args; return nil })
			if tc.wantUsage != "" {
				if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), tc.wantUsage) || ran != nil {
					t.Errorf("err %v, stderr %q, ran %q: want a usage error with %q and no pulumi call", err, errOut.String(), ran, tc.wantUsage)
				}
				return
			}
			if err != nil || !slices.Equal(ran, tc.wantCLI) {
				t.Errorf("err %v, ran %q, want %q", err, ran, tc.wantCLI)
			}
		})
	}
	t.Run("check_only_checks", func(t *testing.T) {
		called := false
		cli := func([]string, io.Writer, io.Writer) error { called = true; return nil }
		if err := run([]string{"-check", "-stack", "dev", "-function", "claims", "-version", "3"}, io.Discard, io.Discard, cli); err != nil || called {
			t.Errorf("err %v, pulumi called %t: want a pass and no call", err, called)
		}
		if err := run([]string{"-check", "-stack", "dev", "-function", "claim", "-version", "3"}, io.Discard, io.Discard, cli); !errors.Is(err, errUsage) {
			t.Errorf("err %v, want a usage error", err)
		}
	})
	t.Run("a_failing_cli_fails_the_pin", func(t *testing.T) {
		err := run([]string{"-stack", "dev", "-function", "claims", "-version", "3"}, io.Discard, io.Discard,
			func([]string, io.Writer, io.Writer) error { return errors.New("exit status 255") })
		if err == nil || errors.Is(err, errUsage) {
			t.Errorf("err %v, want the CLI's failure", err)
		}
	})
}
