package checks

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/example/private-api/internal/mockengine"
)

// This file holds the check that every value the stack sends to AWS meets the constraint AWS's API
// reference documents for it: lengths, allowed characters, enumerations and numeric ranges. Mocks
// and the offline plan accept any string, so without it a value AWS refuses (an apostrophe in a
// security group description, a `.` in a Lambda function name) passes every test and fails at
// `pulumi up`. The catalogue is keyed by type token and covers every resource type the stack can
// register: a resource of a type the catalogue does not know fails, so a new type is considered
// before it ships.

// AWS API reference pages, one per constraint source.
const (
	docEC2CreateSecurityGroup = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
	docEC2IpRange             = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html"
	docEC2IpPermission        = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html"
	docEC2SecurityGroupRule   = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRuleRequest.html"
	docEC2Tag                 = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html"
	docVPCCidrBlocks          = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"
	docEC2CreateVpcEndpoint   = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html"
	docPrivateLinkQuotas      = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html"
	docEC2CreateFlowLogs      = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html"
	docEC2MetadataOptions     = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsRequest.html"
	docEC2EbsBlockDevice      = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html"
	docLambdaCreateFunction   = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
	docLambdaTracingConfig    = "https://docs.aws.amazon.com/lambda/latest/api/API_TracingConfig.html"
	docLambdaLoggingConfig    = "https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html"
	docLambdaConcurrency      = "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html"
	docLambdaAddPermission    = "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html"
	docLambdaEnvironment      = "https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html"
	docLambdaCreateAlias      = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html"
	docLambdaAliasRouting     = "https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html"
	docIAMCreateRole          = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
	docIAMPutRolePolicy       = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"
	docIAMAttachRolePolicy    = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html"
	docIAMCreateProfile       = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html"
	docIAMCreateUser          = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html"
	docIAMCreatePolicy        = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"
	docIAMUpdateAccessKey     = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html"
	docIAMQuotas              = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
	docIAMTag                 = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html"
	docLogsCreateLogGroup     = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
	docLogsPutRetention       = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"
	docAPIGWCreateStage       = "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"
	docAPIGWPutMethod         = "https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html"
	docAPIGWPutIntegration    = "https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html"
	docAPIGWEndpointConfig    = "https://docs.aws.amazon.com/apigateway/latest/api/API_EndpointConfiguration.html"
	docAPIGWMethodSetting     = "https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html"
	docAPIGWQuotas            = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html"
	docDynamoDBCreateTable    = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html"
	docDynamoDBAttribute      = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeDefinition.html"
	docDynamoDBTTL            = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TimeToLiveSpecification.html"
	docDynamoDBQuotas         = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
	docDynamoDBPutPolicy      = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html"
	docKMSCreateKey           = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"
	docKMSScheduleDeletion    = "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html"
	docResolverEndpoint       = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_CreateResolverEndpoint.html"
	docResolverRule           = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_CreateResolverRule.html"
	docResolverTargetAddress  = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_TargetAddress.html"
	docResolverAssociate      = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_AssociateResolverRule.html"
	docRoute53CreateZone      = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html"
	docRoute53RecordSet       = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html"
	docCWPutMetricAlarm       = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
	docCWMetricDataQuery      = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html"
	docCWMetric               = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Metric.html"
	docCWDimension            = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html"
	docCWPutDashboard         = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html"
	docSNSCreateTopic         = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
	docSNSSubscribe           = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"
	docSNSPolicyQuotas        = "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html"
	docSTSAssumeRole          = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
	docAccountID              = "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html"
)

// Character sets AWS documents, as whole-value patterns.
var (
	// a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$* (CreateSecurityGroup, IpRange).
	ec2Text = regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$`)
	// IAM names: upper and lowercase alphanumerics and _+=,.@- (CreateRole).
	iamName = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// IAM descriptions: tab, LF, CR, printable ASCII and Latin-1 (CreateRole).
	iamText = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`)
	// Lambda function names without an ARN (CreateFunction).
	lambdaName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	// Log group names (CreateLogGroup).
	logGroupName = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	// Stage names: alphanumerics, hyphens and underscores (CreateStage).
	stageName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	// DynamoDB table names (CreateTable).
	tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	// Tag keys and values as IAM, CloudWatch Logs, DynamoDB, Lambda and API Gateway accept them:
	// Unicode letters, digits, white space and _.:/=+-@ (IAM Tag). EC2 accepts more; this is the
	// set every service of the stack accepts.
	tagText = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	// Lambda environment variable names (Environment).
	envName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)
	// Lambda AddPermission fields.
	lambdaAction = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	noSpace      = regexp.MustCompile(`^[^\s]+$`)
	twelveDigits = regexp.MustCompile(`^\d{12}$`)
	statementID  = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	qualifier    = regexp.MustCompile(`^[a-zA-Z0-9$_-]+$`)
	// Lambda alias names: (?!^[0-9]+$)([a-zA-Z0-9-_]+), that is at least one character that is not
	// a digit (RE2 has no look-ahead); versions: (\$LATEST|[0-9]+) (CreateAlias).
	aliasName       = regexp.MustCompile(`^[0-9]*[a-zA-Z_-][a-zA-Z0-9_-]*$`)
	functionVersion = regexp.MustCompile(`^(\$LATEST|[0-9]+)$`)
	versionNumber   = regexp.MustCompile(`^[0-9]+$`)
	resolverNames   = regexp.MustCompile(`^[a-zA-Z0-9\-_ ]*$`)
	// CloudWatch alarm names: UTF-8 without ASCII control characters (PutMetricAlarm).
	alarmName = regexp.MustCompile(`^[^\x00-\x1f\x7f]+$`)
	// Metric namespaces may not start with a colon (Metric).
	metricNamespace = regexp.MustCompile(`^[^:]`)
	// Metric-math ids: a lowercase letter, then letters, digits and _ (MetricDataQuery).
	metricQueryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	// Percentiles and trimmed statistics such as p99 or tm90 (PutMetricAlarm, ExtendedStatistic).
	extendedStatistic = regexp.MustCompile(`^(p|tm|tc|ts|wm)(100|[0-9]{1,2}(\.[0-9]+)?)$`)
	// Topic names: A-Z, a-z, 0-9, - and _ (CreateTopic; a FIFO topic's .fifo suffix is not used).
	topicName = lambdaName
)

// valueRule is one documented constraint on one input.
type valueRule struct {
	// path is the dotted input path; a segment ending in [] steps into every element of a list.
	path string
	// doc is the API reference page that documents the constraint; what says it in a few words.
	doc, what string
	// text constraints: length in characters (maxLen 0: none), a whole-value pattern, an
	// enumeration and a forbidden prefix.
	minLen, maxLen int
	pattern        *regexp.Regexp
	enum           []string
	notPrefix      string
	// cidr asks for an IPv4 CIDR whose prefix length lies in [minBits, maxBits].
	cidr             bool
	minBits, maxBits int
	// number constraints: a closed range, or an enumeration; with step, the enumeration or any
	// positive multiple of step.
	number   bool
	min, max float64
	numEnum  []float64
	step     float64
}

func text(path, doc, what string, minLen, maxLen int, pattern *regexp.Regexp) valueRule {
	return valueRule{path: path, doc: doc, what: what, minLen: minLen, maxLen: maxLen, pattern: pattern}
}

func oneOf(path, doc string, values ...string) valueRule {
	return valueRule{path: path, doc: doc, what: "one of " + strings.Join(values, ", "), enum: values}
}

func between(path, doc string, min, max float64) valueRule {
	return valueRule{path: path, doc: doc, what: fmt.Sprintf("a number from %g to %g", min, max), number: true, min: min, max: max}
}

// unlimited words a non-negative setting where the provider reads -1 as "leave it unset".
func unlimited(r valueRule) valueRule {
	r.what = "0 or more (-1 leaves it unset)"
	return r
}

func numOneOf(path, doc string, values ...float64) valueRule {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return valueRule{path: path, doc: doc, what: "one of " + strings.Join(s, ", "), number: true, numEnum: values}
}

// alarmPeriod is a CloudWatch period: 10, 20, 30 or any multiple of 60 seconds (PutMetricAlarm, Period).
func alarmPeriod(path string) valueRule {
	return valueRule{path: path, doc: docCWPutMetricAlarm, what: "10, 20, 30 or a multiple of 60 seconds", number: true, numEnum: []float64{10, 20, 30}, step: 60}
}

// metricRules are the constraints of a metric's namespace and name at prefix (Metric).
func metricRules(prefix string) []valueRule {
	return []valueRule{
		text(prefix+"namespace", docCWMetric, "a namespace of 1 to 255 characters, not starting with :", 1, 255, metricNamespace),
		text(prefix+"metricName", docCWMetric, "a metric name of 1 to 255 characters", 1, 255, nil),
	}
}

func cidrBetween(path, doc string, minBits, maxBits int) valueRule {
	return valueRule{path: path, doc: doc, what: fmt.Sprintf("an IPv4 CIDR from /%d to /%d", minBits, maxBits), cidr: true, minBits: minBits, maxBits: maxBits}
}

const ec2TextWhat = "up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"

// sgRules are the constraints of a security group's inline rules (ingress and egress alike).
func sgRules(list string) []valueRule {
	return []valueRule{
		text(list+"[].description", docEC2IpRange, ec2TextWhat, 0, 255, ec2Text),
		between(list+"[].fromPort", docEC2IpPermission, -1, 65535),
		between(list+"[].toPort", docEC2IpPermission, -1, 65535),
		oneOf(list+"[].protocol", docEC2IpPermission, "tcp", "udp", "icmp", "icmpv6", "-1", "all", "6", "17", "1", "58"),
	}
}

// standaloneRuleRules are the constraints of one security group rule resource.
func standaloneRuleRules(protocolKey string) []valueRule {
	return []valueRule{
		text("description", docEC2SecurityGroupRule, ec2TextWhat, 0, 255, ec2Text),
		between("fromPort", docEC2SecurityGroupRule, -1, 65535),
		between("toPort", docEC2SecurityGroupRule, -1, 65535),
		oneOf(protocolKey, docEC2SecurityGroupRule, "tcp", "udp", "icmp", "icmpv6", "-1", "all", "6", "17", "1", "58"),
	}
}

// iamPolicyLength is an IAM policy size quota; IAM does not count white space, and the stack
// renders policies without any, so the length of the rendered text is what IAM counts.
func iamPolicyLength(path, what string, max int) valueRule {
	return text(path, docIAMQuotas, fmt.Sprintf("%s: at most %d characters", what, max), 0, max, nil)
}

// valueRules is the catalogue: for every type token the stack can register, the documented
// constraints on its inputs. Tags are checked on every type by tagRules. A type with no entry
// here fails the check; an empty entry means only its tags are constrained text.
var valueRules = map[string][]valueRule{
	mockengine.TypeVpc: {cidrBetween("cidrBlock", docVPCCidrBlocks, 16, 28)},
	mockengine.TypeSubnet: {
		cidrBetween("cidrBlock", docVPCCidrBlocks, 16, 28),
	},
	// An explicit provider sends no value to AWS but the role it assumes (STS AssumeRole: RoleArn
	// of 20 to 2,048 characters) and the account ids it allows (12 digits each).
	mockengine.TypeProvider: {
		text("assumeRole.roleArn", docSTSAssumeRole, "a role ARN of 20 to 2,048 characters", 20, 2048, nil),
		text("allowedAccountIds[]", docAccountID, "a 12-digit account id", 12, 12, twelveDigits),
	},
	mockengine.TypeRouteTable:      {},
	mockengine.TypeRouteTableAssoc: {},
	mockengine.TypeRoute:           {cidrBetween("destinationCidrBlock", docVPCCidrBlocks, 0, 32)},
	mockengine.TypeDefaultSG:       append(sgRules("ingress"), sgRules("egress")...),
	mockengine.TypeSecurityGroup: append(append([]valueRule{
		text("description", docEC2CreateSecurityGroup, ec2TextWhat, 0, 255, ec2Text),
		text("name", docEC2CreateSecurityGroup, ec2TextWhat, 0, 255, ec2Text),
		{path: "name", doc: docEC2CreateSecurityGroup, what: "a name that does not start with sg-", notPrefix: "sg-"},
	}, sgRules("ingress")...), sgRules("egress")...),
	mockengine.TypeSecurityGroupRule: append(standaloneRuleRules("protocol"), oneOf("type", docEC2SecurityGroupRule, "ingress", "egress")),
	mockengine.TypeIngressRule:       standaloneRuleRules("ipProtocol"),
	mockengine.TypeEgressRule:        standaloneRuleRules("ipProtocol"),
	mockengine.TypeVpcEndpoint: {
		oneOf("vpcEndpointType", docEC2CreateVpcEndpoint, "Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"),
		text("policy", docPrivateLinkQuotas, "an endpoint policy of at most 20,480 characters", 0, 20480, nil),
	},
	mockengine.TypeVpcEndpointPolicy: {
		text("policy", docPrivateLinkQuotas, "an endpoint policy of at most 20,480 characters", 0, 20480, nil),
	},
	mockengine.TypePeering:           {},
	mockengine.TypeInternetGateway:   {},
	mockengine.TypeEgressOnlyGateway: {},
	mockengine.TypeNatGateway:        {},
	mockengine.TypeFlowLog: {
		oneOf("trafficType", docEC2CreateFlowLogs, "ACCEPT", "REJECT", "ALL"),
		oneOf("logDestinationType", docEC2CreateFlowLogs, "cloud-watch-logs", "s3", "kinesis-data-firehose"),
		numOneOf("maxAggregationInterval", docEC2CreateFlowLogs, 60, 600),
	},
	mockengine.TypeInstance: {
		oneOf("metadataOptions.httpTokens", docEC2MetadataOptions, "optional", "required"),
		oneOf("metadataOptions.httpEndpoint", docEC2MetadataOptions, "disabled", "enabled"),
		between("metadataOptions.httpPutResponseHopLimit", docEC2MetadataOptions, 1, 64),
		oneOf("rootBlockDevice.volumeType", docEC2EbsBlockDevice, "standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"),
	},
	mockengine.TypeFunction: {
		text("name", docLambdaCreateFunction, "a function name of 1 to 64 of A-Z, a-z, 0-9, _ and -", 1, 64, lambdaName),
		text("description", docLambdaCreateFunction, "a description of at most 256 characters", 0, 256, nil),
		text("handler", docLambdaCreateFunction, "a handler of at most 128 characters without white space", 0, 128, noSpace),
		between("memorySize", docLambdaCreateFunction, 128, 10240),
		between("timeout", docLambdaCreateFunction, 1, 900),
		oneOf("architectures[]", docLambdaCreateFunction, "x86_64", "arm64"),
		oneOf("runtime", docLambdaCreateFunction, "provided.al2023", "provided.al2", "nodejs22.x", "nodejs20.x",
			"python3.13", "python3.12", "python3.11", "java21", "java17", "dotnet8", "ruby3.3"),
		unlimited(between("reservedConcurrentExecutions", docLambdaConcurrency, -1, 1e9)),
		oneOf("tracingConfig.mode", docLambdaTracingConfig, "Active", "PassThrough"),
		oneOf("loggingConfig.logFormat", docLambdaLoggingConfig, "JSON", "Text"),
		text("loggingConfig.logGroup", docLambdaLoggingConfig, "a log group name of 1 to 512 of a-z, A-Z, 0-9 and ._-/#", 1, 512, logGroupName),
	},
	mockengine.TypePermission: {
		text("action", docLambdaAddPermission, "lambda:<Action>, lambda:* or *", 0, 0, lambdaAction),
		text("principal", docLambdaAddPermission, "a principal without white space", 1, 0, noSpace),
		text("sourceAccount", docLambdaAddPermission, "a 12-digit account id", 0, 12, twelveDigits),
		text("statementId", docLambdaAddPermission, "a statement id of 1 to 100 of A-Z, a-z, 0-9, _ and -", 1, 100, statementID),
		text("qualifier", docLambdaAddPermission, "a version or alias of 1 to 128 of A-Z, a-z, 0-9, $, _ and -", 1, 128, qualifier),
	},
	// The routing weights are map entries, judged by aliasWeightRules.
	mockengine.TypeAlias: {
		text("name", docLambdaCreateAlias, "an alias name of 1 to 128 of A-Z, a-z, 0-9, _ and -, not only digits", 1, 128, aliasName),
		text("functionName", docLambdaCreateAlias, "a function name or ARN of 1 to 140 characters", 1, 140, nil),
		text("functionVersion", docLambdaCreateAlias, "$LATEST or a version number, of 1 to 1,024 characters", 1, 1024, functionVersion),
		text("description", docLambdaCreateAlias, "a description of at most 256 characters", 0, 256, nil),
	},
	mockengine.TypeRole: {
		text("name", docIAMCreateRole, "a role name of 1 to 64 of A-Z, a-z, 0-9 and _+=,.@-", 1, 64, iamName),
		text("description", docIAMCreateRole, "a description of at most 1,000 printable Latin-1 characters", 0, 1000, iamText),
		between("maxSessionDuration", docIAMCreateRole, 3600, 43200),
		iamPolicyLength("assumeRolePolicy", "a role trust policy", 2048),
	},
	// Per role the inline policies together may hold 10,240 characters; the stack attaches one
	// inline policy per role, so one policy's length is the aggregate.
	mockengine.TypeRolePolicy: {
		text("name", docIAMPutRolePolicy, "a policy name of 1 to 128 of A-Z, a-z, 0-9 and _+=,.@-", 1, 128, iamName),
		iamPolicyLength("policy", "a role's inline policies", 10240),
	},
	mockengine.TypeRolePolicyAttachment: {text("policyArn", docIAMAttachRolePolicy, "an ARN of 20 to 2,048 characters", 20, 2048, nil)},
	mockengine.TypeInstanceProfile: {
		text("name", docIAMCreateProfile, "a profile name of 1 to 128 of A-Z, a-z, 0-9 and _+=,.@-", 1, 128, iamName),
	},
	mockengine.TypeUser: {
		text("name", docIAMCreateUser, "a user name of 1 to 64 of A-Z, a-z, 0-9 and _+=,.@-", 1, 64, iamName),
	},
	mockengine.TypeUserPolicy: {
		text("name", docIAMPutRolePolicy, "a policy name of 1 to 128 of A-Z, a-z, 0-9 and _+=,.@-", 1, 128, iamName),
		iamPolicyLength("policy", "a user's inline policies", 2048),
	},
	mockengine.TypeUserPolicyAttachment: {text("policyArn", docIAMAttachRolePolicy, "an ARN of 20 to 2,048 characters", 20, 2048, nil)},
	mockengine.TypeGroupPolicy:          {iamPolicyLength("policy", "a group's inline policies", 5120)},
	mockengine.TypePolicy: {
		text("name", docIAMCreatePolicy, "a policy name of 1 to 128 of A-Z, a-z, 0-9 and _+=,.@-", 1, 128, iamName),
		text("description", docIAMCreatePolicy, "a description of at most 1,000 printable Latin-1 characters", 0, 1000, iamText),
		iamPolicyLength("policy", "a managed policy", 6144),
	},
	mockengine.TypePolicyAttachment: {text("policyArn", docIAMAttachRolePolicy, "an ARN of 20 to 2,048 characters", 20, 2048, nil)},
	mockengine.TypeAccessKey:        {oneOf("status", docIAMUpdateAccessKey, "Active", "Inactive", "Expired")},
	mockengine.TypeLogGroup: {
		text("name", docLogsCreateLogGroup, "a log group name of 1 to 512 of a-z, A-Z, 0-9 and ._-/#", 1, 512, logGroupName),
		numOneOf("retentionInDays", docLogsPutRetention, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653),
	},
	mockengine.TypeRestAPI: {
		oneOf("endpointConfiguration.types", docAPIGWEndpointConfig, "REGIONAL", "EDGE", "PRIVATE"),
	},
	mockengine.TypeRestAPIPolicy: {text("policy", docAPIGWQuotas, "a resource policy of at most 8,192 characters", 0, 8192, nil)},
	mockengine.TypeAPIResource:   {},
	mockengine.TypeMethod: {
		oneOf("httpMethod", docAPIGWPutMethod, "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"),
		oneOf("authorization", docAPIGWPutMethod, "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"),
	},
	mockengine.TypeIntegration: {
		oneOf("type", docAPIGWPutIntegration, "HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"),
		between("timeoutMilliseconds", docAPIGWQuotas, 50, 29000),
	},
	mockengine.TypeRequestValidator: {},
	mockengine.TypeDeployment:       {},
	mockengine.TypeStage: {
		text("stageName", docAPIGWCreateStage, "a stage name of 1 to 128 of alphanumerics, - and _", 1, 128, stageName),
	},
	mockengine.TypeMethodSettings: {
		text("stageName", docAPIGWCreateStage, "a stage name of 1 to 128 of alphanumerics, - and _", 1, 128, stageName),
		oneOf("settings.loggingLevel", docAPIGWMethodSetting, "OFF", "ERROR", "INFO"),
		unlimited(between("settings.throttlingBurstLimit", docAPIGWMethodSetting, -1, 1e9)),
		unlimited(between("settings.throttlingRateLimit", docAPIGWMethodSetting, -1, 1e9)),
	},
	mockengine.TypeAPIAccount: {},
	mockengine.TypeTable: {
		text("name", docDynamoDBCreateTable, "a table name of 3 to 255 of a-z, A-Z, 0-9, _, - and .", 3, 255, tableName),
		oneOf("billingMode", docDynamoDBCreateTable, "PROVISIONED", "PAY_PER_REQUEST"),
		text("attributes[].name", docDynamoDBAttribute, "an attribute name of 1 to 255 characters", 1, 255, nil),
		oneOf("attributes[].type", docDynamoDBAttribute, "S", "N", "B"),
		text("ttl.attributeName", docDynamoDBTTL, "an attribute name of 1 to 255 characters", 1, 255, nil),
	},
	mockengine.TypeDynamoDBResourcePolicy: {
		text("policy", docDynamoDBPutPolicy, "a resource policy of at most 20 KB", 1, 20*1024, nil),
	},
	// An item's JSON text is longer than its stored size, so 400 KB of text is a safe bound.
	mockengine.TypeTableItem: {text("item", docDynamoDBQuotas, "an item of at most 400 KB", 0, 400*1024, nil)},
	mockengine.TypeMetricAlarm: append(append([]valueRule{
		text("name", docCWPutMetricAlarm, "an alarm name of 1 to 255 characters, no control characters", 1, 255, alarmName),
		text("alarmDescription", docCWPutMetricAlarm, "a description of at most 1,024 characters", 0, 1024, nil),
		oneOf("comparisonOperator", docCWPutMetricAlarm, "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
			"LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"),
		between("evaluationPeriods", docCWPutMetricAlarm, 1, 1e9),
		between("datapointsToAlarm", docCWPutMetricAlarm, 1, 1e9),
		alarmPeriod("period"),
		oneOf("statistic", docCWPutMetricAlarm, "SampleCount", "Average", "Sum", "Minimum", "Maximum"),
		text("extendedStatistic", docCWPutMetricAlarm, "a percentile or trimmed statistic such as p99 or tm90", 0, 0, extendedStatistic),
		oneOf("treatMissingData", docCWPutMetricAlarm, "breaching", "notBreaching", "ignore", "missing"),
		oneOf("evaluateLowSampleCountPercentiles", docCWPutMetricAlarm, "evaluate", "ignore"),
		text("metricQueries[].id", docCWMetricDataQuery, "an id of 1 to 255 letters, digits and _, starting with a lowercase letter", 1, 255, metricQueryID),
		text("metricQueries[].expression", docCWMetricDataQuery, "an expression of 1 to 2,048 characters", 1, 2048, nil),
		alarmPeriod("metricQueries[].metric.period"),
	}, metricRules("")...), metricRules("metricQueries[].metric.")...),
	mockengine.TypeDashboard: {
		text("dashboardName", docCWPutDashboard, "a dashboard name of 1 to 255 of A-Z, a-z, 0-9, - and _", 1, 255, lambdaName),
		text("dashboardBody", docCWPutDashboard, "a dashboard body (JSON)", 1, 0, nil),
	},
	mockengine.TypeSNSTopic: {
		text("name", docSNSCreateTopic, "a topic name of 1 to 256 of A-Z, a-z, 0-9, - and _", 1, 256, topicName),
		text("displayName", docSNSCreateTopic, "a display name of at most 100 characters", 0, 100, nil),
		text("policy", docSNSPolicyQuotas, "a topic policy of at most 30 KB", 0, 30*1024, nil),
	},
	mockengine.TypeSNSTopicPolicy: {text("policy", docSNSPolicyQuotas, "a topic policy of at most 30 KB", 1, 30*1024, nil)},
	mockengine.TypeSNSSubscription: {
		oneOf("protocol", docSNSSubscribe, "http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"),
	},
	mockengine.TypeKMSKey: {
		text("description", docKMSCreateKey, "a description of at most 8,192 characters", 0, 8192, nil),
		oneOf("keyUsage", docKMSCreateKey, "SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"),
		text("policy", docKMSCreateKey, "a key policy of at most 32,768 characters", 0, 32768, nil),
		between("deletionWindowInDays", docKMSScheduleDeletion, 7, 30),
	},
	mockengine.TypeResolverEndpoint: {
		oneOf("direction", docResolverEndpoint, "INBOUND", "OUTBOUND", "INBOUND_DELEGATION"),
		text("name", docResolverEndpoint, "a name of at most 64 of letters, digits, -, _ and spaces", 0, 64, resolverNames),
		oneOf("protocols[]", docResolverEndpoint, "DoH", "Do53", "DoH-FIPS"),
	},
	mockengine.TypeResolverRule: {
		text("domainName", docResolverRule, "a domain name of 1 to 256 characters", 1, 256, nil),
		oneOf("ruleType", docResolverRule, "FORWARD", "SYSTEM", "RECURSIVE", "DELEGATE"),
		text("name", docResolverRule, "a name of at most 64 of letters, digits, -, _ and spaces", 0, 64, resolverNames),
		between("targetIps[].port", docResolverTargetAddress, 0, 65535),
		oneOf("targetIps[].protocol", docResolverTargetAddress, "DoH", "Do53", "DoH-FIPS"),
	},
	mockengine.TypeResolverRuleAssoc: {
		text("name", docResolverAssociate, "a name of at most 64 of letters, digits, -, _ and spaces", 0, 64, resolverNames),
	},
	mockengine.TypeZone: {
		text("name", docRoute53CreateZone, "a domain name of at most 1,024 characters", 1, 1024, nil),
		text("comment", docRoute53CreateZone, "a comment of at most 256 characters", 0, 256, nil),
	},
	mockengine.TypeRecord: {
		text("name", docRoute53RecordSet, "a domain name of at most 1,024 characters", 1, 1024, nil),
		oneOf("type", docRoute53RecordSet, "SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"),
	},
}

// tagRules constrain every tag of every resource. The key length is EC2's 127 characters, the
// shortest of the stack's services (IAM and the others allow 128).
var tagRules = []valueRule{
	text("tags.<key>", docEC2Tag, "a tag key of 1 to 127 Unicode letters, digits, spaces and _.:/=+-@", 1, 127, tagText),
	{path: "tags.<key>", doc: docEC2Tag, what: "a tag key that does not start with aws:", notPrefix: "aws:"},
	text("tags.<value>", docIAMTag, "a tag value of at most 256 Unicode letters, digits, spaces and _.:/=+-@", 0, 256, tagText),
}

// aliasWeightRules constrain an alias's additional version weights: each key a version number of 1
// to 1,024 digits, each weight from 0.0 to 1.0 (AliasRoutingConfiguration).
var aliasWeightRules = []valueRule{
	text("", docLambdaAliasRouting, "a version number of 1 to 1,024 digits", 1, 1024, versionNumber),
	between("", docLambdaAliasRouting, 0, 1),
}

// envRule constrains the names of Lambda environment variables (map keys, not values).
var envRule = text("environment.variables.<key>", docLambdaEnvironment, "a variable name: a letter, then letters, digits and _", 2, 0, envName)

// dimensionRules constrain a metric's dimension names (map keys) and values (Dimension).
var dimensionRules = []valueRule{
	text("dimensions.<key>", docCWDimension, "a dimension name of 1 to 255 characters, not starting with :", 1, 255, metricNamespace),
	text("dimensions.<value>", docCWDimension, "a dimension value of 1 to 1,024 characters", 1, 1024, nil),
}

// placeholderRef matches a value the mock engine stands in for until AWS computes it.
var placeholderRef = regexp.MustCompile(`\$\{[^}]*\}`)

// concrete replaces placeholders with values shaped like the real ones, so the literal text around
// them is judged: the account id by 12 digits, any other id by 10 alphanumerics, the length of an
// API Gateway id (the longest id the stack embeds in a constrained value).
func concrete(s string) string {
	return placeholderRef.ReplaceAllStringFunc(s, func(p string) string {
		if p == mockengine.Account {
			return "123456789012"
		}
		return "a1b2c3d4e5"
	})
}

// at returns the values found at a rule's path: several for paths through lists.
func at(v any, path string) []any {
	if path == "" {
		return []any{v}
	}
	head, rest, _ := strings.Cut(path, ".")
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if key, ok := strings.CutSuffix(head, "[]"); ok {
		var out []any
		for _, e := range asList(obj[key]) {
			out = append(out, at(e, rest)...)
		}
		return out
	}
	next, ok := obj[head]
	if !ok || next == nil {
		return nil
	}
	return at(next, rest)
}

// judge returns why v breaks the rule, or "" when it meets it (or is not known before deploy).
func (rule valueRule) judge(v any) string {
	if rule.number {
		n, ok := v.(float64)
		if !ok {
			return ""
		}
		if rule.step > 0 {
			if !slices.Contains(rule.numEnum, n) && (n < rule.step || math.Mod(n, rule.step) != 0) {
				return fmt.Sprintf("%g", n)
			}
			return ""
		}
		if rule.numEnum != nil && !slices.Contains(rule.numEnum, n) {
			return fmt.Sprintf("%g", n)
		}
		if rule.numEnum == nil && (n < rule.min || n > rule.max) {
			return fmt.Sprintf("%g", n)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok || s == mockengine.Unknown {
		return ""
	}
	s = concrete(s)
	n := utf8.RuneCountInString(s)
	switch {
	case rule.cidr:
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() || p.Bits() < rule.minBits || p.Bits() > rule.maxBits {
			return strconv.Quote(s)
		}
	case rule.enum != nil && !slices.Contains(rule.enum, s):
		return strconv.Quote(s)
	case n < rule.minLen, rule.maxLen > 0 && n > rule.maxLen:
		return fmt.Sprintf("%s (%d characters)", abbreviate(s), n)
	case rule.pattern != nil && !rule.pattern.MatchString(s):
		return strconv.Quote(s)
	case rule.notPrefix != "" && strings.HasPrefix(s, rule.notPrefix):
		return strconv.Quote(s)
	}
	return ""
}

func abbreviate(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return strconv.Quote(s)
	}
	return strconv.Quote(string([]rune(s)[:77]) + "...")
}

// valueViolations lists every constrained input of r that AWS would refuse, and how many values
// were judged.
func valueViolations(r mockengine.Resource, rules []valueRule) (violations []string, judged int) {
	report := func(rule valueRule, path, got string) {
		violations = append(violations, fmt.Sprintf("%s %s: want %s (%s)", path, got, rule.what, rule.doc))
	}
	for _, rule := range rules {
		for _, v := range at(r.Inputs, rule.path) {
			judged++
			if got := rule.judge(v); got != "" {
				report(rule, rule.path, got)
			}
		}
	}
	// mapRules judges the keys and values of the maps at path (one per list element on the way).
	mapRules := func(path string, keyRules, valueRules []valueRule) {
		for _, m := range at(r.Inputs, path) {
			obj, _ := m.(map[string]any)
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				for _, rule := range keyRules {
					judged++
					if got := rule.judge(k); got != "" {
						report(rule, path+" key", got)
					}
				}
				for _, rule := range valueRules {
					judged++
					if got := rule.judge(obj[k]); got != "" {
						report(rule, path+"."+k, got)
					}
				}
			}
		}
	}
	mapRules("tags", tagRules[:2], tagRules[2:])
	switch r.Type {
	case mockengine.TypeFunction:
		mapRules("environment.variables", []valueRule{envRule}, nil)
	case mockengine.TypeAlias:
		mapRules("routingConfig.additionalVersionWeights", aliasWeightRules[:1], aliasWeightRules[1:])
	case mockengine.TypeMetricAlarm:
		mapRules("dimensions", dimensionRules[:1], dimensionRules[1:])
		mapRules("metricQueries[].metric.dimensions", dimensionRules[:1], dimensionRules[1:])
	}
	return violations, judged
}

// valueTypes are the type tokens the catalogue knows, sorted: the check's subjects.
func valueTypes() []string {
	out := make([]string, 0, len(valueRules))
	for t := range valueRules {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

var valueChecks = []Check{
	{
		IDs:      []string{"aws-api:value-constraints"},
		Rule:     "every value sent to AWS meets the length, characters, enumeration or range its API reference documents",
		Subjects: valueTypes(),
		eval: func(e *mockengine.Engine) []Finding {
			var out []Finding
			for _, r := range e.Resources() {
				if !r.Custom {
					continue
				}
				rules, known := valueRules[r.Type]
				if !known {
					out = append(out, verdict(r, false, "type "+r.Type+" has no entry in the value-constraint catalogue (internal/checks/awsvalues.go): add its documented constraints"))
					continue
				}
				violations, judged := valueViolations(r, rules)
				if len(violations) > 0 {
					out = append(out, verdict(r, false, strings.Join(violations, "; ")))
					continue
				}
				out = append(out, verdict(r, true, fmt.Sprintf("%d value(s) within their documented constraints", judged)))
			}
			return out
		},
	},
}
