package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/example/private-api/internal/mockengine"
)

// releaseLines says, per function, what its alias live serves: a version, a pinned one, or a
// canary split. The API invokes only these aliases (check project:lambda-invoked-through-alias).
func releaseLines(in SectionInput) []string {
	var lines []string
	for _, a := range in.Engine.OfType(mockengine.TypeAlias) {
		function := strings.TrimSuffix(a.Name, "-"+aliasInput(a, "name"))
		if a.Parent != "" {
			function = resource.URN(a.Parent).Name()
		}
		line := fmt.Sprintf("%s: %s -> %s", function, aliasInput(a, "name"), servedVersion(aliasInput(a, "functionVersion")))
		if pin := in.Config.Functions.PinnedVersions[function]; pin > 0 {
			line += fmt.Sprintf(", pinned by functions.pinnedVersions.%s", function)
		}
		weights, _ := mockengine.Get(a.Inputs, "routingConfig.additionalVersionWeights")
		split, _ := weights.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(split)) {
			if w, ok := split[k].(float64); ok {
				line += fmt.Sprintf(", canary %g%% -> %s", w*100, servedVersion(k))
			}
		}
		lines = append(lines, line)
	}
	if p := in.Config.Functions.CanaryPercent; p > 0 && len(lines) > 0 {
		lines = append(lines, fmt.Sprintf("functions.canaryPercent %d: the newest version of a changed function takes %d%%, the version live served the rest; none before live serves a version", p, p))
	}
	return lines
}

// servedVersion words an alias's version: a number, or that it is not known before deploy.
func servedVersion(v string) string {
	if v == "" || v == mockengine.Unknown {
		return "the version published at deploy (not known before)"
	}
	return "version " + v
}

func aliasInput(r mockengine.Resource, key string) string {
	s, _ := r.Inputs[key].(string)
	return s
}
