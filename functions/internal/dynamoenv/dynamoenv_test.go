package dynamoenv_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/dynalitetest"
	"github.com/example/private-api/functions/internal/dynamoenv"
)

// env is a getenv over a map.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// with returns a copy of e with kv ("K=V") set on top.
func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		out[k] = v
	}
	return out
}

// lambda is what Lambda sets for a function (region and role credentials), plus the table the
// stack names, with no endpoint: the client goes to DynamoDB in the region.
var lambda = env{
	"TABLE_NAME":            "claims",
	"AWS_REGION":            "eu-west-1",
	"AWS_DEFAULT_REGION":    "eu-west-1",
	"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLEKEY",
	"AWS_SECRET_ACCESS_KEY": "secret",
	"AWS_SESSION_TOKEN":     "token",
}

// dynalite is this process's environment after dynalitetest.Main: pointed at the test engine.
func dynalite() env {
	e := env{"TABLE_NAME": tableName}
	for _, k := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_DYNAMODB"} {
		e[k] = os.Getenv(k)
	}
	return e
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	key := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: dynalitetest.UniqueID(t, "MEMBER#")},
		"SK": &types.AttributeValueMemberS{Value: "CLAIM#1"},
	}
	// roundTrip writes and reads an item through a client loaded from e.
	roundTrip := func(t *testing.T, e env) {
		t.Helper()
		client, table, err := dynamoenv.Load(e.get)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key}); err != nil {
			t.Fatal(err)
		}
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			t.Fatalf("get the item just put: %v, %v", out, err)
		}
	}

	t.Run("AWS_ENDPOINT_URL_DYNAMODB_points_the_client_at_a_local_engine", func(t *testing.T) {
		roundTrip(t, dynalite())
	})

	t.Run("AWS_ENDPOINT_URL_does_when_no_DynamoDB_endpoint_is_set", func(t *testing.T) {
		e := dynalite()
		e = e.with("AWS_ENDPOINT_URL="+e["AWS_ENDPOINT_URL_DYNAMODB"], "AWS_ENDPOINT_URL_DYNAMODB=")
		roundTrip(t, e)
	})

	t.Run("AWS_ENDPOINT_URL_DYNAMODB_wins_over_AWS_ENDPOINT_URL", func(t *testing.T) {
		// Nothing listens on port 1: a client that took the global endpoint would fail.
		roundTrip(t, dynalite().with("AWS_ENDPOINT_URL=http://127.0.0.1:1"))
	})

	t.Run("the_table_is_TABLE_NAME", func(t *testing.T) {
		if _, table, err := dynamoenv.Load(lambda.get); err != nil || table != "claims" {
			t.Errorf("table %q, %v", table, err)
		}
	})
}

// TestLoadConfiguresTheClientAsLoadDefaultConfig compares, for environments a function meets,
// the client Load builds with the one config.LoadDefaultConfig and dynamodb.NewFromConfig built
// before: same region, endpoint, credentials, retries and HTTP timeouts.
func TestLoadConfiguresTheClientAsLoadDefaultConfig(t *testing.T) {
	for name, e := range map[string]env{
		"lambda":                       lambda,
		"lambda_with_an_account_id":    lambda.with("AWS_ACCOUNT_ID=111122223333"),
		"AWS_DEFAULT_REGION_alone":     lambda.with("AWS_REGION="),
		"local_engine":                 lambda.with("AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000"),
		"global_endpoint":              lambda.with("AWS_ENDPOINT_URL=http://127.0.0.1:8001"),
		"configured_endpoints_ignored": lambda.with("AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=TRUE"),
		"five_attempts":                lambda.with("AWS_MAX_ATTEMPTS=5"),
		"adaptive_retries":             lambda.with("AWS_RETRY_MODE=adaptive", "AWS_MAX_ATTEMPTS=2"),
		"legacy_key_names":             lambda.with("AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_ACCESS_KEY=AKIDLEGACY", "AWS_SECRET_KEY=legacy"),
	} {
		t.Run(name, func(t *testing.T) {
			isolate(t, e)
			cfg, err := config.LoadDefaultConfig(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := dynamodb.NewFromConfig(cfg).Options()
			client, _, err := dynamoenv.Load(e.get)
			if err != nil {
				t.Fatal(err)
			}
			got := client.Options()
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %v, LoadDefaultConfig gives %v", what, got, want)
				}
			}
			check("region", got.Region, want.Region)
			check("endpoint", aws.ToString(got.BaseEndpoint), aws.ToString(want.BaseEndpoint))
			check("retry mode", got.RetryMode, want.RetryMode)
			check("max attempts option", got.RetryMaxAttempts, want.RetryMaxAttempts)
			check("retryer type", reflect.TypeOf(got.Retryer), reflect.TypeOf(want.Retryer))
			check("attempts", got.Retryer.MaxAttempts(), want.Retryer.MaxAttempts())
			check("logger type", reflect.TypeOf(got.Logger), reflect.TypeOf(want.Logger))
			gotCreds, err := got.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantCreds, err := want.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			check("access key", gotCreds.AccessKeyID, wantCreds.AccessKeyID)
			check("secret", gotCreds.SecretAccessKey, wantCreds.SecretAccessKey)
			check("session token", gotCreds.SessionToken, wantCreds.SessionToken)
			check("account ID", gotCreds.AccountID, wantCreds.AccountID)
			check("credentials expire", gotCreds.CanExpire, wantCreds.CanExpire)
			gh, wh := got.HTTPClient.(*awshttp.BuildableClient), want.HTTPClient.(*awshttp.BuildableClient)
			check("client timeout", gh.GetTimeout(), wh.GetTimeout())
			check("dial timeout", gh.GetDialer().Timeout, wh.GetDialer().Timeout)
			check("keep-alive", gh.GetDialer().KeepAlive, wh.GetDialer().KeepAlive)
			gt, wt := gh.GetTransport(), wh.GetTransport()
			check("TLS handshake timeout", gt.TLSHandshakeTimeout, wt.TLSHandshakeTimeout)
			check("response header timeout", gt.ResponseHeaderTimeout, wt.ResponseHeaderTimeout)
			check("idle connection timeout", gt.IdleConnTimeout, wt.IdleConnTimeout)
			check("idle connections per host", gt.MaxIdleConnsPerHost, wt.MaxIdleConnsPerHost)
			check("expect-continue timeout", gt.ExpectContinueTimeout, wt.ExpectContinueTimeout)
		})
	}
}

// isolate gives LoadDefaultConfig exactly e as its environment: no shared files, no profile,
// no instance metadata, none of this machine's AWS variables.
func isolate(t *testing.T, e env) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	for k, v := range e {
		if v != "" {
			t.Setenv(k, v)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoadRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  env
		want string
	}{
		{"no_table", lambda.with("TABLE_NAME="), "TABLE_NAME is not set"},
		{"no_region", lambda.with("AWS_REGION=", "AWS_DEFAULT_REGION="), "AWS_REGION is not set"},
		{"no_key", lambda.with("AWS_ACCESS_KEY_ID="), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set"},
		{"no_secret", lambda.with("AWS_SECRET_ACCESS_KEY="), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set"},
		{"attempts_not_a_number", lambda.with("AWS_MAX_ATTEMPTS=three"), `AWS_MAX_ATTEMPTS is "three": want a whole number of attempts, 1 or more`},
		{"no_attempts", lambda.with("AWS_MAX_ATTEMPTS=0"), `AWS_MAX_ATTEMPTS is "0"`},
		{"unknown_retry_mode", lambda.with("AWS_RETRY_MODE=eager"), `AWS_RETRY_MODE is "eager": want standard or adaptive`},
		{"ignore_not_a_boolean", lambda.with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=yes"), `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "yes": want true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, _, err := dynamoenv.Load(tc.env.get)
			if err == nil || !strings.Contains(err.Error(), tc.want) || client != nil {
				t.Errorf("Load = %v, %v; want no client and an error containing %q", client, err, tc.want)
			}
		})
	}
}

// TestRetriesAsDeployed pins the retry budget the functions run with in Lambda today: the SDK's
// standard retryer, 3 attempts. The comparison above follows whatever the SDK's defaults become, so
// an upgrade that changes them (aws-sdk-go-v2 service/dynamodb v1.74.0 moves DynamoDB to 4 attempts
// with a 25 ms base delay) would pass it unnoticed; this fails instead, so that the change is chosen
// against the API's 29 s integration timeout and the function's own timeout, not inherited.
func TestRetriesAsDeployed(t *testing.T) {
	isolate(t, lambda)
	client, _, err := dynamoenv.Load(lambda.get)
	if err != nil {
		t.Fatal(err)
	}
	if got := client.Options().Retryer.MaxAttempts(); got != 3 {
		t.Errorf("a function's DynamoDB client makes %d attempts, want 3 (the standard retryer as deployed today)", got)
	}
}
