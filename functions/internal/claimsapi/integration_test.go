package claimsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/directoryapi"
	"github.com/example/private-api/functions/internal/dynalitetest"
	"github.com/example/private-api/functions/internal/dynamo"
)

// The DynamoDB store is what the claims function runs with.
var _ Store = (*dynamo.Store)(nil)

const tableName = "claims-api-test"

// TestMain runs every test of the package with dynalite up; the tests against the fake store
// do not use it.
func TestMain(m *testing.M) {
	os.Exit(dynalitetest.Main(m, func(ctx context.Context, c *dynamodb.Client) error {
		return dynalitetest.CreateTable(ctx, c, tableName)
	}))
}

// realHandler is the handler over the DynamoDB store, configured as the function configures it.
func realHandler(t *testing.T) *Handler {
	t.Helper()
	t.Setenv("TABLE_NAME", tableName)
	store, err := dynamo.FromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return New(store)
}

func TestOnDynamoDB(t *testing.T) {
	h := realHandler(t)

	t.Run("a_claim_through_its_life", func(t *testing.T) {
		member := dynalitetest.UniqueID(t, "it-")
		resp := serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: member, body: validBody})
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
		}
		id := decodeClaim(t, resp).ClaimID
		item := req{resource: ItemResource, member: member, claim: id}

		item.method = http.MethodGet
		resp = serve(t, h, item)
		if resp.StatusCode != 200 || decodeClaim(t, resp).PolicyID != "POL-7" {
			t.Fatalf("get: %d %s", resp.StatusCode, resp.Body)
		}
		etag := resp.Headers["ETag"]

		item.method, item.body, item.headers = http.MethodPatch, `{"status":"IN_REVIEW"}`, map[string]string{"If-Match": etag}
		if resp = serve(t, h, item); resp.StatusCode != 200 {
			t.Fatalf("patch: %d %s", resp.StatusCode, resp.Body)
		}
		// The first ETag is stale now.
		wantError(t, serve(t, h, item), 412, "precondition_failed")

		list := serve(t, h, req{method: http.MethodGet, resource: CollectionResource, member: member})
		var page struct{ Items []claims.Claim }
		if err := json.Unmarshal([]byte(list.Body), &page); err != nil || len(page.Items) != 1 || page.Items[0].Status != claims.StatusInReview {
			t.Fatalf("list: %d %s", list.StatusCode, list.Body)
		}

		item.method, item.body = http.MethodDelete, ""
		wantError(t, serve(t, h, item), 412, "precondition_failed")
		item.headers = nil
		if resp = serve(t, h, item); resp.StatusCode != 204 {
			t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
		}
		wantError(t, serve(t, h, item), 404, "claim_not_found")
		item.method = http.MethodGet
		wantError(t, serve(t, h, item), 404, "claim_not_found")
	})

	t.Run("page_tokens_work_only_on_the_list_that_issued_them", func(t *testing.T) {
		member := dynalitetest.UniqueID(t, "it-")
		for range 3 {
			if resp := serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: member, body: validBody}); resp.StatusCode != 201 {
				t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
			}
		}
		var ids []string
		query := map[string]string{"limit": "1"}
		var firstToken string
		for len(ids) < 4 {
			resp := serve(t, h, req{method: http.MethodGet, resource: CollectionResource, member: member, query: query})
			var page struct {
				Items     []claims.Claim
				NextToken string
			}
			if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || resp.StatusCode != 200 || len(page.Items) != 1 {
				t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
			}
			ids = append(ids, page.Items[0].ClaimID)
			if page.NextToken == "" {
				break
			}
			if firstToken == "" {
				firstToken = page.NextToken
			}
			query = map[string]string{"limit": "1", "nextToken": page.NextToken}
		}
		if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
			t.Fatalf("paged through %v, want the 3 claims once each", ids)
		}
		other := req{method: http.MethodGet, resource: CollectionResource, member: dynalitetest.UniqueID(t, "it-"),
			query: map[string]string{"nextToken": firstToken}}
		wantError(t, serve(t, h, other), 400, "invalid_next_token")

		// The employee list shares the table and its key, and still refuses a claims token.
		employees, err := directoryapi.New(h.store.(*dynamo.Store)).Handle(context.Background(), events.APIGatewayProxyRequest{
			HTTPMethod: http.MethodGet, Resource: directoryapi.CollectionResource,
			QueryStringParameters: map[string]string{"nextToken": firstToken},
		})
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, employees, 400, "invalid_next_token")
	})

	t.Run("concurrent_patches_lose_no_update", func(t *testing.T) {
		member := dynalitetest.UniqueID(t, "it-")
		id := decodeClaim(t, serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: member, body: validBody})).ClaimID
		const writers = 50
		statuses := make([]int, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				// Each writer reads, then patches with the ETag it read.
				got := serve(t, h, req{method: http.MethodGet, resource: ItemResource, member: member, claim: id})
				patch := req{method: http.MethodPatch, resource: ItemResource, member: member, claim: id,
					body: `{"amount":` + strconv.Itoa(i) + `}`, headers: map[string]string{"If-Match": got.Headers["ETag"]}}
				statuses[i] = serve(t, h, patch).StatusCode
			})
		}
		wg.Wait()
		won := 0
		for i, s := range statuses {
			switch s {
			case 200:
				won++
			case 412:
			default:
				t.Errorf("writer %d got %d, want 200 or 412", i, s)
			}
		}
		final := decodeClaim(t, serve(t, h, req{method: http.MethodGet, resource: ItemResource, member: member, claim: id}))
		if won == 0 || final.Version != won+1 {
			t.Errorf("%d writes succeeded and the final version is %d, want %d: an update was lost", won, final.Version, won+1)
		}
	})

	t.Run("concurrent_creates_with_one_idempotency_key_make_one_claim", func(t *testing.T) {
		member := dynalitetest.UniqueID(t, "it-")
		const clients = 20
		responses := make([]string, clients)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Go(func() {
				resp := serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: member, body: validBody,
					headers: map[string]string{"Idempotency-Key": "7c1f0b0e-retry"}})
				if resp.StatusCode != 201 {
					t.Errorf("client %d: %d %s", i, resp.StatusCode, resp.Body)
				}
				responses[i] = resp.Body
			})
		}
		wg.Wait()
		for i := range responses {
			if responses[i] != responses[0] {
				t.Errorf("client %d got %s, client 0 got %s", i, responses[i], responses[0])
			}
		}
		list := serve(t, h, req{method: http.MethodGet, resource: CollectionResource, member: member})
		var page struct{ Items []claims.Claim }
		if err := json.Unmarshal([]byte(list.Body), &page); err != nil || len(page.Items) != 1 {
			t.Errorf("the member has %d claims (%s), want 1", len(page.Items), list.Body)
		}

		other := serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: member,
			body: `{"policyId":"POL-8","memberName":"Ada Lovelace"}`, headers: map[string]string{"Idempotency-Key": "7c1f0b0e-retry"}})
		wantError(t, other, 409, "idempotency_key_reused")
	})
}
