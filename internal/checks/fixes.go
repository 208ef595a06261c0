package checks

// fixes says, per check (keyed by its first ID), what to change when it fails: the help text a
// reviewer reads in code scanning next to the finding (cmd/plan -format sarif). Kept apart from the
// checks so a check and its fix read as one line each; TestEveryCheckHasAFix keeps them paired.
var fixes = map[string]string{
	"apigateway_restapi_public":              "Give the RestApi endpointConfiguration types [\"PRIVATE\"] and vpcEndpointIds with this stack's execute-api interface endpoint (infra/privateapi.go).",
	"apigateway_restapi_authorizers_enabled": "Set authorization \"AWS_IAM\" on the method; routes come from the one route table (infra/routes.go), so fix it there.",
	"CKV2_AWS_53":                            "Set requestValidatorId on the method to one of this API's RequestValidators.",
	"APIGateway.1":                           "Add MethodSettings for methodPath \"*/*\" on the stage with loggingLevel ERROR or INFO (config api.loggingLevel) and metricsEnabled true.",
	"CKV_AWS_76":                             "Set the stage's accessLogSettings: destinationArn a log group of this stack, format a JSON object that includes $context.requestId.",
	"CKV_AWS_276":                            "Set dataTraceEnabled false in the stage's MethodSettings: full request logging writes bodies and headers to CloudWatch.",
	"APIGateway.3":                           "Set xrayTracingEnabled true on the stage.",
	"apigateway_restapi_no_secrets_in_stage_variables": "Remove the secret from the stage variables; read it at run time from Secrets Manager or SSM Parameter Store instead.",
	"seed:resource-policy":                             "Build the RestApiPolicy from the route table: Deny execute-api:Invoke unless aws:SourceVpce is this stack's endpoint, Allow each client principal only its routes, never Allow \"*\" without the endpoint condition.",
	"project:resolver-sg-dns-only":                     "Limit the resolver endpoint security groups to port 53 tcp and udp, inbound from the outbound endpoint's group and outbound to the inbound endpoint's group.",
	"aws-docs:resolver-rule-loop":                      "Associate the forwarding rule only with consumer VPCs, never with the API VPC that holds the inbound endpoint it targets.",
	"design:failure-3":                                 "Scope the forwarding rule or private zone to exactly <apiId>.execute-api.<region>.amazonaws.com, not the execute-api domain.",
	"DynamoDB.2":                                       "Set pointInTimeRecovery enabled true on the table.",
	"dynamodb_table_cross_account_access":              "Attach a dynamodb.ResourcePolicy to the table that denies item actions to \"*\" unless aws:PrincipalAccount is this account (infra/tablepolicy.go); list CI and operators in config table.adminPrincipals to deny the rest of the account too.",
	"kms_key_not_publicly_accessible":                  "Give the account root only the administrative key actions and allow use (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt*) only with kms:ViaService, or to CloudWatch Logs with the aws:logs:arn encryption context (infra/table.go keyPolicy).",
	"DynamoDB.6":                                       "Set config table.deletionProtection true for the stack (or waive it for a disposable stack with the reason).",
	"DynamoDB.1":                                       "Set billingMode PAY_PER_REQUEST on the table.",
	"CKV_AWS_119":                                      "Set config table.encryption customer-managed, so the table uses the stack's KMS key with rotation.",
	"design:failure-1":                                 "Give the Deployment triggers that hash routes, integrations and the policy, and DependsOn the RestApiPolicy.",
	"design:failure-7":                                 "Set replaceSecurityGroupsOnDestroy true on every function in a VPC.",
	"design:failure-8":                                 "Lower the function's timeout under API Gateway's 29 s integration limit (config functions.timeoutSeconds, at most 28).",
	"IAM.1":                                            "Name the exact actions and resource ARNs in the policy; keep Resource \"*\" only for the actions AWS documents as not supporting resource-level permissions, with that page cited.",
	"CKV_AWS_60":                                       "Trust named roles, users or services only (config clients[].trustedPrincipals), never \"*\" or an account root; add aws:SourceAccount to service trust.",
	"Lambda.1":                                         "Grant lambda:InvokeFunction to apigateway.amazonaws.com with sourceArn <executionArn>/<stage>/<METHOD>/<path> of this stack's API.",
	"project:lambda-invoked-through-alias":             "Integrate the function's alias (its invokeArn, ending in :live/invocations) and give each lambda.Permission qualifier live (infra/gofunction.go, infra/privateapi.go); never $LATEST, the unqualified function or a bare version number.",
	"Lambda.2":                                         "Set the function runtime to " + supportedRuntime + ".",
	"Lambda.3":                                         "Set vpcConfig with this stack's private subnets in at least 2 AZs and the function's security group.",
	"Lambda.7":                                         "Set tracingConfig mode Active on the function.",
	"CKV_AWS_115":                                      "Set reservedConcurrentExecutions to at least 1 (config functions.reservedConcurrency).",
	"CKV_AWS_45":                                       "Remove the secret from the environment; give the function read access to it in Secrets Manager or SSM Parameter Store.",
	"CKV_AWS_66":                                       "Set retentionInDays on the log group (config logs.retentionDays).",
	"CKV_AWS_338":                                      "Raise config logs.retentionDays to at least the required days (365 in prod).",
	"CKV_AWS_158":                                      "Set kmsKeyId on the log group to the stack's customer-managed key, whose policy admits logs.<region>.amazonaws.com.",
	"EC2.2":                                            "Manage each VPC's DefaultSecurityGroup in the stack with no ingress and no egress rules.",
	"EC2.6":                                            "Set config network.flowLogs true, so every VPC gets a FlowLog to CloudWatch.",
	"EC2.15":                                           "Set mapPublicIpOnLaunch false on subnets and associatePublicIpAddress false on instances; remove any internet, egress-only or NAT gateway.",
	"EC2.13":                                           "Replace the 0.0.0.0/0 or ::/0 rule with the CIDRs or security groups that need the port, and name one protocol and port range.",
	"CKV_AWS_23":                                       "Give the security group and each of its rules a description (EC2 allows a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*).",
	"aws-api:value-constraints":                        "Change the value to one the cited API reference page accepts (the finding names the input, the constraint and the page); a name built from the stack name is computed in infra/names.go. A new resource type needs its documented constraints in internal/checks/awsvalues.go.",
	"CKV2_AWS_5":                                       "Attach the security group to the resource it was made for, or delete it.",
	"vpc_endpoint_connections_trust_boundaries":       "Give the endpoint a policy whose Allow statements are limited to this account's principals and this stack's API or table ARNs.",
	"vpc_endpoint_multi_az_enabled":                   "Place the interface endpoint in subnets of at least 2 AZs (config network.azCount).",
	"vpc_peering_routing_tables_with_least_privilege": "Route over the peering only to (part of) the peer VPC's CIDR, never 0.0.0.0/0.",
}

// Fix says what to change when the check fails.
func (c Check) Fix() string { return fixes[c.ID()] }
