package infra

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// TableDataActions are the DynamoDB item actions the table's resource policy guards (Transact*
// calls are authorized as the item actions they hold).
var TableDataActions = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
	"dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"}

// TablePolicyArgs says who besides IAM may not touch the table's items.
type TablePolicyArgs struct {
	TableArn  pulumi.StringInput
	AccountID pulumi.StringInput
	// AdminPrincipals, when set, with FunctionRoleArns, are the only principals of this account that
	// may touch items: everyone who runs Pulumi on the stack (never derived from the caller, whose
	// STS session ARN changes with each deployer).
	AdminPrincipals  []string
	FunctionRoleArns []pulumi.StringInput
}

// TablePolicy is the table's resource policy: the table defends itself, not IAM alone.
type TablePolicy struct {
	pulumi.ResourceState
}

// NewTablePolicy attaches the resource policy once the function roles exist.
func NewTablePolicy(ctx *pulumi.Context, name string, args *TablePolicyArgs, opts ...pulumi.ResourceOption) (*TablePolicy, error) {
	if args.TableArn == nil || args.AccountID == nil {
		return nil, errors.New("TablePolicy: TableArn and AccountID are required")
	}
	c := &TablePolicy{}
	if err := ctx.RegisterComponentResource(typeToken("TablePolicy"), name, c, opts...); err != nil {
		return nil, err
	}
	inputs := append([]pulumi.StringInput{args.TableArn, args.AccountID}, args.FunctionRoleArns...)
	if _, err := dynamodb.NewResourcePolicy(ctx, name+"-policy", &dynamodb.ResourcePolicyArgs{
		ResourceArn: args.TableArn,
		Policy: policydoc.Render(func(v []string) policydoc.Document {
			return tableResourcePolicy(v[0], v[1], args.AdminPrincipals, v[2:])
		}, inputs...),
	}, pulumi.Parent(c)); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}

// tableResourcePolicy denies item actions to principals of any other account, and, with admin
// principals, to every principal of this account that is neither a function role nor an admin
// (DynamoDB resource-based policies,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html).
// It denies only item actions, so nobody loses the right to change or delete the policy itself.
func tableResourcePolicy(tableArn, accountID string, admins, functionRoles []string) policydoc.Document {
	anyone := &policydoc.Principal{All: true}
	statements := []policydoc.Statement{{
		Sid: "DenyOtherAccounts", Effect: "Deny", Principal: anyone, Action: TableDataActions, Resource: []string{tableArn},
		Condition: policydoc.Condition{"StringNotEquals": {"aws:PrincipalAccount": {accountID}}},
	}}
	if len(admins) > 0 {
		allowed := append(append([]string(nil), admins...), functionRoles...)
		statements = append(statements, policydoc.Statement{
			Sid: "DenyAllButFunctionsAndAdmins", Effect: "Deny", Principal: anyone, Action: TableDataActions, Resource: []string{tableArn},
			Condition: policydoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": allowed}},
		})
	}
	return policydoc.New(statements...)
}
