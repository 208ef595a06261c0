// Package offline runs the stack's program under the mock engine for a committed stack file, as the
// offline plan, the preflight and the tests that judge the shipped stacks all need it: no AWS, no
// Pulumi CLI, function packages named rather than built.
package offline

import (
	"encoding/json"
	"fmt"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
	"github.com/example/private-api/stack"
)

// artifactsDir is where `make build` leaves the function zips. The mock run only records the path:
// a plan needs no binaries.
const artifactsDir = "build"

// Load runs the program under the mock engine for Pulumi.<stack>.yaml in root. A non-empty dnsMode
// replaces the stack's dns.mode.
func Load(root, stack, dnsMode string) (*mockengine.Engine, error) {
	project, cfg, err := mockengine.StackConfig(root, stack)
	if err != nil {
		return nil, err
	}
	return run(project, stack, cfg, dnsMode)
}

// StackConfig reads Pulumi.<stack>.yaml in root and validates it as the program does, and more: a key
// of the project's namespace that is no setting is refused here, before the mock run.
func StackConfig(root, stack string) (stackconfig.Config, error) {
	_, values, err := mockengine.StackConfig(root, stack)
	if err != nil {
		return stackconfig.Config{}, err
	}
	cfg, err := stackconfig.ParseMap(values)
	if err != nil {
		return stackconfig.Config{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	return cfg, nil
}

// LoadModes runs the stack once in each of DNSModes, so one stack can be priced in every mode; own
// is the mode the stack's config chooses, and runs[own] is the stack as configured.
func LoadModes(root, stack string) (own string, runs map[string]*mockengine.Engine, err error) {
	project, cfg, err := mockengine.StackConfig(root, stack)
	if err != nil {
		return "", nil, err
	}
	if _, err := stackconfig.ParseMap(cfg); err != nil {
		return "", nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	own = stackconfig.Defaults().DNS.Mode
	if raw, ok := cfg[dnsKey]; ok {
		var dns stackconfig.DNS
		if err := json.Unmarshal([]byte(raw), &dns); err != nil {
			return "", nil, fmt.Errorf("config %s: %w", dnsKey, err)
		}
		if dns.Mode != "" {
			own = dns.Mode
		}
	}
	runs = map[string]*mockengine.Engine{}
	for _, mode := range DNSModes {
		if runs[mode], err = run(project, stack, cfg, mode); err != nil {
			return "", nil, err
		}
	}
	if runs[own] == nil {
		return "", nil, fmt.Errorf("config %s: mode %q is none of %v", dnsKey, own, DNSModes)
	}
	return own, runs, nil
}

func run(project, stackName string, base map[string]string, dnsMode string) (*mockengine.Engine, error) {
	cfg := make(map[string]string, len(base))
	for k, v := range base {
		cfg[k] = v
	}
	if dnsMode != "" {
		if err := setDNSMode(cfg, dnsMode); err != nil {
			return nil, err
		}
	}
	e, err := mockengine.Run(stack.Program(stack.PackagedArtifacts(artifactsDir)), project, stackName, cfg)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", stackName, err)
	}
	return e, nil
}

const dnsKey = stackconfig.Project + ":dns"

// setDNSMode changes only the mode key of the dns object, keeping any other dns settings.
func setDNSMode(cfg map[string]string, mode string) error {
	dns := map[string]any{}
	if raw, ok := cfg[dnsKey]; ok {
		if err := json.Unmarshal([]byte(raw), &dns); err != nil {
			return fmt.Errorf("config %s: %w", dnsKey, err)
		}
	}
	dns["mode"] = mode
	b, err := json.Marshal(dns)
	if err != nil {
		return err
	}
	cfg[dnsKey] = string(b)
	return nil
}

// DNSModes are the modes the plan prices side by side.
var DNSModes = []string{stackconfig.DNSResolver, stackconfig.DNSPrivateZone, stackconfig.DNSEndpointAlias}
