package infra

// The builders shared by several components. A resource they register is located (plan
// sourcePosition, SARIF) at the line that calls the builder: internal/mockengine skips this file's
// frames.

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// newLogGroup is a log group with retention, encrypted with keyArn when one is given; groupName
// nil lets Pulumi name it, for groups the stack's own resources write to by ARN.
func newLogGroup(ctx *pulumi.Context, name string, groupName pulumi.StringInput, retentionDays int, keyArn pulumi.StringInput, opts ...pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	return cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            groupName,
		RetentionInDays: pulumi.Int(retentionDays),
		KmsKeyId:        keyArn,
		Tags:            tags(ctx, name),
	}, opts...)
}

// serviceRole is an IAM role that only an AWS service, acting for this account, may assume, with
// one inline policy.
type serviceRole struct {
	name, policyName     string
	service, description string // service principal's short name ("lambda"), the role's description
	accountID            pulumi.StringInput
	partition            Partition
	policy               pulumi.StringInput
}

// newServiceRole registers the role and its inline policy; the policy is returned so that a
// resource whose creation AWS checks against the role's permissions can depend on it.
func newServiceRole(ctx *pulumi.Context, r serviceRole, opts ...pulumi.ResourceOption) (*iam.Role, *iam.RolePolicy, error) {
	role, err := iam.NewRole(ctx, r.name, &iam.RoleArgs{
		Description: pulumi.String(r.description),
		AssumeRolePolicy: policydoc.Render(func(v []string) policydoc.Document {
			return policydoc.ServiceTrust(r.partition.ServicePrincipal(r.service), v[0])
		}, r.accountID),
		Tags: tags(ctx, r.name),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	policy, err := iam.NewRolePolicy(ctx, r.policyName, &iam.RolePolicyArgs{Role: role.ID(), Policy: r.policy}, opts...)
	if err != nil {
		return nil, nil, err
	}
	return role, policy, nil
}
