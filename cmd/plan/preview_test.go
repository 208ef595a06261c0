package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/plan"
)

// verdicts runs -from-preview -format json on a fixture of testdata (see its README).
func verdicts(t *testing.T, fixture string) (plan.VerdictsDoc, error) {
	t.Helper()
	stdout, stderr, err := runPlan(t, "-from-preview", "testdata/"+fixture, "-format", "json")
	if err != nil && !errors.Is(err, errChecksFailed) {
		t.Fatalf("-from-preview %s: %v\n%s", fixture, err, stderr)
	}
	var doc plan.VerdictsDoc
	if jerr := json.Unmarshal([]byte(stdout), &doc); jerr != nil {
		t.Fatal(jerr)
	}
	return doc, err
}

func findings(doc plan.VerdictsDoc) map[string]string {
	out := map[string]string{}
	for _, c := range doc.Checks {
		for _, f := range c.Findings {
			out[c.ID+" "+f.Resource] = f.Verdict
		}
	}
	return out
}

// A real preview of a stack that does not exist yet: policies and source ARNs built from ids AWS
// has not assigned are unknown, so the checks on them say unknown rather than fail; what is known
// (the subnets of each function, followed through the unknown ids to the subnets they depend on)
// is judged.
func TestRealPreviewOfANewStack(t *testing.T) {
	doc, _ := verdicts(t, "dev-preview.json")
	f := findings(doc)
	for _, k := range []string{"Lambda.1 private-GET-whoami-invoke", "IAM.1 claims-permissions", "seed:resource-policy private-api"} {
		if f[k] != string(checks.Unknown) {
			t.Errorf("%s: %q, want unknown (its value is computed at deploy)", k, f[k])
		}
	}
	for _, k := range []string{"Lambda.3 whoami", "Lambda.2 whoami", "EC2.15 api-private-eu-west-1a", "DynamoDB.2 data-table"} {
		if f[k] != string(checks.Pass) {
			t.Errorf("%s: %q, want pass", k, f[k])
		}
	}
	summary, _, _ := runPlan(t, "-from-preview", "testdata/dev-preview.json")
	for _, want := range []string{"Preview of stack dev (project private-api, region eu-west-1)", "Changes: + 116 to create", "unknown until deploy", "WAIVED EC2.6 on api-vpc"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	sarifOut, _, _ := runPlan(t, "-from-preview", "testdata/dev-preview.json", "-format", "sarif")
	validateSARIF(t, []byte(sarifOut))
}

// A real preview of an update: resources referred to by their real ids (the checks follow them to
// the resources of the stack), replacements judged by their new inputs, deleted resources not judged,
// and the one real failure of that config (no test client and no trusted principals leave the
// client role trusting the account root) reported.
func TestRealPreviewOfAnUpdate(t *testing.T) {
	doc, err := verdicts(t, "dev-update-preview.json")
	if !errors.Is(err, errChecksFailed) {
		t.Errorf("error %v, want the checks failure (exit 1)", err)
	}
	f := findings(doc)
	if f["CKV_AWS_60 client-role"] != string(checks.Fail) {
		t.Errorf("client-role trust: %q, want fail", f["CKV_AWS_60 client-role"])
	}
	for _, k := range []string{"EC2.2 api-vpc", "CKV2_AWS_5 whoami-sg", "CKV2_AWS_53 private-GET-whoami", "Lambda.1 private-GET-whoami-invoke", "apigateway_restapi_public private-api", "Lambda.3 claims"} {
		if f[k] != string(checks.Pass) {
			t.Errorf("%s: %q, want pass (the check follows real ids)", k, f[k])
		}
	}
	for k := range f {
		if strings.HasSuffix(k, " consumers-consumer-test-client") || strings.HasSuffix(k, " consumers-consumer-ssm") {
			t.Errorf("%s judged, but the update deletes it", k)
		}
	}
	summary, _, _ := runPlan(t, "-from-preview", "testdata/dev-update-preview.json")
	for _, want := range []string{
		"Changes: - 8 to delete, +- 8 to replace, ~ 13 to update",
		"+- api-private-eu-west-1a  aws:ec2/subnet:Subnet  (cidrBlock)",
		"- consumers-consumer-test-client  aws:ec2/instance:Instance",
		"FAIL CKV_AWS_60 on client-role",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if n := strings.Count(summary, "\n"); n > 100 {
		t.Errorf("summary of the update is %d lines, want at most 100", n)
	}
}
