package checks_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
)

const projectRoot = "../.."

// runStack runs the real program on a stack file of this repository, the way cmd/plan does.
func runStack(t *testing.T, stack, dnsMode string) *mockengine.Engine {
	t.Helper()
	e, err := offline.Load(projectRoot, stack, dnsMode)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// failures renders the failing findings for a test message.
func failures(rep checks.Report) string {
	var b strings.Builder
	for _, res := range rep.Failed() {
		for _, f := range res.Findings {
			fmt.Fprintf(&b, "\n  %s (%s) on %s: %s", res.Check.ID(), res.Check.Rule, f.Resource, f.Detail)
		}
	}
	return b.String()
}

// TestStacks is the acceptance rule of CHECKS.md: on the committed stacks, in every DNS mode,
// every check passes, is waived with a reason, or has nothing to judge. A stack with nothing but a
// region (the defaults) passes too, in a region with and one without recorded prices.
func TestStacks(t *testing.T) {
	waivedSomewhere := map[int]bool{}
	for _, stack := range []string{"dev", "prod", "multi"} {
		waivers := stackWaivers(t, projectRoot, stack)
		for _, mode := range []string{"", stackconfig.DNSPrivateZone, stackconfig.DNSEndpointAlias} {
			name := stack
			if mode != "" {
				name += "/dns=" + mode
			}
			e := runStack(t, stack, mode)
			rep := checks.Run(e, checks.All(), waivers)
			t.Run(name, func(t *testing.T) {
				if f := failures(rep); f != "" {
					t.Errorf("failing checks:%s", f)
				}
				for _, w := range rep.Waivers {
					if w.FromConfig && w.Covered == 0 && mode == "" {
						t.Errorf("Pulumi.%s.yaml waives %s, which fails nowhere in it: remove the waiver", stack, w.CheckID)
					}
				}
			})
			for i, w := range checks.Waivers {
				for _, applied := range rep.Waivers {
					if applied.Waiver == w && applied.Covered > 0 {
						waivedSomewhere[i] = true
					}
				}
			}
		}
	}
	t.Run("every_code_waiver_covers_a_failure", func(t *testing.T) {
		for i, w := range checks.Waivers {
			if !waivedSomewhere[i] {
				t.Errorf("waiver %+v covers no failing finding on dev or prod: remove it", w)
			}
		}
	})
	t.Run("defaults_pass", func(t *testing.T) {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join(projectRoot, "Pulumi.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Pulumi.fresh.yaml"), []byte("config:\n  aws:region: eu-west-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := offline.Load(dir, "fresh", "")
		if err != nil {
			t.Fatal(err)
		}
		if f := failures(checks.Run(e, checks.All(), stackWaivers(t, dir, "fresh"))); f != "" {
			t.Errorf("a stack with only a region fails checks:%s", f)
		}
	})
}

// stackWaivers are the code's waivers and those of the stack file.
func stackWaivers(t *testing.T, root, stack string) []checks.Waiver {
	t.Helper()
	cfg, err := offline.StackConfig(root, stack)
	if err != nil {
		t.Fatal(err)
	}
	w, err := checks.ForStack(cfg.Waivers)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWaivers keeps waivers well-formed: a known check, valid globs, a reason; a stack's waiver
// naming no check is refused with the nearest ID.
func TestWaivers(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range checks.All() {
		for _, id := range c.IDs {
			ids[id] = true
		}
	}
	for _, w := range checks.Waivers {
		if !ids[w.CheckID] {
			t.Errorf("waiver names unknown check %q", w.CheckID)
		}
		if _, err := path.Match(w.Resource, ""); err != nil {
			t.Errorf("waiver %s: bad glob %q: %v", w.CheckID, w.Resource, err)
		}
		if len(strings.TrimSpace(w.Reason)) < 20 {
			t.Errorf("waiver %s: reason %q says too little for a reviewer", w.CheckID, w.Reason)
		}
	}
	_, err := checks.ForStack([]stackconfig.Waiver{{Check: "ec2-6", Reason: "flow logs are off here"}})
	want := `config private-api:waivers[0].check: "ec2-6" is not the ID of a check: use one the plan lists, such as EC2.6 or CKV_AWS_158; did you mean EC2.6?`
	if err == nil || err.Error() != want {
		t.Errorf("unknown check id: got %v, want %s", err, want)
	}
}

// checksMDRows are the ID cells of CHECKS.md's table, one entry per row, so that a row dropped from
// the checks fails here. Where a row's IDs name different scanner rules, the checks split the row
// (logs.go) or give the ID to the check that implements it (CKV2_AWS_5 in network.go).
var checksMDRows = [][]string{
	{"apigateway_restapi_public", "api-gw-endpoint-type-check"},
	{"apigateway_restapi_authorizers_enabled", "CKV_AWS_59", "CKV2_AWS_70", "AWS-0004"},
	{"CKV2_AWS_53"},
	{"APIGateway.1", "CKV2_AWS_4"},
	{"CKV_AWS_76", "AWS-0001"},
	{"CKV_AWS_276"},
	{"APIGateway.3", "CKV_AWS_73", "AWS-0003"},
	{"apigateway_restapi_no_secrets_in_stage_variables"},
	{"seed:resource-policy"},
	{"Lambda.1", "CKV_AWS_301", "AWS-0067"},
	{"Lambda.2", "CKV_AWS_363"},
	{"Lambda.3", "Lambda.5", "CKV_AWS_117"},
	{"Lambda.7", "CKV_AWS_50", "AWS-0066"},
	{"CKV_AWS_115"},
	{"CKV_AWS_45", "awslambda_function_no_secrets_in_variables"},
	{"DynamoDB.2", "CKV_AWS_28", "AWS-0024"},
	{"DynamoDB.6"},
	{"DynamoDB.1", "CKV2_AWS_16"},
	{"CKV_AWS_119", "AWS-0025"},
	{"EC2.2", "CKV2_AWS_12"},
	{"EC2.6", "CKV2_AWS_11"},
	{"EC2.15", "CKV_AWS_130"},
	{"EC2.13", "EC2.14", "EC2.18", "EC2.19", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "AWS-0107", "AWS-0104"},
	{"CKV_AWS_23", "AWS-0099"},
	{"vpc_endpoint_connections_trust_boundaries"},
	{"vpc_endpoint_multi_az_enabled"},
	{"vpc_peering_routing_tables_with_least_privilege"},
	{"CKV_AWS_66", "CKV_AWS_338", "CKV_AWS_158", "AWS-0017"},
	{"IAM.1", "IAM.21", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_355", "CKV_AWS_356", "AWS-0057"},
	{"CKV_AWS_60", "CKV_AWS_61", "iam_role_cross_service_confused_deputy_prevention"},
	{"CKV2_AWS_5", "project:resolver-sg-dns-only"},
	{"aws-docs:resolver-rule-loop"},
}

func TestEveryCHECKSRowIsChecked(t *testing.T) {
	ids := map[string]int{}
	for _, c := range checks.All() {
		if len(c.IDs) == 0 || c.Rule == "" || len(c.Subjects) == 0 {
			t.Errorf("check %v needs IDs, a rule and subject types", c.IDs)
		}
		for _, id := range c.IDs {
			ids[id]++
		}
	}
	for _, row := range checksMDRows {
		for _, id := range row {
			if ids[id] == 0 {
				t.Errorf("CHECKS.md ID %s has no check", id)
			}
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("ID %s is claimed by %d checks: waivers naming it would be ambiguous", id, n)
		}
	}
}
