// Command bare is the cold-start baseline: the least an aws-lambda-go function can be. It
// decodes the same API Gateway event as the real functions and answers 200 {}, touching nothing
// else.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "{}",
			Headers: map[string]string{"Content-Type": "application/json"}}, nil
	})
}
