package stackconfig

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
)

// TestMessages is the table of bad configs a new user writes, each with the exact words they read:
// the key path, what was expected and what was found, never a Go type.
func TestMessages(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]string
		want   []string // every problem, in order
	}{
		{"misspelt_top_level_key", map[string]string{"private-api:clent": `{"testInstance": true}`},
			[]string{"config private-api:clent: is not a setting of this stack; did you mean private-api:client?"}},
		{"unrelated_top_level_key", map[string]string{"private-api:colour": `"blue"`},
			[]string{"config private-api:colour: is not a setting of this stack; the settings are private-api:alarms, private-api:api, private-api:client, private-api:clients, private-api:consumers, private-api:dns, private-api:functions, private-api:logs, private-api:network, private-api:quotas, private-api:table, private-api:waivers"}},
		{"text_for_a_whole_number", map[string]string{"private-api:functions": `{"reservedConcurrency": "ten"}`},
			[]string{`config private-api:functions.reservedConcurrency: expected a whole number, found the text "ten"`}},
		{"fraction_for_a_whole_number", map[string]string{"private-api:network": `{"azCount": 2.5}`},
			[]string{"config private-api:network.azCount: expected a whole number, found the number 2.5"}},
		{"text_for_true_or_false", map[string]string{"private-api:network": `{"flowLogs": "yes"}`},
			[]string{`config private-api:network.flowLogs: expected true or false, found the text "yes"`}},
		{"scalar_for_an_object", map[string]string{"private-api:network": "10.0.0.0/16"},
			[]string{`config private-api:network: expected an object with the fields apiVpcCidr, azCount, subnetPrefixLength, flowLogs, found the text "10.0.0.0/16"`}},
		{"object_for_a_list", map[string]string{"private-api:consumers": `{"name": "a", "cidr": "10.20.0.0/16"}`},
			[]string{"config private-api:consumers: expected a list of objects with the fields name, cidr, connect, account, found an object"}},
		{"field_name_in_another_case", map[string]string{"private-api:network": `{"apiVpcCIDR": "10.30.0.0/16"}`},
			[]string{"config private-api:network.apiVpcCIDR: is not a setting of network; did you mean network.apiVpcCidr?"}},
		{"nested_field_misspelt", map[string]string{"private-api:consumers": `[{"name": "a", "cdir": "10.20.0.0/16"}]`},
			[]string{"config private-api:consumers[0].cdir: is not a setting of consumers[0]; did you mean consumers[0].cidr?"}},
		{"field_set_twice", map[string]string{"private-api:api": `{"stageName": "v1", "stageName": "v2"}`},
			[]string{"config private-api:api.stageName: is set twice: keep one of the two values"}},
		{"decode_and_validation_errors_together", map[string]string{
			"private-api:functions": `{"reservedConcurrency": "ten"}`,
			"private-api:logs":      `{"retentionDays": 45}`,
		}, []string{
			`config private-api:functions.reservedConcurrency: expected a whole number, found the text "ten"`,
			"config private-api:logs.retentionDays: 45 is not a retention CloudWatch Logs accepts: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
		}},
		{"pin_for_a_misspelt_function", map[string]string{"private-api:functions": `{"pinnedVersions": {"claim": 3}}`},
			[]string{`config private-api:functions.pinnedVersions.claim: "claim" is not a function of this stack; did you mean functions.pinnedVersions.claims?`}},
		{"pin_for_an_unknown_function", map[string]string{"private-api:functions": `{"pinnedVersions": {"payments": 3}}`},
			[]string{`config private-api:functions.pinnedVersions.payments: "payments" is not a function of this stack; the settings are functions.pinnedVersions.claims, functions.pinnedVersions.employees, functions.pinnedVersions.whoami`}},
		{"pin_of_LATEST", map[string]string{"private-api:functions": `{"pinnedVersions": {"employees": "$LATEST"}}`},
			[]string{`config private-api:functions.pinnedVersions.employees: expected a whole number, found the text "$LATEST"`}},
		{"pins_that_are_no_published_version", map[string]string{"private-api:functions": `{"pinnedVersions": {"whoami": 0, "claims": -2}}`},
			[]string{
				"config private-api:functions.pinnedVersions.claims: -2: pin a published version, a whole number from 1 (aws lambda list-versions-by-function --function-name <name> lists them), or remove the pin to serve the newest",
				"config private-api:functions.pinnedVersions.whoami: 0: pin a published version, a whole number from 1 (aws lambda list-versions-by-function --function-name <name> lists them), or remove the pin to serve the newest",
			}},
		{"fractional_pin", map[string]string{"private-api:functions": `{"pinnedVersions": {"claims": 2.5}}`},
			[]string{"config private-api:functions.pinnedVersions.claims: expected a whole number, found the number 2.5"}},
		{"canary_past_half", map[string]string{"private-api:functions": `{"canaryPercent": 60}`},
			[]string{"config private-api:functions.canaryPercent: 60: use 0 (no canary) to 50, the percentage of live's traffic the newest version takes while the version live served keeps the rest"}},
		{"negative_canary", map[string]string{"private-api:functions": `{"canaryPercent": -10}`},
			[]string{"config private-api:functions.canaryPercent: -10: use 0 (no canary) to 50, the percentage of live's traffic the newest version takes while the version live served keeps the rest"}},
		{"alarm_thresholds_out_of_range", map[string]string{"private-api:alarms": `{"api5xxRatePercent": 100, "apiLatencyP99Ms": -1, "functionDurationP99Percent": 150}`},
			[]string{
				"config private-api:alarms.api5xxRatePercent: 100: use a percentage of requests from 0 (alarm on any 5XX) to below 100",
				"config private-api:alarms.apiLatencyP99Ms: -1: use 1 to 28999 milliseconds (API Gateway gives up on a function after 29 s, so a p99 of 29000 never comes)",
				"config private-api:alarms.functionDurationP99Percent: 150: use 1 to 100, the percentage of functions.timeoutSeconds the p99 duration may reach (100 alarms when the slowest 1% time out)",
			}},
		{"alarm_periods", map[string]string{"private-api:alarms": `{"periodSeconds": 30, "evaluationPeriods": 2, "datapointsToAlarm": 3}`},
			[]string{
				"config private-api:alarms.periodSeconds: 30: use a multiple of 60 seconds (Lambda, API Gateway and DynamoDB publish one-minute metrics)",
				"config private-api:alarms.datapointsToAlarm: 3: use 1 to alarms.evaluationPeriods (2): the breaching periods among the last evaluationPeriods that raise the alarm",
			}},
		{"alarm_evaluation_longer_than_a_day", map[string]string{"private-api:alarms": `{"periodSeconds": 600, "evaluationPeriods": 145}`},
			[]string{"config private-api:alarms.evaluationPeriods: 145 periods of 600 s are 87000 s: CloudWatch evaluates at most 86400 s with that period; use fewer periods or a shorter alarms.periodSeconds"}},
		{"alarm_emails", map[string]string{"private-api:alarms": `{"emails": ["oncall@example.com", "On Call <oncall@example.com>", "oncall", "ONCALL@example.com"]}`},
			[]string{
				`config private-api:alarms.emails[1]: "On Call <oncall@example.com>" is not an email address: write just the address, like oncall@example.com`,
				`config private-api:alarms.emails[2]: "oncall" is not an email address: write just the address, like oncall@example.com`,
				`config private-api:alarms.emails[3]: "ONCALL@example.com" is listed twice: keep one`,
			}},
		{"alarm_field_misspelt", map[string]string{"private-api:alarms": `{"email": ["oncall@example.com"]}`},
			[]string{"config private-api:alarms.email: is not a setting of alarms; did you mean alarms.emails?"}},
		{"waiver_without_reason", map[string]string{"private-api:waivers": `[{"check": "EC2.6", "reason": ""}]`},
			[]string{`config private-api:waivers[0].reason: "": say in a sentence why this stack accepts the failure; the plan prints it next to the finding`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			values := map[string]string{"aws:region": "eu-west-1"}
			for k, v := range tc.values {
				values[k] = v
			}
			_, err := ParseMap(values)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			text := err.Error()
			if strings.Contains(text, "Go struct") || strings.Contains(text, " int") || strings.Contains(text, "unmarshal") {
				t.Errorf("message names a Go type: %s", text)
			}
			// The heading's count is the length of the list under it.
			m := regexp.MustCompile(`^(\d+) problems? in the stack config`).FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("no heading with a count: %s", text)
			}
			if n, _ := strconv.Atoi(m[1]); n != strings.Count(text, "\n  - ") || n != len(tc.want) {
				t.Errorf("heading says %s, list has %d: %s", m[1], strings.Count(text, "\n  - "), text)
			}
		})
	}
}

func TestLoadFromTheCLIEnvironment(t *testing.T) {
	// Under `pulumi up` the CLI hands the program every key in PULUMI_CONFIG: a misspelt one is refused
	// there too, not only in the offline plan.
	t.Setenv("PULUMI_CONFIG", `{"aws:region":"eu-west-1","private-api:netwrok":"{\"flowLogs\":false}"}`)
	_, err := Load(nil)
	if err == nil || !strings.Contains(err.Error(), "private-api:netwrok: is not a setting of this stack; did you mean private-api:network?") {
		t.Fatalf("want the misspelt key refused, got %v", err)
	}
}

func TestYAMLSyntaxErrorNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Pulumi.yaml"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o600))
	stackFile := filepath.Join(dir, "Pulumi.broken.yaml")
	must(t, os.WriteFile(stackFile, []byte("config:\n  aws:region: eu-west-1\n  private-api:network:\n    flowLogs: [true\n"), 0o600))
	_, _, err = mockengine.StackConfig(dir, "broken")
	if err == nil || !strings.Contains(err.Error(), stackFile) || !strings.Contains(err.Error(), "line ") {
		t.Fatalf("want the file and line, got %v", err)
	}
}
