// Command claims is the Lambda function behind the /members/{memberId}/claims routes.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/example/private-api/functions/internal/claimsapi"
	"github.com/example/private-api/functions/internal/dynamo"
)

func main() {
	store, err := dynamo.FromEnvironment(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(claimsapi.New(store).Handle)
}
