package dynamo

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/pagetoken"
)

func TestPageKey(t *testing.T) {
	ctx := context.Background()
	s := New(client, testTable)

	t.Run("a_missing_version_is_not_made_unless_asked", func(t *testing.T) {
		if _, err := s.PageKey(ctx, 200, false); !errors.Is(err, pagetoken.ErrNoKey) {
			t.Errorf("err = %v, want ErrNoKey", err)
		}
		if item := rawItem(t, pageKeyPK, "v200"); item != nil {
			t.Errorf("a key was written: %v", item)
		}
	})

	t.Run("racing_processes_make_one_key", func(t *testing.T) {
		const racers = 10
		keys := make([][]byte, racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() { keys[i], errs[i] = New(client, testTable).PageKey(ctx, 201, true) })
		}
		wg.Wait()
		for i := range racers {
			if errs[i] != nil || len(keys[i]) != pagetoken.KeySize || !bytes.Equal(keys[i], keys[0]) {
				t.Errorf("racer %d: %x, %v; want racer 0's key %x", i, keys[i], errs[i], keys[0])
			}
		}
		stored, _ := rawItem(t, pageKeyPK, "v201")["key"].(*types.AttributeValueMemberB)
		if stored == nil || !bytes.Equal(stored.Value, keys[0]) {
			t.Errorf("stored key item %v, want the key every racer got", stored)
		}
		if again, err := s.PageKey(ctx, 201, false); err != nil || !bytes.Equal(again, keys[0]) {
			t.Errorf("read back: %x, %v", again, err)
		}
		other, err := s.PageKey(ctx, 202, true)
		if err != nil || bytes.Equal(other, keys[0]) {
			t.Errorf("another version: %x, %v; want another random key", other, err)
		}
	})

	t.Run("a_damaged_key_is_an_error", func(t *testing.T) {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: map[string]types.AttributeValue{
			"PK": str(pageKeyPK), "SK": str("v203"), "key": str("not binary"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		if k, err := s.PageKey(ctx, 203, true); err == nil {
			t.Errorf("PageKey = %x, want an error for a key that is not 32 bytes of binary", k)
		}
	})
}
