package infra

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PrivateAPIArgs configures the PRIVATE REST API.
type PrivateAPIArgs struct {
	Region string
	// EndpointID is the execute-api interface endpoint the API is associated with and admits.
	EndpointID pulumi.StringInput
}

// PrivateAPI is the REST API reachable only through the VPC endpoint.
type PrivateAPI struct {
	pulumi.ResourceState

	// ID is the REST API id.
	ID pulumi.IDOutput
	// Host is exactly this API's private host name, <apiId>.execute-api.<region>.amazonaws.com.
	Host pulumi.StringOutput
	// ExecutionArn is arn:aws:execute-api:<region>:<account>:<apiId>, the prefix of every route ARN.
	ExecutionArn pulumi.StringOutput
}

// NewPrivateAPI registers the API.
func NewPrivateAPI(ctx *pulumi.Context, name string, args *PrivateAPIArgs, opts ...pulumi.ResourceOption) (*PrivateAPI, error) {
	if args.Region == "" || args.EndpointID == nil {
		return nil, errors.New("PrivateAPI: Region and EndpointID are required")
	}
	c := &PrivateAPI{}
	if err := ctx.RegisterComponentResource(typeToken("PrivateAPI"), name, c, opts...); err != nil {
		return nil, err
	}
	api, err := apigateway.NewRestApi(ctx, name+"-api", &apigateway.RestApiArgs{
		Description: pulumi.String("Private API, reachable only through its VPC endpoint"),
		EndpointConfiguration: apigateway.RestApiEndpointConfigurationArgs{
			Types:          pulumi.String("PRIVATE"),
			VpcEndpointIds: pulumi.StringArray{args.EndpointID},
		},
		Tags: tags(ctx, name+"-api"),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.ID = api.ID()
	c.Host = pulumi.Sprintf("%s.execute-api.%s.amazonaws.com", api.ID(), args.Region)
	c.ExecutionArn = api.ExecutionArn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"id": c.ID, "host": c.Host}); err != nil {
		return nil, err
	}
	return c, nil
}

// endpointAliasHost is the host that reaches the API through one endpoint without any DNS set-up.
func endpointAliasHost(apiID, endpointID, region string) string {
	return fmt.Sprintf("%s-%s.execute-api.%s.amazonaws.com", apiID, endpointID, region)
}
