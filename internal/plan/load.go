// Package plan renders what `pulumi preview` would create for a stack, offline: the resource tree
// with the settings a reviewer needs, the preview-shaped JSON, the check verdicts and the cost
// estimate, all from one mock run of the real program.
package plan

import (
	"encoding/json"
	"fmt"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
)

// artifactsDir is where `make build` leaves the function zips. The mock run only records the path:
// a plan needs no binaries.
const artifactsDir = "build"

// Load runs the program under the mock engine for Pulumi.<stack>.yaml in root. A non-empty dnsMode
// replaces the stack's dns.mode, so one stack can be priced in every DNS mode.
func Load(root, stack, dnsMode string) (*mockengine.Engine, error) {
	project, cfg, err := mockengine.StackConfig(root, stack)
	if err != nil {
		return nil, err
	}
	if dnsMode != "" {
		if err := setDNSMode(cfg, dnsMode); err != nil {
			return nil, err
		}
	}
	e, err := mockengine.Run(infra.Program(infra.PackagedArtifacts(artifactsDir)), project, stack, cfg)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	return e, nil
}

// setDNSMode changes only the mode key of the dns object, keeping any other dns settings.
func setDNSMode(cfg map[string]string, mode string) error {
	key := stackconfig.Project + ":dns"
	dns := map[string]any{}
	if raw, ok := cfg[key]; ok {
		if err := json.Unmarshal([]byte(raw), &dns); err != nil {
			return fmt.Errorf("config %s: %w", key, err)
		}
	}
	dns["mode"] = mode
	b, err := json.Marshal(dns)
	if err != nil {
		return err
	}
	cfg[key] = string(b)
	return nil
}

// DNSModes are the modes the plan prices side by side.
var DNSModes = []string{stackconfig.DNSResolver, stackconfig.DNSPrivateZone, stackconfig.DNSEndpointAlias}
