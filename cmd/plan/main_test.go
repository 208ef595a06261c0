package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/cmd/internal/plan"
	"github.com/example/private-api/internal/diagram"
	"github.com/example/private-api/internal/mockengine"
)

const root = "../.."

func runPlan(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(append([]string{"-root", root}, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

func loadDev(t *testing.T) *mockengine.Engine {
	t.Helper()
	e, err := offline.Load(root, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestJSONHasThePreviewShape reads -json as a tool made for `pulumi preview --json` would: a create
// per resource, the stack first, parents and dependencies before the resources that need them, every
// custom resource naming its default provider and the infra/ line that registers it.
// TestJSONMatchesARealPreview compares the fields themselves with a real preview's.
func TestJSONHasThePreviewShape(t *testing.T) {
	stdout, stderr, err := runPlan(t, "-stack", "dev", "-json")
	if err != nil {
		t.Fatalf("plan -json: %v\n%s", err, stderr)
	}
	var p struct {
		Config map[string]string `json:"config"`
		Steps  []struct {
			Op       string `json:"op"`
			URN      string `json:"urn"`
			Provider string `json:"provider"`
			NewState struct {
				Type           string         `json:"type"`
				URN            string         `json:"urn"`
				Custom         bool           `json:"custom"`
				Parent         string         `json:"parent"`
				Provider       string         `json:"provider"`
				Inputs         map[string]any `json:"inputs"`
				Dependencies   []string       `json:"dependencies"`
				SourcePosition string         `json:"sourcePosition"`
			} `json:"newState"`
		} `json:"steps"`
		ChangeSummary map[string]int `json:"changeSummary"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("-json output does not parse: %v", err)
	}
	if p.Config["aws:region"] != "eu-west-1" {
		t.Errorf("config aws:region = %q, want the stack's eu-west-1", p.Config["aws:region"])
	}
	want := len(loadDev(t).Resources()) + 1 // and the stack
	if len(p.Steps) != want || p.ChangeSummary["create"] != want {
		t.Fatalf("%d steps, changeSummary %v: want %d creates, the engine's resources and the stack", len(p.Steps), p.ChangeSummary, want)
	}
	if p.Steps[0].NewState.Type != mockengine.StackType || p.Steps[0].NewState.Parent != "" || p.Steps[0].Provider != "" {
		t.Fatalf("first step is %s with parent %q: want the stack, with no parent", p.Steps[0].NewState.Type, p.Steps[0].NewState.Parent)
	}
	const provider = "urn:pulumi:dev::private-api::pulumi:providers:aws::default_6_83_4::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	seen := map[string]bool{}
	for _, s := range p.Steps {
		st := s.NewState
		if s.Op != "create" || s.URN != st.URN || st.Custom && st.Inputs == nil {
			t.Errorf("step %s: op %q, urn %q, inputs %v: want create, the state's URN, the inputs", s.URN, s.Op, st.URN, st.Inputs != nil)
		}
		if seen[st.URN] {
			t.Errorf("URN %s appears twice", st.URN)
		}
		// Parents and dependencies come first, so a reader can build the tree in one pass.
		if st.Type != mockengine.StackType && !seen[st.Parent] {
			t.Errorf("%s: parent %q is not an earlier step", st.URN, st.Parent)
		}
		for _, d := range st.Dependencies {
			if !seen[d] {
				t.Errorf("%s: dependency %s is not an earlier step", st.URN, d)
			}
		}
		if st.Custom {
			if s.Provider != provider || st.Provider != provider {
				t.Errorf("%s: provider %q / state provider %q, want %q", st.URN, s.Provider, st.Provider, provider)
			}
			if !strings.HasPrefix(st.SourcePosition, "project:///infra/") {
				t.Errorf("%s: sourcePosition %q, want the infra/ line that registers it", st.URN, st.SourcePosition)
			}
		}
		seen[st.URN] = true
	}
}

// TestJSONMatchesARealPreview holds -json to testdata/dev-preview.json, the output of
// `pulumi preview --json` of the dev stack under the real Pulumi CLI and engine (v3.274.1, Go
// language host; the AWS provider a stand-in that answers like a fresh account): the same top-level
// keys, the same fields on each kind of step and state, the same ops and provider references. The
// engine's stackTrace and ignoreChanges are left out of the plan (sourcePosition carries the line).
func TestJSONMatchesARealPreview(t *testing.T) {
	real, err := os.ReadFile("testdata/dev-preview.json")
	if err != nil {
		t.Fatal(err)
	}
	offline, stderr, err := runPlan(t, "-stack", "dev", "-json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	type shape struct {
		top, ops, providers map[string]bool
		fields              map[string]map[string]bool
	}
	shapeOf := func(doc []byte) shape {
		var d map[string]any
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		sh := shape{top: map[string]bool{}, ops: map[string]bool{}, providers: map[string]bool{}, fields: map[string]map[string]bool{}}
		for k := range d {
			sh.top[k] = true
		}
		for _, x := range d["steps"].([]any) {
			step := x.(map[string]any)
			ns := step["newState"].(map[string]any)
			kind := "component"
			switch {
			case ns["type"] == mockengine.StackType:
				kind = "stack"
			case ns["custom"] == true:
				kind = "custom"
			}
			for k := range step {
				if sh.fields["step "+kind] == nil {
					sh.fields["step "+kind] = map[string]bool{}
				}
				sh.fields["step "+kind][k] = true
			}
			for k := range ns {
				if k == "stackTrace" || k == "ignoreChanges" || kind == "stack" && k == "sourcePosition" {
					continue
				}
				if sh.fields["state "+kind] == nil {
					sh.fields["state "+kind] = map[string]bool{}
				}
				sh.fields["state "+kind][k] = true
			}
			sh.ops[step["op"].(string)] = true
			if p, ok := step["provider"].(string); ok {
				sh.providers[p] = true
			}
		}
		return sh
	}
	want, got := shapeOf(real), shapeOf([]byte(offline))
	if !reflect.DeepEqual(want.top, got.top) {
		t.Errorf("top-level keys %v, a real preview has %v", got.top, want.top)
	}
	if !reflect.DeepEqual(want.ops, got.ops) || !reflect.DeepEqual(want.providers, got.providers) {
		t.Errorf("ops %v, providers %v; a real preview has %v, %v", got.ops, got.providers, want.ops, want.providers)
	}
	for kind, fields := range want.fields {
		if !reflect.DeepEqual(fields, got.fields[kind]) {
			t.Errorf("%s fields %v, a real preview has %v", kind, got.fields[kind], fields)
		}
	}
}

// TestTextPlan checks the reviewer's plan: the count in the header, the legend, every resource in
// the tree with its settings, full policies, the cost tables and the verdicts.
func TestTextPlan(t *testing.T) {
	stdout, stderr, err := runPlan(t, "-stack", "dev", "-full")
	if err != nil {
		t.Fatalf("plan dev: %v\n%s", err, stderr)
	}
	e := loadDev(t)
	m := regexp.MustCompile(`Resources: \+ (\d+) to create \((\d+) AWS resources, (\d+) components, 1 stack\)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no resource count in the header:\n%.500s", stdout)
	}
	c := plan.Count(e)
	if total, _ := strconv.Atoi(m[1]); total != len(e.Resources())+1 || total != c.Total {
		t.Errorf("header counts %s, engine registered %d resources plus the stack", m[1], len(e.Resources()))
	}
	for _, r := range e.Resources() {
		if !strings.Contains(stdout, "+ "+r.Name+"  "+r.Type) {
			t.Errorf("tree lacks %s (%s)", r.Name, r.Type)
		}
	}
	for _, want := range []string{
		plan.Legend,
		"cidrBlock: 10.10.0.0/16", "availabilityZone: eu-west-1a", "privateDnsEnabled: true",
		"direction: INBOUND", "domainName: ${private-api.id}.execute-api.eu-west-1.amazonaws.com",
		"types: PRIVATE", "runtime: provided.al2023", "billingMode: PAY_PER_REQUEST",
		"publish: true", "qualifier: live", "uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:${aws:accountId}:function:private-api-dev-claims:live/invocations",
		`"Statement": [`, `"aws:SourceVpce": [`,
		"Idle (billed whether or not the API is called):", "Per million API requests:",
		"  resolver *", "  privateZone ", "  endpointAlias ",
		"Checks on stack dev:", "Waivers in scope for dev",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
}

// TestFailingCheckFailsThePlan runs the dev config without its waivers: the plan still prints
// everything, names the failures on stderr and returns the checks error (exit status 1).
func TestFailingCheckFailsThePlan(t *testing.T) {
	dir := t.TempDir()
	for src, dst := range map[string]string{"Pulumi.yaml": "Pulumi.yaml", "Pulumi.dev.yaml": "Pulumi.unwaived.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, src))
		if err != nil {
			t.Fatal(err)
		}
		text, _, _ := strings.Cut(string(b), "  private-api:waivers:")
		if err := os.WriteFile(filepath.Join(dir, dst), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	err := run([]string{"-root", dir, "-stack", "unwaived", "-full"}, &out, &errOut)
	if !errors.Is(err, errChecksFailed) {
		t.Fatalf("error %v, want the checks failure", err)
	}
	if !strings.Contains(errOut.String(), "FAIL EC2.6 on api-vpc") || !strings.Contains(out.String(), "FAIL findings:") {
		t.Errorf("failures not reported:\nstderr: %s", errOut.String())
	}
}

func TestUnknownStackSaysHowToFixIt(t *testing.T) {
	_, _, err := runPlan(t, "-stack", "nosuch")
	if err == nil || !strings.Contains(err.Error(), `stack "nosuch"`) || !strings.Contains(err.Error(), "Pulumi.dev.yaml") {
		t.Errorf("error %v, want one naming the stack and how to create it", err)
	}
}

func TestDiagramFlagEmbedsTheDiagram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	doc := "# Title\n\n" + diagram.BeginMarker + "\nstale\n" + diagram.EndMarker + "\n\nAfter.\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runPlan(t, "-stack", "dev", "-json", "-diagram", path); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, "```mermaid\nflowchart LR\n") || !strings.Contains(got, "n_private_api{{") ||
		strings.Contains(got, "stale") || !strings.HasPrefix(got, "# Title\n") || !strings.HasSuffix(got, "\n\nAfter.\n") {
		t.Errorf("document after embedding:\n%s", got)
	}
}

func TestDiagramFlagNeedsTheMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte("# no markers\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runPlan(t, "-stack", "dev", "-diagram", path); err == nil || !strings.Contains(err.Error(), "section to put the diagram in") {
		t.Errorf("error %v, want one naming the missing markers", err)
	}
}

// TestMultiAccountPlan plans Pulumi.multi.yaml, whose partner consumer lives in another account:
// its checks pass; -json names, on every step of that account's resources, the explicit provider
// (URN::id, the id unknown before the provider exists, as a real preview shows it) and creates the
// provider before them; the summary names the account and what the stack creates there; -full
// marks each such resource.
func TestMultiAccountPlan(t *testing.T) {
	const account = "210987654321"
	stdout, stderr, err := runPlan(t, "-stack", "multi", "-json")
	if err != nil {
		t.Fatalf("plan multi -json: %v\n%s", err, stderr)
	}
	var p plan.Preview
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	providerURN := "urn:pulumi:multi::private-api::pulumi:providers:aws::account-" + account
	explicit := providerURN + "::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	const defaultRef = "urn:pulumi:multi::private-api::pulumi:providers:aws::default_6_83_4::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	created, inAccount := false, 0
	for _, s := range p.Steps {
		st := s.NewState
		switch {
		case string(st.Type) == mockengine.TypeProvider:
			created = s.URN == providerURN && s.Provider == "" && st.Provider == ""
		case !st.Custom:
			if s.Provider != "" {
				t.Errorf("component %s names provider %q", s.URN, s.Provider)
			}
		case strings.Contains(s.URN, "partner"):
			inAccount++
			if !created {
				t.Errorf("%s comes before its provider's create step", s.URN)
			}
			if s.Provider != explicit || st.Provider != explicit {
				t.Errorf("%s: provider %q / state %q, want %q", s.URN, s.Provider, st.Provider, explicit)
			}
		default:
			if s.Provider != defaultRef {
				t.Errorf("%s: provider %q, want the default %q", s.URN, s.Provider, defaultRef)
			}
		}
	}
	if !created || inAccount == 0 {
		t.Fatalf("provider step created: %v; %d steps of the partner account", created, inAccount)
	}

	summary, stderr, err := runPlan(t, "-stack", "multi")
	if err != nil {
		t.Fatalf("plan multi: %v\n%s", err, stderr)
	}
	line := "in account " + account + " (consumer partner): " + strconv.Itoa(inAccount) + " resources: "
	if !strings.Contains(summary, line) || !strings.Contains(summary, "1 provider(s) of other accounts") || !strings.Contains(summary, ", 0 FAIL") {
		t.Errorf("summary lacks %q, the provider count or passing checks:\n%s", line, summary)
	}
	if strings.Contains(summary, "account-"+account+" (") {
		t.Errorf("the provider is listed as a component:\n%s", summary)
	}
	full, _, err := runPlan(t, "-stack", "multi", "-full")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(full, "[account "+account+"]"); n != inAccount {
		t.Errorf("-full marks %d resources with the account, want %d", n, inAccount)
	}
}
