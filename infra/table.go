package infra

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// Key attributes of the single table (DESIGN.md); TTLAttribute expires idempotency records.
const (
	tableHashKey = "PK"
	tableSortKey = "SK"
	TTLAttribute = "expiresAt"
)

// TableArgs configures the single DynamoDB table.
type TableArgs struct {
	// DeletionProtection makes AWS refuse to delete the table.
	DeletionProtection bool
	// Protect makes Pulumi refuse to delete or replace the table (pulumi.Protect).
	Protect bool
	// CustomerManagedKey encrypts the table with a rotating KMS key of the stack instead of the
	// AWS-owned key.
	CustomerManagedKey bool
	// Items are seeded at deploy, each DynamoDB JSON with PK and SK (the employee directory).
	Items []string
	// LogGroups are the names (globs) of the stack's log groups that CloudWatch Logs of this region
	// may encrypt with the customer-managed key; AccountID and Region build their ARNs.
	LogGroups []string
	AccountID pulumi.StringInput
	Region    string
	// AdminPrincipals, when set, are the only principals besides the functions that may use the
	// key and the table's items (everyone who runs Pulumi on the stack). FunctionRoles are globs
	// over the names of the roles of functions with table access.
	AdminPrincipals []string
	FunctionRoles   []string
	// AlarmTopicName is the SNS topic the stack's alarms notify: under a customer-managed key the
	// topic is encrypted with it, so CloudWatch may use the key for that topic only.
	AlarmTopicName string
	Partition      Partition
}

// Table is the DynamoDB table every function uses.
type Table struct {
	pulumi.ResourceState

	// Name is the table name, given to functions as TABLE_NAME.
	Name pulumi.StringOutput
	// Arn is the table ARN that IAM and endpoint policies name.
	Arn pulumi.StringOutput
	// KeyArn is the customer-managed key, or empty with an AWS-owned key.
	KeyArn pulumi.StringOutput
}

// NewTable registers the table, its key when customer-managed, and the seeded items.
func NewTable(ctx *pulumi.Context, name string, args *TableArgs, opts ...pulumi.ResourceOption) (*Table, error) {
	c := &Table{KeyArn: pulumi.String("").ToStringOutput()}
	if err := ctx.RegisterComponentResource(typeToken("Table"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	sse := dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(false)} // AWS-owned key
	if args.CustomerManagedKey {
		if args.AccountID == nil || args.Region == "" {
			return nil, fmt.Errorf("Table %s: a customer-managed key needs AccountID and Region for its policy", name)
		}
		key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
			Description: pulumi.String("Encrypts the private API's table and log groups"),
			Policy: policydoc.Render(func(v []string) policydoc.Document {
				return keyPolicy(args.Partition, v[0], args.Region, args.LogGroups, args.AlarmTopicName, keyUsers(args.Partition, v[0], args.AdminPrincipals, args.FunctionRoles))
			}, args.AccountID),
			EnableKeyRotation: pulumi.Bool(true),
			// Losing the key loses the data: keep it through a mistaken destroy for the longest window.
			DeletionWindowInDays: pulumi.Int(30),
			Tags:                 tags(ctx, name+"-key"),
		}, opt, pulumi.Protect(args.Protect))
		if err != nil {
			return nil, err
		}
		sse = dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: key.Arn}
		c.KeyArn = key.Arn
	}
	table, err := dynamodb.NewTable(ctx, name+"-table", &dynamodb.TableArgs{
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String(tableHashKey),
		RangeKey:    pulumi.String(tableSortKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(tableHashKey), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(tableSortKey), Type: pulumi.String("S")},
		},
		PointInTimeRecovery:       dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
		ServerSideEncryption:      sse,
		DeletionProtectionEnabled: pulumi.Bool(args.DeletionProtection),
		Ttl:                       dynamodb.TableTtlArgs{AttributeName: pulumi.String(TTLAttribute), Enabled: pulumi.Bool(true)},
		Tags:                      tags(ctx, name+"-table"),
	}, opt, pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	for _, item := range args.Items {
		key, err := itemKey(item)
		if err != nil {
			return nil, fmt.Errorf("Table %s: %w", name, err)
		}
		// Named by key, so reordering the data file changes nothing.
		if _, err := dynamodb.NewTableItem(ctx, name+"-item-"+key, &dynamodb.TableItemArgs{
			TableName: table.Name,
			HashKey:   table.HashKey,
			RangeKey:  table.RangeKey,
			Item:      pulumi.String(item),
		}, opt); err != nil {
			return nil, err
		}
	}
	c.Name = table.Name
	c.Arn = table.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"name": c.Name, "arn": c.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}

// keyAdminActions administer a key without using it: the key administrators' statement of AWS's
// key-policy guide (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators).
var keyAdminActions = []string{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"}

// keyUseActions are what DynamoDB does with the key on a caller's behalf (the policy of AWS's own
// DynamoDB key, https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html).
var keyUseActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"}

// keyUsers are the ARN patterns that may use the key through DynamoDB, or nil for every principal
// of the account.
func keyUsers(partition Partition, accountID string, admins, functionRoles []string) []string {
	if len(admins) == 0 {
		return nil
	}
	users := append([]string(nil), admins...)
	for _, r := range functionRoles {
		users = append(users, partition.ARN("iam", "", accountID, "role/"+r))
	}
	return users
}

// keyPolicy separates administration from use. The account root administers the key (so it stays
// manageable) but cannot use it; use goes only through DynamoDB, to this account's principals (as
// AWS's own DynamoDB key allows) or, with admin principals, to them and the function roles only;
// CloudWatch Logs of this region may use it for this stack's log groups, named by the encryption
// context it sends (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html);
// CloudWatch alarms may use it to publish to the stack's alarm topic (alarmTopicStatement).
func keyPolicy(partition Partition, accountID, region string, logGroups []string, alarmTopic string, users []string) policydoc.Document {
	through := policydoc.Condition{"StringEquals": {
		"kms:ViaService":    {partition.ServiceHost("dynamodb", region)},
		"kms:CallerAccount": {accountID},
	}}
	if len(users) > 0 {
		through["ArnLike"] = map[string][]string{"aws:PrincipalArn": users}
	}
	statements := []policydoc.Statement{{
		Sid: "AccountRootAdministersOnly", Effect: "Allow",
		Principal: &policydoc.Principal{AWS: []string{partition.AccountRootARN(accountID)}},
		Action:    keyAdminActions, Resource: []string{"*"},
	}, {
		Sid: "UseOnlyThroughDynamoDB", Effect: "Allow", Principal: &policydoc.Principal{All: true},
		Action: keyUseActions, Resource: []string{"*"}, Condition: through,
	}}
	if len(logGroups) > 0 {
		arns := make([]string, len(logGroups))
		for i, g := range logGroups {
			arns[i] = partition.ARN("logs", region, accountID, "log-group:"+g)
		}
		statements = append(statements, policydoc.Statement{
			Sid: "CloudWatchLogsForThisStacksLogGroups", Effect: "Allow",
			Principal: &policydoc.Principal{Service: []string{partition.LogsServicePrincipal(region)}},
			Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
			Resource:  []string{"*"},
			Condition: policydoc.Condition{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
		})
	}
	if alarmTopic != "" {
		statements = append(statements, alarmTopicStatement(partition, accountID, region, alarmTopic))
	}
	return policydoc.New(statements...)
}

// alarmTopicStatement lets CloudWatch alarms publish to the encrypted alarm topic: a publisher to
// an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on its key, and an AWS service
// publisher gets them in the key policy ("Enable compatibility between event sources from AWS
// services and encrypted topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services;
// for alarms, https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). SNS asks KMS with
// the encryption context aws:sns:topicArn, so the statement holds for this one topic only (the
// condition AWS's GameLift guide puts on a service's key use for its topic,
// https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html). Who may
// publish to the topic at all, this account's alarms only, the topic's own policy says.
func alarmTopicStatement(partition Partition, accountID, region, topic string) policydoc.Statement {
	return policydoc.Statement{
		Sid: "CloudWatchAlarmsForThisStacksTopic", Effect: "Allow",
		Principal: &policydoc.Principal{Service: []string{partition.ServicePrincipal("cloudwatch")}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  []string{"*"},
		Condition: policydoc.Condition{"StringEquals": {
			"kms:EncryptionContext:aws:sns:topicArn": {partition.ARN("sns", region, accountID, topic)},
		}},
	}
}

// itemKey names a seeded item by its PK and SK ("DIRECTORY#EMPLOYEE#e-001" -> "directory-employee-e-001").
func itemKey(item string) (string, error) {
	var keys map[string]struct{ S string }
	if err := json.Unmarshal([]byte(item), &keys); err != nil {
		return "", fmt.Errorf("seed item is not DynamoDB JSON: %w", err)
	}
	pk, sk := keys[tableHashKey].S, keys[tableSortKey].S
	if pk == "" || sk == "" {
		return "", fmt.Errorf("seed item %s lacks a string %s or %s", item, tableHashKey, tableSortKey)
	}
	return strings.ToLower(strings.NewReplacer("#", "-", "/", "-").Replace(pk + "#" + sk)), nil
}
