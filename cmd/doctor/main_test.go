package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// baseStack is a stack like dev, with its reservation written out so the tests do not depend on
// the project's defaults.
const baseStack = `config:
  aws:region: eu-west-1
  private-api:client:
    testInstance: true
  private-api:functions:
    reservedConcurrency: 10
`

// stackDir writes the project's Pulumi.yaml and Pulumi.<stack>.yaml with config into a new directory.
func stackDir(t *testing.T, stack, config string) string {
	t.Helper()
	dir := t.TempDir()
	proj, err := os.ReadFile(filepath.Join("..", "..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"Pulumi.yaml": proj, "Pulumi." + stack + ".yaml": []byte(config)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func doctorRun(t *testing.T, root, stack string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-root", root, "-stack", stack}, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// wantLines checks that each want is the start of one output line.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for line := range strings.Lines(out) {
			if strings.HasPrefix(line, w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no line starts with %q:\n%s", w, out)
		}
	}
}

func TestDoctorPasses(t *testing.T) {
	fakeAWS(t, "ok")
	code, out, stderr := doctorRun(t, stackDir(t, "test", baseStack), "test")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr %q\n%s", code, stderr, out)
	}
	wantLines(t, out,
		"PASS  credentials: account 111122223333 as arn:aws:sts::111122223333:assumed-role/deployer/alice, region eu-west-1",
		"PASS  availability zones: network.azCount 2: eu-west-1a, eu-west-1b (of 3 available)",
		// Two pages of services: execute-api and ssm on the first, the other two on the second.
		"PASS  endpoint service com.amazonaws.eu-west-1.execute-api: offered in eu-west-1a, eu-west-1b",
		"PASS  endpoint service com.amazonaws.eu-west-1.ec2messages: offered in",
		"PASS  Amazon Linux image: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 is ami-0a1b2c3d4e5f67890",
		"PASS  Lambda concurrency: the stack reserves 30 (3 functions × functions.reservedConcurrency 10); the account's limit is 1000, 850 unreserved: 820 stay unreserved",
		"PASS  API Gateway CloudWatch role: set to arn:aws:iam::111122223333:role/apigateway-cloudwatch-3f2a1b7, owned by Pulumi stack private-api/prod",
		"PASS  quota Routes per route table: this stack needs 2 (",
		// Both pages of VPCs: the default VPC and prod's two count, this stack's own does not.
		"PASS  quota VPCs per Region: the account already uses 3 outside this stack, this stack needs 2 (the API VPC and 1 consumer VPCs): 5 of 5 (applied; vpc L-F678F1CE)",
		"PASS  quota Route 53 Resolver endpoints per Region: the account already uses 2 outside this stack, this stack needs 2",
		// The AWS-owned Internet Resolver rule is listed but counts toward nothing.
		"PASS  quota Route 53 Resolver rules per Region: the account already uses 1 outside this stack",
		"PASS  quota Associations between Resolver rules and VPCs per Region: the account already uses 1 outside this stack, this stack needs 1 (dns.mode resolver: the forwarding rule is associated with each peered consumer VPC): 2 of 2000 (AWS default; Service Quotas lists no applied value",
		"PASS  quota Gateway VPC endpoints per Region: the account already uses 1 outside this stack",
		"PASS  quota Length, in characters, of API Gateway resource policy: this stack needs",
		"ready: make up STACK=test",
	)
	for line := range strings.Lines(out) {
		if !strings.HasPrefix(line, "PASS  ") && !strings.HasPrefix(line, "      ") && strings.TrimSpace(line) != "" &&
			!strings.HasPrefix(line, "stack test in eu-west-1: 20 checks, 20 pass, 0 FAIL, 0 could not be read") && !strings.HasPrefix(line, "ready:") {
			t.Errorf("unexpected line %q", line)
		}
	}
}

func TestDoctorFindsWhatAFirstDeployMeets(t *testing.T) {
	t.Run("new_account_low_concurrency_no_logging_role_full_resolver_quota", func(t *testing.T) {
		fakeAWS(t, "new-account")
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test")
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
		}
		wantLines(t, out,
			"FAIL  Lambda concurrency: the stack reserves 30 (3 functions × functions.reservedConcurrency 10); the account's limit is 50, 50 unreserved, and Lambda keeps 50 unreserved, so `pulumi up` fails with: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [50]",
			"      fix: set private-api:functions.reservedConcurrency to 0 (no reservation), or raise \"Concurrent executions\" in Service Quotas (lambda L-B99A9384) to at least 130",
			"FAIL  API Gateway CloudWatch role: not set in eu-west-1, so the stage's execution logging fails: CloudWatch Logs role ARN must be set in account settings to enable logging",
			"      fix: set private-api:api.manageAccountLoggingRole true in the one stack",
			"FAIL  quota Route 53 Resolver endpoints per Region: the account already uses 4 outside this stack, this stack needs 2 (dns.mode resolver: one inbound and one outbound endpoint): 6 of 4",
			"      fix: raise it in Service Quotas (route53resolver L-4A669CC0) to at least 6 and set private-api:quotas.resolverEndpointsPerRegion to the applied value, or use dns.mode privateZone or endpointAlias, or remove what the account no longer uses",
			"stack test in eu-west-1: ",
		)
		if strings.Contains(out, "ready:") {
			t.Error("a failing account is called ready")
		}
	})
	t.Run("no_reservation_passes_whatever_the_account_limit", func(t *testing.T) {
		fakeAWS(t, "new-account")
		_, out, _ := doctorRun(t, stackDir(t, "test", strings.Replace(baseStack, "reservedConcurrency: 10", "reservedConcurrency: 0", 1)), "test")
		wantLines(t, out, "PASS  Lambda concurrency: the stack reserves nothing; the account's limit is 50")
	})
	t.Run("logging_role_was_deleted", func(t *testing.T) {
		fakeAWS(t, "role-deleted")
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test")
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
		}
		wantLines(t, out, "FAIL  API Gateway CloudWatch role: set to arn:aws:iam::111122223333:role/apigateway-cloudwatch-3f2a1b7, a role that no longer exists")
	})
	t.Run("two_stacks_managing_the_logging_role_is_refused_naming_the_owner", func(t *testing.T) {
		fakeAWS(t, "ok")
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack+"  private-api:api:\n    manageAccountLoggingRole: true\n"), "test")
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
		}
		wantLines(t, out, "FAIL  API Gateway CloudWatch role: set to arn:aws:iam::111122223333:role/apigateway-cloudwatch-3f2a1b7, owned by Pulumi stack private-api/prod; this stack would take the setting over",
			"      fix: set private-api:api.manageAccountLoggingRole false here")
	})
	t.Run("the_owner_itself_passes", func(t *testing.T) {
		fakeAWS(t, "ok")
		_, out, _ := doctorRun(t, stackDir(t, "prod", baseStack+"  private-api:api:\n    manageAccountLoggingRole: true\n"), "prod")
		wantLines(t, out, "PASS  API Gateway CloudWatch role: set to arn:aws:iam::111122223333:role/apigateway-cloudwatch-3f2a1b7, owned by this stack")
	})
	t.Run("too_few_zones", func(t *testing.T) {
		fakeAWS(t, "ok")
		_, out, _ := doctorRun(t, stackDir(t, "test", baseStack+"  private-api:network:\n    azCount: 4\n"), "test")
		wantLines(t, out, "FAIL  availability zones: eu-west-1 has 3 available zones (eu-west-1a, eu-west-1b, eu-west-1c); the config asks network.azCount 4",
			"      fix: set private-api:network.azCount to 3 or less")
	})
	t.Run("endpoint_service_missing_in_a_chosen_zone", func(t *testing.T) {
		fakeAWS(t, "zone-gap")
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test")
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
		}
		wantLines(t, out, "FAIL  endpoint service com.amazonaws.eu-west-1.ssmmessages: not offered in eu-west-1b (offered in eu-west-1a, eu-west-1c)")
	})
	t.Run("endpoint_service_not_in_the_region", func(t *testing.T) {
		fakeAWS(t, "no-ssm")
		_, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test")
		wantLines(t, out, "FAIL  endpoint services: eu-west-1 does not offer every endpoint service", "FAIL  Amazon Linux image: SSM parameter")
	})
	t.Run("config_claims_a_quota_the_account_does_not_have", func(t *testing.T) {
		fakeAWS(t, "ok")
		_, out, _ := doctorRun(t, stackDir(t, "test", baseStack+"  private-api:quotas:\n    vpcsPerRegion: 20\n"), "test")
		wantLines(t, out, "FAIL  quota VPCs per Region: private-api:quotas.vpcsPerRegion says 20, but the account's value is 5 (applied)")
	})
}

func TestDoctorCannotRead(t *testing.T) {
	cases := []struct {
		name, scenario string
		attempts       string
		want           []string
	}{
		{"credentials_refused_stops_every_check", "bad-credentials", "1",
			[]string{"ERROR credentials: sts:GetCallerIdentity: ", "InvalidClientTokenId"}},
		{"throttled_every_time", "throttled", "1",
			[]string{"ERROR quotas: servicequotas:ListServiceQuotas vpc: ", "TooManyRequestsException"}},
		{"malformed_answer", "malformed", "1",
			[]string{"ERROR Lambda concurrency: lambda:GetAccountSettings: "}},
		{"answer_missing_its_figures", "incomplete", "1",
			[]string{"ERROR Lambda concurrency: lambda:GetAccountSettings: the answer lacks AccountLimit.UnreservedConcurrentExecutions"}},
		{"permission_denied", "denied", "1",
			[]string{"ERROR API Gateway CloudWatch role: iam:GetRole apigateway-cloudwatch-3f2a1b7: ", "AccessDenied"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fakeAWS(t, tc.scenario)
			t.Setenv("AWS_MAX_ATTEMPTS", tc.attempts)
			code, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test")
			if code != exitNoRead {
				t.Fatalf("exit %d, want %d\n%s", code, exitNoRead, out)
			}
			wantLines(t, out, tc.want[0])
			for _, w := range tc.want[1:] {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("throttled_once_is_retried", func(t *testing.T) {
		for attempts, want := range map[string]int{"1": exitNoRead, "2": 0} {
			fakeAWS(t, "throttled-once")
			t.Setenv("AWS_MAX_ATTEMPTS", attempts)
			if code, out, _ := doctorRun(t, stackDir(t, "test", baseStack), "test"); code != want {
				t.Errorf("%s attempt(s): exit %d, want %d\n%s", attempts, code, want, out)
			}
		}
	})
}

func TestDoctorUsage(t *testing.T) {
	t.Run("unknown_stack", func(t *testing.T) {
		code, _, stderr := doctorRun(t, stackDir(t, "test", baseStack), "staging")
		if code != exitUsage || !strings.Contains(stderr, "Pulumi.staging.yaml") {
			t.Errorf("exit %d, stderr %q; want %d naming the missing file", code, stderr, exitUsage)
		}
	})
	t.Run("arguments", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"dev"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "-stack NAME") {
			t.Errorf("exit %d, stderr %q; want %d", code, stderr.String(), exitUsage)
		}
	})
	t.Run("invalid_config_fails_before_any_AWS_call", func(t *testing.T) {
		// No fake: a call to AWS would fail to connect and exit 3.
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack+"  private-api:dns:\n    mode: split\n"), "test")
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
		}
		wantLines(t, out, "FAIL  stack config test: ", "doctor: fix Pulumi.test.yaml first")
		if !strings.Contains(out, "dns.mode") {
			t.Errorf("the error does not name the key:\n%s", out)
		}
	})
	t.Run("misspelt_key_fails_before_any_AWS_call", func(t *testing.T) {
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack+"  private-api:quota:\n    vpcsPerRegion: 10\n"), "test")
		if code != exitFail || !strings.Contains(out, "private-api:quota") {
			t.Errorf("exit %d, want %d naming the key\n%s", code, exitFail, out)
		}
	})
	t.Run("quota_the_config_needs_past_the_default_fails_before_any_AWS_call", func(t *testing.T) {
		var cons strings.Builder
		cons.WriteString("  private-api:consumers:\n")
		for i := range 5 {
			cons.WriteString("    - name: c" + string(rune('a'+i)) + "\n      cidr: 10." + string(rune('2'+i)) + "0.0.0/16\n")
		}
		code, out, _ := doctorRun(t, stackDir(t, "test", baseStack+cons.String()), "test")
		if code != exitFail || !strings.Contains(out, `"VPCs per Region"`) {
			t.Errorf("exit %d, want %d naming the quota\n%s", code, exitFail, out)
		}
	})
}
