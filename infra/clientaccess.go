package infra

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// ssmManagedPolicy lets the SSM agent on the test client register and run commands. It is the
// AWS-managed policy for exactly that; its actions support no resource scoping.
const ssmManagedPolicy = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"

// ClientAccessArgs says who may call the API.
type ClientAccessArgs struct {
	// TrustedPrincipals may assume the client role. With none and no test instance, the role trusts
	// this account, whose administrators then grant sts:AssumeRole to whom they choose.
	TrustedPrincipals []string
	// TestInstance lets EC2 assume the role for the test client, with an instance profile and SSM.
	TestInstance bool
	// IAMUser adds a user with the same policy; IAMUserAccessKey gives it an access key.
	IAMUser          bool
	IAMUserAccessKey bool
	AccountID        pulumi.StringInput
}

// ClientAccess is the client role (and optional user) allowed to invoke the API routes.
type ClientAccess struct {
	pulumi.ResourceState

	// RoleArn is the client role.
	RoleArn pulumi.StringOutput
	// InstanceProfileName is the test client's profile (empty without a test instance).
	InstanceProfileName pulumi.StringOutput
	// PrincipalArns are the role and the user, the principals the API's resource policy allows.
	PrincipalArns pulumi.StringArrayOutput
	// UserName, AccessKeyID and SecretAccessKey exist only when asked for; the secret is a Pulumi secret.
	UserName        pulumi.StringOutput
	AccessKeyID     pulumi.StringOutput
	SecretAccessKey pulumi.StringOutput

	role *iam.Role
	user *iam.User
}

// NewClientAccess registers the role, and the user when asked. Grant attaches the API's client
// policy once the API exists (the API's resource policy names this role, so the role comes first).
func NewClientAccess(ctx *pulumi.Context, name string, args *ClientAccessArgs, opts ...pulumi.ResourceOption) (*ClientAccess, error) {
	c := &ClientAccess{
		InstanceProfileName: pulumi.String("").ToStringOutput(),
		UserName:            pulumi.String("").ToStringOutput(),
		AccessKeyID:         pulumi.String("").ToStringOutput(),
		SecretAccessKey:     pulumi.ToSecret(pulumi.String("")).(pulumi.StringOutput),
	}
	if err := ctx.RegisterComponentResource(typeToken("ClientAccess"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description: pulumi.String("Calls the private API (execute-api:Invoke on its routes only)"),
		AssumeRolePolicy: policydoc.Render(func(v []string) policydoc.Document {
			return clientTrust(v[0], args.TrustedPrincipals, args.TestInstance)
		}, args.AccountID),
		Tags: tags(ctx, name+"-role"),
	}, opt)
	if err != nil {
		return nil, err
	}
	c.role = role
	c.RoleArn = role.Arn
	principals := pulumi.StringArray{role.Arn}
	if args.TestInstance {
		if _, err := iam.NewRolePolicyAttachment(ctx, name+"-ssm-core", &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.String(ssmManagedPolicy),
		}, opt); err != nil {
			return nil, err
		}
		profile, err := iam.NewInstanceProfile(ctx, name+"-profile", &iam.InstanceProfileArgs{
			Role: role.Name, Tags: tags(ctx, name+"-profile"),
		}, opt)
		if err != nil {
			return nil, err
		}
		c.InstanceProfileName = profile.Name
	}
	if args.IAMUser {
		user, err := iam.NewUser(ctx, name+"-user", &iam.UserArgs{Tags: tags(ctx, name+"-user")}, opt)
		if err != nil {
			return nil, err
		}
		c.user = user
		c.UserName = user.Name
		principals = append(principals, user.Arn)
		if args.IAMUserAccessKey {
			key, err := iam.NewAccessKey(ctx, name+"-user-key", &iam.AccessKeyArgs{User: user.Name}, opt,
				pulumi.AdditionalSecretOutputs([]string{"secret"}))
			if err != nil {
				return nil, err
			}
			c.AccessKeyID = key.ID().ToStringOutput()
			c.SecretAccessKey = pulumi.ToSecret(key.Secret).(pulumi.StringOutput)
		}
	}
	c.PrincipalArns = principals.ToStringArrayOutput()
	return c, nil
}

// Grant attaches the client policy to the role and the user, and completes the component.
func (c *ClientAccess) Grant(ctx *pulumi.Context, name string, policy pulumi.StringInput) error {
	opt := pulumi.Parent(c)
	if _, err := iam.NewRolePolicy(ctx, name+"-invoke", &iam.RolePolicyArgs{Role: c.role.ID(), Policy: policy}, opt); err != nil {
		return err
	}
	if c.user != nil {
		if _, err := iam.NewUserPolicy(ctx, name+"-user-invoke", &iam.UserPolicyArgs{User: c.user.Name, Policy: policy}, opt); err != nil {
			return err
		}
	}
	return ctx.RegisterResourceOutputs(c, pulumi.Map{
		"roleArn": c.RoleArn, "userName": c.UserName, "accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey,
	})
}

// clientTrust names who may assume the client role: the configured principals, EC2 for the test
// client (this account only), or else this account itself.
func clientTrust(accountID string, principals []string, testInstance bool) policydoc.Document {
	var statements []policydoc.Statement
	if len(principals) > 0 || !testInstance {
		trusted := principals
		if len(trusted) == 0 {
			trusted = []string{"arn:aws:iam::" + accountID + ":root"}
		}
		statements = append(statements, policydoc.Statement{
			Sid: "TrustedPrincipals", Effect: "Allow",
			Principal: &policydoc.Principal{AWS: trusted}, Action: []string{"sts:AssumeRole"},
		})
	}
	if testInstance {
		// No aws:SourceAccount here: EC2 does not send it when it hands the instance profile's
		// credentials out, so the condition would leave the test client without credentials. Only
		// a principal with iam:PassRole on this role can attach it to an instance.
		statements = append(statements, policydoc.Statement{
			Sid: "TestClientInstance", Effect: "Allow",
			Principal: &policydoc.Principal{Service: []string{"ec2.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		})
	}
	return policydoc.New(statements...)
}
