// Package mockengine runs the Pulumi program under the SDK's mock monitor and records every
// registered resource: what `pulumi preview` would send to AWS, with no CLI, credentials or network.
// The mocks tests and the offline plan (cmd/plan) both read the stack through it.
package mockengine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Placeholders stand in for values AWS computes at deploy time. They are written `${name.property}`
// so nobody mistakes them for real identifiers, in the plan or in a rendered policy.
const (
	// Account is the placeholder for the deploying account's id.
	Account = "${aws:accountId}"
)

// partition is what aws.GetPartition answers for a region: the partition id, its DNS suffix and the
// reverse DNS prefix of its endpoint service names. The partitions and their suffixes are those of
// the AWS SDKs' endpoint metadata (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json).
type partition struct{ id, dnsSuffix, reverseDNSPrefix string }

func partitionOf(region string) partition {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partition{"aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"}
	case strings.HasPrefix(region, "us-gov-"):
		return partition{"aws-us-gov", "amazonaws.com", "com.amazonaws"}
	}
	return partition{"aws", "amazonaws.com", "com.amazonaws"}
}

// Partition is the partition of the engine's region, as the mock answers aws.GetPartition.
func (e *Engine) Partition() string { return partitionOf(e.region).id }

// Placeholder names a value that only exists after deployment.
func Placeholder(name, property string) string {
	return "${" + name + "." + property + "}"
}

// Resource is one registered resource as the engine saw it.
type Resource struct {
	Type   string `json:"type"`
	Name   string `json:"name"`
	URN    string `json:"urn"`
	ID     string `json:"id,omitempty"`
	Custom bool   `json:"custom"`
	Parent string `json:"parent,omitempty"`
	// Inputs are what would be sent to the provider (secrets are unwrapped, marked in Secrets).
	Inputs map[string]any `json:"inputs"`
	// Outputs are the inputs plus the mock's computed placeholders.
	Outputs      map[string]any `json:"outputs"`
	Dependencies []string       `json:"dependencies,omitempty"`
	Protect      bool           `json:"protect,omitempty"`
	// RetainOnDelete leaves the cloud resource in place when Pulumi deletes it.
	RetainOnDelete bool `json:"retainOnDelete,omitempty"`
	// Secrets lists the top-level input keys that were marked secret.
	Secrets []string `json:"secrets,omitempty"`
	// Source is where the program registers the resource, "infra/api.go:42" (relative to the project
	// root), from the stack trace the SDK sends with each registration; empty when none is known.
	Source string `json:"source,omitempty"`
	// PropertyDependencies lists, per top-level input key, the resources its value came from.
	PropertyDependencies map[string][]string `json:"propertyDependencies,omitempty"`
	// Unknown lists the top-level input keys whose value a real preview could not know (only set when
	// the stack was read from `pulumi preview --json`): a check cannot judge them before deploy.
	Unknown []string `json:"unknown,omitempty"`
	// Version is the provider plugin version the SDK asked for ("6.83.4"), empty for components.
	Version string `json:"version,omitempty"`
	// Provider is the reference "<provider URN>::<provider id>" of the explicit provider the
	// resource was registered with; empty for the default provider (and for components).
	Provider string `json:"provider,omitempty"`
}

// Engine implements pulumi.MockResourceMonitor and keeps what was registered.
type Engine struct {
	project, stack, region string

	mu        sync.Mutex
	resources []*Resource
	calls     []string
}

// New returns an engine for the given project, stack and region.
func New(project, stack, region string) *Engine {
	return &Engine{project: project, stack: stack, region: region}
}

// allowedCalls are the data sources the program may read. Anything else is a bug: a data source
// the mocks do not know would make tests and plan pass on invented values.
var allowedCalls = map[string]func(e *Engine, args resource.PropertyMap) resource.PropertyMap{
	"aws:index/getCallerIdentity:getCallerIdentity": func(e *Engine, _ resource.PropertyMap) resource.PropertyMap {
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": Account,
			"arn":       "arn:" + e.Partition() + ":iam::" + Account + ":user/deployer",
			"userId":    "DEPLOYER",
			"id":        Account,
		})
	},
	"aws:index/getPartition:getPartition": func(e *Engine, _ resource.PropertyMap) resource.PropertyMap {
		p := partitionOf(e.region)
		return resource.NewPropertyMapFromMap(map[string]any{
			"partition": p.id, "dnsSuffix": p.dnsSuffix, "reverseDnsPrefix": p.reverseDNSPrefix, "id": p.id,
		})
	},
	"aws:ssm/getParameter:getParameter": func(e *Engine, args resource.PropertyMap) resource.PropertyMap {
		name := args["name"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": name, "value": Placeholder("ssm:"+name, "value"), "type": "String", "id": name,
		})
	},
	"aws:index/getAvailabilityZones:getAvailabilityZones": func(e *Engine, _ resource.PropertyMap) resource.PropertyMap {
		names, ids := []any{}, []any{}
		for i, suffix := range []string{"a", "b", "c", "d", "e", "f"} {
			names = append(names, e.region+suffix)
			ids = append(ids, fmt.Sprintf("%s-az%d", e.region, i+1))
		}
		return resource.NewPropertyMapFromMap(map[string]any{"names": names, "zoneIds": ids, "id": e.region})
	},
}

// absentCalls are data sources that read what an earlier deploy left in the account. The engine
// plans a new stack, so each answers as the AWS provider does for a resource that does not exist:
// an error carrying the AWS error code.
var absentCalls = map[string]func(args resource.PropertyMap) error{
	// GetAlias of a function that does not exist yet: Lambda answers ResourceNotFoundException
	// (https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html), which the provider's data
	// source reports as its NotFoundError (terraform-provider-aws internal/service/lambda/alias_data_source.go).
	"aws:lambda/getAlias:getAlias": func(resource.PropertyMap) error {
		return errors.New("reading Lambda Alias: couldn't find resource")
	},
}

// Call answers the data sources in allowedCalls and absentCalls and fails on any other.
func (e *Engine) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if absent, ok := absentCalls[args.Token]; ok {
		e.mu.Lock()
		e.calls = append(e.calls, args.Token)
		e.mu.Unlock()
		return nil, absent(args.Args)
	}
	answer, ok := allowedCalls[args.Token]
	if !ok {
		return nil, fmt.Errorf("mockengine: unexpected data-source call %q: add it to allowedCalls with realistic outputs, or avoid the call", args.Token)
	}
	e.mu.Lock()
	e.calls = append(e.calls, args.Token)
	e.mu.Unlock()
	return answer(e, args.Args), nil
}

// NewResource records the registration and answers with the inputs plus computed placeholders.
func (e *Engine) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	r := &Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom}
	inputs, secrets := plainMap(args.Inputs)
	r.Inputs, r.Secrets = inputs, secrets
	if rpc != nil {
		r.Parent = rpc.GetParent()
		r.Dependencies = sortedUnique(rpc.GetDependencies())
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.Version = rpc.GetVersion()
		r.Provider = rpc.GetProvider()
		for k, deps := range rpc.GetPropertyDependencies() {
			if r.PropertyDependencies == nil {
				r.PropertyDependencies = map[string][]string{}
			}
			r.PropertyDependencies[k] = sortedUnique(deps.GetUrns())
		}
		r.Source = programFrame(rpc.GetStackTrace().GetFrames())
	}
	r.URN = urn(e.stack, e.project, r.Parent, r.Type, r.Name)

	outputs := args.Inputs.Copy()
	if args.Custom {
		r.ID = Placeholder(args.Name, "id")
		for k, v := range computed(e, r) {
			outputs[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	r.Outputs, _ = plainMap(outputs)

	e.mu.Lock()
	e.resources = append(e.resources, r)
	e.mu.Unlock()
	return r.ID, outputs, nil
}

// urn mirrors the mock monitor's URN scheme so that Parent and Dependencies resolve to records.
func urn(stack, project, parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

// Resources returns every recorded resource in registration order, the stack itself excluded.
func (e *Engine) Resources() []Resource {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Resource, 0, len(e.resources))
	for _, r := range e.resources {
		if r.Type != "pulumi:pulumi:Stack" {
			out = append(out, *r)
		}
	}
	return out
}

// Calls returns the tokens of the data sources the program read, in order.
func (e *Engine) Calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

// OfType returns the recorded resources of one type token, sorted by name.
func (e *Engine) OfType(token string) []Resource {
	var out []Resource
	for _, r := range e.Resources() {
		if r.Type == token {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ByURN returns the resource with that URN.
func (e *Engine) ByURN(urn string) (Resource, bool) {
	for _, r := range e.Resources() {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// Named returns the resource of that type and name.
func (e *Engine) Named(token, name string) (Resource, bool) {
	for _, r := range e.OfType(token) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Children returns the direct children of the resource with that URN, in registration order.
func (e *Engine) Children(parent string) []Resource {
	var out []Resource
	for _, r := range e.Resources() {
		if r.Parent == parent {
			out = append(out, r)
		}
	}
	return out
}

// Resolve finds the resource whose placeholder id or computed output equals value (for example a
// subnet id referenced by an endpoint), so tests can follow references without knowing names.
func (e *Engine) Resolve(value string) (Resource, bool) {
	name, _, ok := ParsePlaceholder(value)
	if !ok {
		return Resource{}, false
	}
	for _, r := range e.Resources() {
		if r.Custom && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ParsePlaceholder splits `${name.property}` into its parts.
func ParsePlaceholder(value string) (name, property string, ok bool) {
	if !strings.HasPrefix(value, "${") || !strings.HasSuffix(value, "}") {
		return "", "", false
	}
	inner := value[2 : len(value)-1]
	i := strings.Index(inner, ".")
	if i < 0 {
		return "", "", false
	}
	return inner[:i], inner[i+1:], true
}

func sortedUnique(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
