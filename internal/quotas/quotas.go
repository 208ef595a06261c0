// Package quotas knows the AWS quotas this stack's resources count against: each quota's AWS
// default, where Service Quotas reports its applied value, and how much of it a given config
// needs. Config validation refuses a config that needs more than the account allows, the plan
// prints what the stack takes of the quotas stacks share, and doctor compares the need with the
// account's applied values. It is pure: no Pulumi, no AWS calls.
package quotas

import (
	"fmt"
	"slices"
	"strings"
)

// Quota is one AWS quota the stack counts against.
type Quota struct {
	// Name is the quota's key under the stack's `quotas` config object.
	Name string
	// Title is AWS's name for the quota, as Service Quotas and the documentation show it.
	Title string
	// Default is the AWS default value.
	Default int
	// Adjustable says whether AWS raises it on request; the config may raise only those.
	Adjustable bool
	// AccountWide quotas are shared by every stack and resource of the account in the region:
	// what this stack needs comes on top of what the account already uses.
	AccountWide bool
	// ServiceCode and QuotaCode find the applied value in Service Quotas.
	ServiceCode, QuotaCode string
	// Doc is the AWS documentation page that states the quota.
	Doc string
}

// Unreserved is the concurrency Lambda always keeps unreserved: a function's reservation may not
// take the account's unreserved executions below it.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
const Unreserved = 100

// The documentation pages that state the quotas below.
const (
	vpcDoc         = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
	peeringDoc     = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-connection-quotas.html"
	privateLinkDoc = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html"
	resolverDoc    = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-entities-resolver"
	zoneDoc        = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-entities-hosted-zones"
	apiGatewayDoc  = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html"
	lambdaDoc      = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
)

// Quota names, the keys of the `quotas` config object.
const (
	RoutesPerRouteTable        = "routesPerRouteTable"
	RulesPerSecurityGroup      = "rulesPerSecurityGroup"
	PeeringConnectionsPerVPC   = "peeringConnectionsPerVpc"
	InterfaceEndpointsPerVPC   = "interfaceEndpointsPerVpc"
	GatewayEndpointsPerRegion  = "gatewayEndpointsPerRegion"
	VPCsPerRegion              = "vpcsPerRegion"
	ResolverEndpointsPerRegion = "resolverEndpointsPerRegion"
	IPAddressesPerResolverEP   = "ipAddressesPerResolverEndpoint"
	ResolverRulesPerRegion     = "resolverRulesPerRegion"
	ResolverRuleAssociations   = "resolverRuleAssociationsPerRegion"
	VPCsPerPrivateHostedZone   = "vpcsPerPrivateHostedZone"
	ResourcePolicyCharacters   = "apiResourcePolicyCharacters"
	LambdaConcurrentExecutions = "lambdaConcurrentExecutions"
)

// Catalogue lists every quota the stack counts against, in the order reports show them.
var Catalogue = []Quota{
	// Non-propagated routes; the local route does not count, a route to an AWS-managed prefix list
	// (the DynamoDB gateway endpoint's) counts as its weight, 1.
	{Name: RoutesPerRouteTable, Title: "Routes per route table", Default: 50, Adjustable: true,
		ServiceCode: "vpc", QuotaCode: "L-93826ACB", Doc: vpcDoc},
	// Counted per direction: inbound and outbound rules each have the limit.
	{Name: RulesPerSecurityGroup, Title: "Inbound or outbound rules per security group", Default: 60, Adjustable: true,
		ServiceCode: "vpc", QuotaCode: "L-0EA8095F", Doc: vpcDoc},
	{Name: PeeringConnectionsPerVPC, Title: "Active VPC peering connections per VPC", Default: 50, Adjustable: true,
		ServiceCode: "vpc", QuotaCode: "L-7E9ECCDB", Doc: peeringDoc},
	{Name: InterfaceEndpointsPerVPC, Title: "Interface VPC endpoints per VPC", Default: 50, Adjustable: true,
		ServiceCode: "vpc", QuotaCode: "L-29B6F2EB", Doc: privateLinkDoc},
	{Name: GatewayEndpointsPerRegion, Title: "Gateway VPC endpoints per Region", Default: 20, Adjustable: true, AccountWide: true,
		ServiceCode: "vpc", QuotaCode: "L-1B52E74A", Doc: privateLinkDoc},
	{Name: VPCsPerRegion, Title: "VPCs per Region", Default: 5, Adjustable: true, AccountWide: true,
		ServiceCode: "vpc", QuotaCode: "L-F678F1CE", Doc: vpcDoc},
	{Name: ResolverEndpointsPerRegion, Title: "Route 53 Resolver endpoints per Region", Default: 4, Adjustable: true, AccountWide: true,
		ServiceCode: "route53resolver", QuotaCode: "L-4A669CC0", Doc: resolverDoc},
	{Name: IPAddressesPerResolverEP, Title: "IP addresses per Route 53 Resolver endpoint", Default: 6, Adjustable: true,
		ServiceCode: "route53resolver", QuotaCode: "L-D2FE9758", Doc: resolverDoc},
	{Name: ResolverRulesPerRegion, Title: "Route 53 Resolver rules per Region", Default: 1000, Adjustable: true, AccountWide: true,
		ServiceCode: "route53resolver", QuotaCode: "L-51D8A1FB", Doc: resolverDoc},
	{Name: ResolverRuleAssociations, Title: "Associations between Resolver rules and VPCs per Region", Default: 2000, Adjustable: true, AccountWide: true,
		ServiceCode: "route53resolver", QuotaCode: "L-94E19253", Doc: resolverDoc},
	// Route 53 states no increase for this one; it points to Route 53 Profiles beyond 300.
	{Name: VPCsPerPrivateHostedZone, Title: "Amazon VPCs that you can associate with a private hosted zone", Default: 300, Doc: zoneDoc},
	{Name: ResourcePolicyCharacters, Title: "Length, in characters, of API Gateway resource policy", Default: 8192, Adjustable: true,
		ServiceCode: "apigateway", QuotaCode: "L-8B81B02C", Doc: apiGatewayDoc},
	// New accounts may start far below the default; doctor reads the account's actual limit.
	{Name: LambdaConcurrentExecutions, Title: "Lambda concurrent executions", Default: 1000, Adjustable: true, AccountWide: true,
		ServiceCode: "lambda", QuotaCode: "L-B99A9384", Doc: lambdaDoc},
}

// ByName finds a quota of the catalogue.
func ByName(name string) (Quota, bool) {
	i := slices.IndexFunc(Catalogue, func(q Quota) bool { return q.Name == name })
	if i < 0 {
		return Quota{}, false
	}
	return Catalogue[i], true
}

// Settable lists the names of the adjustable quotas, the keys the `quotas` config object takes.
func Settable() []string {
	var names []string
	for _, q := range Catalogue {
		if q.Adjustable {
			names = append(names, q.Name)
		}
	}
	return names
}

// Usage is what of the validated config decides how much of each quota the stack takes.
type Usage struct {
	// ConsumerVPCs is the number of peered consumer VPCs, each peered with the API VPC.
	ConsumerVPCs int
	// EndpointVPCs is the number of endpoint consumers in the API's account: a VPC each, with an
	// execute-api interface endpoint of its own and no peering, route or rule in the API VPC.
	// Endpoint consumers of other accounts count against their own accounts' quotas.
	EndpointVPCs int
	// TestClientInEndpointVPC: the test client's VPC is an endpoint consumer's, so it also holds
	// that consumer's execute-api endpoint.
	TestClientInEndpointVPC bool
	// ConsumerEndpoints counts the endpoint consumers of every account: each one's endpoint id is in
	// the resource policy's aws:SourceVpce lists.
	ConsumerEndpoints int
	// AZs is the number of availability zones (subnets per VPC, resolver endpoint IPs).
	AZs int
	// Resolver and PrivateZone are the DNS modes that create DNS resources.
	Resolver, PrivateZone bool
	// TestClient adds the test instance and its SSM endpoints to the first consumer VPC.
	TestClient bool
	// AllowedSourceCidrs are the ranges listed in the resource policy.
	AllowedSourceCidrs int
	// Principals are the client principals the resource policy names (roles and users).
	Principals int
	// Callers are the Allow statements (one per client, and the test client); RouteGrants the
	// route ARNs they list together, a client with every route counting AllRoutesBound.
	Callers, RouteGrants int
	// StageName is the stage name's length, part of every route ARN.
	StageName int
	// Functions and ReservedConcurrency (per function, 0 = none) give the reserved concurrency.
	Functions           int
	ReservedConcurrency int
}

// Need is how much of one quota the stack takes, and why.
type Need struct {
	Quota  Quota
	Amount int
	// Why explains the amount in the config's terms.
	Why string
	// Key is the config key (under the project namespace) that drives the amount.
	Key string
	// Less says how a config needs less of it.
	Less string
}

// Resource policy size, in characters of the compact JSON the stack sends. Upper bounds, so a
// config that passes fits: the fixed statements with the longest execute-api ARN and endpoint id
// (a test renders the real policy and checks it stays under this), each principal's ARN (a role
// ARN of the longest partition with a 64-character name) twice, once in the Allow and once in a
// condition, and each CIDR quoted with its comma.
const (
	policyFixedChars        = 1500
	policyPerPrincipalChars = 2 * (len(`"arn:aws-us-gov:iam::123456789012:role/",`) + 64)
	policyPerCidrChars      = len(`"255.255.255.255/32",`)
	// One more endpoint id (vpce- and 17 hex digits) in the Deny's and in each caller's
	// aws:SourceVpce list.
	policyPerEndpointChars = len(`"vpce-0123456789abcdef0",`)
	// One caller's Allow statement without its principals and route ARNs: a Sid of up to 30
	// characters, the endpoint condition with the longest endpoint id.
	policyPerCallerChars = 300
	// One route ARN without the stage name: the longest execute-api ARN prefix and route path.
	policyPerRouteChars = len(`"arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abcdefghij//DELETE/members/*/claims/*",`) + 20
)

// AllRoutesBound is how many route ARNs a client with every route ("*") counts for: more than the
// route table holds (infra's specs keep the table under it).
const AllRoutesBound = 20

// PolicyCharacters is the upper bound of the API resource policy's length for u.
func PolicyCharacters(u Usage) int {
	return policyFixedChars + u.Principals*policyPerPrincipalChars + u.AllowedSourceCidrs*policyPerCidrChars +
		u.Callers*policyPerCallerChars + u.RouteGrants*(policyPerRouteChars+u.StageName) +
		u.ConsumerEndpoints*(1+u.Callers)*policyPerEndpointChars
}

// Needs is the stack's need of every catalogue quota, in catalogue order.
func Needs(u Usage) []Need {
	resolverEndpoints, resolverIPs, rules, associations, zoneVPCs := 0, 0, 0, 0, 0
	dnsWhy := "dns.mode is not resolver"
	if u.Resolver {
		resolverEndpoints, resolverIPs, rules, associations = 2, u.AZs, 1, u.ConsumerVPCs
		dnsWhy = "dns.mode resolver"
	}
	if u.PrivateZone {
		zoneVPCs = u.ConsumerVPCs
	}
	// Per VPC: the API VPC and each endpoint consumer's VPC hold one execute-api endpoint; the test
	// client's VPC holds its three SSM endpoints, and its consumer's execute-api endpoint if it has one.
	interfaceEndpoints, endpointsWhy := 1, "the execute-api endpoint in the API VPC"
	if u.EndpointVPCs > 0 {
		endpointsWhy = "one execute-api endpoint in the API VPC and in each endpoint consumer's VPC"
	}
	switch {
	case u.TestClient && u.TestClientInEndpointVPC:
		interfaceEndpoints, endpointsWhy = 4, "the test client's ssm, ssmmessages and ec2messages endpoints and its consumer's execute-api endpoint in the first consumer VPC"
	case u.TestClient:
		interfaceEndpoints, endpointsWhy = 3, "the test client's ssm, ssmmessages and ec2messages endpoints in the first consumer VPC"
	}
	fewerPeered := "use fewer consumer VPCs, or connect some with connect: endpoint (an execute-api endpoint in the consumer VPC: no peering, route or rule here)"
	reserved := u.Functions * u.ReservedConcurrency
	amounts := map[string]Need{
		RoutesPerRouteTable: {Amount: u.ConsumerVPCs + 1, Key: "consumers",
			Why:  fmt.Sprintf("the API VPC's route table: a route to each of %d peered consumer VPCs and one to the DynamoDB gateway endpoint", u.ConsumerVPCs),
			Less: fewerPeered},
		RulesPerSecurityGroup: {Amount: u.ConsumerVPCs + 1, Key: "consumers",
			Why:  fmt.Sprintf("the execute-api endpoint's security group: HTTPS from the API VPC and from each of %d peered consumer VPCs", u.ConsumerVPCs),
			Less: fewerPeered},
		PeeringConnectionsPerVPC: {Amount: u.ConsumerVPCs, Key: "consumers",
			Why:  fmt.Sprintf("the API VPC peers with each of %d peered consumer VPCs", u.ConsumerVPCs),
			Less: fewerPeered},
		InterfaceEndpointsPerVPC: {Amount: interfaceEndpoints, Key: "client.testInstance", Why: endpointsWhy,
			Less: "turn the test client off"},
		GatewayEndpointsPerRegion: {Amount: 1, Key: "network", Why: "the DynamoDB gateway endpoint of the API VPC",
			Less: "delete unused gateway endpoints in the region"},
		VPCsPerRegion: {Amount: u.ConsumerVPCs + u.EndpointVPCs + 1, Key: "consumers",
			Why:  fmt.Sprintf("the API VPC and %d consumer VPCs", u.ConsumerVPCs+u.EndpointVPCs),
			Less: "use fewer consumer VPCs in this account (a consumer in another account counts against that account's VPCs)"},
		ResolverEndpointsPerRegion: {Amount: resolverEndpoints, Key: "dns.mode",
			Why:  dnsWhy + ": one inbound and one outbound endpoint",
			Less: "use dns.mode privateZone or endpointAlias"},
		IPAddressesPerResolverEP: {Amount: resolverIPs, Key: "network.azCount",
			Why:  dnsWhy + ": one address per availability zone",
			Less: "use fewer availability zones"},
		ResolverRulesPerRegion: {Amount: rules, Key: "dns.mode", Why: dnsWhy + ": one forwarding rule",
			Less: "use dns.mode privateZone or endpointAlias"},
		ResolverRuleAssociations: {Amount: associations, Key: "consumers",
			Why:  dnsWhy + ": the forwarding rule is associated with each peered consumer VPC",
			Less: fewerPeered},
		VPCsPerPrivateHostedZone: {Amount: zoneVPCs, Key: "consumers",
			Why:  "dns.mode privateZone associates the zone with each peered consumer VPC (an endpoint consumer has a zone of its own)",
			Less: "use fewer consumer VPCs, or dns.mode resolver"},
		ResourcePolicyCharacters: {Amount: PolicyCharacters(u), Key: "api.allowedSourceCidrs",
			Why:  fmt.Sprintf("at most: the resource policy with %d client principal(s), %d allowed source CIDR(s) and %d endpoint consumer(s)", u.Principals, u.AllowedSourceCidrs, u.ConsumerEndpoints),
			Less: "list fewer, wider allowed source CIDRs, or fewer endpoint consumers"},
		LambdaConcurrentExecutions: {Amount: reserved + Unreserved, Key: "functions.reservedConcurrency",
			Why:  fmt.Sprintf("%d functions × %d reserved, plus the %d executions Lambda keeps unreserved", u.Functions, u.ReservedConcurrency, Unreserved),
			Less: "reserve less (functions.reservedConcurrency 0 reserves nothing)"},
	}
	needs := make([]Need, len(Catalogue))
	for i, q := range Catalogue {
		n := amounts[q.Name]
		n.Quota = q
		needs[i] = n
	}
	return needs
}

// Limits are the applied values a config declares, by quota name; a quota not listed has its
// AWS default.
type Limits map[string]int

// Of is the limit that applies to q.
func (l Limits) Of(q Quota) int {
	if v, ok := l[q.Name]; ok {
		return v
	}
	return q.Default
}

// Invalid is a declared value the config may not hold, with the reason and the fix.
type Invalid struct {
	Name, Reason string
}

// Validate checks declared values: known names, adjustable quotas only, never below the default
// (AWS only raises quotas).
func (l Limits) Validate() []Invalid {
	var out []Invalid
	names := make([]string, 0, len(l))
	for name := range l {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := l[name]
		q, ok := ByName(name)
		switch {
		case !ok:
			out = append(out, Invalid{name, "is not a quota this stack counts against: use one of " + strings.Join(Settable(), ", ")})
		case !q.Adjustable:
			out = append(out, Invalid{name, fmt.Sprintf("%q is a fixed AWS limit of %d that AWS does not raise (%s): remove the setting", q.Title, q.Default, q.Doc)})
		case v < q.Default:
			out = append(out, Invalid{name, fmt.Sprintf("%d is below the AWS default of %d; quotas only go up: set the value Service Quotas shows as applied, or remove the setting", v, q.Default)})
		}
	}
	return out
}

// Shortfall is a quota the config needs more of than the limit allows.
type Shortfall struct {
	Need  Need
	Limit int
}

// Message says which quota, how much the config needs and why, the limit, and the fix. project is
// the config namespace, for the name of the setting to change.
func (s Shortfall) Message(project string) string {
	q := s.Need.Quota
	limit := fmt.Sprintf("the AWS default of %d", q.Default)
	if s.Limit != q.Default {
		limit = fmt.Sprintf("%d (set in %s:quotas.%s; AWS default %d)", s.Limit, project, q.Name, q.Default)
	}
	msg := fmt.Sprintf("this config needs %d of the quota %q (%s), over %s; see %s. Fix: ",
		s.Need.Amount, q.Title, s.Need.Why, limit, q.Doc)
	if q.Adjustable && q.ServiceCode != "" {
		msg += fmt.Sprintf("raise it in Service Quotas (service %s, quota %s) to at least %d and set %s:quotas.%s to the applied value, or %s",
			q.ServiceCode, q.QuotaCode, s.Need.Amount, project, q.Name, s.Need.Less)
	} else {
		msg += s.Need.Less
	}
	return msg
}

// Check returns the quotas u needs more of than l allows, in catalogue order.
func Check(u Usage, l Limits) []Shortfall {
	var out []Shortfall
	for _, n := range Needs(u) {
		if limit := l.Of(n.Quota); n.Amount > limit {
			out = append(out, Shortfall{Need: n, Limit: limit})
		}
	}
	return out
}

// AccountLines renders what this stack takes of each quota it shares with the rest of the account
// in its region, one line each, for the plan. The limits are the config's; doctor compares them
// with what the account already uses.
func AccountLines(u Usage, l Limits) []string {
	var lines []string
	for _, n := range Needs(u) {
		q := n.Quota
		if !q.AccountWide || n.Amount == 0 {
			continue
		}
		what := fmt.Sprintf("takes %d of %d", n.Amount, l.Of(q))
		if q.Name == LambdaConcurrentExecutions {
			what = fmt.Sprintf("reserves %d, so the account's limit must be at least %d (config assumes %d)", n.Amount-Unreserved, n.Amount, l.Of(q))
		}
		lines = append(lines, fmt.Sprintf("%s: %s (%s; %s %s)", q.Title, what, n.Why, q.ServiceCode, q.QuotaCode))
	}
	return lines
}
