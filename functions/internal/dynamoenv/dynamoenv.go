// Package dynamoenv gives a function its DynamoDB client and table from the variables Lambda
// sets in its environment, without config.LoadDefaultConfig: that loader links and initialises
// shared-config parsing, SSO, SSO-OIDC, STS, sign-in and IMDS clients, none of which a function
// in Lambda uses (its role's credentials are in the environment), and they cost start-up time
// and binary size on every cold start.
package dynamoenv

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/logging"
)

// Load returns a DynamoDB client and the table name from getenv (os.Getenv in a function). It
// reads the variables LoadDefaultConfig would take from the environment for this client, with the
// same meaning:
//   - TABLE_NAME, the table (set by the stack);
//   - AWS_REGION, else AWS_DEFAULT_REGION, and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
//     AWS_SESSION_TOKEN: what Lambda sets from the function's region and execution role
//     (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
//   - AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, both ignored when
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true: what points the client at a local engine
//     (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
//   - AWS_MAX_ATTEMPTS and AWS_RETRY_MODE; unset, the client keeps the SDK's standard retryer, as
//     LoadDefaultConfig leaves it (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
//
// Shared config and credential files, profiles, SSO, web identity, container and instance
// credentials are not consulted: a Lambda function has none of them.
func Load(getenv func(string) string) (*dynamodb.Client, string, error) {
	table := getenv("TABLE_NAME")
	if table == "" {
		return nil, "", errors.New("TABLE_NAME is not set: the function needs the name of its DynamoDB table")
	}
	opts, err := options(getenv)
	if err != nil {
		return nil, "", err
	}
	return dynamodb.New(opts), table, nil
}

func options(getenv func(string) string) (dynamodb.Options, error) {
	region := firstSet(getenv, "AWS_REGION", "AWS_DEFAULT_REGION")
	if region == "" {
		return dynamodb.Options{}, errors.New("AWS_REGION is not set: Lambda sets it to the function's region; elsewhere set it to the table's region")
	}
	key := firstSet(getenv, "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret := firstSet(getenv, "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if key == "" || secret == "" {
		return dynamodb.Options{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set: Lambda sets them from the function's execution role; elsewhere set them to credentials allowed to use the table")
	}
	creds := credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))
	creds.Value.AccountID = getenv("AWS_ACCOUNT_ID")
	o := dynamodb.Options{
		Region:      region,
		Credentials: aws.NewCredentialsCache(creds),
		// LoadDefaultConfig's logger: the SDK's warnings (clock skew, checksums) reach the log.
		Logger: logging.NewStandardLogger(os.Stderr),
	}
	ignore, err := parseBool(getenv, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
	if err != nil {
		return dynamodb.Options{}, err
	}
	if !ignore {
		if url := firstSet(getenv, "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"); url != "" {
			o.BaseEndpoint = aws.String(url)
		}
	}
	if v := getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return dynamodb.Options{}, fmt.Errorf("AWS_MAX_ATTEMPTS is %q: want a whole number of attempts, 1 or more", v)
		}
		o.RetryMaxAttempts = n
	}
	if v := getenv("AWS_RETRY_MODE"); v != "" {
		mode, err := aws.ParseRetryMode(v)
		if err != nil {
			return dynamodb.Options{}, fmt.Errorf("AWS_RETRY_MODE is %q: want standard or adaptive", v)
		}
		o.RetryMode = mode
	}
	return o, nil
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// parseBool reads a boolean variable as the SDK does: true or false in any case, unset false.
func parseBool(getenv func(string) string, name string) (bool, error) {
	switch v := getenv(name); {
	case v == "" || strings.EqualFold(v, "false"):
		return false, nil
	case strings.EqualFold(v, "true"):
		return true, nil
	default:
		return false, fmt.Errorf("%s is %q: want true or false", name, v)
	}
}
