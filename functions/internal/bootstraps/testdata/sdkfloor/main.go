// Command sdkfloor is the second cold-start baseline: the least a function that reads its table
// through the AWS SDK's DynamoDB client can be. It builds the client from the environment with
// no checks and answers every event with one GetItem, so the distance from it to a real
// function is what the project's own code costs, and the distance from bare to it is the price
// of the SDK client and the engine's answer.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func main() {
	client := dynamodb.New(dynamodb.Options{
		Region:       os.Getenv("AWS_REGION"),
		Credentials:  credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
		BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")),
	})
	table := os.Getenv("TABLE_NAME")
	lambda.Start(func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(table),
			Key:            map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "FLOOR"}, "SK": &types.AttributeValueMemberS{Value: "FLOOR"}},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "{}",
			Headers: map[string]string{"Content-Type": "application/json"}}, nil
	})
}
