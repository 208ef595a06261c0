package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/internal/directorydata"
)

// GetEmployee reads one directory entry.
func (s *Store) GetEmployee(ctx context.Context, employeeID string) (directorydata.Employee, error) {
	item, err := s.getItem(ctx, directorydata.PartitionKey, directorydata.SortKey(employeeID))
	if err != nil {
		return directorydata.Employee{}, err
	}
	if item == nil {
		return directorydata.Employee{}, directorydata.ErrNotFound
	}
	return employeeFromItem(item)
}

// ListEmployees reads a page of the directory in employee ID order.
func (s *Store) ListEmployees(ctx context.Context, limit int, afterEmployeeID string) ([]directorydata.Employee, bool, error) {
	return queryPage(ctx, s, pageQuery{pk: directorydata.PartitionKey, prefix: directorydata.SortKeyPrefix, afterID: afterEmployeeID, limit: limit}, employeeFromItem)
}

// SeedDirectory writes the shipped directory entries into the table, as the deploy does; tests
// and local tables use it.
func (s *Store) SeedDirectory(ctx context.Context) error {
	entries, err := directorydata.Entries()
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

func employeeFromItem(item map[string]types.AttributeValue) (directorydata.Employee, error) {
	attrs := make(map[string]string, len(item))
	for k, v := range item {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return directorydata.Employee{}, fmt.Errorf("directory item: attribute %q is %T, not a string", k, v)
		}
		attrs[k] = s.Value
	}
	return directorydata.FromAttributes(attrs)
}
