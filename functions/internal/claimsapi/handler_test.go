package claimsapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/example/private-api/functions/internal/claims"
)

const validBody = `{"policyId": "POL-7", "memberName": "Ada Lovelace", "amount": 120.5, "currency": "EUR",
	"description": "Broken wrist", "incidentDate": "2025-02-27"}`

func TestCreate(t *testing.T) {
	post := func(body string, headers map[string]string) req {
		return req{method: http.MethodPost, resource: CollectionResource, member: memberID, headers: headers, body: body}
	}

	t.Run("stores_a_new_submitted_claim_and_answers_201_with_location_and_etag", func(t *testing.T) {
		var got claims.Claim
		var gotKey *claims.IdempotencyKey
		h := newTestHandler(&fakeStore{createClaim: func(_ context.Context, c claims.Claim, key *claims.IdempotencyKey) (claims.Claim, bool, error) {
			got, gotKey = c, key
			return c, false, nil
		}})
		resp := serve(t, h, post(validBody, nil))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("status %d %s, want 201", resp.StatusCode, resp.Body)
		}
		if _, ok := claims.ParseClaimID(got.ClaimID); !ok {
			t.Errorf("claimId %q is not a UUID", got.ClaimID)
		}
		if got.MemberID != memberID || got.PolicyID != "POL-7" || got.MemberName != "Ada Lovelace" || *got.Amount != 120.5 ||
			got.Currency != "EUR" || got.Description != "Broken wrist" || got.IncidentDate != "2025-02-27" {
			t.Errorf("stored claim %+v does not carry the request", got)
		}
		if got.Status != claims.StatusSubmitted || got.Version != 1 || got.CreatedAt != "2025-03-01T09:30:00.000Z" || got.UpdatedAt != got.CreatedAt {
			t.Errorf("new claim starts as %s v%d created %s updated %s; want SUBMITTED v1 at the clock's time", got.Status, got.Version, got.CreatedAt, got.UpdatedAt)
		}
		if gotKey != nil {
			t.Errorf("without Idempotency-Key the store got key %+v", gotKey)
		}
		if want := "/dev/members/member-42/claims/" + got.ClaimID; resp.Headers["Location"] != want {
			t.Errorf("Location = %q, want %q", resp.Headers["Location"], want)
		}
		if resp.Headers["ETag"] != `"1"` {
			t.Errorf("ETag = %q, want \"1\"", resp.Headers["ETag"])
		}
		if body := decodeClaim(t, resp); body.ClaimID != got.ClaimID || body.Status != claims.StatusSubmitted {
			t.Errorf("body %s is not the stored claim", resp.Body)
		}
	})

	t.Run("claim_ids_follow_creation_order", func(t *testing.T) {
		var ids []string
		h := New(&fakeStore{createClaim: func(_ context.Context, c claims.Claim, _ *claims.IdempotencyKey) (claims.Claim, bool, error) {
			ids = append(ids, c.ClaimID)
			return c, false, nil
		}})
		for range 50 {
			serve(t, h, post(validBody, nil))
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				t.Fatalf("claim %d has ID %s, not after %s: the SK order would not be newest first", i, ids[i], ids[i-1])
			}
		}
	})

	t.Run("idempotency_key_fingerprints_what_the_body_means", func(t *testing.T) {
		keys := map[string]*claims.IdempotencyKey{}
		h := newTestHandler(&fakeStore{createClaim: func(_ context.Context, c claims.Claim, key *claims.IdempotencyKey) (claims.Claim, bool, error) {
			keys[c.Description] = key
			return c, false, nil
		}})
		// Header names arrive as the client wrote them, in either map.
		serve(t, h, post(`{"policyId":"P","memberName":"N","description":"a","amount":1}`, map[string]string{"idempotency-key": "k-1"}))
		r := post(`{ "amount" : 1.0, "description": "b", "memberName": "N", "policyId": "P" }`, nil)
		ev := r.event()
		ev.MultiValueHeaders = map[string][]string{"IDEMPOTENCY-KEY": {"k-1"}}
		if _, err := h.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		serve(t, h, post(`{"policyId":"P","memberName":"N","description":"a","amount":2}`, map[string]string{"Idempotency-Key": "k-1"}))
		if len(keys) != 2 || keys["a"] == nil || keys["b"] == nil || keys["a"].Key != "k-1" || keys["b"].Key != "k-1" {
			t.Fatalf("keys passed to the store: %+v", keys)
		}
		if keys["a"].Fingerprint == keys["b"].Fingerprint {
			t.Error("bodies with different descriptions have one fingerprint")
		}
		a := claims.NewClaim{PolicyID: "P", MemberName: "N", Description: ptr("b"), Amount: ptr(1.0)}
		if keys["b"].Fingerprint != a.Fingerprint() {
			t.Error("the fingerprint depends on spacing, key order or number spelling")
		}
	})

	t.Run("a_replay_is_marked", func(t *testing.T) {
		h := newTestHandler(&fakeStore{createClaim: func(context.Context, claims.Claim, *claims.IdempotencyKey) (claims.Claim, bool, error) {
			return stored(), true, nil
		}})
		resp := serve(t, h, post(validBody, map[string]string{"Idempotency-Key": "k"}))
		if resp.StatusCode != http.StatusCreated || resp.Headers["Idempotent-Replayed"] != "true" || resp.Headers["ETag"] != `"3"` {
			t.Errorf("replay: %d %v, want 201 with Idempotent-Replayed and the stored claim's ETag", resp.StatusCode, resp.Headers)
		}
		if want := "/dev/members/member-42/claims/" + claimID; resp.Headers["Location"] != want {
			t.Errorf("Location = %q, want the first claim's %q", resp.Headers["Location"], want)
		}
	})

	t.Run("base64_bodies_are_decoded", func(t *testing.T) {
		h := newTestHandler(&fakeStore{createClaim: createEcho})
		r := post(base64.StdEncoding.EncodeToString([]byte(validBody)), nil)
		ev := r.event()
		ev.IsBase64Encoded = true
		resp, _ := h.Handle(context.Background(), ev)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("base64 body: %d %s", resp.StatusCode, resp.Body)
		}
	})

	rejected := []struct {
		name    string
		r       req
		status  int
		code    string
		message string // parts, separated by " | ", that the message must contain
	}{
		{"member_id_with_a_space", req{member: "a b"}, 400, "invalid_member_id", "memberId"},
		{"member_id_too_long", req{member: strings.Repeat("m", 65)}, 400, "invalid_member_id", ""},
		{"member_id_empty", req{member: ""}, 400, "invalid_member_id", ""},
		{"member_id_non_ascii", req{member: "mémber"}, 400, "invalid_member_id", ""},
		{"idempotency_key_with_a_space", req{headers: map[string]string{"Idempotency-Key": "a b"}}, 400, "invalid_idempotency_key", ""},
		{"idempotency_key_too_long", req{headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}, 400, "invalid_idempotency_key", ""},
		{"empty_body", req{body: " "}, 400, "invalid_json", "empty"},
		{"invalid_json", req{body: `{"policyId": "P",}`}, 400, "invalid_json", ""},
		{"truncated_json", req{body: `{"policyId": "P"`}, 400, "invalid_json", ""},
		{"array_body", req{body: `[]`}, 400, "invalid_json", "object"},
		{"null_body", req{body: `null`}, 400, "invalid_json", "object"},
		{"two_objects", req{body: validBody + `{}`}, 400, "invalid_json", "after the JSON value"},
		{"unknown_field", req{body: `{"policyId":"P","memberName":"N","colour":"red"}`}, 400, "unknown_field", `"colour"`},
		{"status_is_not_settable_on_create", req{body: `{"policyId":"P","memberName":"N","status":"PAID"}`}, 400, "unknown_field", `"status"`},
		{"amount_as_a_string", req{body: `{"policyId":"P","memberName":"N","amount":"12"}`}, 400, "invalid_field", "amount must be a number"},
		{"member_name_as_a_number", req{body: `{"policyId":"P","memberName":7}`}, 400, "invalid_field", "memberName must be a string"},
		// Names are read exactly: in their documented case, once each (issue 16).
		{"a_field_name_in_another_case", req{body: `{"PolicyId":"P","memberName":"N"}`}, 400, "unknown_field", `"PolicyId" | "policyId"`},
		{"a_field_name_in_capitals_beside_the_right_one", req{body: `{"policyId":"A","POLICYID":"B","memberName":"N"}`}, 400, "unknown_field", `"POLICYID"`},
		{"a_repeated_field", req{body: `{"policyId":"A","memberName":"N","policyId":"B"}`}, 400, "duplicate_field", `"policyId"`},
		{"a_repeated_field_spelt_with_an_escape", req{body: `{"policyId":"A","memberName":"N","policyId":"B"}`}, 400, "duplicate_field", `"policyId"`},
		{"a_repeated_optional_field", req{body: `{"policyId":"A","memberName":"N","amount":1,"amount":2}`}, 400, "duplicate_field", `"amount"`},
		// Bodies are UTF-8 (issue 16): Latin-1 would be stored as replacement characters.
		{"a_latin_1_body", req{base64: true, body: base64.StdEncoding.EncodeToString([]byte("{\"policyId\":\"P\",\"memberName\":\"J\xe9r\xf4me\"}"))},
			400, "invalid_encoding", "UTF-8"},
		{"a_latin_1_text_body", req{body: "{\"policyId\":\"P\",\"memberName\":\"J\xe9r\xf4me\"}"}, 400, "invalid_encoding", "UTF-8"},
		{"missing_required_fields", req{body: `{}`}, 400, "validation_failed", "policyId is required"},
		{"every_problem_is_reported", req{body: `{"policyId":"P","memberName":"N","amount":-1,"currency":"eur","incidentDate":"2025-02-30"}`},
			400, "validation_failed", "amount must be a number from 0 | currency must be an ISO 4217 code | incidentDate must be a calendar date"},
		{"too_many_decimals", req{body: `{"policyId":"P","memberName":"N","amount":0.0001}`}, 400, "validation_failed", "3 decimal places"},
		{"amount_too_large", req{body: `{"policyId":"P","memberName":"N","amount":1e300}`}, 400, "validation_failed", "amount"},
		{"unknown_currency", req{body: `{"policyId":"P","memberName":"N","currency":"XYZ"}`}, 400, "validation_failed", "currency"},
		{"empty_currency", req{body: `{"policyId":"P","memberName":"N","currency":""}`}, 400, "validation_failed", "currency"},
		{"date_in_another_format", req{body: `{"policyId":"P","memberName":"N","incidentDate":"27/02/2025"}`}, 400, "validation_failed", "YYYY-MM-DD"},
		{"description_too_long", req{body: `{"policyId":"P","memberName":"N","description":"` + strings.Repeat("é", 2001) + `"}`}, 400, "validation_failed", "description"},
		{"name_with_a_control_character", req{body: `{"policyId":"P","memberName":"N\u0007"}`}, 400, "validation_failed", "memberName"},
		{"body_over_64_KiB", req{body: `{"policyId":"P","memberName":"N","description":"` + strings.Repeat("a", 64<<10) + `"}`}, 413, "body_too_large", "65536"},
	}
	for _, tc := range rejected {
		t.Run("rejects_"+tc.name, func(t *testing.T) {
			r := tc.r
			r.method, r.resource = http.MethodPost, CollectionResource
			if r.member == "" && tc.code != "invalid_member_id" {
				r.member = memberID
			}
			if r.body == "" && tc.code != "invalid_json" {
				r.body = validBody
			}
			resp := serve(t, newTestHandler(&fakeStore{}), r) // any store call fails the test with a 500
			wantError(t, resp, tc.status, tc.code)
			var body struct{ Message string }
			_ = json.Unmarshal([]byte(resp.Body), &body)
			for part := range strings.SplitSeq(tc.message, " | ") {
				if !strings.Contains(body.Message, part) {
					t.Errorf("message %q does not say %q", body.Message, part)
				}
			}
		})
	}

	t.Run("an_invalid_base64_body_is_400", func(t *testing.T) {
		ev := post("%%%", nil).event()
		ev.IsBase64Encoded = true
		resp, _ := newTestHandler(&fakeStore{}).Handle(context.Background(), ev)
		wantError(t, resp, 400, "invalid_body")
	})

	t.Run("an_oversized_base64_body_is_413_before_decoding", func(t *testing.T) {
		ev := post(base64.StdEncoding.EncodeToString(make([]byte, 64<<10+1)), nil).event()
		ev.IsBase64Encoded = true
		resp, _ := newTestHandler(&fakeStore{}).Handle(context.Background(), ev)
		wantError(t, resp, 413, "body_too_large")
	})

	storeErrors := []struct {
		err    error
		status int
		code   string
	}{
		{claims.ErrIdempotencyKeyReused, 409, "idempotency_key_reused"},
		{claims.ErrIdempotencyInProgress, 409, "idempotency_key_in_progress"},
		{claims.ErrExists, 409, "claim_exists"},
		{retryable{}, 503, "service_unavailable"},
		{errors.New("dynamodb PutItem on secret-table-name: connection refused"), 500, "internal_error"},
	}
	for _, tc := range storeErrors {
		t.Run("store_error_"+tc.code, func(t *testing.T) {
			h := newTestHandler(&fakeStore{createClaim: func(context.Context, claims.Claim, *claims.IdempotencyKey) (claims.Claim, bool, error) {
				return claims.Claim{}, false, tc.err
			}})
			resp := serve(t, h, post(validBody, map[string]string{"Idempotency-Key": "k"}))
			wantError(t, resp, tc.status, tc.code)
			if strings.Contains(resp.Body, "secret-table-name") {
				t.Errorf("the response leaks internal error text: %s", resp.Body)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	h := newTestHandler(&fakeStore{getClaim: func(context.Context, string, string) (claims.Claim, error) {
		return claims.Claim{}, retryable{}
	}})
	resp := serve(t, h, req{method: http.MethodGet, resource: ItemResource, member: memberID, claim: claimID})
	if resp.StatusCode != 503 || resp.Headers["Retry-After"] != "2" {
		t.Errorf("throttled store: %d Retry-After %q, want 503 and the store's 2 s", resp.StatusCode, resp.Headers["Retry-After"])
	}
	h = newTestHandler(&fakeStore{createClaim: func(context.Context, claims.Claim, *claims.IdempotencyKey) (claims.Claim, bool, error) {
		return claims.Claim{}, false, claims.ErrIdempotencyInProgress
	}})
	resp = serve(t, h, req{method: http.MethodPost, resource: CollectionResource, member: memberID, body: validBody})
	if resp.Headers["Retry-After"] == "" {
		t.Error("a create still in progress does not say when to retry")
	}
}

func TestList(t *testing.T) {
	list := func(query map[string]string) req {
		return req{method: http.MethodGet, resource: CollectionResource, member: memberID, query: query}
	}

	t.Run("pages_with_an_opaque_token_that_resumes_after_the_last_item", func(t *testing.T) {
		var calls []string
		h := newTestHandler(&fakeStore{listClaims: func(_ context.Context, m string, limit int, after string) ([]claims.Claim, bool, error) {
			calls = append(calls, m+"|"+after)
			if limit != 1 {
				t.Errorf("limit = %d, want 1", limit)
			}
			if after == "" {
				return []claims.Claim{stored()}, true, nil
			}
			return nil, false, nil
		}})
		resp := serve(t, h, list(map[string]string{"limit": "1"}))
		var page struct {
			Items     []claims.Claim `json:"items"`
			NextToken string         `json:"nextToken"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
		}
		if page.NextToken == "" || strings.Contains(page.NextToken, claimID) {
			t.Fatalf("nextToken %q: want a token that does not spell out the key", page.NextToken)
		}
		resp = serve(t, h, list(map[string]string{"limit": "1", "nextToken": page.NextToken}))
		if len(calls) != 2 || calls[1] != memberID+"|"+claimID {
			t.Errorf("store calls %v: the token did not resume after %s", calls, claimID)
		}
		if resp.Body != `{"items":[]}` {
			t.Errorf("last page = %s, want an empty items array and no nextToken", resp.Body)
		}
	})

	t.Run("default_page_size_is_25", func(t *testing.T) {
		got := 0
		h := newTestHandler(&fakeStore{listClaims: func(_ context.Context, _ string, limit int, _ string) ([]claims.Claim, bool, error) {
			got = limit
			return nil, false, nil
		}})
		serve(t, h, list(nil))
		if got != 25 {
			t.Errorf("limit = %d, want 25", got)
		}
	})

	for _, tc := range []struct {
		name  string
		query map[string]string
		code  string
	}{
		{"limit_zero", map[string]string{"limit": "0"}, "invalid_limit"},
		{"limit_over_100", map[string]string{"limit": "101"}, "invalid_limit"},
		{"limit_not_a_number", map[string]string{"limit": "ten"}, "invalid_limit"},
		{"limit_fractional", map[string]string{"limit": "1.5"}, "invalid_limit"},
		{"token_not_base64", map[string]string{"nextToken": "%%%"}, "invalid_next_token"},
		{"token_of_something_else", map[string]string{"nextToken": base64.RawURLEncoding.EncodeToString([]byte("CLAIM#x"))}, "invalid_next_token"},
		// The token format before issue 16: anyone could write one for any claim ID.
		{"token_made_up_from_a_claim_id", map[string]string{"nextToken": base64.RawURLEncoding.EncodeToString([]byte(claimID))}, "invalid_next_token"},
	} {
		t.Run("rejects_"+tc.name, func(t *testing.T) {
			wantError(t, serve(t, newTestHandler(&fakeStore{}), list(tc.query)), 400, tc.code)
		})
	}

	t.Run("a_token_is_accepted_only_by_the_list_that_issued_it", func(t *testing.T) {
		h := newTestHandler(&fakeStore{listClaims: func(context.Context, string, int, string) ([]claims.Claim, bool, error) {
			return []claims.Claim{stored()}, true, nil
		}})
		var page struct{ NextToken string }
		if err := json.Unmarshal([]byte(serve(t, h, list(nil)).Body), &page); err != nil || page.NextToken == "" {
			t.Fatalf("no token: %v", err)
		}
		other := list(map[string]string{"nextToken": page.NextToken})
		other.member = "member-43"
		wantError(t, serve(t, h, other), 400, "invalid_next_token")

		raw, _ := base64.RawURLEncoding.DecodeString(page.NextToken)
		for i := range raw {
			changed := bytes.Clone(raw)
			changed[i] ^= 0x20
			wantError(t, serve(t, h, list(map[string]string{"nextToken": base64.RawURLEncoding.EncodeToString(changed)})), 400, "invalid_next_token")
		}
	})

	t.Run("a_token_key_that_cannot_be_read_is_a_store_failure", func(t *testing.T) {
		h := newTestHandler(&fakeStore{pageKey: func(context.Context, byte, bool) ([]byte, error) { return nil, retryable{} }})
		resp := serve(t, h, list(map[string]string{"nextToken": "AQGVUDoML3oeizxNXm9wgZLXku8yPmNWAth0Eh56lWyC"}))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%d %s, want 503: the token may be fine, the key could not be read", resp.StatusCode, resp.Body)
		}
	})

	t.Run("rejects_an_invalid_member_id", func(t *testing.T) {
		r := list(nil)
		r.member = "x/y"
		wantError(t, serve(t, newTestHandler(&fakeStore{}), r), 400, "invalid_member_id")
	})
}

func TestGet(t *testing.T) {
	get := func(claim string) req {
		return req{method: http.MethodGet, resource: ItemResource, member: memberID, claim: claim}
	}

	t.Run("answers_the_claim_with_its_etag", func(t *testing.T) {
		var asked string
		h := newTestHandler(&fakeStore{getClaim: func(_ context.Context, m, c string) (claims.Claim, error) {
			asked = m + "/" + c
			return stored(), nil
		}})
		// An upper-case UUID names the same claim.
		resp := serve(t, h, get(strings.ToUpper(claimID)))
		if resp.StatusCode != 200 || resp.Headers["ETag"] != `"3"` {
			t.Errorf("%d ETag %q, want 200 \"3\"", resp.StatusCode, resp.Headers["ETag"])
		}
		if asked != memberID+"/"+claimID {
			t.Errorf("store asked for %s, want the canonical %s/%s", asked, memberID, claimID)
		}
	})

	t.Run("unknown_claim_is_404", func(t *testing.T) {
		h := newTestHandler(&fakeStore{getClaim: func(context.Context, string, string) (claims.Claim, error) {
			return claims.Claim{}, claims.ErrNotFound
		}})
		wantError(t, serve(t, h, get(claimID)), 404, "claim_not_found")
	})

	for _, bad := range []string{"", "not-a-uuid", "{" + claimID + "}", strings.ReplaceAll(claimID, "-", "")} {
		t.Run("rejects_claim_id_"+bad, func(t *testing.T) {
			wantError(t, serve(t, newTestHandler(&fakeStore{}), get(bad)), 400, "invalid_claim_id")
		})
	}
}

func TestPatch(t *testing.T) {
	patch := func(body string, headers map[string]string) req {
		return req{method: http.MethodPatch, resource: ItemResource, member: memberID, claim: claimID, body: body, headers: headers}
	}
	current := func(context.Context, string, string) (claims.Claim, error) { return stored(), nil }

	t.Run("applies_a_merge_patch_as_the_next_version", func(t *testing.T) {
		var next claims.Claim
		expected := 0
		h := newTestHandler(&fakeStore{getClaim: current, updateClaim: func(_ context.Context, c claims.Claim, v int) error {
			next, expected = c, v
			return nil
		}})
		// Header names in any case; the current tag anywhere in an If-Match list.
		resp := serve(t, h, patch(`{"status":"APPROVED","description":null,"amount":80}`, map[string]string{"if-match": `"2", "3"`}))
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if expected != 3 || next.Version != 4 {
			t.Errorf("update at expected version %d to version %d, want 3 → 4", expected, next.Version)
		}
		if next.Status != claims.StatusApproved || next.Description != "" || *next.Amount != 80 || next.Currency != "EUR" || next.PolicyID != "POL-7" {
			t.Errorf("patched claim %+v: want status and amount replaced, description removed, the rest kept", next)
		}
		if next.UpdatedAt != "2025-03-01T09:30:00.000Z" || next.CreatedAt != stored().CreatedAt {
			t.Errorf("createdAt %s updatedAt %s: want createdAt kept, updatedAt the clock's", next.CreatedAt, next.UpdatedAt)
		}
		if resp.Headers["ETag"] != `"4"` || strings.Contains(resp.Body, "description") {
			t.Errorf("answer ETag %q body %s: want the new version without the removed field", resp.Headers["ETag"], resp.Body)
		}
	})

	t.Run("if_match_is_found_in_multi_value_headers", func(t *testing.T) {
		h := newTestHandler(&fakeStore{getClaim: current, updateClaim: func(context.Context, claims.Claim, int) error { return nil }})
		ev := patch(`{"status":"PAID"}`, nil).event()
		ev.MultiValueHeaders = map[string][]string{"If-Match": {`"3"`}}
		resp, _ := h.Handle(context.Background(), ev)
		if resp.StatusCode != 200 {
			t.Errorf("%d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("rejects", func(t *testing.T) {
		notFound := func(context.Context, string, string) (claims.Claim, error) { return claims.Claim{}, claims.ErrNotFound }
		for _, tc := range []struct {
			name   string
			store  *fakeStore
			r      req
			status int
			code   string
		}{
			{"without_if_match", &fakeStore{}, patch(`{"status":"PAID"}`, nil), 428, "precondition_required"},
			{"a_wildcard_if_match", &fakeStore{}, patch(`{"status":"PAID"}`, map[string]string{"If-Match": "*"}), 428, "precondition_required"},
			{"a_stale_etag", &fakeStore{getClaim: current}, patch(`{"status":"PAID"}`, map[string]string{"If-Match": `"2"`}), 412, "precondition_failed"},
			{"a_weak_etag", &fakeStore{getClaim: current}, patch(`{"status":"PAID"}`, map[string]string{"If-Match": `W/"3"`}), 412, "precondition_failed"},
			{"an_unknown_claim", &fakeStore{getClaim: notFound}, patch(`{"status":"PAID"}`, map[string]string{"If-Match": `"1"`}), 404, "claim_not_found"},
			{"a_patch_that_changes_nothing", &fakeStore{}, patch(`{}`, map[string]string{"If-Match": `"3"`}), 400, "validation_failed"},
			{"an_unknown_status", &fakeStore{}, patch(`{"status":"LOST"}`, map[string]string{"If-Match": `"3"`}), 400, "validation_failed"},
			{"removing_the_status", &fakeStore{}, patch(`{"status":null}`, map[string]string{"If-Match": `"3"`}), 400, "validation_failed"},
			{"an_immutable_field", &fakeStore{}, patch(`{"policyId":"P2"}`, map[string]string{"If-Match": `"3"`}), 400, "unknown_field"},
			{"a_negative_amount", &fakeStore{}, patch(`{"amount":-5}`, map[string]string{"If-Match": `"3"`}), 400, "validation_failed"},
			{"a_status_of_the_wrong_type", &fakeStore{}, patch(`{"status":1}`, map[string]string{"If-Match": `"3"`}), 400, "invalid_field"},
			{"a_field_name_in_capitals", &fakeStore{}, patch(`{"STATUS":"PAID"}`, map[string]string{"If-Match": `"3"`}), 400, "unknown_field"},
			{"a_repeated_field", &fakeStore{}, patch(`{"status":"PAID","status":"REJECTED"}`, map[string]string{"If-Match": `"3"`}), 400, "duplicate_field"},
			{"a_latin_1_description", &fakeStore{}, patch("{\"description\":\"caf\xe9\"}", map[string]string{"If-Match": `"3"`}), 400, "invalid_encoding"},
			{"a_lost_race", &fakeStore{getClaim: current, updateClaim: func(context.Context, claims.Claim, int) error { return claims.ErrVersionMismatch }},
				patch(`{"status":"PAID"}`, map[string]string{"If-Match": `"3"`}), 412, "precondition_failed"},
			{"a_claim_deleted_meanwhile", &fakeStore{getClaim: current, updateClaim: func(context.Context, claims.Claim, int) error { return claims.ErrNotFound }},
				patch(`{"status":"PAID"}`, map[string]string{"If-Match": `"3"`}), 404, "claim_not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, serve(t, newTestHandler(tc.store), tc.r), tc.status, tc.code)
			})
		}
	})
}

func TestDelete(t *testing.T) {
	del := func(headers map[string]string) req {
		return req{method: http.MethodDelete, resource: ItemResource, member: memberID, claim: claimID, headers: headers}
	}
	current := func(context.Context, string, string) (claims.Claim, error) { return stored(), nil }

	for _, tc := range []struct {
		name     string
		headers  map[string]string
		expected int
	}{
		{"without_if_match_deletes_any_version", nil, 0},
		{"with_a_wildcard_deletes_any_version", map[string]string{"If-Match": "*"}, 0},
		{"with_the_current_etag_deletes_that_version", map[string]string{"IF-MATCH": `"3"`}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := -1
			h := newTestHandler(&fakeStore{getClaim: current, deleteClaim: func(_ context.Context, m, c string, v int) error {
				if m != memberID || c != claimID {
					t.Errorf("deleted %s/%s", m, c)
				}
				got = v
				return nil
			}})
			resp := serve(t, h, del(tc.headers))
			if resp.StatusCode != 204 || resp.Body != "" {
				t.Errorf("%d %q, want 204 with no body", resp.StatusCode, resp.Body)
			}
			if got != tc.expected {
				t.Errorf("expected version %d, want %d", got, tc.expected)
			}
		})
	}

	t.Run("a_stale_etag_is_412", func(t *testing.T) {
		wantError(t, serve(t, newTestHandler(&fakeStore{getClaim: current}), del(map[string]string{"If-Match": `"1"`})), 412, "precondition_failed")
	})
	t.Run("an_unknown_claim_is_404", func(t *testing.T) {
		h := newTestHandler(&fakeStore{deleteClaim: func(context.Context, string, string, int) error { return claims.ErrNotFound }})
		wantError(t, serve(t, h, del(nil)), 404, "claim_not_found")
	})
	t.Run("an_unknown_claim_with_if_match_is_404", func(t *testing.T) {
		h := newTestHandler(&fakeStore{getClaim: func(context.Context, string, string) (claims.Claim, error) { return claims.Claim{}, claims.ErrNotFound }})
		wantError(t, serve(t, h, del(map[string]string{"If-Match": `"1"`})), 404, "claim_not_found")
	})
}

func TestRouting(t *testing.T) {
	h := newTestHandler(&fakeStore{})
	resp := serve(t, h, req{method: http.MethodPut, resource: ItemResource, member: memberID, claim: claimID})
	wantError(t, resp, 405, "method_not_allowed")
	if resp.Headers["Allow"] != "DELETE, GET, PATCH" {
		t.Errorf("Allow = %q", resp.Headers["Allow"])
	}
	wantError(t, serve(t, h, req{method: http.MethodGet, resource: "/members/{memberId}"}), 404, "route_not_found")

	t.Run("a_panic_is_a_500_in_the_contract_shape", func(t *testing.T) {
		h := newTestHandler(&fakeStore{getClaim: func(context.Context, string, string) (claims.Claim, error) { panic("boom") }})
		resp := serve(t, h, req{method: http.MethodGet, resource: ItemResource, member: memberID, claim: claimID})
		wantError(t, resp, 500, "internal_error")
		if strings.Contains(resp.Body, "boom") {
			t.Errorf("the response leaks the panic: %s", resp.Body)
		}
	})

	t.Run("the_store_gets_a_deadline_before_the_gateway_gives_up", func(t *testing.T) {
		h := newTestHandler(&fakeStore{getClaim: func(ctx context.Context, _, _ string) (claims.Claim, error) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("the store's context has no deadline")
			}
			return stored(), nil
		}})
		serve(t, h, req{method: http.MethodGet, resource: ItemResource, member: memberID, claim: claimID})
	})
}

func ptr[T any](v T) *T { return &v }
