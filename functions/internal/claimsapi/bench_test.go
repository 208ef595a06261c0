package claimsapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/example/private-api/functions/internal/claims"
)

// The warm cost of the handler itself: routing, parsing, validation, JSON, with a store that
// does no work. Targets: under 20 µs and 60 allocations a request.

func BenchmarkCreate(b *testing.B) {
	benchmark(b, &fakeStore{createClaim: createEcho},
		req{method: http.MethodPost, resource: CollectionResource, member: memberID, body: validBody,
			headers: map[string]string{"Idempotency-Key": "3f6c2a9e-5d1b-4c7e-9a0f-1b2c3d4e5f60"}}, http.StatusCreated)
}

func BenchmarkGet(b *testing.B) {
	benchmark(b, &fakeStore{getClaim: func(context.Context, string, string) (claims.Claim, error) { return stored(), nil }},
		req{method: http.MethodGet, resource: ItemResource, member: memberID, claim: claimID}, http.StatusOK)
}

func BenchmarkPatch(b *testing.B) {
	benchmark(b, &fakeStore{
		getClaim:    func(context.Context, string, string) (claims.Claim, error) { return stored(), nil },
		updateClaim: func(context.Context, claims.Claim, int) error { return nil },
	}, req{method: http.MethodPatch, resource: ItemResource, member: memberID, claim: claimID,
		body: `{"status":"APPROVED"}`, headers: map[string]string{"If-Match": `"3"`}}, http.StatusOK)
}

func benchmark(b *testing.B, store Store, r req, want int) {
	h := New(store)
	ev := r.event()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := h.Handle(ctx, ev)
		if resp.StatusCode != want {
			b.Fatalf("status %d %s, want %d", resp.StatusCode, resp.Body, want)
		}
	}
}
