package infra

import (
	"errors"
	"fmt"

	"github.com/example/private-api/internal/executeapi"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Partition is the AWS partition the provider deploys to (aws, aws-cn, aws-us-gov), read once from
// the provider. Every ARN, AWS host name and endpoint service name of the stack derives from it, so
// the program runs unchanged in the China and GovCloud partitions.
type Partition struct {
	// ID is the ARN partition: aws, aws-cn or aws-us-gov.
	ID string
	// DNSSuffix ends AWS host names: amazonaws.com, or amazonaws.com.cn in China.
	DNSSuffix string
	// ReverseDNSPrefix starts interface endpoint service names: com.amazonaws, cn.com.amazonaws.
	ReverseDNSPrefix string
}

// readPartition asks the provider which partition its region belongs to.
func ReadPartition(ctx *pulumi.Context) (Partition, error) {
	p, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return Partition{}, fmt.Errorf("reading the AWS partition: %w", err)
	}
	out := Partition{ID: p.Partition, DNSSuffix: p.DnsSuffix, ReverseDNSPrefix: p.ReverseDnsPrefix}
	return out, out.validate()
}

func (p Partition) validate() error {
	if p.ID == "" || p.DNSSuffix == "" || p.ReverseDNSPrefix == "" {
		return errors.New("partition: ID, DNSSuffix and ReverseDNSPrefix are required (read them with aws.GetPartition)")
	}
	return nil
}

// ARN builds arn:<partition>:<service>:<region>:<account>:<resource>.
func (p Partition) ARN(service, region, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", p.ID, service, region, account, resource)
}

// ManagedPolicyARN names an AWS-managed IAM policy, such as AmazonSSMManagedInstanceCore.
func (p Partition) ManagedPolicyARN(path string) string {
	return p.ARN("iam", "", "aws", "policy/"+path)
}

// AccountRootARN is the principal that stands for a whole account.
func (p Partition) AccountRootARN(account string) string {
	return p.ARN("iam", "", account, "root")
}

// ExecuteAPIHost is the host name of a REST API in this partition, <apiId>.execute-api.<region>.<dnsSuffix>.
func (p Partition) ExecuteAPIHost(apiID, region string) string {
	return executeapi.APIHostName(apiID, region, p.DNSSuffix)
}

// EndpointAliasHost is the host that reaches a private API through one VPC endpoint without private DNS.
func (p Partition) EndpointAliasHost(apiID, vpceID, region string) string {
	return executeapi.EndpointAliasHostName(apiID, vpceID, region, p.DNSSuffix)
}

// InterfaceEndpointService names an AWS service for an interface VPC endpoint, such as
// com.amazonaws.eu-west-1.execute-api; in China the provider's prefix is cn.com.amazonaws, as
// `aws ec2 describe-vpc-endpoint-services` lists them there (cn.com.amazonaws.cn-north-1.execute-api).
func (p Partition) InterfaceEndpointService(region, service string) string {
	return fmt.Sprintf("%s.%s.%s", p.ReverseDNSPrefix, region, service)
}

// GatewayEndpointService names the DynamoDB or S3 gateway endpoint service, com.amazonaws.<region>.<service>
// in every partition (the AWS CDK's GatewayVpcEndpointAwsService uses that prefix everywhere).
func (p Partition) GatewayEndpointService(region, service string) string {
	return fmt.Sprintf("com.amazonaws.%s.%s", region, service)
}

// ServiceHost is a service's regional endpoint host, <service>.<region>.<dnsSuffix>, the value
// kms:ViaService compares (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
func (p Partition) ServiceHost(service, region string) string {
	return fmt.Sprintf("%s.%s.%s", service, region, p.DNSSuffix)
}

// LogsServicePrincipal is CloudWatch Logs' principal in a KMS key policy, logs.<region>.<dnsSuffix>
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html; regional and
// partitional, as the AWS CDK's region-info/lib/default.ts keeps it).
func (p Partition) LogsServicePrincipal(region string) string { return p.ServiceHost("logs", region) }

// ServicePrincipals are the principals naming an AWS service in a trust or resource policy:
// <service>.amazonaws.com in every partition (the AWS CDK deprecated its per-partition table because
// "service principals are now globally <SERVICE>.amazonaws.com", aws-cdk region-info/lib/default.ts;
// Lambda refuses lambda.amazonaws.com.cn, aws/aws-cdk#2198). EC2 in China also went by
// ec2.amazonaws.com.cn (aws/aws-cdk#1282, aws/aws-cdk#24709), so there the trust names both.
func (p Partition) ServicePrincipals(service string) []string {
	out := []string{service + ".amazonaws.com"}
	if service == "ec2" && p.DNSSuffix != "amazonaws.com" {
		out = append(out, service+"."+p.DNSSuffix)
	}
	return out
}

// ServicePrincipal is the one principal of a service whose name is the same in every partition.
func (p Partition) ServicePrincipal(service string) string { return p.ServicePrincipals(service)[0] }
