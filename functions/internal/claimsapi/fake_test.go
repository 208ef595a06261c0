package claimsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/pagetoken"
)

// fakeStore is a Store whose behaviour each test sets; a call nobody set up is an error.
type fakeStore struct {
	createClaim func(ctx context.Context, c claims.Claim, key *claims.IdempotencyKey) (claims.Claim, bool, error)
	getClaim    func(ctx context.Context, memberID, claimID string) (claims.Claim, error)
	listClaims  func(ctx context.Context, memberID string, limit int, after string) ([]claims.Claim, bool, error)
	updateClaim func(ctx context.Context, c claims.Claim, expectedVersion int) error
	deleteClaim func(ctx context.Context, memberID, claimID string, expectedVersion int) error
	// pageKey, when set, replaces the fixed key of every version.
	pageKey func(ctx context.Context, version byte, create bool) ([]byte, error)
}

var _ Store = (*fakeStore)(nil)

var errUnexpectedCall = errors.New("fakeStore: unexpected call")

func (f *fakeStore) CreateClaim(ctx context.Context, c claims.Claim, key *claims.IdempotencyKey) (claims.Claim, bool, error) {
	if f.createClaim == nil {
		return claims.Claim{}, false, errUnexpectedCall
	}
	return f.createClaim(ctx, c, key)
}

func (f *fakeStore) GetClaim(ctx context.Context, memberID, claimID string) (claims.Claim, error) {
	if f.getClaim == nil {
		return claims.Claim{}, errUnexpectedCall
	}
	return f.getClaim(ctx, memberID, claimID)
}

func (f *fakeStore) ListClaims(ctx context.Context, memberID string, limit int, after string) ([]claims.Claim, bool, error) {
	if f.listClaims == nil {
		return nil, false, errUnexpectedCall
	}
	return f.listClaims(ctx, memberID, limit, after)
}

func (f *fakeStore) UpdateClaim(ctx context.Context, c claims.Claim, expectedVersion int) error {
	if f.updateClaim == nil {
		return errUnexpectedCall
	}
	return f.updateClaim(ctx, c, expectedVersion)
}

func (f *fakeStore) DeleteClaim(ctx context.Context, memberID, claimID string, expectedVersion int) error {
	if f.deleteClaim == nil {
		return errUnexpectedCall
	}
	return f.deleteClaim(ctx, memberID, claimID, expectedVersion)
}

// testPageKey is the page-token key of the fake stores.
var testPageKey = bytes.Repeat([]byte{7}, pagetoken.KeySize)

func (f *fakeStore) PageKey(ctx context.Context, version byte, create bool) ([]byte, error) {
	if f.pageKey != nil {
		return f.pageKey(ctx, version, create)
	}
	return testPageKey, nil
}

// createEcho is a create that stores what it is given.
func createEcho(_ context.Context, c claims.Claim, _ *claims.IdempotencyKey) (claims.Claim, bool, error) {
	return c, false, nil
}

// retryable is a store failure that asks the client to come back later.
type retryable struct{}

func (retryable) Error() string             { return "dynamodb: throttled on table secret-table-name" }
func (retryable) RetryAfter() time.Duration { return 2 * time.Second }

var testNow = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// newTestHandler is a handler over store with a fixed clock.
func newTestHandler(store Store) *Handler {
	h := New(store)
	h.now = func() time.Time { return testNow }
	return h
}

const (
	memberID = "member-42"
	claimID  = "0195503a-0c2f-7a1e-8b3c-4d5e6f708192"
)

// stored is a claim as the store holds it at version 3.
func stored() claims.Claim {
	amount := 100.0
	return claims.Claim{
		MemberID: memberID, ClaimID: claimID, PolicyID: "POL-7", MemberName: "Ada Lovelace",
		Amount: &amount, Currency: "EUR", Description: "Dental", Status: claims.StatusSubmitted,
		CreatedAt: "2025-02-01T10:00:00.000Z", UpdatedAt: "2025-02-02T10:00:00.000Z", Version: 3,
	}
}

// req builds a proxy event the way API Gateway sends one for resource.
type req struct {
	method, resource string
	member, claim    string
	headers          map[string]string
	query            map[string]string
	body             string
	base64           bool // body is base64, as API Gateway sends binary media types
}

func (r req) event() events.APIGatewayProxyRequest {
	path := "/members/" + r.member + "/claims"
	params := map[string]string{"memberId": r.member}
	if r.resource == ItemResource {
		path += "/" + r.claim
		params["claimId"] = r.claim
	}
	return events.APIGatewayProxyRequest{
		Resource:              r.resource,
		Path:                  path,
		HTTPMethod:            r.method,
		Headers:               r.headers,
		QueryStringParameters: r.query,
		PathParameters:        params,
		RequestContext:        events.APIGatewayProxyRequestContext{RequestID: "req-1", Stage: "dev", Path: "/dev" + path},
		Body:                  r.body,
		IsBase64Encoded:       r.base64,
	}
}

func serve(t *testing.T, h *Handler, r req) events.APIGatewayProxyResponse {
	t.Helper()
	resp, err := h.Handle(context.Background(), r.event())
	if err != nil {
		// Errorf, not Fatalf: concurrent tests call serve from their own goroutines.
		t.Errorf("Handle returned an error, which Lambda would turn into a bare 502: %v", err)
	}
	if ct := resp.Headers["Content-Type"]; ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	return resp
}

// wantError checks an error response's status and code, and that its body is the contract's shape.
func wantError(t *testing.T, resp events.APIGatewayProxyResponse, status int, code string) {
	t.Helper()
	var body map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("error body %q is not a JSON object of strings: %v", resp.Body, err)
	}
	if resp.StatusCode != status || body["error"] != code || body["message"] == "" || len(body) != 2 {
		t.Errorf("got %d %s, want %d {error: %q, message: ...}", resp.StatusCode, resp.Body, status, code)
	}
}

func decodeClaim(t *testing.T, resp events.APIGatewayProxyResponse) claims.Claim {
	t.Helper()
	var c claims.Claim
	if err := json.Unmarshal([]byte(resp.Body), &c); err != nil {
		t.Fatalf("body %q is not a claim: %v", resp.Body, err)
	}
	return c
}
