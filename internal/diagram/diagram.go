// Package diagram draws the architecture as a Mermaid flowchart from the resources a stack
// registers, so the picture in the README is the program's own account of itself and cannot drift:
// VPCs as boxes holding what lives in their subnets, the API, the table and the DNS path between
// them, every edge taken from a reference in the recorded inputs.
package diagram

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// Markers delimit the generated diagram inside a Markdown document (the README).
const (
	BeginMarker = "<!-- architecture diagram: generated, do not edit -->"
	EndMarker   = "<!-- end of architecture diagram -->"
)

// Embed returns doc with the section between the markers replaced by the stack's flowchart and a
// note on how it is made. doc must hold both markers, in order.
func Embed(doc string, e *mockengine.Engine, command string) (string, error) {
	begin := strings.Index(doc, BeginMarker)
	end := strings.Index(doc, EndMarker)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("the document has no %q ... %q section to put the diagram in", BeginMarker, EndMarker)
	}
	section := fmt.Sprintf("%s\nGenerated from the resources the %s stack registers, by `%s`; a test fails when "+
		"it and the program disagree. `${name.property}` marks values AWS assigns at deploy time.\n\n"+
		"```mermaid\n%s```\n", BeginMarker, e.StackName(), command, Flowchart(e))
	return doc[:begin] + section + doc[end:], nil
}

// Flowchart renders the Mermaid source.
func Flowchart(e *mockengine.Engine) string {
	d := &drawing{e: e, inVPC: map[string][]string{}}
	d.place()
	d.connect()
	return d.render()
}

type drawing struct {
	e *mockengine.Engine
	// inVPC maps a VPC's name to the node lines drawn inside it; outside holds the rest.
	inVPC   map[string][]string
	outside []string
	edges   []string
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_]`)

func id(name string) string { return "n_" + unsafeID.ReplaceAllString(name, "_") }

// label escapes a Mermaid label: quotes become entities, lines join with <br/>.
func label(lines ...string) string {
	return `"` + strings.ReplaceAll(strings.Join(lines, "<br/>"), `"`, "#quot;") + `"`
}

func str(r mockengine.Resource, path string) string {
	v, _ := mockengine.Get(r.Inputs, path)
	s, _ := v.(string)
	return s
}

// vpcOf finds the VPC a resource lives in: its vpcId, or the VPC of the first subnet it names.
func (d *drawing) vpcOf(r mockengine.Resource) (mockengine.Resource, bool) {
	if vpc, ok := d.e.Resolve(str(r, "vpcId")); ok && vpc.Type == mockengine.TypeVpc {
		return vpc, true
	}
	for _, s := range d.e.RefsOfType(r.Inputs, mockengine.TypeSubnet) {
		if vpc, ok := d.e.Resolve(str(s, "vpcId")); ok {
			return vpc, true
		}
	}
	return mockengine.Resource{}, false
}

// place draws one node per resource a reader of the architecture needs, inside its VPC if any.
func (d *drawing) place() {
	for _, r := range d.e.Resources() {
		var node string
		switch r.Type {
		case mockengine.TypeVpcEndpoint:
			kind := str(r, "vpcEndpointType")
			service := str(r, "serviceName")
			node = fmt.Sprintf("%s[%s]", id(r.Name), label(kind+" endpoint "+service[strings.LastIndex(service, ".")+1:], r.Name))
		case mockengine.TypeResolverEndpoint:
			ips, _ := r.Inputs["ipAddresses"].([]any)
			node = fmt.Sprintf("%s[%s]", id(r.Name), label(fmt.Sprintf("Resolver %s endpoint", str(r, "direction")), fmt.Sprintf("%s, %d IPs", r.Name, len(ips))))
		case mockengine.TypeFunction:
			mem, _ := r.Inputs["memorySize"].(float64)
			node = fmt.Sprintf("%s[%s]", id(r.Name), label("λ "+r.Name, fmt.Sprintf("%s %v %g MB", str(r, "runtime"), r.Inputs["architectures"], mem)))
		case mockengine.TypeInstance:
			node = fmt.Sprintf("%s[%s]", id(r.Name), label("test client "+r.Name, str(r, "instanceType")+", SSM only"))
		case mockengine.TypeRestAPI:
			node = fmt.Sprintf("%s{{%s}}", id(r.Name), label(fmt.Sprintf("%v REST API %s", str(r, "endpointConfiguration.types"), r.Name), "AWS_IAM on every method"))
		case mockengine.TypeTable:
			node = fmt.Sprintf("%s[(%s)]", id(r.Name), label("DynamoDB "+r.Name, str(r, "billingMode")))
		case mockengine.TypeResolverRule:
			node = fmt.Sprintf("%s>%s]", id(r.Name), label("forwarding rule "+r.Name, str(r, "domainName")))
		case mockengine.TypeZone:
			node = fmt.Sprintf("%s>%s]", id(r.Name), label("private hosted zone "+r.Name, str(r, "name")))
		default:
			continue
		}
		if vpc, ok := d.vpcOf(r); ok && r.Type != mockengine.TypeZone {
			d.inVPC[vpc.Name] = append(d.inVPC[vpc.Name], node)
		} else {
			d.outside = append(d.outside, node)
		}
	}
}

// connect draws the edges, each from a reference in the recorded inputs.
func (d *drawing) connect() {
	d.connectNetwork()
	d.connectAPI()
	d.connectData()
	d.connectDNS()
}

// edge draws from -> to with an arrow and, when text is set, a label on it.
func (d *drawing) edge(from, arrow, text, to string) {
	if text != "" {
		arrow += "|" + label(text) + "|"
	}
	d.edges = append(d.edges, fmt.Sprintf("%s %s %s", from, arrow, to))
}

// connectNetwork joins peered VPCs.
func (d *drawing) connectNetwork() {
	e := d.e
	for _, p := range e.OfType(mockengine.TypePeering) {
		a, aok := e.Resolve(str(p, "vpcId"))
		b, bok := e.Resolve(str(p, "peerVpcId"))
		if aok && bok {
			d.edge(id(a.Name), "<==>", "peering "+p.Name, id(b.Name))
		}
	}
}

// connectAPI draws the callers' path: test client, endpoint, API, and each function with its routes.
func (d *drawing) connectAPI() {
	e := d.e
	routes := map[string][]string{}
	for _, in := range e.OfType(mockengine.TypeIntegration) {
		for _, fn := range e.RefsOfType(in.Inputs["uri"], mockengine.TypeFunction) {
			routes[fn.Name] = append(routes[fn.Name], str(in, "httpMethod")+" "+e.APIPath(str(in, "resourceId")))
		}
	}
	for _, api := range e.OfType(mockengine.TypeRestAPI) {
		for _, ep := range e.RefsOfType(api.Inputs["endpointConfiguration"], mockengine.TypeVpcEndpoint) {
			d.edge(id(ep.Name), "-->", "HTTPS, only via this endpoint", id(api.Name))
			for _, client := range e.OfType(mockengine.TypeInstance) {
				d.edge(id(client.Name), "-->", "SigV4 over the peering", id(ep.Name))
			}
		}
		for _, fn := range e.OfType(mockengine.TypeFunction) {
			if rs := routes[fn.Name]; len(rs) > 0 {
				sort.Strings(rs)
				d.edge(id(api.Name), "-->", strings.Join(rs, "<br/>"), id(fn.Name))
			}
		}
	}
}

// connectData draws who may reach the table: functions whose role policies name it, and endpoints
// whose policies admit it.
func (d *drawing) connectData() {
	e := d.e
	// A function reaches a table when its role's policies grant access to it: a TABLE_NAME
	// variable alone proves nothing.
	for _, fn := range e.OfType(mockengine.TypeFunction) {
		for _, role := range e.RefsOfType(fn.Inputs["role"], mockengine.TypeRole) {
			tables := map[string]bool{}
			for _, rp := range e.OfType(mockengine.TypeRolePolicy) {
				if owner := e.RefsOfType(rp.Inputs["role"], mockengine.TypeRole); len(owner) == 1 && owner[0].Name == role.Name {
					for _, t := range e.RefsOfType(rp.Inputs["policy"], mockengine.TypeTable) {
						tables[t.Name] = true
					}
				}
			}
			for t := range tables {
				d.edge(id(fn.Name), "-->", "IAM: table actions", id(t))
			}
		}
	}
	// An endpoint's policy is its own input or, since the stack attaches them apart, a
	// VpcEndpointPolicy naming it.
	for _, ep := range e.OfType(mockengine.TypeVpcEndpoint) {
		policies := []any{ep.Inputs["policy"]}
		for _, p := range e.OfType(mockengine.TypeVpcEndpointPolicy) {
			if target, ok := e.Resolve(str(p, "vpcEndpointId")); ok && target.Name == ep.Name {
				policies = append(policies, p.Inputs["policy"])
			}
		}
		for _, t := range e.RefsOfType(policies, mockengine.TypeTable) {
			d.edge(id(ep.Name), "-.-", "policy: this table only", id(t.Name))
		}
	}
}

// connectDNS draws how consumers resolve the API: forwarding rules and their endpoints and VPCs,
// or private zones and their alias records.
func (d *drawing) connectDNS() {
	e := d.e
	for _, rule := range e.OfType(mockengine.TypeResolverRule) {
		out, ok := e.Resolve(str(rule, "resolverEndpointId"))
		if !ok {
			continue
		}
		d.edge(id(rule.Name), "-.-", "uses", id(out.Name))
		for _, in := range e.RefsOfType(rule.Inputs["targetIps"], mockengine.TypeResolverEndpoint) {
			d.edge(id(out.Name), "-->", "DNS 53 tcp+udp", id(in.Name))
		}
	}
	for _, a := range e.OfType(mockengine.TypeResolverRuleAssoc) {
		rule, rok := e.Resolve(str(a, "resolverRuleId"))
		vpc, vok := e.Resolve(str(a, "vpcId"))
		if rok && vok {
			d.edge(id(vpc.Name), "-.-", "rule associated", id(rule.Name))
		}
	}
	for _, z := range e.OfType(mockengine.TypeZone) {
		for _, vpc := range e.RefsOfType(z.Inputs["vpcs"], mockengine.TypeVpc) {
			d.edge(id(vpc.Name), "-.-", "zone associated", id(z.Name))
		}
	}
	for _, rec := range e.OfType(mockengine.TypeRecord) {
		for _, z := range e.RefsOfType(rec.Inputs["zoneId"], mockengine.TypeZone) {
			for _, ep := range e.RefsOfType(rec.Inputs["aliases"], mockengine.TypeVpcEndpoint) {
				d.edge(id(z.Name), "-->", "alias "+str(rec, "type"), id(ep.Name))
			}
		}
	}
}

func (d *drawing) render() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, vpc := range d.e.OfType(mockengine.TypeVpc) {
		fmt.Fprintf(&b, "  subgraph %s[%s]\n", id(vpc.Name), label("VPC "+vpc.Name+" "+str(vpc, "cidrBlock")))
		nodes := d.inVPC[vpc.Name]
		sort.Strings(nodes)
		for _, n := range nodes {
			fmt.Fprintf(&b, "    %s\n", n)
		}
		b.WriteString("  end\n")
	}
	sort.Strings(d.outside)
	for _, n := range d.outside {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	sort.Strings(d.edges)
	for _, e := range d.edges {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return b.String()
}
