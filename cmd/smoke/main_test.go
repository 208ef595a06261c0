package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/example/private-api/internal/awsfake"
)

const (
	outputsFile = "testdata/outputs.json"
	instanceID  = "i-0123456789abcdef0"
	whoamiBody  = `{"callerArn":"arn:aws:sts::123456789012:assumed-role/private-api-dev-client/i-0123456789abcdef0","accountId":"123456789012",` +
		`"sourceIp":"10.30.1.20","vpceId":"vpce-0123456789abcdef0","stage":"dev","requestId":"r1"}`
)

// fakeSSM stands in for SSM Run Command on the test instance: answer decides what each check's
// script prints. Like SSM, it does not know an invocation on the first poll and reports it
// InProgress on the second.
type fakeSSM struct {
	answer   func(check, script string) output
	pings    int // DescribeInstanceInformation calls: unregistered, then ConnectionLost, then Online
	mu       sync.Mutex
	commands map[string]*sentCommand
	scripts  map[string]string // by check id
	lastBody string
}

type sentCommand struct {
	polls int
	out   output
}

// newFakeSSM serves SSM for requests signed in us-east-1, the region of the outputs; the
// environment's own region is another one, so a client that ignored the outputs would fail.
func newFakeSSM(t *testing.T, answer func(check, script string) output) *fakeSSM {
	f := &fakeSSM{answer: answer, commands: map[string]*sentCommand{}, scripts: map[string]string{}}
	srv := httptest.NewServer(awsfake.RequireSignature("ssm", "us-east-1", f))
	t.Cleanup(srv.Close)
	awsfake.UseCredentials(t, "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL)
	return f
}

func (f *fakeSSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in struct {
		DocumentName, Comment, CommandId, InstanceId string
		InstanceIds                                  []string
		Parameters                                   map[string][]string
	}
	body, _ := io.ReadAll(r.Body)
	f.lastBody = string(body)
	if err := json.Unmarshal(body, &in); err != nil {
		awsfake.WriteError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	switch r.Header.Get("X-Amz-Target") {
	case "AmazonSSM.DescribeInstanceInformation":
		var filter struct {
			Filters []struct {
				Key    string
				Values []string
			}
		}
		_ = json.Unmarshal([]byte(f.lastBody), &filter)
		list := []any{}
		if len(filter.Filters) == 1 && filter.Filters[0].Key == "InstanceIds" && slices.Equal(filter.Filters[0].Values, []string{instanceID}) {
			f.pings++
			switch {
			case f.pings == 2:
				list = append(list, map[string]any{"InstanceId": instanceID, "PingStatus": "ConnectionLost"})
			case f.pings > 2:
				list = append(list, map[string]any{"InstanceId": instanceID, "PingStatus": "Online"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"InstanceInformationList": list})
	case "AmazonSSM.SendCommand":
		if in.DocumentName != "AWS-RunShellScript" {
			awsfake.WriteError(w, http.StatusBadRequest, "InvalidDocument", in.DocumentName)
			return
		}
		if !slices.Equal(in.InstanceIds, []string{instanceID}) {
			awsfake.WriteError(w, http.StatusBadRequest, "InvalidInstanceId", "Instances not in a valid state for account")
			return
		}
		check := strings.TrimPrefix(in.Comment, "private-api smoke ")
		script := strings.Join(in.Parameters["commands"], "\n")
		id := fmt.Sprintf("cmd-%d", len(f.commands))
		f.scripts[check] = script
		f.commands[id] = &sentCommand{out: f.answer(check, script)}
		_ = json.NewEncoder(w).Encode(map[string]any{"Command": map[string]any{"CommandId": id, "Status": "Pending"}})
	case "AmazonSSM.GetCommandInvocation":
		c, ok := f.commands[in.CommandId]
		switch {
		case !ok || in.InstanceId != instanceID:
			awsfake.WriteError(w, http.StatusBadRequest, "InvalidCommandId", in.CommandId)
		case c.polls == 0:
			c.polls++
			awsfake.WriteError(w, http.StatusBadRequest, "InvocationDoesNotExist", "")
		case c.polls == 1:
			c.polls++
			_ = json.NewEncoder(w).Encode(map[string]any{"CommandId": in.CommandId, "Status": "InProgress"})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"CommandId": in.CommandId, "InstanceId": instanceID, "Status": c.out.status,
				"StandardOutputContent": c.out.stdout, "StandardErrorContent": c.out.stderr})
		}
	default:
		awsfake.WriteError(w, http.StatusBadRequest, "UnknownOperationException", r.Header.Get("X-Amz-Target"))
	}
}

// passing is what a healthy deployment prints for each check.
func passing(check, _ string) output {
	ok := func(stdout string) output { return output{status: "Success", stdout: stdout} }
	switch check {
	case "api-dns":
		return ok("10.20.1.15\n10.20.2.15\n")
	case "signed":
		return ok("HTTP 200\n" + whoamiBody)
	case "unsigned", "wrong-region", "unlisted-route":
		return ok(`HTTP 403` + "\n" + `{"message":"Forbidden"}`)
	case "sts-dns":
		return ok("209.54.177.164\n209.54.180.124\n")
	case "public-api-dns":
		return ok("3.223.55.101\n2600:1f18:4b7a:8c00::1\n")
	}
	return output{status: "Failed", stderr: "unknown check " + check}
}

func smoke(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-poll", "1ms"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestAllChecksPass(t *testing.T) {
	f := newFakeSSM(t, passing)
	code, stdout, stderr := smoke(t, "-outputs", outputsFile)
	if code != 0 || strings.Count(stdout, "PASS  ") != 7 || strings.Contains(stdout, "FAIL") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr: %s\nwant 0 and six PASS lines", code, stdout, stderr)
	}
	if !strings.HasSuffix(stdout, "smoke: 7 of 7 checks passed\n") {
		t.Errorf("no summary line:\n%s", stdout)
	}

	const url = "'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/whoami'"
	for check, want := range map[string][]string{
		"signed":         {"--aws-sigv4 'aws:amz:us-east-1:execute-api' " + url, "X-aws-ec2-metadata-token-ttl-seconds", "x-amz-security-token"},
		"unlisted-route": {"--aws-sigv4 'aws:amz:us-east-1:execute-api' 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/employees'"},
		"wrong-region":   {"--aws-sigv4 'aws:amz:us-west-2:execute-api' " + url},
		"unsigned":       {url},
		"api-dns":        {"getent ahosts 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com'"},
		"sts-dns":        {"getent ahosts 'sts.us-east-1.amazonaws.com'"},
		"public-api-dns": {"getent ahosts 'abcdefghij.execute-api.us-east-1.amazonaws.com'"},
	} {
		for _, w := range want {
			if !strings.Contains(f.scripts[check], w) {
				t.Errorf("script of %s lacks %q:\n%s", check, w, f.scripts[check])
			}
		}
	}
	if s := f.scripts["unsigned"]; strings.Contains(s, "sigv4") || strings.Contains(s, "169.254.169.254") {
		t.Errorf("the unsigned call signs or reads credentials:\n%s", s)
	}
}

// TestFromAnEndpointConsumer: with the test client in an endpoint consumer, every check calls and
// resolves its consumer's endpoint URL, and the whoami answer must name that endpoint.
func TestFromAnEndpointConsumer(t *testing.T) {
	const alias = "https://a1b2c3d4e5-vpce-0bbbbbbbbbbbbbbb0.execute-api.us-east-1.amazonaws.com/dev"
	outputs := writeOutputs(t, func(o map[string]any) {
		o["testClientInvokeUrl"] = alias
		o["testClientEndpointId"] = "vpce-0bbbbbbbbbbbbbbb0"
	})
	through := strings.Replace(whoamiBody, "vpce-0123456789abcdef0", "vpce-0bbbbbbbbbbbbbbb0", 1)
	f := newFakeSSM(t, func(check, script string) output {
		if check == "signed" {
			return output{status: "Success", stdout: "HTTP 200\n" + through}
		}
		return passing(check, script)
	})
	if code, stdout, stderr := smoke(t, "-outputs", outputs); code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	for check, want := range map[string]string{
		"signed": "'" + alias + "/whoami'", "unlisted-route": "'" + alias + "/employees'",
		"api-dns": "getent ahosts 'a1b2c3d4e5-vpce-0bbbbbbbbbbbbbbb0.execute-api.us-east-1.amazonaws.com'",
	} {
		if !strings.Contains(f.scripts[check], want) {
			t.Errorf("script of %s lacks %q:\n%s", check, want, f.scripts[check])
		}
	}
	// The answer through the API VPC's endpoint is not the consumer's.
	newFakeSSM(t, passing)
	if code, stdout, _ := smoke(t, "-outputs", outputs); code != exitFail || !strings.Contains(stdout, `not the stack's vpce-0bbbbbbbbbbbbbbb0`) {
		t.Errorf("exit %d, want a failure naming the consumer's endpoint:\n%s", code, stdout)
	}
}

func TestEachFailureIsReported(t *testing.T) {
	ok := func(stdout string) output { return output{status: "Success", stdout: stdout} }
	cases := []struct {
		name, check string
		out         output
		want        string
	}{
		{"signed_call_refused", "signed", ok("HTTP 403\n{\"message\":\"User: anonymous is not authorized\"}"),
			"signed GET /whoami answers 200 as the test client's role: answered 403 ({\"message\":\"User: anonymous is not authorized\"}): check that the resource policy"},
		{"signed_call_as_another_principal", "signed", ok(`HTTP 200` + "\n" + strings.Replace(whoamiBody, "private-api-dev-client", "admin", 1)),
			`callerArn "arn:aws:sts::123456789012:assumed-role/admin/i-0123456789abcdef0" is not a session of the client role`},
		{"signed_call_through_another_endpoint", "signed", ok(`HTTP 200` + "\n" + strings.Replace(whoamiBody, "vpce-0123456789abcdef0", "vpce-0fffffffffffffff0", 1)),
			`the call came through endpoint "vpce-0fffffffffffffff0", not the stack's vpce-0123456789abcdef0`},
		{"signed_call_without_answer", "signed", output{status: "Success", stdout: "HTTP 000\n", stderr: "curl: (6) Could not resolve host: a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"},
			"no HTTP response: curl: (6) Could not resolve host"},
		{"signed_call_not_JSON", "signed", ok("HTTP 200\n<html>"), "answered 200 with a body that is not the whoami JSON: <html>"},
		{"no_instance_role", "signed", output{status: "Failed", stderr: "the instance has no IAM role\n"}, "the command ended Failed: the instance has no IAM role"},
		{"unsigned_call_accepted", "unsigned", ok("HTTP 200\n" + whoamiBody), "unsigned GET /whoami is refused with 403: answered 200, want 403: the API answers unsigned calls"},
		{"unlisted_route_accepted", "unlisted-route", ok("HTTP 200\n{\"items\":[]}"), "a route the test client lacks, is refused with 403: answered 200, want 403: the test client reached a route its role does not list"},
		{"wrong_region_accepted", "wrong-region", ok("HTTP 200\n" + whoamiBody), "signed for us-west-2 is refused with 403: answered 200, want 403"},
		{"script_timed_out", "unsigned", output{status: "TimedOut"}, "the command ended TimedOut"},
		{"garbled_output", "unsigned", ok("Welcome to Amazon Linux\n"), `unexpected output "Welcome to Amazon Linux"`},
		{"API_host_resolves_publicly", "api-dns", ok("52.1.2.3\n"), "resolves to 52.1.2.3: the consumer VPC does not resolve the API privately"},
		{"API_host_does_not_resolve", "api-dns", ok(""), "does not resolve: the consumer VPC does not resolve the API privately"},
		{"STS_resolves_privately", "sts-dns", ok("10.30.1.5\n"), "sts.us-east-1.amazonaws.com resolves to public addresses: resolves to 10.30.1.5: an endpoint's private DNS"},
		{"public_name_does_not_resolve", "sts-dns", ok(""), "does not resolve: the consumer VPC's DNS does not answer for public names"},
		{"other_API_resolves_privately", "public-api-dns", ok("10.20.1.15\n10.20.2.15\n"),
			"resolves to 10.20.1.15, 10.20.2.15: private DNS or a forwarding rule covers all of execute-api"},
		{"resolver_noise", "public-api-dns", ok("not-an-address\n"), `unexpected resolver output "not-an-address"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newFakeSSM(t, func(check, script string) output {
				if check == tc.check {
					return tc.out
				}
				return passing(check, script)
			})
			code, stdout, _ := smoke(t, "-outputs", outputsFile)
			if code != exitFail || strings.Count(stdout, "FAIL  ") != 1 || strings.Count(stdout, "PASS  ") != 6 {
				t.Fatalf("exit %d, stdout:\n%s\nwant %d with one FAIL and six PASS", code, stdout, exitFail)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, stdout)
			}
		})
	}
}

func TestSSMProblems(t *testing.T) {
	t.Run("instance_not_managed", func(t *testing.T) {
		newFakeSSM(t, passing)
		outputs := writeOutputs(t, func(o map[string]any) { o["testInstanceId"] = "i-0fffffffffffffff0" })
		code, _, stderr := smoke(t, "-outputs", outputs, "-online-timeout", "50ms")
		if code != exitNoRun || !strings.Contains(stderr, "instance i-0fffffffffffffff0 is not Online in Systems Manager after 50ms (not registered") || !strings.Contains(stderr, "Fleet Manager") {
			t.Errorf("exit %d, stderr %q; want %d with the hint", code, stderr, exitNoRun)
		}
	})
	t.Run("checks_that_never_finish_time_out", func(t *testing.T) {
		newFakeSSM(t, func(string, string) output { return output{status: "InProgress"} })
		code, stdout, _ := smoke(t, "-outputs", outputsFile, "-timeout", "300ms")
		if code != exitFail || strings.Count(stdout, "FAIL  ") != 7 || !strings.Contains(stdout, "still InProgress") || !strings.Contains(stdout, "raise -timeout") {
			t.Errorf("exit %d, stdout:\n%s\nwant seven FAIL lines that say the checks were still running", code, stdout)
		}
	})
}

// writeOutputs writes testdata/outputs.json changed by edit to a temporary file.
func writeOutputs(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(outputsFile)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	edit(o)
	path := filepath.Join(t.TempDir(), "outputs.json")
	raw, _ = json.Marshal(o)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOutputs(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"no_test_client", func(o map[string]any) { o["testInstanceId"] = "" }, "output testInstanceId is empty: the stack has no test client to run the checks from; set private-api:client.testInstance: true"},
		{"missing_invoke_URL", func(o map[string]any) { delete(o, "invokeUrl") }, "output invokeUrl is missing"},
		{"invoke_URL_not_https", func(o map[string]any) { o["invokeUrl"] = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev" }, "is not an https URL"},
		{"client_role_not_a_role", func(o map[string]any) { o["testClientRoleArn"] = "arn:aws:iam::123456789012:user/client" }, "output testClientRoleArn: \"arn:aws:iam::123456789012:user/client\" is not an IAM role ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := smoke(t, "-outputs", writeOutputs(t, tc.edit))
			if code != exitUsage || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "-outputs ") {
				t.Errorf("exit %d, stderr %q; want %d, naming -outputs, with %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
	t.Run("not_JSON", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "outputs.json")
		if err := os.WriteFile(path, []byte("Current stack outputs (3):"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := smoke(t, "-outputs", path); code != exitUsage || !strings.Contains(stderr, "not the JSON of `pulumi stack output --json`") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

// fakePulumi puts a `pulumi` on PATH that records its arguments and prints stdout (or fails with
// stderr and status 255 when stdout is empty).
func fakePulumi(t *testing.T, stdout, stderr string) (argsFile string) {
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	outFile := filepath.Join(dir, "stdout")
	if err := os.WriteFile(outFile, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"$@\" > " + shellQuote(argsFile) + "\n"
	if stdout != "" {
		script += "cat " + shellQuote(outFile) + "\n"
	} else {
		script += "echo " + shellQuote(stderr) + " >&2\nexit 255\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "pulumi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

func TestOutputsFromPulumi(t *testing.T) {
	raw, err := os.ReadFile(outputsFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("reads_the_named_stack", func(t *testing.T) {
		newFakeSSM(t, passing)
		argsFile := fakePulumi(t, string(raw), "")
		code, stdout, stderr := smoke(t, "-stack", "dev")
		if code != 0 {
			t.Fatalf("exit %d, stdout %s, stderr %s", code, stdout, stderr)
		}
		if args, _ := os.ReadFile(argsFile); string(args) != "stack output --json --stack dev\n" {
			t.Errorf("pulumi ran with %q, want stack output --json --stack dev", args)
		}
	})
	t.Run("reports_what_pulumi_said", func(t *testing.T) {
		fakePulumi(t, "", "error: no stack named 'qa' found")
		code, _, stderr := smoke(t, "-stack", "qa")
		if code != exitUsage || !strings.Contains(stderr, "no stack named 'qa' found") || !strings.Contains(stderr, "-outputs") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("no_pulumi_CLI", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, _, stderr := smoke(t)
		if code != exitUsage || !strings.Contains(stderr, "pulumi CLI is not on PATH") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestAssumedRolePrefix(t *testing.T) {
	for role, want := range map[string]string{
		"arn:aws:iam::123456789012:role/client":                 "arn:aws:sts::123456789012:assumed-role/client/",
		"arn:aws:iam::123456789012:role/private-api/dev/client": "arn:aws:sts::123456789012:assumed-role/client/",
		"arn:aws-cn:iam::123456789012:role/client":              "arn:aws-cn:sts::123456789012:assumed-role/client/",
	} {
		if got, err := assumedRolePrefix(role); err != nil || got != want {
			t.Errorf("assumedRolePrefix(%q) = %q, %v; want %q", role, got, err, want)
		}
	}
}
