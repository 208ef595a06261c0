package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/example/private-api/stack"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/example/private-api/internal/quotas"
	"github.com/example/private-api/internal/stackconfig"
)

// The narrow parts of each AWS API that doctor reads; the SDK clients have them. Every call is a
// read: doctor never changes the account.
type (
	stsAPI interface {
		GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	}
	lambdaAPI interface {
		GetAccountSettings(context.Context, *lambda.GetAccountSettingsInput, ...func(*lambda.Options)) (*lambda.GetAccountSettingsOutput, error)
	}
	apigatewayAPI interface {
		GetAccount(context.Context, *apigateway.GetAccountInput, ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error)
	}
	iamAPI interface {
		GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	}
	quotasAPI interface {
		servicequotas.ListServiceQuotasAPIClient
	}
	ec2API interface {
		ec2.DescribeVpcsAPIClient
		ec2.DescribeVpcEndpointsAPIClient
		DescribeAvailabilityZones(context.Context, *ec2.DescribeAvailabilityZonesInput, ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
		DescribeVpcEndpointServices(context.Context, *ec2.DescribeVpcEndpointServicesInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointServicesOutput, error)
	}
	resolverAPI interface {
		route53resolver.ListResolverEndpointsAPIClient
		route53resolver.ListResolverRulesAPIClient
		route53resolver.ListResolverRuleAssociationsAPIClient
	}
	ssmAPI interface {
		GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	}
)

type clients struct {
	sts        stsAPI
	lambda     lambdaAPI
	apigateway apigatewayAPI
	iam        iamAPI
	quotas     quotasAPI
	ec2        ec2API
	resolver   resolverAPI
	ssm        ssmAPI
}

func newClients(cfg aws.Config) clients {
	return clients{
		sts: sts.NewFromConfig(cfg), lambda: lambda.NewFromConfig(cfg), apigateway: apigateway.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg), quotas: servicequotas.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg),
		resolver: route53resolver.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg),
	}
}

// target is the stack doctor checks the account for.
type target struct {
	project, stack string
	cfg            stackconfig.Config
	// services are the interface endpoint services the stack creates (from its plan).
	services []string
}

// Status of one check.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	// Unread means AWS could not be read, so the check has no verdict.
	Unread Status = "ERROR"
)

// Result is one line of the report: a verdict, what was found, and on failure the fix.
type Result struct {
	Status Status
	Check  string
	Detail string
	Fix    string
}

type doctor struct {
	c       clients
	t       target
	account string
	// zones are the availability zones the stack will use (the first azCount by name).
	zones   []string
	results []Result
}

func (d *doctor) pass(check, format string, args ...any) {
	d.results = append(d.results, Result{Status: Pass, Check: check, Detail: fmt.Sprintf(format, args...)})
}

func (d *doctor) fail(check, detail, fix string) {
	d.results = append(d.results, Result{Status: Fail, Check: check, Detail: detail, Fix: fix})
}

func (d *doctor) unread(check string, err error) {
	d.results = append(d.results, Result{Status: Unread, Check: check, Detail: err.Error(),
		Fix: "check the credentials' read permissions and retry; see the README's first-deploy section"})
}

// run performs every check. Only unreadable credentials stop it: each other check reports its
// own verdict or its read error.
func (d *doctor) run(ctx context.Context) {
	if err := d.credentials(ctx); err != nil {
		d.unread("credentials", err)
		return
	}
	steps := []struct {
		check string
		fn    func(context.Context) error
	}{
		{"availability zones", d.availabilityZones},
		{"endpoint services", d.endpointServices},
		{"Amazon Linux image", d.amazonLinuxParameter},
		{"Lambda concurrency", d.lambdaConcurrency},
		{"API Gateway CloudWatch role", d.cloudWatchRole},
		{"quotas", d.quotas},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			d.unread(s.check, err)
		}
	}
}

func (d *doctor) credentials(ctx context.Context) error {
	out, err := d.c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	if d.account = aws.ToString(out.Account); d.account == "" {
		return errors.New("sts:GetCallerIdentity: the answer names no account")
	}
	d.pass("credentials", "account %s as %s, region %s (aws:region of stack %s)", d.account, aws.ToString(out.Arn), d.t.cfg.Region, d.t.stack)
	return nil
}

// availabilityZones: the program takes the first network.azCount available zones by name.
func (d *doctor) availabilityZones(ctx context.Context) error {
	out, err := d.c.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}},
	})
	if err != nil {
		return fmt.Errorf("ec2:DescribeAvailabilityZones: %w", err)
	}
	var names []string
	for _, z := range out.AvailabilityZones {
		// Local and Wavelength zones are opt-in and not where the stack's subnets go.
		if z.ZoneName != nil && (z.ZoneType == nil || *z.ZoneType == "availability-zone") {
			names = append(names, *z.ZoneName)
		}
	}
	slices.Sort(names)
	want := d.t.cfg.Network.AZCount
	if len(names) < want {
		d.fail("availability zones", fmt.Sprintf("%s has %d available zones (%s); the config asks network.azCount %d", d.t.cfg.Region, len(names), strings.Join(names, ", "), want),
			fmt.Sprintf("set %s:network.azCount to %d or less, or choose another region", stackconfig.Project, len(names)))
		return nil
	}
	d.zones = names[:want]
	d.pass("availability zones", "network.azCount %d: %s (of %d available)", want, strings.Join(d.zones, ", "), len(names))
	return nil
}

// endpointServices: every interface endpoint the stack creates must be offered in each of its zones.
func (d *doctor) endpointServices(ctx context.Context) error {
	if len(d.zones) == 0 {
		return nil // the zones check failed and says why
	}
	offered := map[string][]string{}
	input := &ec2.DescribeVpcEndpointServicesInput{ServiceNames: d.t.services}
	for {
		out, err := d.c.ec2.DescribeVpcEndpointServices(ctx, input)
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidServiceName" {
			// EC2 refuses the whole call when one name is not offered in the region.
			d.fail("endpoint services", fmt.Sprintf("%s does not offer every endpoint service the stack needs (%s): %s", d.t.cfg.Region, strings.Join(d.t.services, ", "), apiErr.ErrorMessage()),
				"choose a region that offers them, or turn client.testInstance off if an SSM service is the one missing")
			return nil
		}
		if err != nil {
			return fmt.Errorf("ec2:DescribeVpcEndpointServices: %w", err)
		}
		for _, s := range out.ServiceDetails {
			offered[aws.ToString(s.ServiceName)] = s.AvailabilityZones
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		input.NextToken = out.NextToken
	}
	for _, svc := range d.t.services {
		zones, ok := offered[svc]
		var missing []string
		for _, z := range d.zones {
			if !slices.Contains(zones, z) {
				missing = append(missing, z)
			}
		}
		switch {
		case !ok:
			d.fail("endpoint service "+svc, "not offered in "+d.t.cfg.Region, "choose a region that offers it")
		case len(missing) > 0:
			d.fail("endpoint service "+svc, fmt.Sprintf("not offered in %s (offered in %s)", strings.Join(missing, ", "), strings.Join(zones, ", ")),
				fmt.Sprintf("the stack uses the first %s:network.azCount zones by name: lower azCount, or choose another region", stackconfig.Project))
		default:
			d.pass("endpoint service "+svc, "offered in %s", strings.Join(d.zones, ", "))
		}
	}
	return nil
}

// amazonLinuxParameter: the test client's image comes from a public SSM parameter.
func (d *doctor) amazonLinuxParameter(ctx context.Context) error {
	if !d.t.cfg.Client.TestInstance {
		return nil
	}
	out, err := d.c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(stack.AmazonLinuxParameter)})
	var notFound *ssmtypes.ParameterNotFound
	if errors.As(err, &notFound) {
		d.fail("Amazon Linux image", fmt.Sprintf("SSM parameter %s does not exist in %s", stack.AmazonLinuxParameter, d.t.cfg.Region),
			fmt.Sprintf("set %s:client.testInstance false, or choose a region that publishes Amazon Linux 2023 for arm64", stackconfig.Project))
		return nil
	}
	if err != nil {
		return fmt.Errorf("ssm:GetParameter %s: %w", stack.AmazonLinuxParameter, err)
	}
	if out.Parameter == nil || !strings.HasPrefix(aws.ToString(out.Parameter.Value), "ami-") {
		return fmt.Errorf("ssm:GetParameter %s: the answer holds no image id", stack.AmazonLinuxParameter)
	}
	d.pass("Amazon Linux image", "%s is %s", stack.AmazonLinuxParameter, aws.ToString(out.Parameter.Value))
	return nil
}

// lambdaConcurrency: Lambda refuses a reservation that leaves fewer than quotas.Unreserved
// executions unreserved in the account, with the error quoted in the fix.
func (d *doctor) lambdaConcurrency(ctx context.Context) error {
	out, err := d.c.lambda.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return fmt.Errorf("lambda:GetAccountSettings: %w", err)
	}
	if out.AccountLimit == nil || out.AccountLimit.UnreservedConcurrentExecutions == nil {
		return errors.New("lambda:GetAccountSettings: the answer lacks AccountLimit.UnreservedConcurrentExecutions")
	}
	u := d.t.cfg.QuotaUsage()
	reserve := u.Functions * u.ReservedConcurrency
	limit := int(out.AccountLimit.ConcurrentExecutions)
	unreserved := int(*out.AccountLimit.UnreservedConcurrentExecutions)
	if reserve == 0 {
		d.pass("Lambda concurrency", "the stack reserves nothing; the account's limit is %d", limit)
		return nil
	}
	detail := fmt.Sprintf("the stack reserves %d (%d functions × functions.reservedConcurrency %d); the account's limit is %d, %d unreserved",
		reserve, u.Functions, u.ReservedConcurrency, limit, unreserved)
	// Lambda keeps 100 unreserved, or the whole limit when it is lower (new accounts start at 10
	// or 50: aws-samples/one-observability-demo#278, awslabs/fhir-works-on-aws-deployment#691).
	if floor := min(limit, quotas.Unreserved); unreserved-reserve < floor {
		d.fail("Lambda concurrency", detail+fmt.Sprintf(", and Lambda keeps %d unreserved, so `pulumi up` fails with: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d]", floor, floor),
			fmt.Sprintf("set %s:functions.reservedConcurrency to 0 (no reservation), or raise \"Concurrent executions\" in Service Quotas (lambda L-B99A9384) to at least %d", stackconfig.Project, limit-unreserved+reserve+quotas.Unreserved))
		return nil
	}
	d.pass("Lambda concurrency", "%s: %d stay unreserved (at least %d must)", detail, unreserved-reserve, quotas.Unreserved)
	return nil
}

// Tags the stack puts on every taggable resource (infra.tags), which name a resource's owner.
const (
	projectTag = "pulumi:project"
	stackTag   = "pulumi:stack"
)

// cloudWatchRole: execution logging needs the account's API Gateway CloudWatch role, one setting
// per account and region; name who owns it so two stacks never both manage it.
func (d *doctor) cloudWatchRole(ctx context.Context) error {
	const check = "API Gateway CloudWatch role"
	manage := d.t.cfg.API.ManageAccountLoggingRole
	out, err := d.c.apigateway.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil {
		return fmt.Errorf("apigateway:GetAccount: %w", err)
	}
	arn := aws.ToString(out.CloudwatchRoleArn)
	if arn == "" {
		if manage {
			d.pass(check, "not set in %s; this stack sets it (api.manageAccountLoggingRole)", d.t.cfg.Region)
			return nil
		}
		d.fail(check, fmt.Sprintf("not set in %s, so the stage's execution logging fails: CloudWatch Logs role ARN must be set in account settings to enable logging", d.t.cfg.Region),
			fmt.Sprintf("set %s:api.manageAccountLoggingRole true in the one stack of this account and region that owns the setting, or point the setting at an existing role (aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN)", stackconfig.Project))
		return nil
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	role, err := d.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var gone *iamtypes.NoSuchEntityException
	if errors.As(err, &gone) {
		d.fail(check, fmt.Sprintf("set to %s, a role that no longer exists (was the stack that made it destroyed?); every stage with execution logging fails", arn),
			fmt.Sprintf("set %s:api.manageAccountLoggingRole true in one stack to make a new role, or point the setting at an existing role", stackconfig.Project))
		return nil
	}
	if err != nil {
		return fmt.Errorf("iam:GetRole %s: %w", name, err)
	}
	if role.Role == nil {
		return fmt.Errorf("iam:GetRole %s: the answer holds no role", name)
	}
	tags := map[string]string{}
	for _, t := range role.Role.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	owner := "no Pulumi stack (the role has no pulumi:stack tag)"
	mine := tags[projectTag] == d.t.project && tags[stackTag] == d.t.stack
	if tags[stackTag] != "" {
		owner = fmt.Sprintf("Pulumi stack %s/%s", tags[projectTag], tags[stackTag])
	}
	switch {
	case mine:
		d.pass(check, "set to %s, owned by this stack", arn)
	case manage:
		d.fail(check, fmt.Sprintf("set to %s, owned by %s; this stack would take the setting over, and whichever stack is destroyed first deletes the role the account points at", arn, owner),
			fmt.Sprintf("set %s:api.manageAccountLoggingRole false here: the existing role serves this stack too", stackconfig.Project))
	default:
		d.pass(check, "set to %s, owned by %s", arn, owner)
	}
	return nil
}

// quotas compares, for each quota the stack needs, the account's applied value (Service Quotas)
// with this stack's need plus, for account-wide quotas, what the rest of the account already uses.
func (d *doctor) quotas(ctx context.Context) error {
	applied := map[string]float64{}
	read := map[string]bool{}
	readers := d.usageReaders()
	for _, n := range quotas.Needs(d.t.cfg.QuotaUsage()) {
		q := n.Quota
		// Lambda's limit is read from Lambda itself above; a quota without a code is a fixed limit
		// the config was already validated against.
		if n.Amount == 0 || q.ServiceCode == "" || q.Name == quotas.LambdaConcurrentExecutions {
			continue
		}
		if !read[q.ServiceCode] {
			if err := d.appliedQuotas(ctx, q.ServiceCode, applied); err != nil {
				return err
			}
			read[q.ServiceCode] = true
		}
		value, listed := applied[q.ServiceCode+"/"+q.QuotaCode]
		limit, source := int(value), "applied"
		if !listed {
			limit, source = q.Default, "AWS default; Service Quotas lists no applied value"
		}
		check := "quota " + q.Title
		if declared, ok := d.t.cfg.Quotas[q.Name]; ok && declared > limit {
			d.fail(check, fmt.Sprintf("%s:quotas.%s says %d, but the account's value is %d (%s)", stackconfig.Project, q.Name, declared, limit, source),
				fmt.Sprintf("request the increase in Service Quotas (%s %s) and wait until it is applied, or set %s:quotas.%s to %d", q.ServiceCode, q.QuotaCode, stackconfig.Project, q.Name, limit))
			continue
		}
		used, usedText := 0, ""
		if reader, ok := readers[q.Name]; ok && q.AccountWide {
			var err error
			if used, err = reader(ctx); err != nil {
				return err
			}
			usedText = fmt.Sprintf("the account already uses %d outside this stack, ", used)
		}
		total := used + n.Amount
		detail := fmt.Sprintf("%sthis stack needs %d (%s): %d of %d (%s; %s %s)", usedText, n.Amount, n.Why, total, limit, source, q.ServiceCode, q.QuotaCode)
		if total > limit {
			fix := fmt.Sprintf("raise it in Service Quotas (%s %s) to at least %d and set %s:quotas.%s to the applied value, or %s", q.ServiceCode, q.QuotaCode, total, stackconfig.Project, q.Name, n.Less)
			if used > 0 {
				fix += ", or remove what the account no longer uses"
			}
			d.fail(check, detail, fix)
			continue
		}
		d.pass(check, "%s", detail)
	}
	return nil
}

func (d *doctor) appliedQuotas(ctx context.Context, service string, into map[string]float64) error {
	pages := servicequotas.NewListServiceQuotasPaginator(d.c.quotas, &servicequotas.ListServiceQuotasInput{
		ServiceCode: aws.String(service), MaxResults: aws.Int32(100),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("servicequotas:ListServiceQuotas %s: %w", service, err)
		}
		for _, q := range page.Quotas {
			if q.QuotaCode == nil || q.Value == nil {
				return fmt.Errorf("servicequotas:ListServiceQuotas %s: a quota without code or value in the answer", service)
			}
			into[service+"/"+*q.QuotaCode] = *q.Value
		}
	}
	return nil
}

// usageReaders count what the account already uses of each account-wide quota, leaving out this
// stack's own resources (tagged with its project and stack) so a re-run after `pulumi up` does not
// count them twice. Resolver resources are listed without tags, so a deployed stack's own are counted.
func (d *doctor) usageReaders() map[string]func(context.Context) (int, error) {
	return map[string]func(context.Context) (int, error){
		quotas.VPCsPerRegion: func(ctx context.Context) (int, error) {
			n := 0
			pages := ec2.NewDescribeVpcsPaginator(d.c.ec2, &ec2.DescribeVpcsInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return 0, fmt.Errorf("ec2:DescribeVpcs: %w", err)
				}
				for _, v := range page.Vpcs {
					if !d.ownTags(v.Tags) {
						n++
					}
				}
			}
			return n, nil
		},
		quotas.GatewayEndpointsPerRegion: func(ctx context.Context) (int, error) {
			n := 0
			pages := ec2.NewDescribeVpcEndpointsPaginator(d.c.ec2, &ec2.DescribeVpcEndpointsInput{
				Filters: []ec2types.Filter{{Name: aws.String("vpc-endpoint-type"), Values: []string{"Gateway"}}},
			})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return 0, fmt.Errorf("ec2:DescribeVpcEndpoints: %w", err)
				}
				for _, e := range page.VpcEndpoints {
					if !d.ownTags(e.Tags) {
						n++
					}
				}
			}
			return n, nil
		},
		quotas.ResolverEndpointsPerRegion: func(ctx context.Context) (int, error) {
			n := 0
			pages := route53resolver.NewListResolverEndpointsPaginator(d.c.resolver, &route53resolver.ListResolverEndpointsInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return 0, fmt.Errorf("route53resolver:ListResolverEndpoints: %w", err)
				}
				n += len(page.ResolverEndpoints)
			}
			return n, nil
		},
		quotas.ResolverRulesPerRegion: func(ctx context.Context) (int, error) {
			n := 0
			pages := route53resolver.NewListResolverRulesPaginator(d.c.resolver, &route53resolver.ListResolverRulesInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return 0, fmt.Errorf("route53resolver:ListResolverRules: %w", err)
				}
				for _, r := range page.ResolverRules {
					// The AWS-owned "Internet Resolver" rule is listed too and counts toward nothing.
					if aws.ToString(r.OwnerId) == d.account {
						n++
					}
				}
			}
			return n, nil
		},
		quotas.ResolverRuleAssociations: func(ctx context.Context) (int, error) {
			n := 0
			pages := route53resolver.NewListResolverRuleAssociationsPaginator(d.c.resolver, &route53resolver.ListResolverRuleAssociationsInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return 0, fmt.Errorf("route53resolver:ListResolverRuleAssociations: %w", err)
				}
				n += len(page.ResolverRuleAssociations)
			}
			return n, nil
		},
	}
}

func (d *doctor) ownTags(tags []ec2types.Tag) bool {
	got := map[string]string{}
	for _, t := range tags {
		got[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return got[projectTag] == d.t.project && got[stackTag] == d.t.stack
}
