package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// settings lists, per type, the inputs a reviewer needs, in reading order; the order of the types
// is also the order siblings are printed in. A type not listed shows all its inputs but tags, so a
// resource the program adds later is never hidden.
var settings = []struct {
	token string
	keys  []string
}{
	{mockengine.TypeVpc, []string{"cidrBlock", "enableDnsSupport", "enableDnsHostnames"}},
	{mockengine.TypeSubnet, []string{"cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"}},
	{mockengine.TypeRouteTable, []string{"vpcId"}},
	{mockengine.TypeRouteTableAssoc, []string{"subnetId", "routeTableId"}},
	{mockengine.TypeDefaultSG, []string{"vpcId", "ingress", "egress"}},
	{mockengine.TypeSecurityGroup, []string{"description", "vpcId", "ingress", "egress"}},
	{mockengine.TypeIngressRule, []string{"securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId", "description"}},
	{mockengine.TypeEgressRule, []string{"securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId", "description"}},
	{mockengine.TypeVpcEndpoint, []string{"serviceName", "vpcEndpointType", "privateDnsEnabled", "subnetIds", "securityGroupIds", "routeTableIds", "policy"}},
	{mockengine.TypeFlowLog, []string{"vpcId", "trafficType", "logDestinationType", "logDestination", "iamRoleArn"}},
	{mockengine.TypePeering, []string{"vpcId", "peerVpcId", "autoAccept"}},
	{mockengine.TypeRoute, []string{"routeTableId", "destinationCidrBlock", "vpcPeeringConnectionId"}},
	{mockengine.TypeResolverEndpoint, []string{"direction", "ipAddresses", "securityGroupIds", "protocols"}},
	{mockengine.TypeResolverRule, []string{"ruleType", "domainName", "resolverEndpointId", "targetIps"}},
	{mockengine.TypeResolverRuleAssoc, []string{"resolverRuleId", "vpcId"}},
	{mockengine.TypeZone, []string{"name", "vpcs", "comment"}},
	{mockengine.TypeRecord, []string{"zoneId", "name", "type", "aliases"}},
	{mockengine.TypeRestAPI, []string{"endpointConfiguration", "policy", "description"}},
	{mockengine.TypeRestAPIPolicy, []string{"restApiId", "policy"}},
	{mockengine.TypeRequestValidator, []string{"validateRequestBody", "validateRequestParameters"}},
	{mockengine.TypeAPIResource, []string{"parentId", "pathPart"}},
	{mockengine.TypeMethod, []string{"httpMethod", "resourceId", "authorization", "requestValidatorId", "requestParameters"}},
	{mockengine.TypeIntegration, []string{"httpMethod", "resourceId", "type", "integrationHttpMethod", "uri", "timeoutMilliseconds"}},
	{mockengine.TypePermission, []string{"function", "qualifier", "action", "principal", "sourceArn"}},
	{mockengine.TypeDeployment, []string{"triggers", "description"}},
	{mockengine.TypeStage, []string{"stageName", "deployment", "xrayTracingEnabled", "variables", "accessLogSettings"}},
	{mockengine.TypeMethodSettings, []string{"stageName", "methodPath", "settings"}},
	{mockengine.TypeAPIAccount, []string{"cloudwatchRoleArn"}},
	{mockengine.TypeFunction, []string{"name", "publish", "runtime", "architectures", "memorySize", "timeout", "reservedConcurrentExecutions", "tracingConfig", "vpcConfig", "environment", "replaceSecurityGroupsOnDestroy", "role", "code"}},
	{mockengine.TypeAlias, []string{"name", "functionName", "functionVersion", "routingConfig"}},
	{mockengine.TypeLogGroup, []string{"name", "retentionInDays", "kmsKeyId"}},
	{mockengine.TypeKMSKey, []string{"description", "enableKeyRotation", "deletionWindowInDays", "policy"}},
	{mockengine.TypeTable, []string{"name", "billingMode", "hashKey", "rangeKey", "attributes", "pointInTimeRecovery", "deletionProtectionEnabled", "serverSideEncryption", "ttl"}},
	{mockengine.TypeTableItem, []string{"tableName", "item"}},
	{mockengine.TypeRole, []string{"description", "assumeRolePolicy", "inlinePolicies", "managedPolicyArns"}},
	{mockengine.TypeRolePolicy, []string{"role", "policy"}},
	{mockengine.TypeRolePolicyAttachment, []string{"role", "policyArn"}},
	{mockengine.TypeInstanceProfile, []string{"role"}},
	{mockengine.TypeSNSTopic, []string{"name", "kmsMasterKeyId", "policy"}},
	{mockengine.TypeSNSTopicPolicy, []string{"arn", "policy"}},
	{mockengine.TypeSNSSubscription, []string{"topic", "protocol", "endpoint"}},
	{mockengine.TypeMetricAlarm, []string{"name", "namespace", "metricName", "dimensions", "statistic", "extendedStatistic", "metricQueries",
		"period", "evaluationPeriods", "datapointsToAlarm", "comparisonOperator", "threshold", "treatMissingData", "actionsEnabled", "alarmActions", "okActions"}},
	{mockengine.TypeDashboard, []string{"dashboardName"}},
	{mockengine.TypeInstance, []string{"ami", "instanceType", "subnetId", "vpcSecurityGroupIds", "iamInstanceProfile", "associatePublicIpAddress", "metadataOptions", "rootBlockDevice"}},
}

var settingKeys, typeRank = func() (map[string][]string, map[string]int) {
	keys, rank := map[string][]string{}, map[string]int{}
	for i, s := range settings {
		keys[s.token], rank[s.token] = s.keys, i
	}
	return keys, rank
}()

// omitted are inputs that never help a review: tags repeat the name and the stack.
var omitted = map[string]bool{"tags": true, "tagsAll": true}

// Legend explains the placeholders a plan shows instead of values AWS assigns at deploy time.
const Legend = `Placeholders (not real values; AWS assigns them at deploy time):
  ${<name>.<property>}      output <property> of resource <name> in this plan, e.g. ${api-vpc.id}
  ${aws:accountId}          the id of the account that deploys
  ${ssm:<parameter>.value}  the value of an SSM public parameter, read at deploy (e.g. the AMI id)
  ${unknown}                a value that cannot be known before deploy
  [secret]                  a value the program marks secret, not printed
`

// Counts are the header numbers of a plan: everything a preview would create. Providers are the
// explicit providers of other accounts, which a preview creates too; Custom counts AWS resources.
type Counts struct{ Total, Custom, Providers, Components int }

// Count counts the resources a preview would create, the stack itself included as preview does.
func Count(e *mockengine.Engine) Counts {
	c := Counts{Total: 1}
	for _, r := range e.Resources() {
		c.Total++
		switch {
		case r.Type == mockengine.TypeProvider:
			c.Providers++
		case r.Custom:
			c.Custom++
		default:
			c.Components++
		}
	}
	return c
}

// Header is the "Resources:" line of a plan.
func (c Counts) Header() string {
	providers := ""
	if c.Providers > 0 {
		providers = fmt.Sprintf(", %d provider(s) of other accounts", c.Providers)
	}
	return fmt.Sprintf("Resources: + %d to create (%d AWS resources%s, %d components, 1 stack)", c.Total, c.Custom, providers, c.Components)
}

// Tree writes the header, the legend and the resource tree (component → children, with settings).
func Tree(w io.Writer, e *mockengine.Engine) error {
	c := Count(e)
	root, ok := e.Root()
	if !ok {
		return fmt.Errorf("stack %s: the program registered no stack resource", e.StackName())
	}
	fmt.Fprintf(w, "Offline plan of stack %s (project %s, region %s): mock engine, no AWS calls\n", e.StackName(), e.Project(), e.Region())
	fmt.Fprintf(w, "%s\n\n", c.Header())
	return resourceTree(w, e, root)
}

// ResourceTree writes the legend and the resource tree without the offline plan's header: the
// listing of a stack read from a real preview.
func ResourceTree(w io.Writer, e *mockengine.Engine) error {
	root, ok := e.Root()
	if !ok {
		return fmt.Errorf("stack %s: the program registered no stack resource", e.StackName())
	}
	return resourceTree(w, e, root)
}

func resourceTree(w io.Writer, e *mockengine.Engine, root mockengine.Resource) error {
	fmt.Fprint(w, Legend)
	fmt.Fprintf(w, "\n+ %s (%s)\n", root.Name, root.Type)
	children := childrenByParent(e)
	var walk func(parent, indent string)
	walk = func(parent, indent string) {
		kids := children[parent]
		for i, r := range kids {
			branch, cont := "├─ ", "│  "
			if i == len(kids)-1 {
				branch, cont = "└─ ", "   "
			}
			fmt.Fprintf(w, "%s%s+ %s  %s%s\n", indent, branch, r.Name, r.Type, marks(e, r))
			pad := indent + cont
			if len(children[r.URN]) > 0 {
				pad += "│ "
			} else {
				pad += "  "
			}
			writeSettings(w, pad+"  ", r)
			walk(r.URN, indent+cont)
		}
	}
	walk(root.URN, "")
	return nil
}

// marks flags what a reviewer must not miss on a resource's line: protection, and an account other
// than the deploying one.
func marks(e *mockengine.Engine, r mockengine.Resource) string {
	var out string
	if r.Protect {
		out += "  [protect]"
	}
	if account := e.AccountOf(r); account != mockengine.Account {
		out += "  [account " + account + "]"
	}
	return out
}

// childrenByParent groups resources under their parent's URN, siblings in settings order then by name.
func childrenByParent(e *mockengine.Engine) map[string][]mockengine.Resource {
	out := map[string][]mockengine.Resource{}
	for _, r := range e.Resources() {
		out[r.Parent] = append(out[r.Parent], r)
	}
	for _, kids := range out {
		sort.Slice(kids, func(i, j int) bool {
			ri, rj := rank(kids[i]), rank(kids[j])
			if ri != rj {
				return ri < rj
			}
			return kids[i].Name < kids[j].Name
		})
	}
	return out
}

// rank puts components first, then the types in settings order, then unlisted types.
func rank(r mockengine.Resource) int {
	if !r.Custom {
		return -1
	}
	if i, ok := typeRank[r.Type]; ok {
		return i
	}
	return len(settings)
}

// writeSettings prints the reviewer's inputs of r, one per line, nested values indented.
func writeSettings(w io.Writer, pad string, r mockengine.Resource) {
	keys, listed := settingKeys[r.Type]
	if !listed {
		for k := range r.Inputs {
			if !omitted[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
	}
	for _, k := range keys {
		v, ok := r.Inputs[k]
		if !ok {
			continue
		}
		for _, s := range r.Secrets {
			if s == k {
				v = "[secret]"
			}
		}
		writeValue(w, pad, k, v)
	}
}

// writeValue prints key: value. Scalars and lists of scalars stay on one line; objects nest; a
// string holding a JSON document (a policy, an access-log format) is printed in full, indented.
func writeValue(w io.Writer, pad, key string, v any) {
	switch x := v.(type) {
	case map[string]any:
		fmt.Fprintf(w, "%s%s:\n", pad, key)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			writeValue(w, pad+"  ", k, x[k])
		}
	case []any:
		if scalars(x) {
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = scalar(e)
			}
			fmt.Fprintf(w, "%s%s: [%s]\n", pad, key, strings.Join(parts, ", "))
			return
		}
		for i, e := range x {
			writeValue(w, pad, fmt.Sprintf("%s[%d]", key, i), e)
		}
	case string:
		if doc, ok := jsonDocument(x); ok {
			fmt.Fprintf(w, "%s%s: (JSON)\n", pad, key)
			for _, line := range strings.Split(doc, "\n") {
				fmt.Fprintf(w, "%s  %s\n", pad, line)
			}
			return
		}
		fmt.Fprintf(w, "%s%s: %s\n", pad, key, x)
	default:
		fmt.Fprintf(w, "%s%s: %s\n", pad, key, scalar(x))
	}
}

func scalars(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func scalar(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// jsonDocument pretty-prints s when it is a JSON object or array.
func jsonDocument(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
		return "", false
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(t), "", "  "); err != nil {
		return "", false
	}
	return out.String(), true
}
