package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/directory"
)

// GetEmployee reads one directory entry.
func (s *Store) GetEmployee(ctx context.Context, employeeID string) (directory.Employee, error) {
	item, err := s.getItem(ctx, directory.PartitionKey, directory.SortKey(employeeID))
	if err != nil {
		return directory.Employee{}, err
	}
	if item == nil {
		return directory.Employee{}, directory.ErrNotFound
	}
	return employeeFromItem(item)
}

// ListEmployees reads a page of the directory in employee ID order.
func (s *Store) ListEmployees(ctx context.Context, limit int, afterEmployeeID string) ([]directory.Employee, bool, error) {
	return queryPage(ctx, s, pageQuery{pk: directory.PartitionKey, prefix: directory.SortKeyPrefix, afterID: afterEmployeeID, limit: limit}, employeeFromItem)
}

// SeedDirectory writes the shipped directory entries into the table, as the deploy does; tests
// and local tables use it.
func (s *Store) SeedDirectory(ctx context.Context) error {
	entries, err := directory.Entries()
	if err != nil {
		return err
	}
	var requests []types.WriteRequest
	for _, e := range entries {
		item := map[string]types.AttributeValue{}
		for k, v := range e.Attributes() {
			item[k] = str(v)
		}
		requests = append(requests, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	const batchSize = 25 // BatchWriteItem's limit
	for round := 0; len(requests) > 0; round++ {
		if round == 100 {
			return fmt.Errorf("seed directory into %s: %d writes still unprocessed after %d calls", s.table, len(requests), round)
		}
		n := min(batchSize, len(requests))
		out, err := s.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{s.table: requests[:n]},
		})
		if err != nil {
			return s.callError("BatchWriteItem", err)
		}
		// Unprocessed writes go back in the queue; the SDK's retryer has already backed off.
		requests = append(out.UnprocessedItems[s.table], requests[n:]...)
	}
	return nil
}

func employeeFromItem(item map[string]types.AttributeValue) (directory.Employee, error) {
	attrs := make(map[string]string, len(item))
	for k, v := range item {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return directory.Employee{}, fmt.Errorf("directory item: attribute %q is %T, not a string", k, v)
		}
		attrs[k] = s.Value
	}
	return directory.FromAttributes(attrs)
}
