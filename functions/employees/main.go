// Command employees is the Lambda function behind the /employees routes.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/example/private-api/functions/internal/directoryapi"
	"github.com/example/private-api/functions/internal/dynamo"
)

func main() {
	store, err := dynamo.FromEnvironment(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(directoryapi.New(store).Handle)
}
