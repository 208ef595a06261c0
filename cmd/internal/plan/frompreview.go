package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/providers"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/example/private-api/internal/mockengine"
)

// ReadPreview decodes a `pulumi preview --json` document.
func ReadPreview(r io.Reader) (Preview, error) {
	var p Preview
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return Preview{}, fmt.Errorf("not the output of `pulumi preview --json`: %w", err)
	}
	if len(p.Steps) == 0 {
		return Preview{}, errors.New("the preview has no steps: write it with `pulumi preview --json` (a preview that failed prints its diagnostics instead)")
	}
	return p, nil
}

// Change is one step of a preview that changes something, for the reviewer.
type Change struct {
	Op, URN, Type, Name string
	// Reasons are the properties that force the replacement (replaceReasons) or differ (diffReasons).
	Reasons []string
}

// Previewed is a real preview read as a stack: the resources as they will be once the update is
// applied (deleted ones gone), in the mock engine's terms, so the same checks, waivers and cost run
// on it; and the changes the update would make.
type Previewed struct {
	Engine  *mockengine.Engine
	Changes []Change
	// Unknown counts the values the preview could not know (computed by AWS at deploy).
	Unknown int
	Config  map[string]string
}

// gone are the ops after which the resource no longer exists in the stack.
var gone = map[string]bool{OpDelete: true, OpDeleteReplaced: true, OpDiscard: true, OpDiscardReplaced: true, OpRemovePending: true}

// FromPreview turns a preview into a stack the checks can judge. Values AWS assigns are written in
// the offline plan's notation, because that is what the checks follow references by:
//   - a known resource id becomes `${name.id}` wherever it appears, whole or inside an ARN or a
//     policy, and the deploying account's id `${aws:accountId}`;
//   - a value the preview could not know (the engine's unknown sentinel, a resource still to be
//     created) becomes `${dep.id}` when its key names the type of the resource it depends on
//     (propertyDependencies; see unknownRef), else `${unknown}`, and its key is recorded in
//     Resource.Unknown.
func FromPreview(p Preview) (*Previewed, error) {
	sc, err := scanSteps(p)
	if err != nil {
		return nil, err
	}
	if sc.region == "" {
		return nil, errors.New("the preview names no region: neither config aws:region nor the aws provider's region input is set")
	}
	if err := checkSames(p); err != nil {
		return nil, err
	}
	out := &Previewed{Config: p.Config, Changes: sc.changes}
	rs := finalResources(sc.order, sc.states)
	out.Unknown = normalizeResources(rs, sc.states)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].URN < rs[j].URN })
	out.Engine = mockengine.FromResources(sc.project, sc.stack, sc.region, rs)
	return out, nil
}

// stepScan is what one pass over a preview's steps finds.
type stepScan struct {
	stack, project, region string
	// states is each resource's last step by URN (nil once deleted); order lists URNs as first seen.
	states  map[string]*Step
	order   []string
	changes []Change
}

// scanSteps reads the stack, the region, the changes and each resource's final step from the steps.
func scanSteps(p Preview) (stepScan, error) {
	sc := stepScan{states: map[string]*Step{}, region: p.Config["aws:region"]}
	for i := range p.Steps {
		s := &p.Steps[i]
		u := resource.URN(s.URN)
		if !u.IsValid() {
			return stepScan{}, fmt.Errorf("step %d: urn %q is not a Pulumi URN", i, s.URN)
		}
		sc.stack, sc.project = string(u.Stack()), string(u.Project())
		if s.Op != OpSame && s.Op != OpRead && s.Op != OpRefresh {
			reasons := s.ReplaceReasons
			if len(reasons) == 0 {
				reasons = s.DiffReasons
			}
			sc.changes = append(sc.changes, Change{Op: s.Op, URN: s.URN, Type: string(u.Type()), Name: u.Name(), Reasons: reasons})
		}
		if providers.IsProviderType(u.Type()) {
			if st := s.NewState; st != nil && sc.region == "" && providers.IsDefaultProvider(u) {
				sc.region, _ = st.Inputs["region"].(string)
			}
			if providers.IsDefaultProvider(u) {
				continue
			}
			// An explicit provider (another account's) stays: its resources name it, and the checks
			// judge them against the account it works in.
		}
		if u.QualifiedType() == resource.RootStackType {
			continue
		}
		if gone[s.Op] || s.NewState == nil {
			if _, seen := sc.states[s.URN]; !seen && gone[s.Op] {
				sc.states[s.URN] = nil
				sc.order = append(sc.order, s.URN)
			}
			continue
		}
		if _, seen := sc.states[s.URN]; !seen {
			sc.order = append(sc.order, s.URN)
		}
		sc.states[s.URN] = s
	}
	return sc, nil
}

// checkSames refuses a preview that leaves out unchanged resources.
func checkSames(p Preview) error {
	// `pulumi preview --json` leaves out unchanged resources unless asked for them (the display's
	// shouldShow hides "same" steps), and checks on a partial stack would judge it wrongly: a VPC
	// whose unchanged flow log is missing from the document would fail.
	sames := 0
	for _, s := range p.Steps {
		if s.Op == OpSame {
			sames++
		}
	}
	if want := p.ChangeSummary[OpSame]; sames < want {
		return fmt.Errorf("the preview lists %d of its %d unchanged resources: write it with `pulumi preview --json --show-sames`", sames, want)
	}
	return nil
}

// finalResources are the resources the stack holds after the update, in order, as the mock engine's.
func finalResources(order []string, states map[string]*Step) []mockengine.Resource {
	var rs []mockengine.Resource
	for _, u := range order {
		s := states[u]
		if s == nil {
			continue // deleted by this update
		}
		rs = append(rs, resourceOf(u, s))
	}
	return rs
}

// resourceOf is the resource at urn u as its step s leaves it, with the id and outputs it already has.
func resourceOf(u string, s *Step) mockengine.Resource {
	st := s.NewState
	r := mockengine.Resource{
		Type: string(st.Type), Name: resource.URN(u).Name(), URN: u, ID: string(st.ID), Custom: st.Custom,
		Parent: string(st.Parent), Protect: st.Protect, Inputs: st.Inputs, Outputs: st.Outputs,
		Source: sourceOf(st), Provider: explicitOnly(s.Provider),
	}
	// A preview's new state carries neither id nor outputs; a resource that exists has them in
	// its old state, and the stack's other inputs name it by them.
	if old := s.OldState; old != nil {
		if r.ID == "" {
			r.ID = string(old.ID)
		}
		if r.Outputs == nil {
			r.Outputs = old.Outputs
		}
	}
	for _, d := range st.Dependencies {
		r.Dependencies = append(r.Dependencies, string(d))
	}
	if r.Inputs == nil {
		r.Inputs = map[string]any{}
	}
	if r.Outputs == nil {
		r.Outputs = map[string]any{}
	}
	return r
}

// normalizeResources writes rs's ids and values in the plan's placeholders and counts the unknown ones.
func normalizeResources(rs []mockengine.Resource, states map[string]*Step) int {
	unknown := 0
	n := newNormalizer(rs)
	for i := range rs {
		st := states[rs[i].URN].NewState
		deps := map[string][]string{}
		for k, us := range st.PropertyDependencies {
			for _, d := range us {
				deps[string(k)] = append(deps[string(k)], string(d))
			}
		}
		rs[i].Inputs = n.props(rs[i].Inputs, deps, &rs[i].Unknown)
		var ignored []string
		rs[i].Outputs = n.props(rs[i].Outputs, deps, &ignored)
		if rs[i].Custom {
			rs[i].ID = mockengine.Placeholder(rs[i].Name, "id")
			// A resource still to be created has no id or ARN yet: the plan's placeholders name them,
			// as the policies that refer to it do once normalized.
			for _, prop := range []string{"id", "arn"} {
				if v, ok := rs[i].Outputs[prop].(string); !ok || v == "" || v == mockengine.Unknown {
					rs[i].Outputs[prop] = mockengine.Placeholder(rs[i].Name, prop)
				}
			}
		}
		unknown += len(rs[i].Unknown)
	}
	return unknown
}

// explicitOnly keeps a provider reference when it names an explicit provider; a default provider's
// reference is dropped, as the offline plan records none.
func explicitOnly(ref string) string {
	urn := ref
	if i := strings.LastIndex(ref, "::"); i > 0 {
		urn = ref[:i]
	}
	if u := resource.URN(urn); !u.IsValid() || providers.IsDefaultProvider(u) {
		return ""
	}
	return ref
}

// sourceOf is where the program registers the resource: its sourcePosition, or the first frame of
// its stackTrace, that lies in the project.
func sourceOf(st *apitype.ResourceV3) string {
	if s := projectPosition(st.SourcePosition); s != "" {
		return s
	}
	for _, f := range st.StackTrace {
		if s := projectPosition(f.SourcePosition); s != "" {
			return s
		}
	}
	return ""
}

// projectPosition turns the engine's "project:///infra/api.go#42" (a column may follow: "#42,7")
// into "infra/api.go:42"; a position outside the project ("project:///../../root/go/pkg/...") is none.
func projectPosition(pos string) string {
	rest, ok := strings.CutPrefix(pos, "project:///")
	if !ok || strings.HasPrefix(rest, "../") {
		return ""
	}
	file, lineCol, _ := strings.Cut(rest, "#")
	line, _, _ := strings.Cut(lineCol, ",")
	if file == "" || line == "" {
		return ""
	}
	return file + ":" + line
}

// normalizer rewrites a preview's real and unknown values into the plan's placeholders.
type normalizer struct {
	byURN map[string]mockengine.Resource
	// ids maps each known id to its placeholder, longest first for substring replacement.
	ids     map[string]string
	idOrder []string
	account string
}

// accountRef finds an account id where policies name one: an ARN's account field, or the value of
// an aws:SourceAccount, aws:PrincipalAccount or aws:ResourceAccount condition.
var accountRef = regexp.MustCompile(`(?:arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:|"aws:(?:SourceAccount|PrincipalAccount|ResourceAccount)"\s*:\s*\[?\s*")(\d{12})\b`)

func newNormalizer(rs []mockengine.Resource) *normalizer {
	n := &normalizer{byURN: map[string]mockengine.Resource{}, ids: map[string]string{}}
	counts := map[string]int{}
	for _, r := range rs {
		n.byURN[r.URN] = r
		if r.Custom && r.ID != "" && r.ID != sig.UnknownStringValue {
			n.ids[r.ID] = mockengine.Placeholder(r.Name, "id")
		}
		for _, s := range mockengine.Strings(r.Inputs) {
			for _, m := range accountRef.FindAllStringSubmatch(s, -1) {
				counts[m[1]]++
			}
		}
	}
	// The stack's own resources live in the deploying account: the account most ARNs name.
	best := 0
	for acct, c := range counts {
		if c > best || c == best && acct < n.account {
			n.account, best = acct, c
		}
	}
	for id := range n.ids {
		n.idOrder = append(n.idOrder, id)
	}
	sort.Slice(n.idOrder, func(i, j int) bool {
		if len(n.idOrder[i]) != len(n.idOrder[j]) {
			return len(n.idOrder[i]) > len(n.idOrder[j])
		}
		return n.idOrder[i] < n.idOrder[j]
	})
	return n
}

// props normalizes every top-level property, recording keys that hold an unknown value.
func (n *normalizer) props(m map[string]any, deps map[string][]string, unknown *[]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		hadUnknown := false
		out[k] = n.value(k, v, deps[k], &hadUnknown)
		if hadUnknown {
			*unknown = append(*unknown, k)
		}
	}
	sort.Strings(*unknown)
	return out
}

func (n *normalizer) value(key string, v any, deps []string, unknown *bool) any {
	switch x := v.(type) {
	case string:
		if x == sig.UnknownStringValue {
			refs := n.typedDeps(key, deps)
			switch {
			case len(refs) == 1 && !plural(key):
				return refs[0]
			case len(refs) > 0 && plural(key):
				// A whole list not known yet (subnetIds of an output list): one id per dependency.
				out := make([]any, len(refs))
				for i, r := range refs {
					out[i] = r
				}
				return out
			}
			*unknown = true
			return mockengine.Unknown
		}
		return n.text(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if refs := n.typedDeps(key, deps); e == sig.UnknownStringValue && len(refs) == len(x) {
				out[i] = refs[i]
				continue
			}
			out[i] = n.value(key, e, deps, unknown)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = n.value(k, e, deps, unknown)
		}
		return out
	}
	return v
}

// typedDeps names, as placeholders in order, the dependencies of a property whose type its key
// names: vpcId → the VPC, subnetIds → the subnets, iamRoleArn → the role's ARN. The longest type
// name wins (vpcPeeringConnectionId is a peering, not a VPC). An unknown whose key names no
// dependency, such as a policy or a source ARN computed from another resource's outputs, stays
// unknown: guessing would judge a wrong value.
func (n *normalizer) typedDeps(key string, deps []string) []string {
	var typed []mockengine.Resource
	best := 0
	k := strings.ToLower(key)
	for _, d := range deps {
		r, ok := n.byURN[d]
		if !ok || !r.Custom {
			continue
		}
		name := strings.ToLower(string(tokens.Type(r.Type).Name()))
		// The key names the type, then at most which identifier of it (id, arn, name):
		// functionVersion is a version of the function it depends on, not the function.
		i := strings.LastIndex(k, name)
		if i < 0 || !identifierSuffix[k[i+len(name):]] {
			continue
		}
		switch {
		case len(name) > best:
			typed, best = []mockengine.Resource{r}, len(name)
		case len(name) == best:
			typed = append(typed, r)
		}
	}
	prop := "id"
	if strings.HasSuffix(k, "arn") || strings.HasSuffix(k, "arns") || k == "role" {
		prop = "arn"
	}
	out := make([]string, len(typed))
	for i, r := range typed {
		out[i] = mockengine.Placeholder(r.Name, prop)
	}
	return out
}

// identifierSuffix is what may follow the type's name in a key that refers to a resource of it.
var identifierSuffix = map[string]bool{"": true, "id": true, "ids": true, "arn": true, "arns": true, "name": true, "names": true}

// plural says whether a key holds a list of ids (subnetIds, securityGroupIds).
func plural(key string) bool { return strings.HasSuffix(key, "Ids") || strings.HasSuffix(key, "Arns") }

// text replaces known ids (whole, or delimited inside a longer string) and the account id.
func (n *normalizer) text(s string) string {
	if ph, ok := n.ids[s]; ok {
		return ph
	}
	if n.account != "" && strings.Contains(s, n.account) {
		s = replaceDelimited(s, n.account, mockengine.Account)
	}
	for _, id := range n.idOrder {
		if len(id) < 4 || !strings.Contains(s, id) {
			continue
		}
		s = replaceDelimited(s, id, n.ids[id])
	}
	return s
}

// replaceDelimited replaces old in s where it is not part of a longer word ([A-Za-z0-9_-]).
func replaceDelimited(s, old, new string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		if (i == 0 || !wordByte(s[i-1])) && (end == len(s) || !wordByte(s[end])) {
			b.WriteString(s[:i])
			b.WriteString(new)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
