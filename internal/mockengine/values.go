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
	id := r.ID
	ph := func(prop string) string { return Placeholder(r.Name, prop) }
	// A resource made through another account's provider gets that account in its ARNs.
	account := e.AccountOf(*r)
	arn := func(service, resourcePart string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition(), service, e.region, account, resourcePart)
	}
	name := ph("name")
	if n, ok := r.Inputs["name"].(string); ok && n != "" {
		name = n
	}
	out := map[string]any{"arn": ph("arn")}
	if _, ok := r.Inputs["name"]; !ok {
		out["name"] = name
	}
	if _, ok := r.Inputs["tagsAll"]; !ok {
		if tags, ok := r.Inputs["tags"]; ok {
			out["tagsAll"] = tags
		}
	}
	switch r.Type {
	case "aws:ec2/vpc:Vpc":
		out["defaultSecurityGroupId"] = ph("defaultSecurityGroupId")
		out["mainRouteTableId"] = ph("mainRouteTableId")
		out["defaultRouteTableId"] = ph("defaultRouteTableId")
		out["defaultNetworkAclId"] = ph("defaultNetworkAclId")
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		out["dnsEntries"] = []any{map[string]any{
			"dnsName":      fmt.Sprintf("%s-%s.%s.vpce.%s", id, "xxxxxxxx", e.region, partitionOf(e.region).dnsSuffix),
			"hostedZoneId": ph("dnsEntries[0].hostedZoneId"),
		}}
		out["networkInterfaceIds"] = []any{ph("networkInterfaceIds[0]")}
		out["prefixListId"] = ph("prefixListId")
		out["state"] = "available"
	case "aws:route53/resolverEndpoint:ResolverEndpoint":
		var ips []any
		if in, ok := r.Inputs["ipAddresses"].([]any); ok {
			for i, x := range in {
				m, _ := x.(map[string]any)
				ip := map[string]any{"ip": ph(fmt.Sprintf("ipAddresses[%d].ip", i)), "ipId": ph(fmt.Sprintf("ipAddresses[%d].ipId", i))}
				for k, v := range m {
					ip[k] = v
				}
				ips = append(ips, ip)
			}
		}
		out["ipAddresses"] = ips
		out["hostVpcId"] = ph("hostVpcId")
		out["arn"] = arn("route53resolver", "resolver-endpoint/"+id)
	case "aws:route53/resolverRule:ResolverRule":
		out["arn"] = arn("route53resolver", "resolver-rule/"+id)
	case "aws:route53/zone:Zone":
		out["zoneId"] = id
		out["nameServers"] = []any{}
	case "aws:apigateway/restApi:RestApi":
		out["rootResourceId"] = ph("rootResourceId")
		out["executionArn"] = arn("execute-api", id)
		out["arn"] = fmt.Sprintf("arn:%s:apigateway:%s::/restapis/%s", e.Partition(), e.region, id)
	case "aws:apigateway/stage:Stage":
		out["invokeUrl"] = ph("invokeUrl")
		out["executionArn"] = ph("executionArn")
	case "aws:apigateway/resource:Resource":
		out["path"] = ph("path")
	case TypeFunction:
		// A new function with publish on gets version 1 from CreateFunction; without, only
		// $LATEST exists (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html).
		version := "$LATEST"
		if r.Inputs["publish"] == true {
			version = "1"
		}
		out["arn"] = arn("lambda", "function:"+name)
		out["version"] = version
		out["qualifiedArn"] = out["arn"].(string) + ":" + version
		out["invokeArn"] = lambdaInvokeArn(e, out["arn"].(string))
		out["qualifiedInvokeArn"] = lambdaInvokeArn(e, out["qualifiedArn"].(string))
	case TypeAlias:
		// The alias ARN is the function's qualified by the alias name; functionName is a name or an ARN.
		fn, _ := r.Inputs["functionName"].(string)
		if !strings.HasPrefix(fn, "arn:") {
			fn = arn("lambda", "function:"+fn)
		}
		out["arn"] = fn + ":" + name
		out["invokeArn"] = lambdaInvokeArn(e, out["arn"].(string))
	case "aws:dynamodb/table:Table":
		out["arn"] = arn("dynamodb", "table/"+name)
	case "aws:iam/role:Role":
		out["arn"] = fmt.Sprintf("arn:%s:iam::%s:role/%s", e.Partition(), account, name)
		out["uniqueId"] = ph("uniqueId")
	case "aws:iam/user:User":
		out["arn"] = fmt.Sprintf("arn:%s:iam::%s:user/%s", e.Partition(), account, name)
	case "aws:iam/instanceProfile:InstanceProfile":
		out["arn"] = fmt.Sprintf("arn:%s:iam::%s:instance-profile/%s", e.Partition(), account, name)
	case "aws:cloudwatch/logGroup:LogGroup":
		out["arn"] = arn("logs", "log-group:"+name)
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		out["arn"] = arn("cloudwatch", "alarm:"+name)
	case "aws:cloudwatch/dashboard:Dashboard":
		out["dashboardArn"] = fmt.Sprintf("arn:%s:cloudwatch::%s:dashboard/%v", e.Partition(), Account, r.Inputs["dashboardName"])
	case "aws:kms/key:Key":
		out["arn"] = arn("kms", "key/"+id)
		out["keyId"] = id
	case "aws:ec2/instance:Instance":
		out["privateIp"] = ph("privateIp")
	case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
		out["acceptStatus"] = "active"
	case "aws:iam/accessKey:AccessKey":
		out["secret"] = ph("secret")
	}
	return out
}

// lambdaInvokeArn is the URI API Gateway invokes a function (or a version or alias of it) by, as
// the provider computes invokeArn: arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations
// (https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html, uri).
func lambdaInvokeArn(e *Engine, target string) string {
	return fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", e.Partition(), e.region, target)
}
