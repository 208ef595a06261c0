package dynamo

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/private-api/functions/internal/claims"
)

func TestClaimStore(t *testing.T) {
	ctx := context.Background()
	s := New(client, testTable)

	t.Run("create_then_get_returns_every_field", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		c.Description, c.IncidentDate = "Broken wrist, ER visit", "2025-02-27"
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetClaim(ctx, c.MemberID, c.ClaimID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("GetClaim = %+v, want %+v", got, c)
		}
	})

	t.Run("absent_optional_fields_stay_absent", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		c.Amount, c.Currency = nil, ""
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		item := rawItem(t, memberPK(c.MemberID), claimSK(c.ClaimID))
		for _, attr := range []string{"amount", "currency", "description", "incidentDate"} {
			if _, ok := item[attr]; ok {
				t.Errorf("item has attribute %q for an absent field", attr)
			}
		}
	})

	t.Run("create_never_overwrites", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		other := c
		other.MemberName = "Someone Else"
		if _, _, err := s.CreateClaim(ctx, other, nil); !errors.Is(err, claims.ErrExists) {
			t.Fatalf("second create with the same ID: err = %v, want ErrExists", err)
		}
		if got, _ := s.GetClaim(ctx, c.MemberID, c.ClaimID); got.MemberName != c.MemberName {
			t.Errorf("stored memberName = %q after refused create, want %q", got.MemberName, c.MemberName)
		}
	})

	t.Run("get_unknown_is_not_found", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		if _, err := s.GetClaim(ctx, c.MemberID, c.ClaimID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})

	t.Run("update_only_at_the_expected_version", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		next := c
		next.Status, next.Version = claims.StatusApproved, 2
		if err := s.UpdateClaim(ctx, next, 1); err != nil {
			t.Fatalf("update at the stored version: %v", err)
		}
		stale := c
		stale.Status, stale.Version = claims.StatusRejected, 2
		if err := s.UpdateClaim(ctx, stale, 1); !errors.Is(err, claims.ErrVersionMismatch) {
			t.Errorf("update at a stale version: err = %v, want ErrVersionMismatch", err)
		}
		if got, _ := s.GetClaim(ctx, c.MemberID, c.ClaimID); got.Status != claims.StatusApproved || got.Version != 2 {
			t.Errorf("stored claim = %s v%d, want APPROVED v2", got.Status, got.Version)
		}
	})

	t.Run("update_never_resurrects", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		c.Version = 2
		if err := s.UpdateClaim(ctx, c, 1); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		if n := countClaims(t, c.MemberID); n != 0 {
			t.Errorf("%d claims stored after an update of a missing claim", n)
		}
	})

	t.Run("delete", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteClaim(ctx, c.MemberID, c.ClaimID, 7); !errors.Is(err, claims.ErrVersionMismatch) {
			t.Errorf("delete at a wrong version: err = %v, want ErrVersionMismatch", err)
		}
		if err := s.DeleteClaim(ctx, c.MemberID, c.ClaimID, 1); err != nil {
			t.Fatalf("delete at the stored version: %v", err)
		}
		if err := s.DeleteClaim(ctx, c.MemberID, c.ClaimID, 0); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("unconditional delete of a deleted claim: err = %v, want ErrNotFound", err)
		}
		if err := s.DeleteClaim(ctx, c.MemberID, c.ClaimID, 1); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("versioned delete of a deleted claim: err = %v, want ErrNotFound", err)
		}
		if _, err := s.GetClaim(ctx, c.MemberID, c.ClaimID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("get of a deleted claim: err = %v, want ErrNotFound", err)
		}
		next := c
		next.Version = 2
		if err := s.UpdateClaim(ctx, next, 1); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("update of a deleted claim: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("a_deleted_claim_cannot_be_stored_again", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		c.Description = "private details"
		if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		before := time.Now()
		if err := s.DeleteClaim(ctx, c.MemberID, c.ClaimID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateClaim(ctx, c, nil); !errors.Is(err, claims.ErrExists) {
			t.Errorf("create at the key of a deleted claim: err = %v, want ErrExists", err)
		}
		if _, err := s.GetClaim(ctx, c.MemberID, c.ClaimID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("get after the refused create: err = %v, want ErrNotFound", err)
		}
		tomb := rawItem(t, memberPK(c.MemberID), claimSK(c.ClaimID))
		if len(tomb) != 4 || tomb["deletedAt"] == nil {
			t.Errorf("tombstone = %v, want PK, SK, deletedAt and expiresAt only: the claim's data goes", tomb)
		}
		// It must outlive every idempotency record that could hold the claim, and then go.
		exp, _ := tomb["expiresAt"].(*types.AttributeValueMemberN)
		if exp == nil {
			t.Fatal("the tombstone has no expiresAt: it would stay forever")
		}
		if at, _ := strconv.ParseInt(exp.Value, 10, 64); at < before.Add(s.idempotencyTTL).Unix() || at > time.Now().Add(s.idempotencyTTL).Unix() {
			t.Errorf("tombstone expiresAt %s, want the delete time plus %s", exp.Value, s.idempotencyTTL)
		}
	})

	t.Run("list_is_newest_first_in_exact_pages", func(t *testing.T) {
		memberID := newMemberID(t)
		var created []string
		for range 5 {
			c := newClaim(t, memberID)
			if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
				t.Fatal(err)
			}
			created = append(created, c.ClaimID)
		}
		// An idempotency record shares the partition and must not show up as a claim.
		if _, _, err := s.CreateClaim(ctx, newClaim(t, memberID), &claims.IdempotencyKey{Key: "k1", Fingerprint: "f"}); err != nil {
			t.Fatal(err)
		}
		var pages [][]string
		after := ""
		for {
			page, more, err := s.ListClaims(ctx, memberID, 2, after)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range page {
				ids = append(ids, c.ClaimID)
			}
			pages = append(pages, ids)
			if !more {
				break
			}
			after = ids[len(ids)-1]
		}
		if len(pages) != 3 || len(pages[0]) != 2 || len(pages[1]) != 2 || len(pages[2]) != 2 {
			t.Fatalf("pages = %v, want 3 pages of 2 (6 claims)", pages)
		}
		// The claim created with the key is the newest; then the five, last created first.
		want := []string{created[4], created[3], created[2], created[1], created[0]}
		got := append(append(pages[0][1:], pages[1]...), pages[2]...)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("order = %v, want newest first %v", got, want)
		}
	})

	t.Run("list_skips_deleted_claims_and_keeps_pages_exact", func(t *testing.T) {
		memberID := newMemberID(t)
		var kept []string
		for i := range 7 {
			c := newClaim(t, memberID)
			if _, _, err := s.CreateClaim(ctx, c, nil); err != nil {
				t.Fatal(err)
			}
			if i == 0 || i == 5 {
				kept = append([]string{c.ClaimID}, kept...)
				continue
			}
			if err := s.DeleteClaim(ctx, memberID, c.ClaimID, 0); err != nil {
				t.Fatal(err)
			}
		}
		// With limit 1 each Query reads 2 items, most of them tombstones: the store must read on.
		first, more, err := s.ListClaims(ctx, memberID, 1, "")
		if err != nil || len(first) != 1 || first[0].ClaimID != kept[0] || !more {
			t.Fatalf("first page = %v, more %v, %v; want [%s] and more", first, more, err, kept[0])
		}
		second, more, err := s.ListClaims(ctx, memberID, 1, first[0].ClaimID)
		if err != nil || len(second) != 1 || second[0].ClaimID != kept[1] || more {
			t.Errorf("second page = %v, more %v, %v; want [%s] and no more", second, more, err, kept[1])
		}
	})

	t.Run("list_of_a_member_without_claims_is_empty", func(t *testing.T) {
		page, more, err := s.ListClaims(ctx, newMemberID(t), 10, "")
		if err != nil || len(page) != 0 || more {
			t.Errorf("ListClaims = %v, %v, %v; want empty, false, nil", page, more, err)
		}
	})

	t.Run("a_damaged_item_is_an_error_not_a_half_claim", func(t *testing.T) {
		c := newClaim(t, newMemberID(t))
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(testTable),
			Item: map[string]types.AttributeValue{
				"PK": str(memberPK(c.MemberID)), "SK": str(claimSK(c.ClaimID)),
				"memberId": str(c.MemberID), "claimId": str(c.ClaimID), "version": str("one"),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetClaim(ctx, c.MemberID, c.ClaimID); err == nil {
			t.Error("GetClaim of an item without policyId and with a string version succeeded")
		}
	})
}

func TestStoreErrors(t *testing.T) {
	ctx := context.Background()
	c := newClaim(t, "m1")

	t.Run("throttling_is_retryable_with_a_delay", func(t *testing.T) {
		for _, cause := range []error{
			&types.ProvisionedThroughputExceededException{Message: aws.String("slow down")},
			&types.ThrottlingException{Message: aws.String("slow down")},
			&types.RequestLimitExceeded{Message: aws.String("slow down")},
			context.DeadlineExceeded,
		} {
			s := New(failingAPI{err: cause}, "claims")
			_, err := s.GetClaim(ctx, c.MemberID, c.ClaimID)
			var unavailable *UnavailableError
			if !errors.As(err, &unavailable) || unavailable.RetryAfter() <= 0 {
				t.Errorf("%T: err = %v, want *UnavailableError with a RetryAfter", cause, err)
			}
		}
	})

	t.Run("other_failures_name_the_operation_and_table", func(t *testing.T) {
		cause := errors.New("connection refused")
		s := New(failingAPI{err: cause}, "claims-dev")
		_, _, err := s.CreateClaim(ctx, c, nil)
		var unavailable *UnavailableError
		if !errors.Is(err, cause) || errors.As(err, &unavailable) {
			t.Fatalf("err = %v, want the cause wrapped, not retryable", err)
		}
		if want := "dynamodb PutItem on claims-dev: connection refused"; err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
	})
}

// rawItem reads an item with the client, bypassing the store.
func rawItem(t *testing.T, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(testTable), Key: key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// failingAPI answers every call with err.
type failingAPI struct{ err error }

var _ API = failingAPI{}

func (f failingAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.err
}

func (f failingAPI) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return nil, f.err
}
