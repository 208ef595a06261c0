package mockengine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Unknown marks a value that was not known when the resource registered (an unresolved output).
const Unknown = "${unknown}"

// plainMap converts a property map to plain Go values (map, slice, string, float64, bool, nil) and
// reports which top-level keys were secret.
func plainMap(props resource.PropertyMap) (map[string]any, []string) {
	out := make(map[string]any, len(props))
	var secrets []string
	for k, v := range props {
		if v.ContainsSecrets() {
			secrets = append(secrets, string(k))
		}
		out[string(k)] = plain(v)
	}
	sort.Strings(secrets)
	return out, secrets
}

func plain(v resource.PropertyValue) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return out
	case v.IsObject():
		m, _ := plainMap(v.ObjectValue())
		return m
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		if o := v.OutputValue(); o.Known {
			return plain(o.Element)
		}
		return Unknown
	case v.IsComputed():
		return Unknown
	case v.IsAsset():
		a := v.AssetValue()
		switch {
		case a.Path != "":
			return map[string]any{"asset": "file:" + a.Path}
		case a.URI != "":
			return map[string]any{"asset": a.URI}
		default:
			return map[string]any{"asset": "text", "hash": a.Hash}
		}
	case v.IsArchive():
		a := v.ArchiveValue()
		if a.Path != "" {
			return map[string]any{"archive": "file:" + a.Path}
		}
		assets := map[string]any{}
		for name, e := range a.Assets {
			switch x := e.(type) {
			case *resource.Asset:
				assets[name] = plain(resource.NewAssetProperty(x))
			case *resource.Archive:
				assets[name] = plain(resource.NewArchiveProperty(x))
			}
		}
		return map[string]any{"archive": assets}
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	}
	return fmt.Sprintf("%v", v)
}

// computed returns the outputs AWS would compute for a resource, as marked placeholders shaped like
// the real values (ARNs keep their structure, so policies render readably).
func computed(e *Engine, r *Resource) map[string]any {
	// A resource made through another account's provider gets that account in its ARNs.
	o := outputs{e: e, r: r, id: r.ID, account: e.AccountOf(*r), out: map[string]any{}}
	o.name = o.ph("name")
	if n, ok := r.Inputs["name"].(string); ok && n != "" {
		o.name = n
	}
	o.out["arn"] = o.ph("arn")
	if _, ok := r.Inputs["name"]; !ok {
		o.out["name"] = o.name
	}
	if _, ok := r.Inputs["tagsAll"]; !ok {
		if tags, ok := r.Inputs["tags"]; ok {
			o.out["tagsAll"] = tags
		}
	}
	if set, ok := typeOutputs[r.Type]; ok {
		set(o)
	}
	return o.out
}

// outputs is a resource whose computed outputs are being written into out.
type outputs struct {
	e                 *Engine
	r                 *Resource
	id, name, account string
	out               map[string]any
}

// ph is the placeholder for the resource's property prop.
func (o outputs) ph(prop string) string { return Placeholder(o.r.Name, prop) }

// arn is an ARN of service in the engine's partition and region and the resource's account.
func (o outputs) arn(service, resourcePart string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", o.e.Partition(), service, o.e.region, o.account, resourcePart)
}

// typeOutputs writes the outputs particular to a resource type, beyond arn, name and tagsAll.
var typeOutputs = map[string]func(o outputs){
	"aws:ec2/vpc:Vpc":                                   vpcOutputs,
	"aws:ec2/vpcEndpoint:VpcEndpoint":                   vpcEndpointOutputs,
	"aws:route53/resolverEndpoint:ResolverEndpoint":     resolverEndpointOutputs,
	"aws:route53/resolverRule:ResolverRule":             func(o outputs) { o.out["arn"] = o.arn("route53resolver", "resolver-rule/"+o.id) },
	"aws:route53/zone:Zone":                             func(o outputs) { o.out["zoneId"], o.out["nameServers"] = o.id, []any{} },
	"aws:apigateway/restApi:RestApi":                    restAPIOutputs,
	"aws:apigateway/stage:Stage":                        func(o outputs) { o.out["invokeUrl"], o.out["executionArn"] = o.ph("invokeUrl"), o.ph("executionArn") },
	"aws:apigateway/resource:Resource":                  func(o outputs) { o.out["path"] = o.ph("path") },
	TypeFunction:                                        functionOutputs,
	TypeAlias:                                           aliasOutputs,
	"aws:dynamodb/table:Table":                          func(o outputs) { o.out["arn"] = o.arn("dynamodb", "table/"+o.name) },
	"aws:iam/role:Role":                                 func(o outputs) { o.out["arn"], o.out["uniqueId"] = o.iamArn("role"), o.ph("uniqueId") },
	"aws:iam/user:User":                                 func(o outputs) { o.out["arn"] = o.iamArn("user") },
	"aws:iam/instanceProfile:InstanceProfile":           func(o outputs) { o.out["arn"] = o.iamArn("instance-profile") },
	"aws:cloudwatch/logGroup:LogGroup":                  func(o outputs) { o.out["arn"] = o.arn("logs", "log-group:"+o.name) },
	"aws:cloudwatch/metricAlarm:MetricAlarm":            func(o outputs) { o.out["arn"] = o.arn("cloudwatch", "alarm:"+o.name) },
	"aws:cloudwatch/dashboard:Dashboard":                dashboardOutputs,
	"aws:kms/key:Key":                                   func(o outputs) { o.out["arn"], o.out["keyId"] = o.arn("kms", "key/"+o.id), o.id },
	"aws:ec2/instance:Instance":                         func(o outputs) { o.out["privateIp"] = o.ph("privateIp") },
	"aws:ec2/vpcPeeringConnection:VpcPeeringConnection": func(o outputs) { o.out["acceptStatus"] = "active" },
	"aws:iam/accessKey:AccessKey":                       func(o outputs) { o.out["secret"] = o.ph("secret") },
}

// iamArn is the ARN of the IAM entity of kind (role, user, instance-profile) named for the resource.
func (o outputs) iamArn(kind string) string {
	return fmt.Sprintf("arn:%s:iam::%s:%s/%s", o.e.Partition(), o.account, kind, o.name)
}

// vpcOutputs writes the default security group, route tables and network ACL a VPC comes with.
func vpcOutputs(o outputs) {
	o.out["defaultSecurityGroupId"] = o.ph("defaultSecurityGroupId")
	o.out["mainRouteTableId"] = o.ph("mainRouteTableId")
	o.out["defaultRouteTableId"] = o.ph("defaultRouteTableId")
	o.out["defaultNetworkAclId"] = o.ph("defaultNetworkAclId")
}

// vpcEndpointOutputs writes an endpoint's DNS entry, network interfaces, prefix list and state.
func vpcEndpointOutputs(o outputs) {
	o.out["dnsEntries"] = []any{map[string]any{
		"dnsName":      fmt.Sprintf("%s-%s.%s.vpce.%s", o.id, "xxxxxxxx", o.e.region, partitionOf(o.e.region).dnsSuffix),
		"hostedZoneId": o.ph("dnsEntries[0].hostedZoneId"),
	}}
	o.out["networkInterfaceIds"] = []any{o.ph("networkInterfaceIds[0]")}
	o.out["prefixListId"] = o.ph("prefixListId")
	o.out["state"] = "available"
}

// resolverEndpointOutputs writes a resolver endpoint's IP addresses (given fields kept), VPC and ARN.
func resolverEndpointOutputs(o outputs) {
	var ips []any
	if in, ok := o.r.Inputs["ipAddresses"].([]any); ok {
		for i, x := range in {
			m, _ := x.(map[string]any)
			ip := map[string]any{"ip": o.ph(fmt.Sprintf("ipAddresses[%d].ip", i)), "ipId": o.ph(fmt.Sprintf("ipAddresses[%d].ipId", i))}
			for k, v := range m {
				ip[k] = v
			}
			ips = append(ips, ip)
		}
	}
	o.out["ipAddresses"] = ips
	o.out["hostVpcId"] = o.ph("hostVpcId")
	o.out["arn"] = o.arn("route53resolver", "resolver-endpoint/"+o.id)
}

// restAPIOutputs writes a REST API's root resource, execution ARN and ARN.
func restAPIOutputs(o outputs) {
	o.out["rootResourceId"] = o.ph("rootResourceId")
	o.out["executionArn"] = o.arn("execute-api", o.id)
	o.out["arn"] = fmt.Sprintf("arn:%s:apigateway:%s::/restapis/%s", o.e.Partition(), o.e.region, o.id)
}

// functionOutputs writes a function's ARNs, version and invoke ARNs.
func functionOutputs(o outputs) {
	// A new function with publish on gets version 1 from CreateFunction; without, only
	// $LATEST exists (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html).
	version := "$LATEST"
	if o.r.Inputs["publish"] == true {
		version = "1"
	}
	o.out["arn"] = o.arn("lambda", "function:"+o.name)
	o.out["version"] = version
	o.out["qualifiedArn"] = o.out["arn"].(string) + ":" + version
	o.out["invokeArn"] = lambdaInvokeArn(o.e, o.out["arn"].(string))
	o.out["qualifiedInvokeArn"] = lambdaInvokeArn(o.e, o.out["qualifiedArn"].(string))
}

// aliasOutputs writes an alias's ARN and invoke ARN.
func aliasOutputs(o outputs) {
	// The alias ARN is the function's qualified by the alias name; functionName is a name or an ARN.
	fn, _ := o.r.Inputs["functionName"].(string)
	if !strings.HasPrefix(fn, "arn:") {
		fn = o.arn("lambda", "function:"+fn)
	}
	o.out["arn"] = fn + ":" + o.name
	o.out["invokeArn"] = lambdaInvokeArn(o.e, o.out["arn"].(string))
}

// dashboardOutputs writes a dashboard's ARN, which names no region.
func dashboardOutputs(o outputs) {
	o.out["dashboardArn"] = fmt.Sprintf("arn:%s:cloudwatch::%s:dashboard/%v", o.e.Partition(), Account, o.r.Inputs["dashboardName"])
}

// lambdaInvokeArn is the URI API Gateway invokes a function (or a version or alias of it) by, as
// the provider computes invokeArn: arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations
// (https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html, uri).
func lambdaInvokeArn(e *Engine, target string) string {
	return fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", e.Partition(), e.region, target)
}
