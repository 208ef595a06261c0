package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// wildcardResourceActions may be granted on Resource "*" because AWS offers no resource-level
// permission for them (Service Authorization Reference: X-Ray's write and sampling calls, and the
// EC2 network-interface calls Lambda makes to attach a function to a VPC; AWS's own
// AWSXRayDaemonWriteAccess and AWSLambdaVPCAccessExecutionRole grant them on "*").
var wildcardResourceActions = map[string]bool{
	"xray:puttracesegments":              true,
	"xray:puttelemetryrecords":           true,
	"xray:getsamplingrules":              true,
	"xray:getsamplingtargets":            true,
	"xray:getsamplingstatisticsummaries": true,
	"ec2:createnetworkinterface":         true,
	"ec2:describenetworkinterfaces":      true,
	"ec2:describesubnets":                true,
	"ec2:deletenetworkinterface":         true,
	"ec2:assignprivateipaddresses":       true,
	"ec2:unassignprivateipaddresses":     true,
}

// narrowManagedPolicies are the AWS-managed policies the stack may attach, by their path after
// arn:<partition>:iam::aws:policy/ (the same in every partition): each grants only what one service
// integration needs. Any other managed policy fails, because its document is not in the stack to
// review.
var narrowManagedPolicies = map[string]string{
	"AmazonSSMManagedInstanceCore":                      "SSM agent on the test client",
	"service-role/AWSLambdaBasicExecutionRole":          "Lambda writes its logs",
	"service-role/AWSLambdaVPCAccessExecutionRole":      "Lambda ENIs in the VPC",
	"AWSXRayDaemonWriteAccess":                          "X-Ray segments",
	"service-role/AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway execution logs",
}

// awsManagedPolicy matches the ARN of an AWS-managed policy in any partition.
var awsManagedPolicy = regexp.MustCompile(`^arn:aws(?:-[a-z-]+)?:iam::aws:policy/(.+)$`)

// noSourceAccountServices assume roles without sending aws:SourceAccount, so a StringEquals on it
// would deny them: EC2 delivering instance-profile credentials (Prowler treats the same trust as a
// false positive, prowler-cloud/prowler#2810); the instance profile is what scopes that role. EC2's
// China principal is named too (infra.Partition.ServicePrincipals).
var noSourceAccountServices = map[string]bool{"ec2.amazonaws.com": true, "ec2.amazonaws.com.cn": true}

var iamChecks = []Check{
	{
		IDs: []string{"IAM.1", "IAM.21", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109",
			"CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_355", "CKV_AWS_356", "AWS-0057"},
		Rule: "identity policies allow no wildcard action, no NotAction/NotResource, and Resource \"*\" only for " +
			"actions without resource-level permissions; managed policies only from a reviewed list",
		Subjects: []string{mockengine.TypeRole, mockengine.TypeRolePolicy, mockengine.TypePolicy, mockengine.TypeUserPolicy,
			mockengine.TypeGroupPolicy, mockengine.TypeRolePolicyAttachment, mockengine.TypeUserPolicyAttachment, mockengine.TypePolicyAttachment},
		eval: func(e *mockengine.Engine) []Finding {
			var out []Finding
			for _, t := range []string{mockengine.TypeRolePolicy, mockengine.TypePolicy, mockengine.TypeUserPolicy, mockengine.TypeGroupPolicy} {
				out = append(out, each(e, t, func(r mockengine.Resource) (bool, string) {
					return judgeIdentityPolicy(str(r, "policy"))
				})...)
			}
			for _, r := range e.OfType(mockengine.TypeRole) {
				inline := asList(r.Inputs["inlinePolicies"])
				managed := strs(r, "managedPolicyArns")
				if len(inline) == 0 && len(managed) == 0 {
					continue
				}
				ok, detail := true, "inline and managed policies reviewed"
				for _, p := range inline {
					m, _ := p.(map[string]any)
					doc, _ := m["policy"].(string)
					if ok, detail = judgeIdentityPolicy(doc); !ok {
						break
					}
				}
				if ok {
					ok, detail = judgeManaged(e, managed)
				}
				out = append(out, verdict(r, ok, detail))
			}
			for _, t := range []string{mockengine.TypeRolePolicyAttachment, mockengine.TypeUserPolicyAttachment, mockengine.TypePolicyAttachment} {
				out = append(out, each(e, t, func(r mockengine.Resource) (bool, string) {
					return judgeManaged(e, strs(r, "policyArn"))
				})...)
			}
			return out
		},
	},
	forType(mockengine.TypeRole, Check{
		IDs:  []string{"CKV_AWS_60", "CKV_AWS_61", "iam_role_cross_service_confused_deputy_prevention"},
		Rule: "role trust policies name specific roles, users or services (no \"*\", no account root), and service trust carries aws:SourceAccount or aws:SourceArn of the role's own account",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		return judgeTrust(str(r, "assumeRolePolicy"), e.AccountOf(r))
	}),
}

func judgeIdentityPolicy(doc string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, err.Error()
	}
	var actions []string
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		if len(s.NotAction) > 0 || len(s.NotResource) > 0 {
			return false, fmt.Sprintf("statement %q allows by exclusion (NotAction/NotResource)", s.Sid)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				return false, fmt.Sprintf("statement %q allows wildcard action %q", s.Sid, a)
			}
		}
		if len(s.Resource) == 0 {
			return false, fmt.Sprintf("statement %q names no resource", s.Sid)
		}
		for _, res := range s.Resource {
			if res != "*" {
				continue
			}
			for _, a := range s.Action {
				if !wildcardResourceActions[strings.ToLower(a)] {
					return false, fmt.Sprintf("statement %q allows %s on Resource \"*\"", s.Sid, a)
				}
			}
		}
		actions = append(actions, s.Action...)
	}
	return true, "allows " + strings.Join(actions, ", ")
}

// judgeManaged accepts policies defined in this stack (their documents are judged themselves) and
// the reviewed AWS-managed ones.
func judgeManaged(e *mockengine.Engine, arns []string) (bool, string) {
	var why []string
	for _, arn := range arns {
		if len(e.RefsOfType(arn, mockengine.TypePolicy)) > 0 {
			why = append(why, arn+" (this stack's policy)")
			continue
		}
		m := awsManagedPolicy.FindStringSubmatch(arn)
		reason, ok := "", m != nil
		if ok {
			reason, ok = narrowManagedPolicies[m[1]]
		}
		if !ok {
			return false, fmt.Sprintf("managed policy %s is not on the reviewed list", arn)
		}
		why = append(why, fmt.Sprintf("%s (%s)", arn, reason))
	}
	return true, "attaches " + strings.Join(why, ", ")
}

// judgeTrust judges a role's trust policy; account is the role's own account.
func judgeTrust(doc, account string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, err.Error()
	}
	var trusted []string
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		if s.Principal == nil || s.Principal.All {
			return false, fmt.Sprintf("statement %q trusts any principal", s.Sid)
		}
		if len(s.Principal.Federated) > 0 {
			return false, fmt.Sprintf("statement %q trusts federated principals %v: review and waive", s.Sid, s.Principal.Federated)
		}
		for _, a := range s.Principal.AWS {
			if strings.HasSuffix(a, ":root") || !strings.HasPrefix(a, "arn:") {
				return false, fmt.Sprintf("statement %q trusts %q: every principal of an account, name roles or users", s.Sid, a)
			}
			trusted = append(trusted, a)
		}
		for _, svc := range s.Principal.Service {
			if !noSourceAccountServices[svc] && !sourceGuard(s.Condition, account) {
				return false, fmt.Sprintf("statement %q trusts %s without aws:SourceAccount/aws:SourceArn of this account (confused deputy)", s.Sid, svc)
			}
			trusted = append(trusted, svc)
		}
	}
	if len(trusted) == 0 {
		return false, "trusts nobody"
	}
	return true, "trusts " + strings.Join(trusted, ", ")
}

// sourceGuard reports whether a service trust is confined to calls made for account.
func sourceGuard(c conditions, account string) bool {
	if thisAccount(c.Values("aws:SourceAccount", "StringEquals"), account) {
		return true
	}
	arns := c.Values("aws:SourceArn", "ArnEquals", "ArnLike", "StringEquals", "StringLike")
	for _, a := range arns {
		if !strings.Contains(a, account) {
			return false
		}
	}
	return len(arns) > 0
}
