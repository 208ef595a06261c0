package checks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	m "github.com/example/private-api/internal/mockengine"
)

// The fixture is a small hand-made stack that every check passes: two peered VPCs, an execute-api
// endpoint, a private API with one route, a function, a table, a key and resolver endpoints. Each
// case in TestEveryCheckCanFail breaks one property of it and expects its check to fail, so no
// check can pass by construction.

func ref(name string) string { return "${" + name + ".id}" }

func arnRef(name string) string { return "${" + name + ".arn}" }

func doc(statements ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b)
}

func res(token, name string, inputs map[string]any) m.Resource {
	return m.Resource{
		Type: token, Name: name, URN: "urn:pulumi:test::fixture::" + token + "::" + name,
		ID: ref(name), Custom: true, Inputs: inputs,
	}
}

const region = "x-1"

func fixture() []m.Resource {
	rs := []m.Resource{
		res(m.TypeVpc, "a-vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}),
		res(m.TypeVpc, "c-vpc", map[string]any{"cidrBlock": "10.1.0.0/16"}),
		res(m.TypeDefaultSG, "a-dsg", map[string]any{"vpcId": ref("a-vpc")}),
		res(m.TypeDefaultSG, "c-dsg", map[string]any{"vpcId": ref("c-vpc")}),
		res(m.TypeFlowLog, "a-fl", map[string]any{"vpcId": ref("a-vpc"), "trafficType": "ALL"}),
		res(m.TypeFlowLog, "c-fl", map[string]any{"vpcId": ref("c-vpc"), "trafficType": "ALL"}),
		res(m.TypeRouteTable, "a-rt", map[string]any{"vpcId": ref("a-vpc")}),
		res(m.TypeRouteTable, "c-rt", map[string]any{"vpcId": ref("c-vpc")}),
		res(m.TypePeering, "pcx", map[string]any{"vpcId": ref("c-vpc"), "peerVpcId": ref("a-vpc")}),
		res(m.TypeRoute, "to-c", map[string]any{"routeTableId": ref("a-rt"), "destinationCidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": ref("pcx")}),
		res(m.TypeRoute, "to-a", map[string]any{"routeTableId": ref("c-rt"), "destinationCidrBlock": "10.0.0.0/16", "vpcPeeringConnectionId": ref("pcx")}),
		res(m.TypeSecurityGroup, "ep-sg", map[string]any{"description": "endpoint", "vpcId": ref("a-vpc"), "ingress": []any{
			map[string]any{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": []any{"10.1.0.0/16"}, "description": "HTTPS from consumers"},
		}}),
		res(m.TypeVpcEndpoint, "vpce", map[string]any{
			"vpcEndpointType": "Interface", "serviceName": "com.amazonaws." + region + ".execute-api",
			"subnetIds": []any{ref("a-1"), ref("a-2")}, "securityGroupIds": []any{ref("ep-sg")},
			"policy": doc(map[string]any{
				"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
				"Resource":  "arn:aws:execute-api:" + region + ":" + m.Account + ":*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": m.Account}},
			}),
		}),
		res(m.TypeRestAPI, "api", map[string]any{"endpointConfiguration": map[string]any{"types": "PRIVATE", "vpcEndpointIds": []any{ref("vpce")}}}),
		res(m.TypeRestAPIPolicy, "api-policy", map[string]any{"restApiId": ref("api"), "policy": doc(
			map[string]any{"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": ref("vpce")}}},
			map[string]any{"Sid": "DenyOthers", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
				"Condition": map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + m.Account + ":role/client"}}},
			map[string]any{"Sid": "Allow", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":role/client"},
				"Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:" + region + ":" + m.Account + ":" + ref("api") + "/v1/GET/whoami"},
		)}),
		res(m.TypeAPIResource, "res", map[string]any{"restApi": ref("api"), "parentId": "${api.rootResourceId}", "pathPart": "whoami"}),
		res(m.TypeRequestValidator, "rv", map[string]any{"restApi": ref("api")}),
		res(m.TypeMethod, "get", map[string]any{"restApi": ref("api"), "resourceId": ref("res"), "httpMethod": "GET", "authorization": "AWS_IAM", "requestValidatorId": ref("rv")}),
		res(m.TypeLogGroup, "access", map[string]any{"retentionInDays": 365.0, "kmsKeyId": arnRef("key")}),
		res(m.TypeStage, "stage", map[string]any{"restApi": ref("api"), "stageName": "v1", "xrayTracingEnabled": true,
			"accessLogSettings": map[string]any{"destinationArn": arnRef("access"), "format": `{"requestId":"$context.requestId"}`}}),
		res(m.TypeMethodSettings, "ms", map[string]any{"restApi": ref("api"), "stageName": "v1", "methodPath": "*/*",
			"settings": map[string]any{"loggingLevel": "ERROR", "metricsEnabled": true, "dataTraceEnabled": false}}),
		res(m.TypeKMSKey, "key", map[string]any{"enableKeyRotation": true, "policy": doc(
			map[string]any{"Sid": "Admin", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":root"},
				"Action": []any{"kms:Create*", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"}, "Resource": "*"},
			map[string]any{"Sid": "Use", "Effect": "Allow", "Principal": "*", "Action": []any{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"}, "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "dynamodb." + region + ".amazonaws.com", "kms:CallerAccount": m.Account}}},
		)}),
		res(m.TypeDynamoDBResourcePolicy, "table-policy", map[string]any{"resourceArn": arnRef("table"), "policy": doc(
			map[string]any{"Sid": "DenyOtherAccounts", "Effect": "Deny", "Principal": "*", "Action": []any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
				"Resource": arnRef("table"), "Condition": map[string]any{"StringNotEquals": map[string]any{"aws:PrincipalAccount": m.Account}}},
		)}),
		res(m.TypeTable, "table", map[string]any{"billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": map[string]any{"enabled": true},
			"deletionProtectionEnabled": true, "serverSideEncryption": map[string]any{"enabled": true, "kmsKeyArn": arnRef("key")}}),
		res(m.TypeSecurityGroup, "fn-sg", map[string]any{"description": "function", "vpcId": ref("a-vpc"), "egress": []any{
			map[string]any{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": []any{"10.0.0.0/16"}, "description": "HTTPS in the VPC"},
		}}),
		res(m.TypeFunction, "fn", map[string]any{"runtime": "provided.al2023", "timeout": 10.0, "reservedConcurrentExecutions": 5.0,
			"replaceSecurityGroupsOnDestroy": true, "tracingConfig": map[string]any{"mode": "Active"},
			"vpcConfig":   map[string]any{"subnetIds": []any{ref("a-1"), ref("a-2")}, "securityGroupIds": []any{ref("fn-sg")}},
			"environment": map[string]any{"variables": map[string]any{"TABLE_NAME": "${table.name}"}}}),
		res(m.TypePermission, "perm", map[string]any{"action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com", "function": "${fn.name}",
			"sourceArn": "arn:aws:execute-api:" + region + ":" + m.Account + ":" + ref("api") + "/*/GET/whoami"}),
		res(m.TypeRole, "fn-role", map[string]any{"assumeRolePolicy": doc(map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": m.Account}},
		})}),
		res(m.TypeRolePolicy, "fn-policy", map[string]any{"role": ref("fn-role"), "policy": doc(
			map[string]any{"Sid": "Table", "Effect": "Allow", "Action": []any{"dynamodb:GetItem"}, "Resource": arnRef("table")},
			map[string]any{"Sid": "XRay", "Effect": "Allow", "Action": []any{"xray:PutTraceSegments"}, "Resource": "*"},
		)}),
		res(m.TypeRolePolicyAttachment, "fn-logs", map[string]any{"role": ref("fn-role"), "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}),
		res(m.TypeSecurityGroup, "in-sg", map[string]any{"description": "inbound resolver", "vpcId": ref("a-vpc")}),
		res(m.TypeSecurityGroup, "out-sg", map[string]any{"description": "outbound resolver", "vpcId": ref("c-vpc")}),
		res(m.TypeResolverEndpoint, "inbound", map[string]any{"direction": "INBOUND", "securityGroupIds": []any{ref("in-sg")},
			"ipAddresses": []any{map[string]any{"subnetId": ref("a-1")}, map[string]any{"subnetId": ref("a-2")}}}),
		res(m.TypeResolverEndpoint, "outbound", map[string]any{"direction": "OUTBOUND", "securityGroupIds": []any{ref("out-sg")},
			"ipAddresses": []any{map[string]any{"subnetId": ref("c-1")}, map[string]any{"subnetId": ref("c-2")}}}),
		res(m.TypeResolverRule, "rule", map[string]any{"domainName": ref("api") + ".execute-api." + region + ".amazonaws.com",
			"resolverEndpointId": ref("outbound"), "targetIps": []any{map[string]any{"ip": "${inbound.ipAddresses[0].ip}"}}}),
		res(m.TypeResolverRuleAssoc, "assoc", map[string]any{"resolverRuleId": ref("rule"), "vpcId": ref("c-vpc")}),
		res(m.TypeZone, "zone", map[string]any{"name": ref("api") + ".execute-api." + region + ".amazonaws.com"}),
		res(m.TypeSNSTopic, "topic", map[string]any{"name": "alarms", "kmsMasterKeyId": arnRef("key")}),
		res(m.TypeSNSTopicPolicy, "topic-policy", map[string]any{"arn": arnRef("topic"), "policy": doc(
			map[string]any{"Sid": "Alarms", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
				"Resource": arnRef("topic"), "Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": m.Account}}},
		)}),
	}
	for _, a := range []struct{ name, namespace, metric, stat string }{
		{"fn-errors", "AWS/Lambda", "Errors", "Sum"}, {"fn-throttles", "AWS/Lambda", "Throttles", "Sum"}, {"api-5xx", "AWS/ApiGateway", "5XXError", "Average"},
	} {
		dims := map[string]any{"FunctionName": "${fn.name}"}
		if a.namespace == "AWS/ApiGateway" {
			dims = map[string]any{"ApiName": "${api.name}", "Stage": "v1"}
		}
		rs = append(rs, res(m.TypeMetricAlarm, a.name, map[string]any{"name": a.name, "namespace": a.namespace, "metricName": a.metric,
			"statistic": a.stat, "period": 60.0, "evaluationPeriods": 5.0, "comparisonOperator": "GreaterThanThreshold", "threshold": 0.0,
			"treatMissingData": "notBreaching", "dimensions": dims, "alarmActions": []any{arnRef("topic")}, "okActions": []any{arnRef("topic")}}))
	}
	for _, s := range []struct{ name, vpc, az, cidr string }{
		{"a-1", "a-vpc", "x-1a", "10.0.0.0/24"}, {"a-2", "a-vpc", "x-1b", "10.0.1.0/24"},
		{"c-1", "c-vpc", "x-1a", "10.1.0.0/24"}, {"c-2", "c-vpc", "x-1b", "10.1.1.0/24"},
	} {
		rs = append(rs, res(m.TypeSubnet, s.name, map[string]any{"vpcId": ref(s.vpc), "availabilityZone": s.az, "cidrBlock": s.cidr, "mapPublicIpOnLaunch": false}))
	}
	for _, proto := range []string{"tcp", "udp"} {
		rs = append(rs,
			res(m.TypeIngressRule, "in-"+proto, map[string]any{"securityGroupId": ref("in-sg"), "ipProtocol": proto, "fromPort": 53.0, "toPort": 53.0,
				"referencedSecurityGroupId": ref("out-sg"), "description": "DNS from outbound"}),
			res(m.TypeEgressRule, "out-"+proto, map[string]any{"securityGroupId": ref("out-sg"), "ipProtocol": proto, "fromPort": 53.0, "toPort": 53.0,
				"referencedSecurityGroupId": ref("in-sg"), "description": "DNS to inbound"}))
	}
	deployment := res(m.TypeDeployment, "dep", map[string]any{"restApi": ref("api"), "triggers": map[string]any{"redeployment": "hash"}})
	deployment.Dependencies = []string{find(rs, "api-policy").URN}
	return append(rs, deployment)
}

func find(rs []m.Resource, name string) *m.Resource {
	for i := range rs {
		if rs[i].Name == name {
			return &rs[i]
		}
	}
	panic("fixture has no resource " + name)
}

// set writes (or with nil, deletes) an input at a dotted path of the named resource.
func set(name, path string, value any) func([]m.Resource) []m.Resource {
	return func(rs []m.Resource) []m.Resource {
		inputs := find(rs, name).Inputs
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := inputs[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				inputs[p] = next
			}
			inputs = next
		}
		if value == nil {
			delete(inputs, parts[len(parts)-1])
		} else {
			inputs[parts[len(parts)-1]] = value
		}
		return rs
	}
}

func without(name string) func([]m.Resource) []m.Resource {
	return func(rs []m.Resource) []m.Resource {
		out := rs[:0]
		for _, r := range rs {
			if r.Name != name {
				out = append(out, r)
			}
		}
		return out
	}
}

func with(r m.Resource) func([]m.Resource) []m.Resource {
	return func(rs []m.Resource) []m.Resource { return append(rs, r) }
}

func engine(rs []m.Resource) *m.Engine { return m.FromResources("fixture", "test", region, rs) }

func TestFixturePassesEveryCheck(t *testing.T) {
	rep := checks.Run(engine(fixture()), checks.All(), nil)
	for _, r := range rep.Results {
		if r.Status() != checks.Pass {
			t.Errorf("%s: %s, findings %+v", r.Check.ID(), r.Status(), r.Findings)
		}
	}
}

func TestEveryCheckCanFail(t *testing.T) {
	cases := []struct {
		id, resource string
		breakIt      func([]m.Resource) []m.Resource
	}{
		{"apigateway_restapi_public", "api", set("api", "endpointConfiguration.types", "REGIONAL")},
		{"apigateway_restapi_public", "api", set("api", "endpointConfiguration.vpcEndpointIds", []any{"vpce-0123"})},
		{"CKV_AWS_59", "get", set("get", "authorization", "NONE")},
		{"CKV2_AWS_53", "get", set("get", "requestValidatorId", nil)},
		{"APIGateway.1", "stage", set("ms", "settings.loggingLevel", "OFF")},
		{"APIGateway.1", "stage", set("ms", "settings.metricsEnabled", false)},
		{"CKV_AWS_76", "stage", set("stage", "accessLogSettings.format", "$context.requestId $context.status")},
		{"CKV_AWS_76", "stage", set("stage", "accessLogSettings.destinationArn", "arn:aws:logs:x-1:1:log-group:elsewhere")},
		{"CKV_AWS_276", "ms", set("ms", "settings.dataTraceEnabled", true)},
		{"APIGateway.3", "stage", set("stage", "xrayTracingEnabled", false)},
		{"apigateway_restapi_no_secrets_in_stage_variables", "stage", set("stage", "variables", map[string]any{"DB_PASSWORD": "hunter2"})},
		{"seed:resource-policy", "api", set("api-policy", "policy", doc(map[string]any{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}))},
		{"seed:resource-policy", "api", without("api-policy")},
		{"seed:resource-policy", "api", set("api-policy", "policy", doc(
			map[string]any{"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": ref("vpce")}}},
			map[string]any{"Sid": "DenyOthers", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
				"Condition": map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + m.Account + ":role/client"}}},
			map[string]any{"Sid": "AllowWholeAPI", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":role/client"},
				"Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:" + region + ":" + m.Account + ":" + ref("api") + "/*"},
		))},
		{"seed:resource-policy", "api", set("api-policy", "policy", doc(
			map[string]any{"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceVpce": ref("vpce")}}},
			map[string]any{"Sid": "Allow", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":role/client"},
				"Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
		))},
		{"Lambda.1", "perm", set("perm", "sourceArn", "arn:aws:execute-api:x-1:"+m.Account+":"+ref("api")+"/*/*/*")},
		{"Lambda.1", "perm", set("perm", "principal", "*")},
		{"Lambda.2", "fn", set("fn", "runtime", "go1.x")},
		{"Lambda.3", "fn", set("fn", "vpcConfig.subnetIds", []any{ref("a-1")})},
		{"Lambda.7", "fn", set("fn", "tracingConfig.mode", "PassThrough")},
		{"CKV_AWS_115", "fn", set("fn", "reservedConcurrentExecutions", nil)},
		{"CKV_AWS_45", "fn", set("fn", "environment.variables.KEY", "AKIAABCDEFGHIJKLMNOP")},
		{"DynamoDB.2", "table", set("table", "pointInTimeRecovery.enabled", false)},
		{"DynamoDB.6", "table", set("table", "deletionProtectionEnabled", false)},
		{"dynamodb_table_cross_account_access", "table", without("table-policy")},
		{"dynamodb_table_cross_account_access", "table", set("table-policy", "policy", doc(
			map[string]any{"Sid": "DenyOneAccount", "Effect": "Deny", "Principal": "*", "Action": []any{"dynamodb:GetItem", "dynamodb:PutItem"},
				"Resource": arnRef("table"), "Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": "999999999999"}}}))},
		{"kms_key_not_publicly_accessible", "key", set("key", "policy", doc(
			map[string]any{"Sid": "RootDoesAll", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":root"}, "Action": "kms:*", "Resource": "*"}))},
		{"kms_key_not_publicly_accessible", "key", set("key", "policy", doc(
			map[string]any{"Sid": "UseDirectly", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"kms:CallerAccount": m.Account}}}))},
		{"DynamoDB.1", "table", set("table", "billingMode", "PROVISIONED")},
		{"CKV_AWS_119", "table", set("table", "serverSideEncryption", nil)},
		{"CKV_AWS_119", "table", set("key", "enableKeyRotation", false)},
		{"EC2.2", "a-vpc", set("a-dsg", "ingress", []any{map[string]any{"protocol": "-1", "self": true}})},
		{"EC2.2", "a-vpc", without("a-dsg")},
		{"EC2.6", "a-vpc", without("a-fl")},
		{"EC2.15", "a-1", set("a-1", "mapPublicIpOnLaunch", true)},
		{"EC2.15", "igw", with(res(m.TypeInternetGateway, "igw", map[string]any{"vpcId": ref("a-vpc")}))},
		{"EC2.13", "ep-sg", set("ep-sg", "ingress", []any{map[string]any{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": []any{"0.0.0.0/0"}, "description": "ssh"}})},
		{"AWS-0104", "out-tcp", set("out-tcp", "cidrIpv4", "0.0.0.0/0")},
		{"CKV_AWS_23", "in-tcp", set("in-tcp", "description", "")},
		{"CKV_AWS_23", "fn-sg", set("fn-sg", "description", nil)},
		{"CKV2_AWS_5", "orphan-sg", with(res(m.TypeSecurityGroup, "orphan-sg", map[string]any{"description": "nobody uses me"}))},
		{"vpc_endpoint_connections_trust_boundaries", "vpce", set("vpce", "policy", doc(map[string]any{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:x-1:" + m.Account + ":*"}))},
		{"vpc_endpoint_connections_trust_boundaries", "vpce", set("vpce", "policy", nil)},
		// The policy as a resource of its own is judged the same way.
		{"vpc_endpoint_connections_trust_boundaries", "vpce", func(rs []m.Resource) []m.Resource {
			rs = set("vpce", "policy", nil)(rs)
			return with(res(m.TypeVpcEndpointPolicy, "vpce-policy", map[string]any{"vpcEndpointId": ref("vpce"), "policy": doc(
				map[string]any{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"})}))(rs)
		}},
		{"vpc_endpoint_multi_az_enabled", "vpce", set("vpce", "subnetIds", []any{ref("a-1")})},
		{"vpc_peering_routing_tables_with_least_privilege", "to-c", set("to-c", "destinationCidrBlock", "0.0.0.0/0")},
		{"vpc_peering_routing_tables_with_least_privilege", "to-c", set("to-c", "destinationCidrBlock", "10.0.0.0/8")},
		{"CKV_AWS_66", "access", set("access", "retentionInDays", nil)},
		{"CKV_AWS_338", "access", set("access", "retentionInDays", 30.0)},
		{"CKV_AWS_158", "access", set("access", "kmsKeyId", nil)},
		{"IAM.1", "fn-policy", set("fn-policy", "policy", doc(map[string]any{"Effect": "Allow", "Action": "dynamodb:*", "Resource": arnRef("table")}))},
		{"IAM.1", "fn-policy", set("fn-policy", "policy", doc(map[string]any{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}))},
		{"IAM.1", "fn-logs", set("fn-logs", "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess")},
		{"CKV_AWS_60", "fn-role", set("fn-role", "assumeRolePolicy", doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + m.Account + ":root"}, "Action": "sts:AssumeRole"}))},
		{"iam_role_cross_service_confused_deputy_prevention", "fn-role", set("fn-role", "assumeRolePolicy", doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}))},
		{"project:resolver-sg-dns-only", "inbound", without("in-udp")},
		{"project:resolver-sg-dns-only", "inbound", set("in-tcp", "toPort", 65535.0)},
		{"project:resolver-sg-dns-only", "outbound", set("out-tcp", "referencedSecurityGroupId", ref("ep-sg"))},
		{"aws-docs:resolver-rule-loop", "assoc", set("assoc", "vpcId", ref("a-vpc"))},
		{"design:failure-3", "rule", set("rule", "domainName", "execute-api."+region+".amazonaws.com")},
		{"design:failure-3", "zone", set("zone", "name", "execute-api."+region+".amazonaws.com")},
		{"design:failure-1", "dep", set("dep", "triggers", nil)},
		{"design:failure-1", "dep", func(rs []m.Resource) []m.Resource { find(rs, "dep").Dependencies = nil; return rs }},
		{"design:failure-7", "fn", set("fn", "replaceSecurityGroupsOnDestroy", false)},
		{"design:failure-8", "fn", set("fn", "timeout", 60.0)},
		{"aws-api:value-constraints", "ep-sg", set("ep-sg", "description", "the API VPC's endpoint")},
		{"aws-api:value-constraints", "fn-errors", set("fn-errors", "period", 90.0)},
		{"project:function-alarms", "fn", without("fn-throttles")},
		{"project:function-alarms", "fn", set("fn-errors", "dimensions.FunctionName", "another-function")},
		{"project:function-alarms", "fn", set("fn-errors", "namespace", "AWS/ApiGateway")},
		{"project:api-5xx-alarm", "api", without("api-5xx")},
		{"project:api-5xx-alarm", "api", set("api-5xx", "dimensions.Stage", "prod")},
		{"project:api-5xx-alarm", "api", set("api-5xx", "dimensions.ApiName", "another-api")},
		{"project:alarm-actions", "fn-errors", set("fn-errors", "alarmActions", nil)},
		{"project:alarm-actions", "fn-errors", set("fn-errors", "actionsEnabled", false)},
		{"project:alarm-actions", "fn-errors", set("fn-errors", "alarmActions", []any{"arn:aws:sns:x-1:999999999999:elsewhere"})},
		{"CKV_AWS_26", "topic", set("topic", "kmsMasterKeyId", nil)},
		{"CKV_AWS_26", "topic", set("topic", "kmsMasterKeyId", "alias/aws/sns")},
		{"sns_topics_not_publicly_accessible", "topic", set("topic-policy", "policy", doc(
			map[string]any{"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": arnRef("topic")}))},
		{"sns_topics_not_publicly_accessible", "topic", set("topic-policy", "policy", doc(
			map[string]any{"Sid": "AnyAccountsAlarms", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": arnRef("topic")}))},
		{"sns_topics_not_publicly_accessible", "topic", set("topic-policy", "policy", doc(
			map[string]any{"Sid": "OtherAccount", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sns:Publish", "Resource": arnRef("topic")}))},
		{"kms_key_not_publicly_accessible", "key", set("key", "policy", doc(
			map[string]any{"Sid": "CloudWatchAnyTopic", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}, "Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*"}))},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		check := byID(t, c.id)
		covered[check.ID()] = true
		t.Run(c.id+"/"+c.resource, func(t *testing.T) {
			rep := checks.Run(engine(c.breakIt(fixture())), []checks.Check{check}, nil)
			for _, f := range rep.Results[0].Findings {
				if f.Resource == c.resource && f.Status == checks.Fail {
					return
				}
			}
			t.Errorf("no failure on %s; findings %+v", c.resource, rep.Results[0].Findings)
		})
	}
	for _, c := range checks.All() {
		if !covered[c.ID()] {
			t.Errorf("check %s has no failing case", c.ID())
		}
	}
}

func byID(t *testing.T, id string) checks.Check {
	t.Helper()
	for _, c := range checks.All() {
		for _, x := range c.IDs {
			if x == id {
				return c
			}
		}
	}
	t.Fatalf("no check has ID %s", id)
	return checks.Check{}
}

func TestWaiverTurnsAFailureIntoWaivedOnlyInItsScope(t *testing.T) {
	broken := engine(set("table", "deletionProtectionEnabled", false)(fixture()))
	check := byID(t, "DynamoDB.6")
	for _, tc := range []struct {
		name   string
		waiver checks.Waiver
		want   checks.Status
	}{
		{"matching", checks.Waiver{CheckID: "DynamoDB.6", Resource: "tab*", Reason: "fixture"}, checks.Waived},
		{"other_resource", checks.Waiver{CheckID: "DynamoDB.6", Resource: "other", Reason: "fixture"}, checks.Fail},
		{"other_check", checks.Waiver{CheckID: "DynamoDB.2", Reason: "fixture"}, checks.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checks.Run(broken, []checks.Check{check}, []checks.Waiver{tc.waiver})
			f := rep.Results[0].Findings[0]
			if f.Status != tc.want {
				t.Fatalf("status %s, want %s", f.Status, tc.want)
			}
			if tc.want == checks.Waived && (f.Waiver == nil || f.Waiver.Reason != "fixture" || rep.Waivers[0].Covered != 1) {
				t.Errorf("waived finding must carry its waiver and be counted: %+v, %+v", f, rep.Waivers)
			}
		})
	}
}

func TestAbsentSubjectsAreNotApplicable(t *testing.T) {
	rep := checks.Run(engine(nil), checks.All(), nil)
	for _, r := range rep.Results {
		if r.Status() != checks.NotApplicable {
			t.Errorf("%s on an empty stack: %s, want n/a", r.Check.ID(), r.Status())
		}
	}
}

// TestEveryCheckHasAFix: code scanning shows the fix next to each finding, so none may be blank,
// and a fix must not outlive its check.
func TestEveryCheckHasAFix(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range checks.All() {
		ids[c.ID()] = true
		if c.Fix() == "" {
			t.Errorf("check %s has no fix in fixes.go", c.ID())
		}
	}
	for id := range checks.FixIDs() {
		if !ids[id] {
			t.Errorf("fixes.go has a fix for %s, which is no check's first ID", id)
		}
	}
}
