package plan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/providers"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/example/private-api/internal/mockengine"
)

// Preview is the document `pulumi preview --json` writes, field for field: display.PreviewDigest of
// pulumi/pkg v3.274.1 (pkg/display/json.go), whose steps hold the engine's own serialized resource
// state (apitype.ResourceV3, the SDK type used here). The offline plan writes it for a stack that
// does not exist yet (every step a create); -from-preview reads a real one.
type Preview struct {
	// Config is the stack's configuration, secrets shown as "[secret]".
	Config        map[string]string `json:"config,omitempty"`
	Steps         []Step            `json:"steps,omitempty"`
	Diagnostics   []Diagnostic      `json:"diagnostics,omitempty"`
	Duration      time.Duration     `json:"duration,omitempty"`
	ChangeSummary map[string]int    `json:"changeSummary,omitempty"`
	MaybeCorrupt  bool              `json:"maybeCorrupt,omitempty"`
}

// Step is display.PreviewStep: one resource operation.
type Step struct {
	Op  string `json:"op"`
	URN string `json:"urn"`
	// Provider is the reference "<provider URN>::<provider id>" of the provider that performs the
	// step; empty for components and the stack.
	Provider       string                  `json:"provider,omitempty"`
	OldState       *apitype.ResourceV3     `json:"oldState,omitempty"`
	NewState       *apitype.ResourceV3     `json:"newState,omitempty"`
	DiffReasons    []string                `json:"diffReasons,omitempty"`
	ReplaceReasons []string                `json:"replaceReasons,omitempty"`
	DetailedDiff   map[string]PropertyDiff `json:"detailedDiff"`
}

// PropertyDiff is display.PropertyDiff.
type PropertyDiff struct {
	Kind      string `json:"kind"`
	InputDiff bool   `json:"inputDiff"`
}

// Diagnostic is display.PreviewDiagnostic: a message the program or engine printed.
type Diagnostic struct {
	URN      string `json:"urn,omitempty"`
	Prefix   string `json:"prefix,omitempty"`
	Message  string `json:"message,omitempty"`
	Severity string `json:"severity,omitempty"`
}

// The step ops of pulumi/pkg resource/deploy/step.go that this package reads.
const (
	OpSame              = "same"
	OpCreate            = "create"
	OpUpdate            = "update"
	OpDelete            = "delete"
	OpReplace           = "replace"
	OpCreateReplacement = "create-replacement"
	OpDeleteReplaced    = "delete-replaced"
	OpRead              = "read"
	OpReadReplacement   = "read-replacement"
	OpRefresh           = "refresh"
	OpDiscard           = "discard"
	OpDiscardReplaced   = "discard-replaced"
	OpRemovePending     = "remove-pending-replace"
	OpImport            = "import"
	OpImportReplacement = "import-replacement"
)

// PreviewOf builds the preview of the recorded stack as `pulumi preview --json` shows a stack's
// first update: a create step per resource, the stack first, every parent, provider and dependency
// before the resources that need it, each custom resource naming its provider: the explicit one it
// was registered with (another account's, which gets a create step of its own), else its default
// provider (the engine shows no step for a default provider). As in a real preview of a create, the new state has inputs but no
// id and no outputs: AWS has assigned none yet. config is the stack's configuration as the CLI
// passes it; took is how long the run took.
func PreviewOf(e *mockengine.Engine, config map[string]string, took time.Duration) (Preview, error) {
	root, ok := e.Root()
	if !ok {
		return Preview{}, fmt.Errorf("stack %s: the program registered no stack resource", e.StackName())
	}
	ordered, err := creationOrder(root, e.Resources())
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Config: redactConfig(config), Duration: took, ChangeSummary: map[string]int{}}
	for _, r := range ordered {
		provider := ""
		switch {
		case !r.Custom || r.Type == mockengine.TypeProvider:
			// components and providers themselves have none
		case r.Provider != "":
			provider, err = explicitProvider(r.Provider)
		default:
			provider, err = defaultProvider(e, r)
		}
		if err != nil {
			return Preview{}, err
		}
		p.Steps = append(p.Steps, createStep(r, provider))
		p.ChangeSummary[OpCreate]++
	}
	return p, nil
}

// defaultProvider is the reference the engine gives a resource's default provider before it exists:
// "<urn of pulumi:providers:<pkg>::default_<version>>::<unknown id>" (pulumi/pkg
// resource/deploy/providers ProviderRequest.DefaultName).
func defaultProvider(e *mockengine.Engine, r mockengine.Resource) (string, error) {
	pkg := strings.SplitN(r.Type, ":", 2)[0]
	name := "default"
	if r.Version != "" {
		name += "_" + strings.NewReplacer(".", "_", "-", "_", "+", "_").Replace(r.Version)
	}
	urn := resource.NewURN(tokens.QName(e.StackName()), tokens.PackageName(e.Project()), "", providers.MakeProviderType(tokens.Package(pkg)), name)
	ref, err := providers.NewReference(urn, providers.UnknownID)
	if err != nil {
		return "", err
	}
	return ref.String(), nil
}

// explicitProvider is the reference the engine gives an explicit provider that the same update
// creates: its URN with the unknown id, as for any resource not created yet.
func explicitProvider(ref string) (string, error) {
	urn := ref
	if i := strings.LastIndex(ref, "::"); i > 0 {
		urn = ref[:i]
	}
	r, err := providers.NewReference(resource.URN(urn), providers.UnknownID)
	if err != nil {
		return "", fmt.Errorf("provider reference %q: %w", ref, err)
	}
	return r.String(), nil
}

func createStep(r mockengine.Resource, provider string) Step {
	state := &apitype.ResourceV3{
		URN: resource.URN(r.URN), Custom: r.Custom, Type: tokens.Type(r.Type),
		Inputs: redact(r.Inputs, r.Secrets), Parent: resource.URN(r.Parent),
		Protect: r.Protect, Provider: provider,
	}
	for _, d := range r.Dependencies {
		state.Dependencies = append(state.Dependencies, resource.URN(d))
	}
	for k, deps := range r.PropertyDependencies {
		if state.PropertyDependencies == nil {
			state.PropertyDependencies = map[resource.PropertyKey][]resource.URN{}
		}
		us := make([]resource.URN, len(deps))
		for i, d := range deps {
			us[i] = resource.URN(d)
		}
		state.PropertyDependencies[resource.PropertyKey(k)] = us
	}
	if r.Source != "" {
		// The engine records where the program registered the resource as a project-relative URI.
		file, line, _ := strings.Cut(r.Source, ":")
		state.SourcePosition = "project:///" + file + "#" + line
	}
	return Step{Op: OpCreate, URN: r.URN, Provider: provider, NewState: state}
}

// redactConfig blanks secret-looking values as the CLI does for secure config ("[secret]"); the
// offline plan reads plain stack files, where a secret is an object {secure: ...}.
func redactConfig(config map[string]string) map[string]string {
	if len(config) == 0 {
		return nil
	}
	out := make(map[string]string, len(config))
	for k, v := range config {
		if strings.HasPrefix(v, `{"secure":`) {
			v = "[secret]"
		}
		out[k] = v
	}
	return out
}

// creationOrder sorts resources so each comes after its parent and dependencies (ties by URN, so
// the output is stable run to run although the program registers concurrently).
func creationOrder(root mockengine.Resource, rs []mockengine.Resource) ([]mockengine.Resource, error) {
	all := append([]mockengine.Resource{root}, rs...)
	byURN := map[string]mockengine.Resource{}
	for _, r := range all {
		byURN[r.URN] = r
	}
	waitsFor := map[string]map[string]bool{}
	for _, r := range all {
		waitsFor[r.URN] = map[string]bool{}
		provider := r.Provider
		if i := strings.LastIndex(provider, "::"); i > 0 {
			provider = provider[:i]
		}
		for _, u := range append([]string{r.Parent, provider}, r.Dependencies...) {
			if _, known := byURN[u]; known && u != r.URN {
				waitsFor[r.URN][u] = true
			}
		}
	}
	var out []mockengine.Resource
	done := map[string]bool{}
	for len(out) < len(all) {
		var ready []string
		for u, deps := range waitsFor {
			if done[u] {
				continue
			}
			blocked := false
			for d := range deps {
				if !done[d] {
					blocked = true
					break
				}
			}
			if !blocked {
				ready = append(ready, u)
			}
		}
		if len(ready) == 0 {
			return nil, fmt.Errorf("the recorded resources depend on each other in a cycle; %d of %d ordered", len(out), len(all))
		}
		sort.Strings(ready)
		for _, u := range ready {
			done[u] = true
			out = append(out, byURN[u])
		}
	}
	return out, nil
}

func redact(m map[string]any, secrets []string) map[string]any {
	if len(secrets) == 0 {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range secrets {
		if _, ok := out[k]; ok {
			out[k] = "[secret]"
		}
	}
	return out
}
