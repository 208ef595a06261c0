package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/private-api/cmd/internal/plan"
	"github.com/example/private-api/internal/checks"
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
	for _, k := range []string{"Lambda.1 private-GET-whoami-invoke", "IAM.1 claims-permissions", "seed:resource-policy private-api",
		"project:lambda-invoked-through-alias private-GET-whoami-integration",
		"project:alarm-actions monitoring-claims-errors", "project:api-5xx-alarm private-api",
		"dynamodb_table_cross_account_access data-table"} {
		if f[k] != string(checks.Unknown) {
			t.Errorf("%s: %q, want unknown (its value is computed at deploy)", k, f[k])
		}
	}
	for _, k := range []string{"Lambda.3 whoami", "Lambda.2 whoami", "EC2.15 api-private-eu-west-1a", "DynamoDB.2 data-table",
		"project:lambda-invoked-through-alias private-GET-whoami-invoke", "project:function-alarms claims"} {
		if f[k] != string(checks.Pass) {
			t.Errorf("%s: %q, want pass", k, f[k])
		}
	}
	summary, _, _ := runPlan(t, "-from-preview", "testdata/dev-preview.json")
	for _, want := range []string{"Preview of stack dev (project private-api, region eu-west-1)", "Changes: + 141 to create", "unknown until deploy", "WAIVED EC2.6 on api-vpc",
		"claims: live -> the version published at deploy (not known before)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	sarifOut, _, _ := runPlan(t, "-from-preview", "testdata/dev-preview.json", "-format", "sarif")
	validateSARIF(t, []byte(sarifOut))
}

// A real preview of an update: resources referred to by their real ids (the checks follow them to
// the resources of the stack), replacements judged by their new inputs, deleted resources not
// judged, the stack's waivers read from the config the preview carries.
func TestRealPreviewOfAnUpdate(t *testing.T) {
	doc, err := verdicts(t, "dev-update-preview.json")
	if err != nil {
		t.Errorf("error %v, want none: every check passes or is waived by the stack's config", err)
	}
	f := findings(doc)
	for _, k := range []string{"EC2.2 api-vpc", "CKV2_AWS_5 whoami-sg", "CKV2_AWS_53 private-GET-whoami", "Lambda.1 private-GET-whoami-invoke",
		"apigateway_restapi_public private-api", "Lambda.3 claims", "EC2.15 api-private-eu-west-1a", "seed:resource-policy private-api",
		"project:function-alarms claims", "project:api-5xx-alarm private-api", "project:alarm-actions monitoring-claims-errors",
		"sns_topics_not_publicly_accessible monitoring-topic"} {
		if f[k] != string(checks.Pass) {
			t.Errorf("%s: %q, want pass (the check follows real ids)", k, f[k])
		}
	}
	if f["EC2.6 api-vpc"] != string(checks.Waived) {
		t.Errorf("EC2.6 api-vpc: %q, want waived by the preview's private-api:waivers", f["EC2.6 api-vpc"])
	}
	for k := range f {
		if strings.HasSuffix(k, " consumers-consumer-test-client") || strings.HasSuffix(k, " consumers-consumer-ssm") {
			t.Errorf("%s judged, but the update deletes it", k)
		}
	}
	summary, _, _ := runPlan(t, "-from-preview", "testdata/dev-update-preview.json")
	for _, want := range []string{
		"Changes: - 10 to delete, +- 8 to replace, ~ 23 to update",
		"+- api-private-eu-west-1a  aws:ec2/subnet:Subnet  (cidrBlock)",
		"- consumers-consumer-test-client  aws:ec2/instance:Instance",
		"~ api-execute-api  aws:ec2/vpcEndpoint:VpcEndpoint  (subnetIds)",
		"more (-full lists them)",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if n := strings.Count(summary, "\n"); n > 100 {
		t.Errorf("summary of the update is %d lines, want at most 100", n)
	}
}

// The same update with subnets that map public IPs: a known value that breaks a check fails the
// preview (exit 1), so the preview workflow stops such a change.
func TestRealPreviewWithABrokenValueFails(t *testing.T) {
	b, err := os.ReadFile("testdata/dev-update-preview.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "broken.json")
	broken := strings.ReplaceAll(string(b), `"mapPublicIpOnLaunch": false`, `"mapPublicIpOnLaunch": true`)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runPlan(t, "-from-preview", path)
	if !errors.Is(err, errChecksFailed) || !strings.Contains(stderr, "FAIL EC2.15 on api-private-eu-west-1a: mapPublicIpOnLaunch=true") {
		t.Errorf("error %v, stderr:\n%s\nwant EC2.15 failing on the subnets", err, stderr)
	}
}
