package dynalite

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/internal/functionbuild"
)

func client(s *Server) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("dynalite", "dynalite", ""),
	})
}

func TestDataDirKeepsTablesBetweenRuns(t *testing.T) {
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{ModuleRoot: root, DataDir: t.TempDir()}
	ctx := context.Background()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := CreateTable(ctx, client(s), "kept"); err != nil {
		s.Stop()
		t.Fatal(err)
	}
	s.Stop()

	s, err = Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if _, err := client(s).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("kept")}); err != nil {
		t.Errorf("table gone after a restart on the same data directory: %v", err)
	}
}
