package dynamo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/pagetoken"
)

// The keys of the list routes' page tokens sit in the table, one item per version at
// PK = PAGEKEY, SK = v<version>, attribute key (binary). They are not environment variables
// (nothing secret goes there) and not deploy outputs (the stack has no source of randomness):
// the first function that needs a version makes it, with a conditional write.
const pageKeyPK = "PAGEKEY"

// PageKey returns the page-token key of version, making it when create is set and there is none.
// Of two processes that race to make it, the conditional write keeps the first key, and the
// other reads it back, so both sign with the same key.
func (s *Store) PageKey(ctx context.Context, version byte, create bool) ([]byte, error) {
	sk := "v" + strconv.Itoa(int(version))
	item, err := s.getItem(ctx, pageKeyPK, sk)
	if err != nil {
		return nil, err
	}
	if item == nil {
		if !create {
			return nil, pagetoken.ErrNoKey
		}
		key := make([]byte, pagetoken.KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("make page token key: %w", err)
		}
		_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{
				"PK":        str(pageKeyPK),
				"SK":        str(sk),
				"key":       &types.AttributeValueMemberB{Value: key},
				"createdAt": str(s.now().UTC().Format(claims.TimeLayout)),
			},
			ConditionExpression: aws.String("attribute_not_exists(PK)"),
		})
		switch {
		case err == nil:
			return key, nil
		case !conditionFailed(err):
			return nil, s.callError("PutItem", err)
		}
		if item, err = s.getItem(ctx, pageKeyPK, sk); err != nil {
			return nil, err
		}
	}
	b, ok := item["key"].(*types.AttributeValueMemberB)
	if !ok || len(b.Value) != pagetoken.KeySize {
		return nil, fmt.Errorf("page token key item %s/%s in %s: attribute \"key\" is not %d bytes of binary", pageKeyPK, sk, s.table, pagetoken.KeySize)
	}
	return b.Value, nil
}
