// Command enginefloor is the third cold-start baseline: bare plus the one GetItem a function
// reading its table needs, sent with the standard library alone (net/http, a SigV4 signature made
// with crypto/hmac) and no AWS SDK. The distance from bare to it is what the engine's answer and
// the round trip to it cost, which no client can avoid; the distance from it to sdkfloor is the
// price of the SDK's DynamoDB client. It is a measuring stick only: the functions use the SDK.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	endpoint, table := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"), os.Getenv("TABLE_NAME")
	lambda.Start(func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		if err := getItem(ctx, endpoint, table); err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "{}",
			Headers: map[string]string{"Content-Type": "application/json"}}, nil
	})
}

// getItem reads the same item as sdkfloor with a SigV4 signature over the same headers the SDK's
// signer signs (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
func getItem(ctx context.Context, endpoint, table string) error {
	body := `{"TableName":"` + table + `","Key":{"PK":{"S":"FLOOR"},"SK":{"S":"FLOOR"}},"ConsistentRead":true}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	date, day := now.Format("20060102T150405Z"), now.Format("20060102")
	region := os.Getenv("AWS_REGION")
	// The signed headers, in the order SigV4 wants: sorted by name. net/http writes Host and
	// Content-Length itself.
	headers := [][2]string{
		{"content-length", strconv.Itoa(len(body))},
		{"content-type", "application/x-amz-json-1.0"},
		{"host", req.URL.Host},
		{"x-amz-date", date},
	}
	if token := os.Getenv("AWS_SESSION_TOKEN"); token != "" {
		headers = append(headers, [2]string{"x-amz-security-token", token})
	}
	headers = append(headers, [2]string{"x-amz-target", "DynamoDB_20120810.GetItem"})
	var canonical, signed strings.Builder
	for i, h := range headers {
		if h[0] != "host" && h[0] != "content-length" {
			req.Header.Set(h[0], h[1])
		}
		canonical.WriteString(h[0] + ":" + h[1] + "\n")
		if i > 0 {
			signed.WriteString(";")
		}
		signed.WriteString(h[0])
	}
	scope := day + "/" + region + "/dynamodb/aws4_request"
	request := "POST\n/\n\n" + canonical.String() + "\n" + signed.String() + "\n" + hexSHA256(body)
	toSign := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hexSHA256(request)
	key := []byte("AWS4" + os.Getenv("AWS_SECRET_ACCESS_KEY"))
	for _, part := range []string{day, region, "dynamodb", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%x",
		os.Getenv("AWS_ACCESS_KEY_ID"), scope, signed.String(), hmacSHA256(key, toSign)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GetItem: %s: %s", resp.Status, out)
	}
	return err
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
