package infra

import (
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AccountProviders are the explicit AWS providers of the other accounts the consumers live in, by
// account id. A consumer of the API's own account has none: its resources use the default provider.
type AccountProviders map[string]*aws.Provider

// newAccountProviders registers one provider per other account, named account-<id> so its URN
// stays put however the consumers of that account change. Each assumes the role given for its
// account (roles: account id -> role ARN of that account), in the stack's region, and refuses to
// act in any other account should the role ever resolve elsewhere (allowedAccountIds).
func NewAccountProviders(ctx *pulumi.Context, roles map[string]string, region string) (AccountProviders, error) {
	ids := make([]string, 0, len(roles))
	for id := range roles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := AccountProviders{}
	for _, id := range ids {
		p, err := aws.NewProvider(ctx, "account-"+id, &aws.ProviderArgs{
			Region:            pulumi.String(region),
			AssumeRole:        aws.ProviderAssumeRoleArgs{RoleArn: pulumi.String(roles[id])},
			AllowedAccountIds: pulumi.StringArray{pulumi.String(id)},
		})
		if err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, nil
}

// of returns the provider of an account ("" is the API's own: nil, the default provider).
func (p AccountProviders) Of(account string) pulumi.ProviderResource {
	if provider, ok := p[account]; ok {
		return provider
	}
	return nil
}

// in is the resource options that place a resource in an account: the account's provider, if it
// is another account's.
func in(provider pulumi.ProviderResource) []pulumi.ResourceOption {
	if provider == nil {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.Provider(provider)}
}
