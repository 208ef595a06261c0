package checks

// Waivers are the accepted failures, each with the reason a reviewer reads in the plan. A waiver
// names a check by any of its IDs, a stack glob and a resource glob. Adding one is a code change,
// reviewed like any other; a waiver that covers nothing on dev or prod fails the tests, so stale
// ones do not pile up.
var Waivers = []Waiver{
	{CheckID: "DynamoDB.6", Stack: "dev", Reason: "dev tables are disposable; deletion protection would block `pulumi destroy` (prod sets table.deletionProtection)"},
	{CheckID: "CKV_AWS_119", Stack: "dev", Reason: "dev uses the AWS-owned key by config (table.encryption aws-owned) to avoid a $1/month key per throwaway stack; prod uses a customer-managed key"},
	{CheckID: "EC2.6", Stack: "dev", Reason: "flow logs are off in dev by config (network.flowLogs) to save ingestion cost; prod turns them on"},
	{CheckID: "CKV_AWS_338", Stack: "dev", Reason: "dev keeps logs 30 days (logs.retentionDays); prod keeps 365"},
	{CheckID: "CKV_AWS_61", Stack: "prod", Resource: "client-role", Reason: "prod names no client.trustedPrincipals, so the client role trusts this account only: just the principals its IAM administrators grant sts:AssumeRole on the role can use it. Name the callers' roles in client.trustedPrincipals and drop this waiver"},
	{CheckID: "CKV_AWS_158", Reason: "log groups use CloudWatch Logs' own encryption at rest; CHECKS.md asks retention only. Drop this waiver when the log groups get the stack's KMS key (needs a key policy for logs.<region>.amazonaws.com)"},
}
