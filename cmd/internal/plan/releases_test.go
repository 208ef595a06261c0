package plan

import (
	"strings"
	"testing"

	m "github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
)

// The summary names, per function, what its alias serves: a version, a pin, a canary split, or a
// version a preview cannot know yet.
func TestReleaseLines(t *testing.T) {
	component := func(name string) m.Resource {
		return m.Resource{Type: "private-api:infra:GoFunction", Name: name, URN: "urn:pulumi:t::p::private-api:infra:GoFunction::" + name, Parent: stackURN, Inputs: map[string]any{}}
	}
	alias := func(function string, inputs map[string]any) m.Resource {
		inputs["name"] = "live"
		return m.Resource{Type: m.TypeAlias, Name: function + "-live", Custom: true, Parent: "urn:pulumi:t::p::private-api:infra:GoFunction::" + function, Inputs: inputs}
	}
	e := m.FromResources("p", "t", "x-1", []m.Resource{
		component("claims"), component("employees"), component("whoami"),
		alias("claims", map[string]any{"functionVersion": "7", "routingConfig": map[string]any{"additionalVersionWeights": map[string]any{"8": 0.1}}}),
		alias("employees", map[string]any{"functionVersion": "3"}),
		alias("whoami", map[string]any{"functionVersion": m.Unknown}),
	})
	cfg := stackconfig.Defaults()
	cfg.Functions.PinnedVersions = map[string]int{"employees": 3}
	cfg.Functions.CanaryPercent = 10
	got := strings.Join(releaseLines(SectionInput{Engine: e, Config: cfg}), "\n")
	want := strings.Join([]string{
		"claims: live -> version 7, canary 10% -> version 8",
		"employees: live -> version 3, pinned by functions.pinnedVersions.employees",
		"whoami: live -> the version published at deploy (not known before)",
		"functions.canaryPercent 10: the newest version of a changed function takes 10%, the version live served the rest; none before live serves a version",
	}, "\n")
	if got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
	if lines := releaseLines(SectionInput{Engine: small(), Config: cfg}); lines != nil {
		t.Errorf("a stack without aliases: %q, want no section", lines)
	}
}
