package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/internal/strictjson"
)

// An idempotency record sits beside the member's claims at SK = IDEMPOTENCY#<key> and holds:
//
//	fingerprint  what the first request asked for (claims.NewClaim.Fingerprint)
//	claim        the claim it creates, as JSON: a retry answers with exactly this
//	claimId      that claim's ID, for conditions on it
//	lockedUntil  until when (Unix ms) the request that wrote the record is finishing it
//	completedAt  set once the claim is stored; absent while the create is pending
//	expiresAt    when the key is forgotten (Unix s): the table's TTL attribute
//
// The record is written before the claim, each with a conditional write of its own, because a
// create must work on engines without transactions (dynalite, in the tests) as well as on
// DynamoDB. If the function dies between the two writes, the record stays pending with the
// claim in it; once the lock passes, a retry with the same key stores that same claim, so a
// crash never yields two claims for one key. TTL deletion lags, so expiry is also checked in
// the write condition. A delete of the claim in between leaves a tombstone that refuses that
// store (claims.go), and closes the record, so the retry answers from it without writing.
const idempotencyPrefix = "IDEMPOTENCY#"

type idempotencyRecord struct {
	fingerprint string
	claim       claims.Claim
	lockedUntil int64
	completed   bool
}

func idempotencySK(key string) string { return idempotencyPrefix + key }

// createOnce creates c at most once per member and key. The first request writes the record and
// then the claim; a duplicate finds the record and answers with its claim, waits while the first
// request is still at work, or takes over a create whose lock has passed.
func (s *Store) createOnce(ctx context.Context, c claims.Claim, key claims.IdempotencyKey) (claims.Claim, bool, error) {
	c.IdempotencyKey = key.Key
	for attempt := range s.pollAttempts {
		if attempt > 0 {
			if err := sleep(ctx, s.pollInterval); err != nil {
				return claims.Claim{}, false, s.callError("wait for idempotency key", err)
			}
		}
		now := s.now()
		rec := idempotencyRecord{fingerprint: key.Fingerprint, claim: c, lockedUntil: now.Add(s.lockTTL).UnixMilli()}
		err := s.putRecord(ctx, key.Key, rec, now)
		if err == nil {
			return s.finish(ctx, key.Key, rec, false)
		}
		if !conditionFailed(err) {
			return claims.Claim{}, false, s.callError("PutItem", err)
		}
		existing, found, err := s.getRecord(ctx, c.MemberID, key.Key)
		switch {
		case err != nil:
			return claims.Claim{}, false, err
		case !found:
			continue // expired and removed since our write was refused: try again
		case existing.fingerprint != key.Fingerprint:
			return claims.Claim{}, false, claims.ErrIdempotencyKeyReused
		case existing.completed:
			return existing.claim, true, nil
		case existing.lockedUntil < now.UnixMilli():
			lockedUntil := now.Add(s.lockTTL).UnixMilli()
			taken, err := s.takeOver(ctx, existing, key.Key, lockedUntil)
			if err != nil {
				return claims.Claim{}, false, err
			}
			if taken {
				existing.lockedUntil = lockedUntil
				return s.finish(ctx, key.Key, existing, true)
			}
		}
	}
	return claims.Claim{}, false, claims.ErrIdempotencyInProgress
}

// finish stores the record's claim and marks the record completed.
func (s *Store) finish(ctx context.Context, key string, rec idempotencyRecord, replayed bool) (claims.Claim, bool, error) {
	pk, sk := memberPK(rec.claim.MemberID), idempotencySK(key)
	// ErrExists means an earlier holder of the key stored this very claim (IDs are unique).
	if err := s.putNewClaim(ctx, rec.claim); err != nil && !errors.Is(err, claims.ErrExists) {
		// Release the lock so that the client's retry finishes this claim at once. If the
		// release fails too, the retry waits for the lock to pass instead.
		_ = s.setLock(ctx, pk, sk, rec.lockedUntil, 0, false)
		return claims.Claim{}, false, err
	}
	// The claim is stored, so the request has succeeded even if this mark fails: the record
	// then stays pending, and a retry after the lock re-finds the claim and marks it.
	_ = s.setLock(ctx, pk, sk, rec.lockedUntil, rec.lockedUntil, true)
	return rec.claim, replayed, nil
}

// takeOver moves the lock of a pending record whose holder stopped; false when another request
// moved or completed it first.
func (s *Store) takeOver(ctx context.Context, rec idempotencyRecord, key string, lockedUntil int64) (bool, error) {
	err := s.setLock(ctx, memberPK(rec.claim.MemberID), idempotencySK(key), rec.lockedUntil, lockedUntil, false)
	if conditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// setLock sets lockedUntil, and completedAt when complete, while the record is pending and its
// lock still has the value held. A lost race comes back as the condition failure.
func (s *Store) setLock(ctx context.Context, pk, sk string, held, lockedUntil int64, complete bool) error {
	in := &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(pk, sk),
		UpdateExpression:    aws.String("SET lockedUntil = :next"),
		ConditionExpression: aws.String("attribute_not_exists(completedAt) AND lockedUntil = :held"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":held": number(held),
			":next": number(lockedUntil),
		},
	}
	if complete {
		in.UpdateExpression = aws.String("SET lockedUntil = :next, completedAt = :now")
		in.ExpressionAttributeValues[":now"] = str(s.now().UTC().Format(claims.TimeLayout))
	}
	_, err := s.api.UpdateItem(ctx, in)
	if err != nil && !conditionFailed(err) {
		return s.callError("UpdateItem", err)
	}
	return err
}

// closeRecord marks the record of key completed, if it is pending and still holds the claim:
// the claim was deleted, so no retry may store it again. A record the key got after the old
// one expired holds another claim, and is left alone.
func (s *Store) closeRecord(ctx context.Context, memberID, idempotencyKey, claimID string) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(memberPK(memberID), idempotencySK(idempotencyKey)),
		UpdateExpression:    aws.String("SET completedAt = :now"),
		ConditionExpression: aws.String("claimId = :claimId AND attribute_not_exists(completedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":     str(s.now().UTC().Format(claims.TimeLayout)),
			":claimId": str(claimID),
		},
	})
	if err != nil && !conditionFailed(err) {
		return s.callError("UpdateItem", err)
	}
	return nil
}

// putRecord writes a new pending record unless a live (unexpired) one holds the key.
func (s *Store) putRecord(ctx context.Context, key string, rec idempotencyRecord, now time.Time) error {
	claimJSON, err := json.Marshal(rec.claim)
	if err != nil {
		return fmt.Errorf("encode claim for idempotency record: %w", err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"PK":          str(memberPK(rec.claim.MemberID)),
			"SK":          str(idempotencySK(key)),
			"fingerprint": str(rec.fingerprint),
			"claim":       str(string(claimJSON)),
			"claimId":     str(rec.claim.ClaimID),
			"lockedUntil": number(rec.lockedUntil),
			"expiresAt":   number(now.Add(s.idempotencyTTL).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR expiresAt < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": number(now.Unix())},
	})
	return err
}

// getRecord reads the record of key; found is false when there is none or it has expired.
func (s *Store) getRecord(ctx context.Context, memberID, key string) (idempotencyRecord, bool, error) {
	item, err := s.getItem(ctx, memberPK(memberID), idempotencySK(key))
	if err != nil || item == nil {
		return idempotencyRecord{}, false, err
	}
	r := itemReader{item: item}
	rec := idempotencyRecord{
		fingerprint: r.str("fingerprint", true),
		lockedUntil: int64(r.num("lockedUntil")),
		completed:   r.str("completedAt", false) != "",
	}
	expiresAt := int64(r.num("expiresAt"))
	claimJSON := r.str("claim", true)
	if r.err == nil {
		r.err = strictjson.Unmarshal([]byte(claimJSON), &rec.claim)
	}
	rec.claim.IdempotencyKey = key
	if r.err != nil {
		return idempotencyRecord{}, false, fmt.Errorf("idempotency record %s of member %s: %w", key, memberID, r.err)
	}
	if expiresAt < s.now().Unix() {
		return idempotencyRecord{}, false, nil
	}
	return rec, true, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
