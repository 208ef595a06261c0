package checks

import (
	"fmt"

	"github.com/example/private-api/internal/mockengine"
)

var dynamoDBChecks = []Check{
	forType(mockengine.TypeTable, Check{
		IDs: []string{"dynamodb_table_cross_account_access", "stack:table-resource-policy"},
		Rule: "every table carries a resource policy that denies item actions to principals of any other account " +
			"(aws:PrincipalAccount), so the table defends itself and not IAM alone",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		unknownTarget := false
		for _, rp := range e.OfType(mockengine.TypeDynamoDBResourcePolicy) {
			target := str(rp, "resourceArn")
			// In a preview of a new stack the table's ARN is not assigned yet, so no policy names it.
			unknownTarget = unknownTarget || target == mockengine.Unknown
			for _, t := range e.RefsOfType(target, mockengine.TypeTable) {
				if t.Name == r.Name {
					return judgeTablePolicy(str(rp, "policy"))
				}
			}
		}
		if unknownTarget {
			return false, "no resource policy known: a table resource policy's resourceArn is " + notKnown
		}
		return false, "no resource policy: any principal an IAM policy anywhere allows reaches the items"
	}),
	forType(mockengine.TypeKMSKey, Check{
		IDs: []string{"kms_key_not_publicly_accessible", "stack:key-admin-separated-from-use"},
		Rule: "every KMS key's policy separates administration from use: no statement gives a principal both, " +
			"and use (Encrypt, Decrypt, GenerateDataKey, ReEncrypt) is allowed only through a service (kms:ViaService), " +
			"to CloudWatch Logs for named log groups or for a named SNS topic (its encryption context)",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		return judgeKeyPolicy(str(r, "policy"))
	}),
	forType(mockengine.TypeTable, Check{
		IDs:  []string{"DynamoDB.2", "CKV_AWS_28", "AWS-0024"},
		Rule: "point-in-time recovery is on for every table",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		on := flag(r, "pointInTimeRecovery.enabled")
		return on, fmt.Sprintf("pointInTimeRecovery.enabled=%t", on)
	}),
	forType(mockengine.TypeTable, Check{
		IDs:  []string{"DynamoDB.6"},
		Rule: "deletion protection is on for every table",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		on := flag(r, "deletionProtectionEnabled")
		detail := fmt.Sprintf("deletionProtectionEnabled=%t", on)
		if r.Protect {
			detail += ", pulumi protect"
		}
		return on, detail
	}),
	forType(mockengine.TypeTable, Check{
		IDs:  []string{"DynamoDB.1", "CKV2_AWS_16"},
		Rule: "every table is on-demand (PAY_PER_REQUEST), so capacity follows demand",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		mode := str(r, "billingMode")
		return mode == "PAY_PER_REQUEST", fmt.Sprintf("billingMode %q", mode)
	}),
	forType(mockengine.TypeTable, Check{
		IDs:  []string{"CKV_AWS_119", "AWS-0025"},
		Rule: "every table is encrypted with a customer-managed KMS key that rotates",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		key := str(r, "serverSideEncryption.kmsKeyArn")
		if !flag(r, "serverSideEncryption.enabled") || key == "" {
			return false, "encrypted with the AWS-owned key (serverSideEncryption not enabled with kmsKeyArn)"
		}
		return rotatingKey(e, key)
	}),
}

// rotatingKey accepts a key of this stack with rotation on; a key from outside the stack cannot be
// judged here and fails, so that it gets a waiver with its owner named.
func rotatingKey(e *mockengine.Engine, keyRef string) (bool, string) {
	keys := e.RefsOfType(keyRef, mockengine.TypeKMSKey)
	if len(keys) == 0 {
		return false, fmt.Sprintf("key %s is not a KMS key of this stack", keyRef)
	}
	if !flag(keys[0], "enableKeyRotation") {
		return false, fmt.Sprintf("key %s has enableKeyRotation off", keys[0].Name)
	}
	return true, fmt.Sprintf("customer-managed key %s, rotation on", keys[0].Name)
}

// judgeTablePolicy wants a Deny of the item actions to "*" unless aws:PrincipalAccount is this account.
func judgeTablePolicy(doc string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, err.Error()
	}
	otherAccounts, named := false, 0
	for _, s := range p.Statement {
		if s.Effect != "Deny" || s.Principal == nil || !s.Principal.All || !s.Allows("dynamodb:GetItem") || !s.Allows("dynamodb:PutItem") {
			continue
		}
		otherAccounts = otherAccounts || thisAccount(s.Condition.Values("aws:PrincipalAccount", "StringNotEquals"), mockengine.Account)
		named += len(s.Condition.Values("aws:PrincipalArn", "ArnNotEquals"))
	}
	switch {
	case !otherAccounts:
		return false, "no Deny of item actions to principals outside this account"
	case named > 0:
		return true, fmt.Sprintf("denies item actions to other accounts, and to all but %d named principals of this one", named)
	}
	return true, "denies item actions to other accounts; this account's principals as IAM allows (no table.adminPrincipals)"
}

// keyUse are the key actions that use it on data.
var keyUse = []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"}

// judgeKeyPolicy refuses a statement that both administers and uses the key, and use that does not
// go through a service, to CloudWatch Logs for named log groups, or for a named SNS topic.
func judgeKeyPolicy(doc string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, "no key policy of the stack's own: " + err.Error()
	}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		uses := false
		for _, a := range keyUse {
			uses = uses || s.Allows(a)
		}
		if !uses {
			continue
		}
		if s.Allows("kms:PutKeyPolicy") || s.Allows("kms:ScheduleKeyDeletion") {
			return false, fmt.Sprintf("statement %q both administers and uses the key", s.Sid)
		}
		viaService := len(s.Condition.Values("kms:ViaService", "StringEquals")) > 0
		logsContext := len(s.Condition.Values("kms:EncryptionContext:aws:logs:arn", "ArnLike", "ArnEquals")) > 0
		topicContext := len(s.Condition.Values("kms:EncryptionContext:aws:sns:topicArn", "StringEquals", "ArnEquals", "ArnLike")) > 0
		if !viaService && !logsContext && !topicContext {
			return false, fmt.Sprintf("statement %q lets principals use the key directly, not only through a service", s.Sid)
		}
	}
	return true, "administration by the account root only; use only through a service, by CloudWatch Logs for named log groups or for a named SNS topic"
}
