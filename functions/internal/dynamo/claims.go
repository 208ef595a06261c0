package dynamo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/claims"
)

const claimPrefix = "CLAIM#"

// A deleted claim leaves a tombstone at its key: an item with only PK, SK, deletedAt and
// expiresAt. Deletes must be final, and the one write that could bring a claim back is a retry
// of its create under an Idempotency-Key whose first attempt died before marking the key done
// (see idempotency.go). That retry stores the claim with a write conditioned on the key being
// free, and a tombstone keeps it taken; a condition on the claim's own item is the only guard
// that holds against every interleaving without transactions, which dynalite lacks. Readers
// treat a tombstone as no claim. It expires (TTL) idempotencyTTL after the delete, when every
// record that could hold the claim has expired: those were written before the claim was. TTL
// removes an item only after its expiresAt, typically within two days, and until then it is
// still read (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html),
// so the tombstone never goes early and readers skip it until it goes.
const (
	deletedAttr = "deletedAt"
	liveClaim   = "attribute_exists(version)" // a claim, not a tombstone
)

func memberPK(memberID string) string { return "MEMBER#" + memberID }

func claimSK(claimID string) string { return claimPrefix + claimID }

// CreateClaim stores a new claim; it never overwrites one. With a key, see createOnce.
func (s *Store) CreateClaim(ctx context.Context, c claims.Claim, key *claims.IdempotencyKey) (claims.Claim, bool, error) {
	if key != nil {
		return s.createOnce(ctx, c, *key)
	}
	if err := s.putNewClaim(ctx, c); err != nil {
		return claims.Claim{}, false, err
	}
	return c, false, nil
}

func (s *Store) putNewClaim(ctx context.Context, c claims.Claim) error {
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                claimItem(c),
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	switch {
	case conditionFailed(err):
		return claims.ErrExists
	case err != nil:
		return s.callError("PutItem", err)
	}
	return nil
}

// GetClaim reads one claim.
func (s *Store) GetClaim(ctx context.Context, memberID, claimID string) (claims.Claim, error) {
	item, err := s.getClaimItem(ctx, memberID, claimID)
	if err != nil {
		return claims.Claim{}, err
	}
	if item == nil {
		return claims.Claim{}, claims.ErrNotFound
	}
	return claimFromItem(item)
}

// getClaimItem reads the item of a claim; nil when there is none or only its tombstone.
func (s *Store) getClaimItem(ctx context.Context, memberID, claimID string) (map[string]types.AttributeValue, error) {
	item, err := s.getItem(ctx, memberPK(memberID), claimSK(claimID))
	if item != nil && item[deletedAttr] != nil {
		return nil, err
	}
	return item, err
}

// ListClaims reads a page of the member's claims, newest first: claim IDs are UUIDv7, whose text
// sorts by creation time, so a descending Query on SK is the order the contract asks for.
func (s *Store) ListClaims(ctx context.Context, memberID string, limit int, afterClaimID string) ([]claims.Claim, bool, error) {
	return queryPage(ctx, s, pageQuery{pk: memberPK(memberID), prefix: claimPrefix, afterID: afterClaimID, limit: limit,
		newestFirst: true, filter: liveClaim}, claimFromItem)
}

// UpdateClaim replaces the claim only while its stored version is expectedVersion, so of two
// writers that read the same version exactly one wins.
func (s *Store) UpdateClaim(ctx context.Context, c claims.Claim, expectedVersion int) error {
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      claimItem(c),
		ConditionExpression:       aws.String("version = :expected"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":expected": number(int64(expectedVersion))},
	})
	if conditionFailed(err) {
		return s.conflictOrGone(ctx, c.MemberID, c.ClaimID)
	}
	if err != nil {
		return s.callError("PutItem", err)
	}
	return nil
}

// DeleteClaim replaces the claim by its tombstone, only at expectedVersion unless that is 0; a
// missing claim is claims.ErrNotFound either way. A claim created under an Idempotency-Key also
// closes the key's record, so that a retry of the create answers from it without writing.
func (s *Store) DeleteClaim(ctx context.Context, memberID, claimID string, expectedVersion int) error {
	now := s.now()
	in := &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"PK":        str(memberPK(memberID)),
			"SK":        str(claimSK(claimID)),
			deletedAttr: str(now.UTC().Format(claims.TimeLayout)),
			"expiresAt": number(now.Add(s.idempotencyTTL).Unix()),
		},
		ConditionExpression: aws.String(liveClaim),
		ReturnValues:        types.ReturnValueAllOld,
	}
	if expectedVersion != 0 {
		in.ConditionExpression = aws.String("version = :expected")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":expected": number(int64(expectedVersion))}
	}
	// ALL_OLD returns the replaced claim, to find its idempotency key
	// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValues).
	out, err := s.api.PutItem(ctx, in)
	switch {
	case conditionFailed(err) && expectedVersion == 0:
		return claims.ErrNotFound
	case conditionFailed(err):
		return s.conflictOrGone(ctx, memberID, claimID)
	case err != nil:
		return s.callError("PutItem", err)
	}
	if k, ok := out.Attributes["idempotencyKey"].(*types.AttributeValueMemberS); ok {
		// The tombstone already makes the delete final; closing the record only spares a
		// retry its writes, so a failure here is not the caller's failure.
		_ = s.closeRecord(ctx, memberID, k.Value, claimID)
	}
	return nil
}

// conflictOrGone tells why a versioned write failed its condition: the claim is gone (404) or
// another writer got there first (412).
func (s *Store) conflictOrGone(ctx context.Context, memberID, claimID string) error {
	item, err := s.getClaimItem(ctx, memberID, claimID)
	switch {
	case err != nil:
		return err
	case item == nil:
		return claims.ErrNotFound
	}
	return claims.ErrVersionMismatch
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// claimItem is the table item of c: keys, then one attribute per field; absent optional fields
// have no attribute.
func claimItem(c claims.Claim) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"PK":         str(memberPK(c.MemberID)),
		"SK":         str(claimSK(c.ClaimID)),
		"memberId":   str(c.MemberID),
		"claimId":    str(c.ClaimID),
		"policyId":   str(c.PolicyID),
		"memberName": str(c.MemberName),
		"status":     str(string(c.Status)),
		"createdAt":  str(c.CreatedAt),
		"updatedAt":  str(c.UpdatedAt),
		"version":    number(int64(c.Version)),
	}
	if c.Amount != nil {
		item["amount"] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(*c.Amount, 'f', -1, 64)}
	}
	for name, v := range map[string]string{"currency": c.Currency, "description": c.Description, "incidentDate": c.IncidentDate,
		"idempotencyKey": c.IdempotencyKey} {
		if v != "" {
			item[name] = str(v)
		}
	}
	return item
}

// claimFromItem reads a claim item back; an item that is not a whole claim is an error, not a
// half-filled claim.
func claimFromItem(item map[string]types.AttributeValue) (claims.Claim, error) {
	r := itemReader{item: item}
	c := claims.Claim{
		MemberID:     r.str("memberId", true),
		ClaimID:      r.str("claimId", true),
		PolicyID:     r.str("policyId", true),
		MemberName:   r.str("memberName", true),
		Currency:     r.str("currency", false),
		Description:  r.str("description", false),
		IncidentDate: r.str("incidentDate", false),
		Status:       claims.Status(r.str("status", true)),
		CreatedAt:    r.str("createdAt", true),
		UpdatedAt:    r.str("updatedAt", true),
		Version:      int(r.num("version")),

		IdempotencyKey: r.str("idempotencyKey", false),
	}
	if _, ok := item["amount"]; ok {
		amount := r.num("amount")
		c.Amount = &amount
	}
	if r.err != nil {
		return claims.Claim{}, fmt.Errorf("claim item %s: %w", r.str("SK", false), r.err)
	}
	return c, nil
}

// itemReader reads typed attributes and keeps the first problem, so a conversion reads as a
// list of fields rather than a ladder of error checks.
type itemReader struct {
	item map[string]types.AttributeValue
	err  error
}

func (r *itemReader) str(name string, required bool) string {
	switch v := r.item[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case nil:
		if required {
			r.fail(fmt.Errorf("attribute %q is missing", name))
		}
	default:
		r.fail(fmt.Errorf("attribute %q is %T, not a string", name, v))
	}
	return ""
}

func (r *itemReader) num(name string) float64 {
	switch v := r.item[name].(type) {
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			r.fail(fmt.Errorf("attribute %q: %w", name, err))
		}
		return f
	case nil:
		r.fail(fmt.Errorf("attribute %q is missing", name))
	default:
		r.fail(fmt.Errorf("attribute %q is %T, not a number", name, v))
	}
	return 0
}

func (r *itemReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}
