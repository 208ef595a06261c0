package checks

import (
	"fmt"

	"github.com/example/private-api/internal/mockengine"
)

// minRetentionDays is CKV_AWS_338's year of logs.
const minRetentionDays = 365

// CHECKS.md puts CKV_AWS_66/338 (retention) and CKV_AWS_158/AWS-0017 (KMS encryption) on one row.
// They test different properties, so they are three checks here: a check's IDs say exactly what it
// proves.
var logChecks = []Check{
	forType(mockengine.TypeLogGroup, Check{
		IDs:  []string{"CKV_AWS_66"},
		Rule: "every log group has a retention (logs never kept forever)",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		days, _ := num(r, "retentionInDays")
		return days > 0, fmt.Sprintf("retentionInDays %g", days)
	}),
	forType(mockengine.TypeLogGroup, Check{
		IDs:  []string{"CKV_AWS_338"},
		Rule: fmt.Sprintf("every log group keeps logs at least %d days", minRetentionDays),
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		days, _ := num(r, "retentionInDays")
		return days >= minRetentionDays, fmt.Sprintf("retentionInDays %g", days)
	}),
	forType(mockengine.TypeLogGroup, Check{
		IDs:  []string{"CKV_AWS_158", "AWS-0017"},
		Rule: "every log group is encrypted with a customer-managed KMS key of this stack that rotates",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		key := str(r, "kmsKeyId")
		if key == "" {
			return false, "no kmsKeyId: CloudWatch's service-owned encryption"
		}
		return rotatingKey(e, key)
	}),
}
