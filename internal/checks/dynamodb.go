package checks

import (
	"fmt"

	"github.com/example/private-api/internal/mockengine"
)

var dynamoDBChecks = []Check{
	{
		IDs:      []string{"DynamoDB.2", "CKV_AWS_28", "AWS-0024"},
		Rule:     "point-in-time recovery is on for every table",
		Subjects: []string{mockengine.TypeTable},
		eval: func(e *mockengine.Engine) []Finding {
			return each(e, mockengine.TypeTable, func(r mockengine.Resource) (bool, string) {
				on := flag(r, "pointInTimeRecovery.enabled")
				return on, fmt.Sprintf("pointInTimeRecovery.enabled=%t", on)
			})
		},
	},
	{
		IDs:      []string{"DynamoDB.6"},
		Rule:     "deletion protection is on for every table",
		Subjects: []string{mockengine.TypeTable},
		eval: func(e *mockengine.Engine) []Finding {
			return each(e, mockengine.TypeTable, func(r mockengine.Resource) (bool, string) {
				on := flag(r, "deletionProtectionEnabled")
				detail := fmt.Sprintf("deletionProtectionEnabled=%t", on)
				if r.Protect {
					detail += ", pulumi protect"
				}
				return on, detail
			})
		},
	},
	{
		IDs:      []string{"DynamoDB.1", "CKV2_AWS_16"},
		Rule:     "every table is on-demand (PAY_PER_REQUEST), so capacity follows demand",
		Subjects: []string{mockengine.TypeTable},
		eval: func(e *mockengine.Engine) []Finding {
			return each(e, mockengine.TypeTable, func(r mockengine.Resource) (bool, string) {
				mode := str(r, "billingMode")
				return mode == "PAY_PER_REQUEST", fmt.Sprintf("billingMode %q", mode)
			})
		},
	},
	{
		IDs:      []string{"CKV_AWS_119", "AWS-0025"},
		Rule:     "every table is encrypted with a customer-managed KMS key that rotates",
		Subjects: []string{mockengine.TypeTable},
		eval: func(e *mockengine.Engine) []Finding {
			return each(e, mockengine.TypeTable, func(r mockengine.Resource) (bool, string) {
				key := str(r, "serverSideEncryption.kmsKeyArn")
				if !flag(r, "serverSideEncryption.enabled") || key == "" {
					return false, "encrypted with the AWS-owned key (serverSideEncryption not enabled with kmsKeyArn)"
				}
				return rotatingKey(e, key)
			})
		},
	},
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
