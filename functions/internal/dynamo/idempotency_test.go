package dynamo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

	// The crash the record's comment describes: the claim is stored, the function dies before
	// marking the key done, the member deletes the claim, the client retries the create.
	crashed := func(t *testing.T) (*Store, *crashAPI, claims.Claim, claims.IdempotencyKey, time.Time) {
		t.Helper()
		api := &crashAPI{API: client, failMark: true}
		s := New(api, testTable)
		s.pollInterval = time.Millisecond
		start := time.Now()
		s.now = func() time.Time { return start }
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "dies-before-mark", Fingerprint: "f"}
		first, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil {
			t.Fatal(err)
		}
		if rec := rawItem(t, memberPK(memberID), idempotencySK(key.Key)); rec["completedAt"] != nil || countClaims(t, memberID) != 1 {
			t.Fatal("the crash was not simulated: want the claim stored and its record pending")
		}
		return s, api, first, key, start
	}

	t.Run("a_delete_after_a_create_that_died_before_marking_its_key_is_final", func(t *testing.T) {
		s, api, first, key, start := crashed(t)
		if err := s.DeleteClaim(ctx, first.MemberID, first.ClaimID, 0); err != nil {
			t.Fatal(err)
		}
		s.now = func() time.Time { return start.Add(time.Minute) } // the lock has passed
		api.reset()
		got, replayed, err := s.CreateClaim(ctx, newClaim(t, first.MemberID), &key)
		if err != nil || !replayed || got.ClaimID != first.ClaimID {
			t.Errorf("retry: id=%s replayed=%v err=%v; want the first claim %s, replayed", got.ClaimID, replayed, err, first.ClaimID)
		}
		if w := api.writes(); len(w) != 0 {
			t.Errorf("the retry wrote %v, want nothing", w)
		}
		if _, err := s.GetClaim(ctx, first.MemberID, first.ClaimID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("get after the retry: err = %v, want ErrNotFound: the deleted claim came back", err)
		}
		if n := countClaims(t, first.MemberID); n != 0 {
			t.Errorf("%d claims stored, want 0", n)
		}
	})

	t.Run("a_delete_during_the_retry_that_took_over_the_key_is_final", func(t *testing.T) {
		s, api, first, key, start := crashed(t)
		s.now = func() time.Time { return start.Add(time.Minute) }
		// The retry has taken over the lock when the delete lands, just before it stores the claim.
		deleter := New(client, testTable)
		api.beforeClaimPut = func() {
			if err := deleter.DeleteClaim(ctx, first.MemberID, first.ClaimID, 0); err != nil {
				t.Errorf("delete: %v", err)
			}
		}
		if _, _, err := s.CreateClaim(ctx, newClaim(t, first.MemberID), &key); err != nil {
			t.Errorf("retry: %v", err)
		}
		if api.beforeClaimPut != nil {
			t.Fatal("the retry never tried to store the claim: the race was not exercised")
		}
		if _, err := s.GetClaim(ctx, first.MemberID, first.ClaimID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("get after the retry: err = %v, want ErrNotFound: the deleted claim came back", err)
		}
	})

	t.Run("deleting_a_claim_leaves_a_later_record_of_its_key_alone", func(t *testing.T) {
		s := newStore()
		memberID := newMemberID(t)
		key := claims.IdempotencyKey{Key: "reused-after-a-day", Fingerprint: "f"}
		old, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &key)
		if err != nil {
			t.Fatal(err)
		}
		// A day later the key is free again, and a new create under it is under way.
		later := time.Now().Add(25 * time.Hour)
		s.now = func() time.Time { return later }
		pending := idempotencyRecord{fingerprint: "f", claim: newClaim(t, memberID), lockedUntil: later.Add(time.Second).UnixMilli()}
		if err := s.putRecord(ctx, key.Key, pending, later); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteClaim(ctx, memberID, old.ClaimID, 0); err != nil {
			t.Fatal(err)
		}
		if rec := rawItem(t, memberPK(memberID), idempotencySK(key.Key)); rec["completedAt"] != nil {
			t.Error("deleting the old claim closed the record of the new create: its retry would answer with a claim never stored")
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

// crashAPI is the table seen by a function that dies between storing a claim and marking its
// idempotency record done: with failMark, the first mark fails (the store goes on as a dead
// function would not, but leaves the table in the same state). It records the writes that
// reach the table, and beforeClaimPut runs once, just before the next write of a claim item.
type crashAPI struct {
	API
	mu             sync.Mutex
	failMark       bool
	written        []string
	beforeClaimPut func()
}

func (a *crashAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	sk := in.Item["SK"].(*types.AttributeValueMemberS).Value
	a.mu.Lock()
	hook := a.beforeClaimPut
	if strings.HasPrefix(sk, claimPrefix) {
		a.beforeClaimPut = nil
	} else {
		hook = nil
	}
	a.mu.Unlock()
	if hook != nil {
		hook()
	}
	out, err := a.API.PutItem(ctx, in, opts...)
	a.record(err, "PutItem "+sk)
	return out, err
}

func (a *crashAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	sk := in.Key["SK"].(*types.AttributeValueMemberS).Value
	a.mu.Lock()
	fail := a.failMark && strings.HasPrefix(sk, idempotencyPrefix) && strings.Contains(*in.UpdateExpression, "completedAt")
	if fail {
		a.failMark = false
	}
	a.mu.Unlock()
	if fail {
		return nil, errors.New("function killed")
	}
	out, err := a.API.UpdateItem(ctx, in, opts...)
	a.record(err, "UpdateItem "+sk)
	return out, err
}

// record notes a write that changed the table (a refused condition changes nothing).
func (a *crashAPI) record(err error, write string) {
	if err == nil {
		a.mu.Lock()
		a.written = append(a.written, write)
		a.mu.Unlock()
	}
}

func (a *crashAPI) reset() {
	a.mu.Lock()
	a.written = nil
	a.mu.Unlock()
}

func (a *crashAPI) writes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.written)
}
