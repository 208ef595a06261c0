package infra

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// ssmManagedPolicy lets the SSM agent on the test client register and run commands. It is the
// AWS-managed policy for exactly that; its actions support no resource scoping.
const ssmManagedPolicy = "AmazonSSMManagedInstanceCore"

// ClientArgs is one calling service: its role may be assumed by exactly TrustedPrincipals and may
// invoke exactly Routes.
type ClientArgs struct {
	Name              string
	Routes            []Route
	TrustedPrincipals []string
	// IAMUser adds an IAM user with the same routes (the seed tutorial's caller).
	IAMUser bool
	// Account, when set, is the other account the client calls from: Provider creates its role
	// there (no IAM user).
	Account  string
	Provider pulumi.ProviderResource
}

// ClientAccessArgs says who may call the API.
type ClientAccessArgs struct {
	Clients []ClientArgs
	// TestInstanceRoutes, when set, gives the test client a role of its own (EC2 trust, SSM core, an
	// instance profile) that may invoke exactly these routes.
	TestInstanceRoutes []Route
	AccountID          pulumi.StringInput
	Partition          Partition
}

// Caller is one principal set the API admits, with the routes it may invoke. PrivateAPI names its
// principals in the resource policy and attaches the matching identity policy to its role and user.
type Caller struct {
	Name   string
	Routes []Route
	// RoleName and RoleArn are the caller's role; UserName and UserArn its user, or nil.
	RoleName pulumi.StringOutput
	RoleArn  pulumi.StringOutput
	UserName pulumi.StringInput
	UserArn  pulumi.StringInput
	// Account and Provider place the caller in another account ("" and nil: the API's).
	Account  string
	Provider pulumi.ProviderResource
}

// ClientAccess is one role per calling service (and optional user), plus the test client's role.
type ClientAccess struct {
	pulumi.ResourceState

	// Callers are the clients in config order, then the test client.
	Callers []Caller
	// RoleArns maps each client's name to its role.
	RoleArns pulumi.StringMapOutput
	// TestRoleArn is the test client's role, empty without one.
	TestRoleArn pulumi.StringOutput
	// InstanceProfileName is the test client's profile (empty without a test instance).
	InstanceProfileName pulumi.StringOutput
	// UserNames maps each client with an IAM user to the user's name.
	UserNames pulumi.StringMapOutput
}

func (a *ClientAccessArgs) validate() error {
	if a.AccountID == nil {
		return errors.New("ClientAccess: AccountID is required")
	}
	if err := a.Partition.validate(); err != nil {
		return fmt.Errorf("ClientAccess: %w", err)
	}
	seen := map[string]bool{testClientName: true}
	for _, c := range a.Clients {
		switch {
		case seen[c.Name]:
			return fmt.Errorf("ClientAccess: client name %q is used twice or is reserved", c.Name)
		case len(c.Routes) == 0 || len(c.TrustedPrincipals) == 0:
			return fmt.Errorf("ClientAccess: client %q needs routes and trusted principals", c.Name)
		case (c.Account == "") != (c.Provider == nil):
			return fmt.Errorf("ClientAccess: client %q needs both the other account and its provider, or neither", c.Name)
		case c.Account != "" && c.IAMUser:
			return fmt.Errorf("ClientAccess: client %q of account %s gets a role there, not an IAM user", c.Name, c.Account)
		}
		seen[c.Name] = true
	}
	return nil
}

// testClientName names the test client's caller and resources.
const testClientName = "test-instance"

// NewClientAccess registers each client's role (and user), and the test client's role.
func NewClientAccess(ctx *pulumi.Context, name string, args *ClientAccessArgs, opts ...pulumi.ResourceOption) (*ClientAccess, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &ClientAccess{
		InstanceProfileName: pulumi.String("").ToStringOutput(),
		TestRoleArn:         pulumi.String("").ToStringOutput(),
	}
	if err := ctx.RegisterComponentResource(typeToken("ClientAccess"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	roleArns, userNames := pulumi.StringMap{}, pulumi.StringMap{}
	for _, client := range args.Clients {
		prefix := name + "-" + client.Name
		role, err := iam.NewRole(ctx, prefix+"-role", &iam.RoleArgs{
			Description:      pulumi.String("Calls the private API as " + client.Name + " (execute-api:Invoke on its routes only)"),
			AssumeRolePolicy: policydoc.Render(func([]string) policydoc.Document { return principalTrust(client.TrustedPrincipals) }),
			Tags:             tags(ctx, prefix+"-role"),
		}, append([]pulumi.ResourceOption{opt}, in(client.Provider)...)...)
		if err != nil {
			return nil, err
		}
		caller := Caller{Name: client.Name, Routes: client.Routes, RoleName: role.Name, RoleArn: role.Arn,
			Account: client.Account, Provider: client.Provider}
		roleArns[client.Name] = role.Arn
		if client.IAMUser {
			user, err := iam.NewUser(ctx, prefix+"-user", &iam.UserArgs{Tags: tags(ctx, prefix+"-user")}, opt)
			if err != nil {
				return nil, err
			}
			caller.UserName, caller.UserArn = user.Name, user.Arn
			userNames[client.Name] = user.Name
		}
		c.Callers = append(c.Callers, caller)
	}
	if len(args.TestInstanceRoutes) > 0 {
		if err := c.testClient(ctx, name, args); err != nil {
			return nil, err
		}
	}
	c.RoleArns = roleArns.ToStringMapOutput()
	c.UserNames = userNames.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"roleArns": c.RoleArns, "testRoleArn": c.TestRoleArn, "userNames": c.UserNames,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// testClient registers the test instance's own role: trusted by EC2 only, with SSM core and an
// instance profile; never a consumer's role.
func (c *ClientAccess) testClient(ctx *pulumi.Context, name string, args *ClientAccessArgs) error {
	opt := pulumi.Parent(c)
	prefix := name + "-" + testClientName
	role, err := iam.NewRole(ctx, prefix+"-role", &iam.RoleArgs{
		Description:      pulumi.String("The test client instance: SSM, and the routes the smoke test calls"),
		AssumeRolePolicy: policydoc.Render(func([]string) policydoc.Document { return ec2Trust(args.Partition) }),
		Tags:             tags(ctx, prefix+"-role"),
	}, opt)
	if err != nil {
		return err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, prefix+"-ssm-core", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(args.Partition.ManagedPolicyARN(ssmManagedPolicy)),
	}, opt); err != nil {
		return err
	}
	// Named as the single client's profile was, so a deployed stack updates it in place.
	profile, err := iam.NewInstanceProfile(ctx, name+"-profile", &iam.InstanceProfileArgs{
		Role: role.Name, Tags: tags(ctx, name+"-profile"),
	}, opt)
	if err != nil {
		return err
	}
	c.InstanceProfileName = profile.Name
	c.TestRoleArn = role.Arn
	c.Callers = append(c.Callers, Caller{Name: testClientName, Routes: args.TestInstanceRoutes, RoleName: role.Name, RoleArn: role.Arn})
	return nil
}

// principalTrust lets exactly the named roles and users assume a client role.
func principalTrust(principals []string) policydoc.Document {
	return policydoc.New(policydoc.Statement{
		Sid: "TrustedPrincipals", Effect: "Allow",
		Principal: &policydoc.Principal{AWS: principals}, Action: []string{"sts:AssumeRole"},
	})
}

// ec2Trust lets EC2 hand the role to the test instance. No aws:SourceAccount here: EC2 does not send
// it when it hands the instance profile's credentials out, so the condition would leave the test
// client without credentials. Only a principal with iam:PassRole on this role can attach it.
func ec2Trust(partition Partition) policydoc.Document {
	return policydoc.New(policydoc.Statement{
		Sid: "TestClientInstance", Effect: "Allow",
		Principal: &policydoc.Principal{Service: partition.ServicePrincipals("ec2")}, Action: []string{"sts:AssumeRole"},
	})
}
