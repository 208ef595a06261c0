// Package dynamo is the DynamoDB single-table store behind the functions: claims under
// PK = MEMBER#<memberId>, SK = CLAIM#<claimId>, their idempotency records beside them under
// SK = IDEMPOTENCY#<key>, and the employee directory under PK = DIRECTORY.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/dynamoenv"
)

// API is the part of the DynamoDB client the store uses; *dynamodb.Client satisfies it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Store reads and writes the table.
type Store struct {
	api   API
	table string
	now   func() time.Time

	// idempotencyTTL is how long an Idempotency-Key is remembered (the record's expiresAt).
	idempotencyTTL time.Duration
	// lockTTL is how long a create holds its key before a retry may finish the create for it.
	lockTTL time.Duration
	// pollInterval and pollAttempts bound how long a duplicate waits for the first request.
	pollInterval time.Duration
	pollAttempts int
}

// New returns a store of the table through api.
func New(api API, table string) *Store {
	return &Store{
		api:            api,
		table:          table,
		now:            time.Now,
		idempotencyTTL: 24 * time.Hour,
		lockTTL:        10 * time.Second,
		pollInterval:   50 * time.Millisecond,
		pollAttempts:   20,
	}
}

// UnavailableError is a DynamoDB call that was throttled or ran out of time after the SDK's own
// retries: the caller should retry later, and the API answers 503 with Retry-After.
type UnavailableError struct {
	Op  string
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("dynamodb %s: unavailable: %v", e.Op, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// RetryAfter is the wait suggested to the client.
func (e *UnavailableError) RetryAfter() time.Duration { return time.Second }

// callError wraps the error of a DynamoDB call with the operation and table.
func (s *Store) callError(op string, err error) error {
	var throughput *types.ProvisionedThroughputExceededException
	var throttling *types.ThrottlingException
	var requestLimit *types.RequestLimitExceeded
	if errors.As(err, &throughput) || errors.As(err, &throttling) || errors.As(err, &requestLimit) ||
		errors.Is(err, context.DeadlineExceeded) {
		return &UnavailableError{Op: op + " on " + s.table, Err: err}
	}
	return fmt.Errorf("dynamodb %s on %s: %w", op, s.table, err)
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func str(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": str(pk), "SK": str(sk)}
}

// getItem reads one item with a strongly consistent read, so a read after a write sees it.
func (s *Store) getItem(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, s.callError("GetItem", err)
	}
	return out.Item, nil
}

// pageQuery is one page of the items of partition pk whose SK is prefix + an ID.
type pageQuery struct {
	pk, prefix  string
	afterID     string // the page starts after the item with this ID; "" for the first page
	limit       int
	newestFirst bool   // descending SK order
	filter      string // a FilterExpression the items must meet; "" for all
}

// queryPage reads a page and decodes its items. It asks for one item more than it returns, so
// more is exact and the last page never comes with a token that leads to an empty page.
// DynamoDB applies Limit before the filter and stops at 1 MB, so a call can return fewer items
// than asked, or none, with more to read: it reads on until the page is full or the partition
// ends (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html).
func queryPage[T any](ctx context.Context, s *Store, q pageQuery, decode func(map[string]types.AttributeValue) (T, error)) (page []T, more bool, err error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     str(q.pk),
			":prefix": str(q.prefix),
		},
		ScanIndexForward: aws.Bool(!q.newestFirst),
		Limit:            aws.Int32(int32(q.limit + 1)),
	}
	if q.filter != "" {
		in.FilterExpression = aws.String(q.filter)
	}
	if q.afterID != "" {
		in.ExclusiveStartKey = key(q.pk, q.prefix+q.afterID)
	}
	var items []map[string]types.AttributeValue
	for {
		out, err := s.api.Query(ctx, in)
		if err != nil {
			return nil, false, s.callError("Query", err)
		}
		items = append(items, out.Items...)
		if len(items) > q.limit || out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	more = len(items) > q.limit
	items = items[:min(len(items), q.limit)]
	page = make([]T, 0, len(items))
	for _, item := range items {
		v, err := decode(item)
		if err != nil {
			return nil, false, err
		}
		page = append(page, v)
	}
	return page, more, nil
}

// FromEnvironment is the store a function uses: the table and client dynamoenv.Load builds from
// the Lambda environment, where the standard variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
// ...) apply. Building it does no I/O; functions call it once, at init.
func FromEnvironment(context.Context) (*Store, error) {
	client, table, err := dynamoenv.Load(os.Getenv)
	if err != nil {
		return nil, err
	}
	return New(client, table), nil
}
