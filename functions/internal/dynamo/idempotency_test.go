package dynamo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/example/private-api/functions/internal/claims"
)

func TestCreateOnce(t *testing.T) {
	ctx := context.Background()
	newStore := func() *Store {
		s := New(client, testTable)
		s.pollInterval = time.Millisecond
		return s
	}

	t.Run("retry_with_the_same_body_returns_the_first_claim_and_writes_nothing", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "key-1", Fingerprint: "same"}
		first, replayed, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil || replayed {
			t.Fatalf("first create: replayed=%v err=%v", replayed, err)
		}
		second, replayed, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil || !replayed {
			t.Fatalf("retry: replayed=%v err=%v, want a replay", replayed, err)
		}
		if second.ClaimID != first.ClaimID {
			t.Errorf("retry returned claim %s, want the first one %s", second.ClaimID, first.ClaimID)
		}
		if n := countClaims(t, memberID); n != 1 {
			t.Errorf("%d claims stored, want 1", n)
		}
	})

	t.Run("the_same_key_with_another_body_is_refused", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		if _, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &claims.IdempotencyKey{Key: "k", Fingerprint: "a"}); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &claims.IdempotencyKey{Key: "k", Fingerprint: "b"})
		if !errors.Is(err, claims.ErrIdempotencyKeyReused) {
			t.Errorf("err = %v, want ErrIdempotencyKeyReused", err)
		}
		if n := countClaims(t, memberID); n != 1 {
			t.Errorf("%d claims stored, want 1", n)
		}
	})

	t.Run("keys_are_per_member", func(t *testing.T) {
		s := newStore()
		key := claims.IdempotencyKey{Key: "shared", Fingerprint: "f"}
		a, _, errA := s.CreateClaim(ctx, newClaim(t, newMemberID(t)), &key)
		b, replayed, errB := s.CreateClaim(ctx, newClaim(t, newMemberID(t)), &key)
		if errA != nil || errB != nil || replayed || a.ClaimID == b.ClaimID {
			t.Errorf("two members, one key: %v %v replayed=%v ids %s %s; want two new claims", errA, errB, replayed, a.ClaimID, b.ClaimID)
		}
	})

	t.Run("an_expired_key_creates_a_new_claim", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "old", Fingerprint: "f"}
		first, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil {
			t.Fatal(err)
		}
		s.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		second, replayed, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil || replayed || second.ClaimID == first.ClaimID {
			t.Errorf("after expiry: replayed=%v err=%v id=%s (first %s); want a new claim", replayed, err, second.ClaimID, first.ClaimID)
		}
		if item := rawItem(t, memberPK(memberID), idempotencySK(key.Key)); item["expiresAt"] == nil {
			t.Error("the idempotency record has no expiresAt, the table's TTL attribute")
		}
	})

	t.Run("a_create_that_died_before_storing_its_claim_is_finished_by_the_retry", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		orphan := newClaim(t, memberID)
		key := claims.IdempotencyKey{Key: "crashed", Fingerprint: "f"}
		// The state a crash between the record write and the claim write leaves: a pending
		// record whose lock has passed, and no claim.
		past := time.Now().Add(-time.Minute)
		if err := s.putRecord(ctx, key.Key, idempotencyRecord{fingerprint: "f", claim: orphan, lockedUntil: past.UnixMilli()}, past); err != nil {
			t.Fatal(err)
		}
		got, replayed, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil || !replayed || got.ClaimID != orphan.ClaimID {
			t.Fatalf("retry: id=%s replayed=%v err=%v; want the recorded claim %s, replayed", got.ClaimID, replayed, err, orphan.ClaimID)
		}
		if _, err := s.GetClaim(ctx, memberID, orphan.ClaimID); err != nil {
			t.Errorf("the recorded claim was not stored: %v", err)
		}
		if item := rawItem(t, memberPK(memberID), idempotencySK(key.Key)); item["completedAt"] == nil {
			t.Error("the record is still pending after the retry finished it")
		}
	})

	t.Run("a_create_that_died_after_storing_its_claim_is_not_repeated", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		stored := newClaim(t, memberID)
		key := claims.IdempotencyKey{Key: "crashed-late", Fingerprint: "f"}
		past := time.Now().Add(-time.Minute)
		if err := s.putRecord(ctx, key.Key, idempotencyRecord{fingerprint: "f", claim: stored, lockedUntil: past.UnixMilli()}, past); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateClaim(ctx, stored, nil); err != nil {
			t.Fatal(err)
		}
		got, replayed, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil || !replayed || got.ClaimID != stored.ClaimID {
			t.Errorf("retry: id=%s replayed=%v err=%v; want %s replayed", got.ClaimID, replayed, err, stored.ClaimID)
		}
		if n := countClaims(t, memberID); n != 1 {
			t.Errorf("%d claims stored, want 1", n)
		}
	})

	t.Run("a_duplicate_of_a_create_in_progress_waits_then_gives_up", func(t *testing.T) {
		s := newStore()
		s.pollAttempts = 3
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "busy", Fingerprint: "f"}
		now := time.Now()
		held := idempotencyRecord{fingerprint: "f", claim: newClaim(t, memberID), lockedUntil: now.Add(time.Hour).UnixMilli()}
		if err := s.putRecord(ctx, key.Key, held, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &key); !errors.Is(err, claims.ErrIdempotencyInProgress) {
			t.Errorf("err = %v, want ErrIdempotencyInProgress", err)
		}
		if n := countClaims(t, memberID); n != 0 {
			t.Errorf("%d claims stored while the first create holds the key, want 0", n)
		}
	})

	t.Run("concurrent_creates_with_one_key_store_one_claim", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "race", Fingerprint: "f"}
		const n = 20
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			c := newClaim(t, memberID)
			wg.Go(func() {
				got, _, err := s.CreateClaim(ctx, c, &key)
				ids[i], errs[i] = got.ClaimID, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("create %d: id=%s err=%v; want %s", i, ids[i], errs[i], ids[0])
			}
		}
		if got := countClaims(t, memberID); got != 1 {
			t.Errorf("%d claims stored, want 1", got)
		}
	})
}
