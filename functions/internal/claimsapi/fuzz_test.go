package claimsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/pagetoken"
)

// FuzzHandler sends arbitrary requests to every route over a store that always works: whatever
// the caller sends, the answer is a 2xx or a 4xx in the contract's shape, never a 5xx.
func FuzzHandler(f *testing.F) {
	f.Add(0, memberID, "", validBody, "", "", "", "", false)
	f.Add(0, memberID, "", `{"policyId":"P","memberName":"N","amount":1e400}`, "key-1", "", "", "", false)
	f.Add(0, memberID, "", `{"policyId":"P","memberName":"N"`, "", "", "", "", false)
	f.Add(0, "a/b", "", "e30=", "", "", "", "", true)
	f.Add(1, memberID, "", "", "", "", "100", "MDE5NTUwM2EtMGMyZi03YTFlLThiM2MtNGQ1ZTZmNzA4MTky", false)
	f.Add(1, memberID, "", "", "", "", "-1", "!!", false)
	f.Add(2, memberID, claimID, "", "", "", "", "", false)
	f.Add(3, memberID, claimID, `{"status":"PAID","amount":null}`, "", `"3"`, "", "", false)
	f.Add(3, memberID, claimID, `{"status":"PAID"}`, "", `*`, "", "", false)
	f.Add(4, memberID, claimID, "", "", `"1", W/"3"`, "", "", false)
	f.Add(5, memberID, "not-a-uuid", "", "", "", "", "", false)
	// Issue 16: names in another case or twice, bodies that are not UTF-8, tokens not of this list.
	f.Add(0, memberID, "", `{"PolicyId":"P","memberName":"N"}`, "", "", "", "", false)
	f.Add(0, memberID, "", `{"policyId":"A","memberName":"N","policyId":"B"}`, "", "", "", "", false)
	f.Add(0, memberID, "", `{"policyId":"A","POLICYID":"B","memberName":"N"}`, "", "", "", "", false)
	f.Add(0, memberID, "", base64.StdEncoding.EncodeToString([]byte("{\"policyId\":\"P\",\"memberName\":\"J\xe9r\xf4me\"}")), "", "", "", "", true)
	f.Add(3, memberID, claimID, `{"STATUS":"PAID"}`, "", `"3"`, "", "", false)
	f.Add(3, memberID, claimID, `{"status":"PAID","status":"REJECTED"}`, "", `"3"`, "", "", false)
	f.Add(3, memberID, claimID, "{\"description\":\"caf\xe9\"}", "", `"3"`, "", "", false)
	id := uuid.MustParse(claimID)
	otherMembers, err := pagetoken.New(&fakeStore{}).Seal(context.Background(), listScope("member-43"), id[:])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(1, memberID, "", "", "", "", "1", otherMembers, false)
	f.Fuzz(func(t *testing.T, route int, member, claim, body, key, ifMatch, limit, token string, b64 bool) {
		routes := []struct{ method, resource string }{
			{http.MethodPost, CollectionResource}, {http.MethodGet, CollectionResource}, {http.MethodGet, ItemResource},
			{http.MethodPatch, ItemResource}, {http.MethodDelete, ItemResource}, {http.MethodPut, ItemResource},
		}
		r := routes[uint(route)%uint(len(routes))]
		ev := events.APIGatewayProxyRequest{
			HTTPMethod: r.method, Resource: r.resource, Body: body, IsBase64Encoded: b64,
			PathParameters:        map[string]string{"memberId": member, "claimId": claim},
			Headers:               map[string]string{},
			QueryStringParameters: map[string]string{},
		}
		// An empty fuzz string stands for an absent header or parameter.
		setIf(ev.Headers, "Idempotency-Key", key)
		setIf(ev.Headers, "If-Match", ifMatch)
		setIf(ev.QueryStringParameters, "limit", limit)
		setIf(ev.QueryStringParameters, "nextToken", token)
		resp, err := New(workingStore()).Handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: %d %s", r.method, r.resource, resp.StatusCode, resp.Body)
		}
		if resp.StatusCode < 300 && (r.method == http.MethodPost || r.method == http.MethodPatch) {
			raw := []byte(body)
			if b64 {
				raw, _ = base64.StdEncoding.DecodeString(body)
			}
			if !utf8.Valid(raw) {
				t.Fatalf("%s took a body that is not UTF-8: %q", r.method, raw)
			}
		}
		if resp.StatusCode >= 400 {
			var e struct{ Error, Message string }
			if json.Unmarshal([]byte(resp.Body), &e) != nil || e.Error == "" || e.Message == "" {
				t.Fatalf("%d with body %q, want {error, message}", resp.StatusCode, resp.Body)
			}
		} else if resp.StatusCode != http.StatusNoContent && !json.Valid([]byte(resp.Body)) {
			t.Fatalf("%d with a body that is not JSON: %q", resp.StatusCode, resp.Body)
		}
	})
}

func setIf(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// workingStore holds one claim (the stored one, at version 3) and accepts every write.
func workingStore() *fakeStore {
	return &fakeStore{
		createClaim: createEcho,
		getClaim: func(_ context.Context, m, c string) (claims.Claim, error) {
			if m == memberID && c == claimID {
				return stored(), nil
			}
			return claims.Claim{}, claims.ErrNotFound
		},
		listClaims: func(context.Context, string, int, string) ([]claims.Claim, bool, error) {
			return []claims.Claim{stored()}, true, nil
		},
		updateClaim: func(context.Context, claims.Claim, int) error { return nil },
		deleteClaim: func(context.Context, string, string, int) error { return nil },
	}
}
