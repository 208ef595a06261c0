package dynamoenv_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/functions/internal/dynalitetest"
)

const tableName = "dynamoenv-test"

func TestMain(m *testing.M) {
	os.Exit(dynalitetest.Main(m, func(ctx context.Context, c *dynamodb.Client) error {
		return dynalitetest.CreateTable(ctx, c, tableName)
	}))
}
