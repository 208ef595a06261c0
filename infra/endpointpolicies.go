package infra

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// EndpointPoliciesArgs names what the API VPC's endpoints carry: only this API, for its callers;
// only this table, for the function roles. They are attached after the API and the functions
// exist, which themselves depend on the endpoints.
type EndpointPoliciesArgs struct {
	AccountID pulumi.StringInput
	// ExecuteAPIEndpointID admits execute-api:Invoke on ExecutionArn only, by CallerArns only.
	ExecuteAPIEndpointID pulumi.StringInput
	ExecutionArn         pulumi.StringInput
	CallerArns           []pulumi.StringInput
	// DynamoDBEndpointID admits TableActions on TableArn only, by FunctionRoleArns only.
	DynamoDBEndpointID pulumi.StringInput
	TableArn           pulumi.StringInput
	TableActions       []string
	FunctionRoleArns   []pulumi.StringInput
	// Consumers are the endpoint consumers' own execute-api endpoints: each admits Invoke on
	// ExecutionArn only, by the callers of its own account only.
	Consumers []ConsumerEndpointPolicyArgs
}

// ConsumerEndpointPolicyArgs is one endpoint consumer's execute-api endpoint and who may use it.
type ConsumerEndpointPolicyArgs struct {
	Name       string
	EndpointID pulumi.StringInput
	// AccountID is the account the endpoint is in; CallerArns the callers of that account.
	AccountID  pulumi.StringInput
	CallerArns []pulumi.StringInput
	// Provider is that account's provider (nil: the API's account).
	Provider pulumi.ProviderResource
}

// EndpointPolicies attaches the API VPC's endpoint policies.
type EndpointPolicies struct {
	pulumi.ResourceState
}

// NewEndpointPolicies registers one ec2.VpcEndpointPolicy per endpoint.
func NewEndpointPolicies(ctx *pulumi.Context, name string, args *EndpointPoliciesArgs, opts ...pulumi.ResourceOption) (*EndpointPolicies, error) {
	if args.AccountID == nil || args.ExecuteAPIEndpointID == nil || args.ExecutionArn == nil {
		return nil, errors.New("EndpointPolicies: AccountID, ExecuteAPIEndpointID and ExecutionArn are required")
	}
	if args.DynamoDBEndpointID != nil && (args.TableArn == nil || len(args.TableActions) == 0 || len(args.FunctionRoleArns) == 0) {
		return nil, errors.New("EndpointPolicies: the DynamoDB endpoint needs TableArn, TableActions and FunctionRoleArns")
	}
	c := &EndpointPolicies{}
	if err := ctx.RegisterComponentResource(typeToken("EndpointPolicies"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	invokePolicy := func(resource string, endpointID, accountID pulumi.StringInput, callers []pulumi.StringInput, opts ...pulumi.ResourceOption) error {
		invoke := append([]pulumi.StringInput{accountID, args.ExecutionArn}, callers...)
		_, err := ec2.NewVpcEndpointPolicy(ctx, name+"-"+resource, &ec2.VpcEndpointPolicyArgs{
			VpcEndpointId: endpointID,
			Policy: policydoc.Render(func(v []string) policydoc.Document {
				return endpointPolicy("ThisAPIForItsCallers", []string{"execute-api:Invoke"}, v[1]+"/*", v[0], v[2:])
			}, invoke...),
		}, append([]pulumi.ResourceOption{opt}, opts...)...)
		return err
	}
	if err := invokePolicy("execute-api", args.ExecuteAPIEndpointID, args.AccountID, args.CallerArns); err != nil {
		return nil, err
	}
	for _, cons := range args.Consumers {
		if err := invokePolicy(cons.Name+"-execute-api", cons.EndpointID, cons.AccountID, cons.CallerArns, in(cons.Provider)...); err != nil {
			return nil, err
		}
	}
	if args.DynamoDBEndpointID != nil {
		table := append([]pulumi.StringInput{args.AccountID, args.TableArn}, args.FunctionRoleArns...)
		if _, err := ec2.NewVpcEndpointPolicy(ctx, name+"-dynamodb", &ec2.VpcEndpointPolicyArgs{
			VpcEndpointId: args.DynamoDBEndpointID,
			Policy: policydoc.Render(func(v []string) policydoc.Document {
				return endpointPolicy("ThisTableForTheFunctions", args.TableActions, v[1], v[0], v[2:])
			}, table...),
		}, opt); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}

// endpointPolicy allows actions on one resource, only to the named principals of the endpoint's
// account.
// With nobody named it allows nothing: AWS denies what no statement allows
// (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
func endpointPolicy(sid string, actions []string, resource, accountID string, principals []string) policydoc.Document {
	if len(principals) == 0 {
		return policydoc.New(policydoc.Statement{Sid: "NobodyYet", Effect: "Deny", Principal: &policydoc.Principal{All: true},
			Action: actions, Resource: []string{resource}})
	}
	return policydoc.New(policydoc.Statement{
		Sid: sid, Effect: "Allow", Principal: &policydoc.Principal{All: true}, Action: actions, Resource: []string{resource},
		Condition: policydoc.Condition{
			"StringEquals": {"aws:PrincipalAccount": {accountID}},
			"ArnEquals":    {"aws:PrincipalArn": principals},
		},
	})
}

// callerArns are the role and user ARNs of the callers of one account ("": the API's), for the
// endpoint policies that name them.
func CallerArns(callers []Caller, account string) []pulumi.StringInput {
	var out []pulumi.StringInput
	for _, c := range callers {
		if c.Account != account {
			continue
		}
		out = append(out, c.RoleArn)
		if c.UserArn != nil {
			out = append(out, c.UserArn)
		}
	}
	return out
}
