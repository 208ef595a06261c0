package dynamo

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/dynalitetest"
)

const testTable = "store-test"

// client talks to the dynalite that TestMain started.
var client *dynamodb.Client

func TestMain(m *testing.M) {
	os.Exit(dynalitetest.Main(m, func(ctx context.Context, c *dynamodb.Client) error {
		client = c
		return dynalitetest.CreateTable(ctx, c, testTable)
	}))
}

// newMemberID gives each test its own partition of the shared table.
func newMemberID(t *testing.T) string { return dynalitetest.UniqueID(t, "m-") }

// newClaim is a valid first version of a claim of member with a fresh UUIDv7.
func newClaim(t *testing.T, memberID string) claims.Claim {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	amount, currency := 120.5, "EUR"
	in := claims.NewClaim{PolicyID: "POL-1", MemberName: "Ada Lovelace", Amount: &amount, Currency: &currency}
	return in.Claim(memberID, id.String(), time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC))
}

// countClaims counts the claims of a member with a raw Query, independent of the store;
// tombstones (items without a version) are not claims.
func countClaims(t *testing.T, memberID string) int {
	t.Helper()
	out, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName:              aws.String(testTable),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :claim)"),
		FilterExpression:       aws.String("attribute_exists(version)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":    &types.AttributeValueMemberS{Value: "MEMBER#" + memberID},
			":claim": &types.AttributeValueMemberS{Value: "CLAIM#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}
