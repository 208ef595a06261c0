package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseFlagsOnly(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantOK   bool
		wantErr  []string
	}{
		{"flags", []string{"-stack", "prod"}, 0, true, nil},
		{"help", []string{"-h"}, 0, false, []string{"usage: tool [-stack NAME]\n", "-stack name"}},
		{"bad_flag", []string{"-stak", "prod"}, ExitUsage, false, []string{"flag provided but not defined: -stak", "usage: tool"}},
		{"stray_argument", []string{"-stack", "prod", "extra"}, ExitUsage, false, []string{`tool: unexpected arguments ["extra"]; use -stack NAME` + "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs := FlagSet("tool", "usage: tool [-stack NAME]", &stderr)
			stack := fs.String("stack", "dev", "stack `name`")
			code, ok := ParseFlagsOnly(fs, tc.args, "use -stack NAME")
			if code != tc.wantCode || ok != tc.wantOK {
				t.Fatalf("code %d ok %v, want %d %v (stderr %q)", code, ok, tc.wantCode, tc.wantOK, stderr.String())
			}
			if tc.wantOK && (*stack != "prod" || stderr.Len() != 0) {
				t.Errorf("stack %q, stderr %q", *stack, stderr.String())
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
		})
	}
}
