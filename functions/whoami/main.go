// Command whoami is the Lambda function behind GET /whoami. It reads only the request context,
// so it needs no AWS client.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/example/private-api/functions/internal/whoami"
)

func main() {
	lambda.Start(whoami.New())
}
