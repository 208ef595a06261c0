package stack

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWhoamiCommand(t *testing.T) {
	t.Run("sends_a_signed_call_as_valid_SSM_parameters", func(t *testing.T) {
		cmd := whoamiShell("i-0abc", "https://abc123.execute-api.eu-west-1.amazonaws.com/v1", "eu-west-1")
		start := strings.Index(cmd, "--parameters '") + len("--parameters '")
		end := strings.Index(cmd[start:], "'")
		var params struct{ Commands []string }
		if err := json.Unmarshal([]byte(cmd[start:start+end]), &params); err != nil || len(params.Commands) != 1 {
			t.Fatalf("parameters %q are not SSM JSON: %v", cmd[start:start+end], err)
		}
		script := params.Commands[0]
		for _, want := range []string{"--aws-sigv4 aws:amz:eu-west-1:execute-api", `x-amz-security-token: %s`, "curl -sS -K - ", "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/whoami"} {
			if !strings.Contains(script, want) {
				t.Errorf("script %q lacks %q", script, want)
			}
		}
		// Secrets only as arguments of the printf builtin, never of a program that ps would show.
		curl := script[strings.Index(script, "| curl"):]
		if strings.Contains(curl, "$AWS_") || strings.Contains(script, "--user") {
			t.Errorf("a credential reaches curl's command line: %q", script)
		}
		if !strings.Contains(cmd, "--instance-ids i-0abc") || !strings.Contains(cmd, "get-command-invocation") {
			t.Errorf("command %q does not target the instance and read the answer", cmd)
		}
	})
	t.Run("says_what_to_do_without_a_test_client", func(t *testing.T) {
		if got := whoamiShell("", "https://x/v1", "eu-west-1"); !strings.Contains(got, "client.testInstance") {
			t.Errorf("got %q", got)
		}
	})
}
