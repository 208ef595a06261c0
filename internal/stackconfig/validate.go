package stackconfig

import (
	"fmt"
	"maps"
	"net/mail"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/example/private-api/internal/catalogue"
	"github.com/example/private-api/internal/cidr"
)

// RetentionDays are the values CloudWatch Logs accepts for a log group's retention. Zero ("never
// expire") is left out on purpose: every log group must expire (CKV_AWS_338).
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	stageNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	consumerNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	principalPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):(role|user)/[\w+=,.@/-]{1,512}$`)
	accountIDPattern    = regexp.MustCompile(`^[0-9]{12}$`)
	// roleArnPattern is an IAM role ARN of any partition; the group is its account.
	roleArnPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}$`)
	routeKeyPattern     = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[A-Za-z0-9/{}_.-]*$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][0-9]+g[a-z]*\.[a-z0-9]+$`)
)

// Validate checks the whole config and returns every problem found, each naming its key and fix.
func (c Config) Validate() error { return c.problems().errOrNil() }

// problems is every rule the config breaks, section by section.
func (c Config) problems() Problems {
	return slices.Concat(
		c.networkProblems(),
		c.dnsProblems(),
		c.apiProblems(),
		c.logsProblems(),
		c.tableProblems(),
		c.functionsProblems(),
		c.Functions.releaseProblems(),
		c.testClientProblems(),
		c.alarmProblems(),
		c.apiClientProblems(),
		c.waiverProblems(),
		c.quotaProblems(),
	)
}

// vpc is a VPC CIDR the stack creates and the key it is configured at.
type vpc struct {
	key    string
	prefix netip.Prefix
}

// networkProblems checks that every VPC CIDR parses, is a size AWS accepts, and overlaps no other peered one.
func (c Config) networkProblems() Problems {
	var ps Problems
	bad := ps.add
	var api []vpc
	if p, err := parseVPCCidr(c.Network.APIVpcCidr); err != nil {
		bad("network.apiVpcCidr", "%v", err)
	} else {
		api = append(api, vpc{"network.apiVpcCidr", p})
	}
	switch {
	case c.Network.AZCount < 2 && c.DNS.Mode == DNSResolver:
		bad("network.azCount", "%d: dns.mode resolver needs resolver endpoint IPs in at least 2 availability zones: set azCount to 2 or more", c.Network.AZCount)
	case c.Network.AZCount < 2:
		bad("network.azCount", "%d: interface endpoints and functions need at least 2 availability zones: set azCount to 2 or more", c.Network.AZCount)
	case c.Network.AZCount > 6:
		bad("network.azCount", "%d: use at most 6 availability zones", c.Network.AZCount)
	}
	if c.Network.SubnetPrefixLength < 16 || c.Network.SubnetPrefixLength > 28 {
		bad("network.subnetPrefixLength", "/%d is not a subnet size AWS accepts: use 16 to 28", c.Network.SubnetPrefixLength)
	}
	consumerPs, peered, sized := c.consumerProblems()
	ps = append(ps, consumerPs...)
	ps = append(ps, overlapProblems(slices.Concat(api, peered))...)
	return append(ps, c.subnetProblems(slices.Concat(api, sized))...)
}

// consumerProblems checks each consumer VPC and returns the peered ones and all whose CIDR parses.
func (c Config) consumerProblems() (ps Problems, peered, sized []vpc) {
	bad := ps.add
	if len(c.Consumers) == 0 {
		bad("consumers", "no consumer VPC: add at least one {name, cidr}")
	}
	names := map[string]bool{}
	roles := map[string]string{} // account id -> the first role ARN given for it
	for i, cons := range c.Consumers {
		key := fmt.Sprintf("consumers[%d]", i)
		ps.uniqueName(key+".name", cons.Name, names, "is used by another consumer: give each consumer VPC a unique name")
		switch cons.Connect {
		case ConnectPeering, ConnectEndpoint:
		default:
			bad(key+".connect", "%q: use %s (the default: a peering with the API VPC) or %s (an execute-api endpoint in the consumer VPC)", cons.Connect, ConnectPeering, ConnectEndpoint)
		}
		if cons.Account != nil {
			ps.accountProblems(key, cons, roles)
		}
		p, err := parseVPCCidr(cons.Cidr)
		if err != nil {
			bad(key+".cidr", "%v", err)
			continue
		}
		sized = append(sized, vpc{key + ".cidr", p})
		// Only peered VPCs share routes with the API VPC: an endpoint consumer may reuse any range
		// (10.0.0.0/16 included), since its traffic reaches the API through its own endpoint.
		if cons.Peered() {
			peered = append(peered, vpc{key + ".cidr", p})
		}
	}
	return ps, peered, sized
}

// overlapProblems reports each peered VPC whose range overlaps an earlier one.
func overlapProblems(vpcs []vpc) Problems {
	var ps Problems
	for i := range vpcs {
		for j := i + 1; j < len(vpcs); j++ {
			if vpcs[i].prefix.Overlaps(vpcs[j].prefix) {
				ps.add(vpcs[j].key, "%s overlaps %s (%s): peered VPCs need disjoint ranges, pick another range, or connect this consumer with connect: %s", vpcs[j].prefix, vpcs[i].key, vpcs[i].prefix, ConnectEndpoint)
			}
		}
	}
	return ps
}

// subnetProblems reports each VPC too small for azCount subnets of the configured size.
func (c Config) subnetProblems(sized []vpc) Problems {
	var ps Problems
	for _, v := range sized {
		if _, err := cidr.Subnets(v.prefix.String(), c.Network.SubnetPrefixLength, c.Network.AZCount); err != nil && c.Network.SubnetPrefixLength >= 16 && c.Network.SubnetPrefixLength <= 28 {
			ps.add("network.subnetPrefixLength", "%v: use a longer prefix or a larger %s", err, v.key)
		}
	}
	return ps
}

// dnsProblems checks the DNS mode, and that resolver mode has a peered consumer to forward to.
func (c Config) dnsProblems() Problems {
	var ps Problems
	switch c.DNS.Mode {
	case DNSResolver:
		if len(c.Consumers) > 0 && !slices.ContainsFunc(c.Consumers, Consumer.Peered) {
			ps.add("dns.mode", "resolver forwards the API host name into peered consumer VPCs, and no consumer is peered: use %s (a private zone in each endpoint consumer's VPC) or %s", DNSPrivateZone, DNSEndpointAlias)
		}
	case DNSPrivateZone, DNSEndpointAlias:
	default:
		ps.add("dns.mode", "%q is not a DNS mode: use %s, %s or %s", c.DNS.Mode, DNSResolver, DNSPrivateZone, DNSEndpointAlias)
	}
	return ps
}

// apiProblems checks the API stage (name, logging, throttling) and its policy's source CIDRs.
func (c Config) apiProblems() Problems {
	var ps Problems
	bad := ps.add
	if !stageNamePattern.MatchString(c.API.StageName) {
		bad("api.stageName", "%q is not a valid stage name: use 1-128 letters, digits, hyphens or underscores", c.API.StageName)
	}
	if c.API.LoggingLevel != "ERROR" && c.API.LoggingLevel != "INFO" {
		bad("api.loggingLevel", "%q: use ERROR or INFO (execution logging stays on; OFF fails APIGateway.1)", c.API.LoggingLevel)
	}
	if c.API.ThrottlingRateLimit <= 0 {
		bad("api.throttlingRateLimit", "%v: use a positive number of requests per second", c.API.ThrottlingRateLimit)
	}
	if c.API.ThrottlingBurstLimit <= 0 {
		bad("api.throttlingBurstLimit", "%d: use a positive number of requests", c.API.ThrottlingBurstLimit)
	}
	for i, cidr := range c.API.AllowedSourceCidrs {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			bad(fmt.Sprintf("api.allowedSourceCidrs[%d]", i), "%q is not a CIDR: write it like 10.20.0.0/16, or leave the list empty to allow any address in the peered VPCs", cidr)
		}
	}
	return ps
}

// logsProblems checks that the log retention is one CloudWatch Logs accepts.
func (c Config) logsProblems() Problems {
	var ps Problems
	if !slices.Contains(RetentionDays, c.Logs.RetentionDays) {
		ps.add("logs.retentionDays", "%d is not a retention CloudWatch Logs accepts: use one of %s", c.Logs.RetentionDays, joinInts(RetentionDays))
	}
	return ps
}

// tableProblems checks the table's encryption choice and its admin principals.
func (c Config) tableProblems() Problems {
	var ps Problems
	if c.Table.Encryption != EncryptionAWSOwned && c.Table.Encryption != EncryptionCustomerManaged {
		ps.add("table.encryption", "%q: use %s or %s", c.Table.Encryption, EncryptionAWSOwned, EncryptionCustomerManaged)
	}
	for i, p := range c.Table.AdminPrincipals {
		if !principalPattern.MatchString(p) {
			ps.add(fmt.Sprintf("table.adminPrincipals[%d]", i), "%q: use the IAM role ARN the deployer assumes, such as arn:aws:iam::123456789012:role/ci-deploy (not an STS session ARN, which changes with every session)", p)
		}
	}
	return ps
}

// functionsProblems checks the functions' memory, timeout and reserved concurrency.
func (c Config) functionsProblems() Problems {
	var ps Problems
	if c.Functions.MemoryMB < 128 || c.Functions.MemoryMB > 10240 {
		ps.add("functions.memoryMb", "%d: Lambda accepts 128 to 10240 MB", c.Functions.MemoryMB)
	}
	// API Gateway gives up on an integration after 29 s; a longer function would keep running unseen.
	if c.Functions.TimeoutSeconds < 1 || c.Functions.TimeoutSeconds > 28 {
		ps.add("functions.timeoutSeconds", "%d: use 1 to 28 seconds (API Gateway's integration timeout is 29 s)", c.Functions.TimeoutSeconds)
	}
	if c.Functions.ReservedConcurrency < 0 {
		ps.add("functions.reservedConcurrency", "%d: use 0 to reserve nothing, or the number of concurrent executions each function keeps for itself", c.Functions.ReservedConcurrency)
	}
	return ps
}

// testClientProblems checks the test client's instance type and that its VPC is in the API's account.
func (c Config) testClientProblems() Problems {
	var ps Problems
	if c.Client.TestInstance && !instanceTypePattern.MatchString(c.Client.InstanceType) {
		ps.add("client.instanceType", "%q is not a Graviton (arm64) instance type: use for example t4g.nano", c.Client.InstanceType)
	}
	if c.Client.TestInstance && len(c.Consumers) > 0 && c.Consumers[0].Account != nil {
		ps.add("client.testInstance", "the test client goes in the first consumer VPC, and consumers[0] (%s) is in account %s: its role and instance profile live in the API's account, so list a consumer of the API's account first", c.Consumers[0].Name, c.Consumers[0].Account.ID)
	}
	return ps
}

// apiClientProblems checks each calling service (name, routes, principals, consumer), then that every
// consumer in another account has a client.
func (c Config) apiClientProblems() Problems {
	var ps Problems
	bad := ps.add
	clientNames := map[string]bool{}
	for i, cl := range c.Clients {
		key := fmt.Sprintf("clients[%d]", i)
		ps.uniqueName(key+".name", cl.Name, clientNames, "is used by another client: give each calling service a unique name")
		if len(cl.Routes) == 0 {
			bad(key+".routes", "no routes: list the route keys this client may call, such as \"GET /employees\", or \"*\" for all")
		}
		for j, r := range cl.Routes {
			if r != AllRoutes && !routeKeyPattern.MatchString(r) {
				bad(fmt.Sprintf("%s.routes[%d]", key, j), "%q is not a route key: write the method, a space and the path, such as \"GET /employees/{employeeId}\", or \"*\" for all", r)
			}
		}
		if len(cl.TrustedPrincipals) == 0 {
			bad(key+".trustedPrincipals", "nobody may assume this client's role: name the IAM roles or users of the calling service")
		}
		for j, p := range cl.TrustedPrincipals {
			if !principalPattern.MatchString(p) {
				bad(fmt.Sprintf("%s.trustedPrincipals[%d]", key, j), "%q: use an IAM role or user ARN such as arn:aws:iam::123456789012:role/app (never an account root: it would let every principal the account's admins choose assume the role)", p)
			}
		}
		if cl.Consumer != "" {
			ps.clientConsumerProblems(key, cl, c)
		}
	}
	for i, cons := range c.Consumers {
		if cons.Account != nil && !slices.ContainsFunc(c.Clients, func(cl APIClient) bool { return cl.Consumer == cons.Name }) {
			bad(fmt.Sprintf("consumers[%d].account", i), "no client calls from consumer %s: add a clients entry with consumer: %s (its role is created in account %s, trusted by principals of that account)", cons.Name, cons.Name, cons.Account.ID)
		}
	}
	return ps
}

// waiverProblems checks that each waiver names a check, gives a reason and has a valid resource glob.
func (c Config) waiverProblems() Problems {
	var ps Problems
	for i, w := range c.Waivers {
		key := fmt.Sprintf("waivers[%d]", i)
		if strings.TrimSpace(w.Check) == "" {
			ps.add(key+".check", "name the check this waiver accepts by one of its IDs, such as EC2.6")
		}
		if len(strings.Fields(w.Reason)) < 3 {
			ps.add(key+".reason", "%q: say in a sentence why this stack accepts the failure; the plan prints it next to the finding", w.Reason)
		}
		if _, err := path.Match(w.Resource, ""); err != nil {
			ps.add(key+".resource", "%q is not a valid glob: use * and ? over resource names, or leave it out for every resource", w.Resource)
		}
	}
	return ps
}

// accountProblems checks a consumer that lives in another account: a 12-digit id, a role of that
// account for the program to assume, the same role as other consumers of that account (one
// provider per account), and an endpoint, since peering is only made within the API's account.
func (ps *Problems) accountProblems(key string, cons Consumer, roles map[string]string) {
	a := cons.Account
	if !accountIDPattern.MatchString(a.ID) {
		ps.add(key+".account.id", "%q is not an AWS account id: write the 12 digits, such as \"210987654321\" (quoted, so YAML keeps leading zeros)", a.ID)
	} else if m := roleArnPattern.FindStringSubmatch(a.RoleArn); m == nil || m[1] != a.ID {
		ps.add(key+".account.roleArn", "%q: use the ARN of the role the program assumes in account %s, such as arn:aws:iam::%s:role/private-api-deploy (README: what the consumer account's administrator creates first)", a.RoleArn, a.ID, a.ID)
	} else if first, ok := roles[a.ID]; ok && first != a.RoleArn {
		ps.add(key+".account.roleArn", "%q differs from %q, given for account %s by another consumer: the program assumes one role per account, use the same", a.RoleArn, first, a.ID)
	} else {
		roles[a.ID] = a.RoleArn
	}
	if cons.Connect != ConnectEndpoint {
		ps.add(key+".connect", "a consumer in another account (%s) must use connect: %s: the program peers only VPCs of the API's account; an execute-api endpoint in the consumer VPC reaches the API across accounts (AWS PrivateLink)", a.ID, ConnectEndpoint)
	}
}

// clientConsumerProblems checks a client that calls from a named consumer: the consumer exists, and
// when it is in another account, the client's role is made there, so it trusts principals of that
// account only and has no IAM user.
func (ps *Problems) clientConsumerProblems(key string, cl APIClient, c Config) {
	cons, ok := c.ConsumerNamed(cl.Consumer)
	if !ok {
		var known []string
		for _, k := range c.Consumers {
			known = append(known, k.Name)
		}
		ps.add(key+".consumer", "%q is not a consumer of this stack%s", cl.Consumer, suggest(cl.Consumer, known, ""))
		return
	}
	if cons.Account == nil {
		return
	}
	for j, p := range cl.TrustedPrincipals {
		if m := principalPattern.FindStringSubmatch(p); m != nil && m[1] != cons.Account.ID {
			ps.add(fmt.Sprintf("%s.trustedPrincipals[%d]", key, j), "%q is not in account %s, where consumer %s and this client's role live: name roles or users of that account", p, cons.Account.ID, cons.Name)
		}
	}
	if cl.IAMUser {
		ps.add(key+".iamUser", "a client of consumer %s (account %s) gets a role there, not an IAM user: set iamUser false and let that account's users assume the role", cons.Name, cons.Account.ID)
	}
}

// integrationTimeoutMs is API Gateway's REST integration timeout: no request's latency reaches far
// past it (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
const integrationTimeoutMs = 29000

// alarmProblems checks the alarm thresholds and the addresses they page. Periods and their product
// follow PutMetricAlarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html):
// Period × EvaluationPeriods at most one day for periods under an hour, seven days otherwise.
func (c Config) alarmProblems() Problems {
	var ps Problems
	a := c.Alarms
	if a.API5xxRatePercent < 0 || a.API5xxRatePercent >= 100 {
		ps.add("alarms.api5xxRatePercent", "%g: use a percentage of requests from 0 (alarm on any 5XX) to below 100", a.API5xxRatePercent)
	}
	if a.APILatencyP99Ms < 1 || a.APILatencyP99Ms >= integrationTimeoutMs {
		ps.add("alarms.apiLatencyP99Ms", "%d: use 1 to %d milliseconds (API Gateway gives up on a function after 29 s, so a p99 of %d never comes)", a.APILatencyP99Ms, integrationTimeoutMs-1, integrationTimeoutMs)
	}
	if a.FunctionDurationP99Percent < 1 || a.FunctionDurationP99Percent > 100 {
		ps.add("alarms.functionDurationP99Percent", "%d: use 1 to 100, the percentage of functions.timeoutSeconds the p99 duration may reach (100 alarms when the slowest 1%% time out)", a.FunctionDurationP99Percent)
	}
	// Lambda, API Gateway and DynamoDB publish one-minute metrics: a shorter period would make a
	// high-resolution alarm that mostly sees no data.
	if a.PeriodSeconds < 60 || a.PeriodSeconds%60 != 0 {
		ps.add("alarms.periodSeconds", "%d: use a multiple of 60 seconds (Lambda, API Gateway and DynamoDB publish one-minute metrics)", a.PeriodSeconds)
	}
	if a.EvaluationPeriods < 1 {
		ps.add("alarms.evaluationPeriods", "%d: use 1 or more periods", a.EvaluationPeriods)
	} else if limit := maxEvaluationSeconds(a.PeriodSeconds); a.PeriodSeconds > 0 && a.EvaluationPeriods*a.PeriodSeconds > limit {
		ps.add("alarms.evaluationPeriods", "%d periods of %d s are %d s: CloudWatch evaluates at most %d s with that period; use fewer periods or a shorter alarms.periodSeconds", a.EvaluationPeriods, a.PeriodSeconds, a.EvaluationPeriods*a.PeriodSeconds, limit)
	}
	if a.DatapointsToAlarm < 1 || a.DatapointsToAlarm > max(a.EvaluationPeriods, 1) {
		ps.add("alarms.datapointsToAlarm", "%d: use 1 to alarms.evaluationPeriods (%d): the breaching periods among the last evaluationPeriods that raise the alarm", a.DatapointsToAlarm, a.EvaluationPeriods)
	}
	seen := map[string]bool{}
	for i, addr := range a.Emails {
		key := fmt.Sprintf("alarms.emails[%d]", i)
		switch {
		case !isEmailAddress(addr):
			ps.add(key, "%q is not an email address: write just the address, like oncall@example.com", addr)
		case seen[strings.ToLower(addr)]:
			ps.add(key, "%q is listed twice: keep one", addr)
		}
		seen[strings.ToLower(addr)] = true
	}
	return ps
}

// maxEvaluationSeconds is the longest Period × EvaluationPeriods PutMetricAlarm accepts.
func maxEvaluationSeconds(period int) int {
	if period < 3600 {
		return 86400
	}
	return 7 * 86400
}

// isEmailAddress accepts a bare address (no display name, no comments) whose domain has a dot and
// that fits the 254 characters an SMTP path allows (RFC 5321, 4.5.3.1.3).
func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// uniqueName records a problem at key when name is not a valid resource name or is already in seen
// (taken says so and how to fix it), and adds it to seen.
func (ps *Problems) uniqueName(key, name string, seen map[string]bool, taken string) {
	if !consumerNamePattern.MatchString(name) {
		ps.add(key, "%q is not a valid name: use 1-20 lowercase letters, digits and hyphens, starting with a letter", name)
	} else if seen[name] {
		ps.add(key, "%q %s", name, taken)
	}
	seen[name] = true
}

// CheckRoutes refuses client routes that are not in the API's route table (known, as route keys),
// listing the known ones. The route table lives with the components, so the program calls this
// right after loading the config, before it registers anything.
func (c Config) CheckRoutes(known []string) error {
	var ps Problems
	for i, cl := range c.Clients {
		for j, r := range cl.Routes {
			if r != AllRoutes && !slices.Contains(known, r) {
				ps.add(fmt.Sprintf("clients[%d].routes[%d]", i, j), "%q is not a route of this API: use one of %s, or \"*\" for all", r, strings.Join(quoteAll(known), ", "))
			}
		}
	}
	return ps.errOrNil()
}

func quoteAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// parseVPCCidr accepts an IPv4 network address with a prefix AWS allows for a VPC (/16 to /28).
func parseVPCCidr(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 CIDR: write it like 10.10.0.0/16", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set: use the network address %s", s, p.Masked())
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return netip.Prefix{}, fmt.Errorf("%q: a VPC CIDR must be between /16 and /28", s)
	}
	return p, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// releaseProblems checks the pins (known functions, published version numbers) and the canary share.
func (f Functions) releaseProblems() Problems {
	var ps Problems
	known := catalogue.Names()
	for _, name := range slices.Sorted(maps.Keys(f.PinnedVersions)) {
		key := "functions.pinnedVersions." + name
		if !slices.Contains(known, name) {
			ps.add(key, "%q is not a function of this stack%s", name, suggest(name, known, "functions.pinnedVersions."))
			continue
		}
		// Lambda numbers published versions from 1 (PublishVersion,
		// https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html); $LATEST is no pin.
		if v := f.PinnedVersions[name]; v < 1 {
			ps.add(key, "%d: pin a published version, a whole number from 1 (aws lambda list-versions-by-function --function-name <name> lists them), or remove the pin to serve the newest", v)
		}
	}
	if f.CanaryPercent < 0 || f.CanaryPercent > MaxCanaryPercent {
		ps.add("functions.canaryPercent", "%d: use 0 (no canary) to %d, the percentage of live's traffic the newest version takes while the version live served keeps the rest", f.CanaryPercent, MaxCanaryPercent)
	}
	return ps
}
