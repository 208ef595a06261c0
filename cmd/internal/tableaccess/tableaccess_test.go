package tableaccess

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/example/private-api/stack"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/example/private-api/infra"
)

// claimsGrants are the claims function's grants as the stack declares them.
var claimsGrants = stack.TableGrants("claims")

// engine stands for dynalite: it records the calls that reach it and answers {}.
type engine struct {
	mu      sync.Mutex
	targets []string
}

func (e *engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.targets = append(e.targets, r.Header.Get("X-Amz-Target"))
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write([]byte(`{}`))
}

func client(t *testing.T, grants []infra.TableGrant) (*dynamodb.Client, *engine) {
	t.Helper()
	e := &engine{}
	backend := httptest.NewServer(e)
	t.Cleanup(backend.Close)
	p, err := New(backend.URL, grants, "arn:aws:sts::123456789012:assumed-role/claims-role/claims", "arn:aws:dynamodb:eu-west-1:123456789012:table/t")
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(p)
	t.Cleanup(front.Close)
	return dynamodb.New(dynamodb.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(front.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}), e
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func denied(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException" && strings.Contains(api.ErrorMessage(), "is not authorized to perform")
}

func TestGrants(t *testing.T) {
	ctx := context.Background()
	table := aws.String("t")
	cases := []struct {
		name   string
		grants []infra.TableGrant
		call   func(*dynamodb.Client) error
		allow  bool
	}{
		{"put_in_a_member_partition", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"PK": s("MEMBER#m1"), "SK": s("CLAIM#1")}})
			return err
		}, true},
		{"put_in_the_directory", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"PK": s("DIRECTORY"), "SK": s("EMPLOYEE#1")}})
			return err
		}, false},
		{"an_action_no_grant_lists", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: map[string]types.AttributeValue{"PK": s("MEMBER#m1"), "SK": s("CLAIM#1")}})
			return err
		}, false},
		{"query_a_member_partition_through_a_name_alias", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("#pk = :pk AND begins_with(SK, :p)"),
				ExpressionAttributeNames:  map[string]string{"#pk": "PK"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("MEMBER#m1"), ":p": s("CLAIM#")}})
			return err
		}, true},
		{"query_another_partition", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("DIRECTORY")}})
			return err
		}, false},
		{"the_page_key_partition", claimsGrants, func(c *dynamodb.Client) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"PK": s("PAGEKEY"), "SK": s("v1")}})
			return err
		}, true},
		{"a_function_without_grants", nil, func(c *dynamodb.Client) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"PK": s("MEMBER#m1"), "SK": s("CLAIM#1")}})
			return err
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, e := client(t, tc.grants)
			err := tc.call(c)
			switch {
			case tc.allow && (err != nil || len(e.targets) != 1):
				t.Errorf("err %v, %d calls reached the engine: want it forwarded", err, len(e.targets))
			case !tc.allow && (!denied(err) || len(e.targets) != 0):
				t.Errorf("err %v, %d calls reached the engine: want AccessDeniedException and nothing forwarded", err, len(e.targets))
			}
		})
	}
}

func TestStringLike(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"MEMBER#*", "MEMBER#m1", true}, {"MEMBER#*", "MEMBER#", true}, {"MEMBER#*", "DIRECTORY", false},
		{"DIRECTORY", "DIRECTORY", true}, {"DIRECTORY", "DIRECTORY2", false}, {"v?", "v1", true}, {"a.b", "axb", false},
	} {
		if got := stringLike(tc.pattern, tc.value); got != tc.want {
			t.Errorf("stringLike(%q, %q) = %v", tc.pattern, tc.value, got)
		}
	}
}
