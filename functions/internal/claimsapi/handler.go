// Package claimsapi serves the claims routes of the request contract on top of a claim store.
package claimsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/example/private-api/functions/internal/claims"
	"github.com/example/private-api/functions/internal/httpapi"
	"github.com/example/private-api/functions/internal/pagetoken"
)

// The API Gateway resources this handler serves.
const (
	CollectionResource = "/members/{memberId}/claims"
	ItemResource       = "/members/{memberId}/claims/{claimId}"
)

// Store keeps claims, and the keys of the list's page tokens. Writes are conditional:
// CreateClaim never overwrites, UpdateClaim and DeleteClaim act only on the expected version,
// and a deleted claim never comes back. Errors are the claims.Err* sentinels or a failure of the
// store itself.
type Store interface {
	pagetoken.KeySource
	// CreateClaim stores c. With a key, a repeat of the same request returns the claim stored
	// the first time (replayed true) and writes nothing.
	CreateClaim(ctx context.Context, c claims.Claim, key *claims.IdempotencyKey) (stored claims.Claim, replayed bool, err error)
	GetClaim(ctx context.Context, memberID, claimID string) (claims.Claim, error)
	// ListClaims returns up to limit claims of the member, newest first, starting after the
	// claim afterClaimID ("" for the first page); more reports whether others follow.
	ListClaims(ctx context.Context, memberID string, limit int, afterClaimID string) (page []claims.Claim, more bool, err error)
	// UpdateClaim replaces the claim whose stored version is expectedVersion with c.
	UpdateClaim(ctx context.Context, c claims.Claim, expectedVersion int) error
	// DeleteClaim removes the claim for good; expectedVersion 0 deletes whatever version is
	// stored.
	DeleteClaim(ctx context.Context, memberID, claimID string, expectedVersion int) error
}

// retryInProgress is what a client waits before retrying a create whose key is still being served.
const retryInProgress = "1"

// Handler serves the claims routes.
type Handler struct {
	store  Store
	tokens *pagetoken.Codec
	now    func() time.Time
	newID  func() (uuid.UUID, error)
	router *httpapi.Router
}

// Routes are the routes the handler serves ("METHOD resource").
func (h *Handler) Routes() []string { return h.router.Routes() }

// New returns a handler over store. Claim IDs are UUIDv7: their text sorts by creation time, so
// the table's sort key CLAIM#<claimId> lists a member's claims newest first in one Query.
func New(store Store) *Handler {
	h := &Handler{store: store, tokens: pagetoken.New(store), now: time.Now, newID: uuid.NewV7}
	h.router = httpapi.NewRouter(
		httpapi.Route{Method: http.MethodPost, Resource: CollectionResource, Handle: h.create},
		httpapi.Route{Method: http.MethodGet, Resource: CollectionResource, Handle: h.list},
		httpapi.Route{Method: http.MethodGet, Resource: ItemResource, Handle: h.get},
		httpapi.Route{Method: http.MethodPatch, Resource: ItemResource, Handle: h.patch},
		httpapi.Route{Method: http.MethodDelete, Resource: ItemResource, Handle: h.delete},
	)
	return h
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return h.router.Handle(ctx, req)
}

func (h *Handler) create(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	memberID, err := memberIDParam(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	var key *claims.IdempotencyKey
	if k, ok := httpapi.Header(req, "Idempotency-Key"); ok {
		if !claims.ValidIdempotencyKey(k) {
			return events.APIGatewayProxyResponse{}, httpapi.Errorf(http.StatusBadRequest, "invalid_idempotency_key",
				"Idempotency-Key must be 1 to 255 visible ASCII characters without commas, sent once; a UUID is a good choice.")
		}
		key = &claims.IdempotencyKey{Key: k}
	}
	var in claims.NewClaim
	if err := decodeBody(req, &in); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if err := in.Validate(); err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	if key != nil {
		key.Fingerprint = in.Fingerprint()
	}
	id, err := h.newID()
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	stored, replayed, err := h.store.CreateClaim(ctx, in.Claim(memberID, id.String(), h.now()), key)
	if err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	resp, err := claimResponse(http.StatusCreated, stored)
	if err != nil {
		return resp, err
	}
	resp.Headers["Location"] = strings.TrimSuffix(requestPath(req), "/") + "/" + stored.ClaimID
	if replayed {
		resp.Headers["Idempotent-Replayed"] = "true"
	}
	return resp, nil
}

func (h *Handler) list(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	memberID, err := memberIDParam(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	limit, err := httpapi.Limit(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	scope := listScope(memberID)
	cursor, err := httpapi.PageCursor(ctx, req, h.tokens, scope)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	var after string
	if cursor != nil {
		id, err := uuid.FromBytes(cursor)
		if err != nil {
			return events.APIGatewayProxyResponse{}, httpapi.InvalidNextToken()
		}
		after = id.String()
	}
	items, more, err := h.store.ListClaims(ctx, memberID, limit, after)
	if err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	var last []byte
	if len(items) > 0 {
		id, err := uuid.Parse(items[len(items)-1].ClaimID)
		if err != nil {
			return events.APIGatewayProxyResponse{}, fmt.Errorf("stored claim ID %q: %w", items[len(items)-1].ClaimID, err)
		}
		last = id[:] // 16 bytes, not 36 characters: the token stays short
	}
	page, err := httpapi.NewPage(ctx, h.tokens, scope, items, last, more)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

// listScope names a member's claim list for its page tokens: a token of one member's list is
// refused by another's, and by the employee list.
func listScope(memberID string) string {
	return http.MethodGet + " " + CollectionResource + " " + memberID
}

func (h *Handler) get(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	memberID, claimID, err := itemParams(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	c, err := h.store.GetClaim(ctx, memberID, claimID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	return claimResponse(http.StatusOK, c)
}

func (h *Handler) patch(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	memberID, claimID, err := itemParams(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	ifMatch, ok := httpapi.Header(req, "If-Match")
	if !ok || strings.TrimSpace(ifMatch) == "*" {
		// "*" would match any version and bring back the lost update If-Match is here to stop.
		return events.APIGatewayProxyResponse{}, httpapi.Errorf(http.StatusPreconditionRequired, "precondition_required",
			"Send If-Match with the ETag of the claim as you last read it (GET the claim to get it).")
	}
	var p claims.Patch
	if err := decodeBody(req, &p); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if err := p.Validate(); err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	current, err := h.current(ctx, memberID, claimID, ifMatch)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	next := p.Apply(current, h.now())
	if err := h.store.UpdateClaim(ctx, next, current.Version); err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	return claimResponse(http.StatusOK, next)
}

func (h *Handler) delete(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	memberID, claimID, err := itemParams(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	expected := 0 // no If-Match, or "*": delete whatever version exists
	if ifMatch, ok := httpapi.Header(req, "If-Match"); ok && strings.TrimSpace(ifMatch) != "*" {
		current, err := h.current(ctx, memberID, claimID, ifMatch)
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		expected = current.Version
	}
	if err := h.store.DeleteClaim(ctx, memberID, claimID, expected); err != nil {
		return events.APIGatewayProxyResponse{}, domainError(err)
	}
	return httpapi.NoContent(), nil
}

// current reads the claim and checks it against If-Match: 404 when it is gone, 412 when the
// caller's ETag is not the current one. The store's conditional write catches a change made
// between this read and that write.
func (h *Handler) current(ctx context.Context, memberID, claimID, ifMatch string) (claims.Claim, error) {
	c, err := h.store.GetClaim(ctx, memberID, claimID)
	if err != nil {
		return c, domainError(err)
	}
	if !etagMatches(ifMatch, c.ETag()) {
		return c, domainError(claims.ErrVersionMismatch)
	}
	return c, nil
}

// etagMatches applies If-Match's strong comparison to a list of entity tags. A "*" in a list
// matches nothing: the routes treat a lone "*" themselves.
func etagMatches(ifMatch, etag string) bool {
	for tag := range strings.SplitSeq(ifMatch, ",") {
		if strings.TrimSpace(tag) == etag {
			return true
		}
	}
	return false
}

// decodeBody reads the request body into v with the contract's limits.
func decodeBody(req *events.APIGatewayProxyRequest, v any) error {
	body, err := httpapi.Body(req)
	if err != nil {
		return err
	}
	return httpapi.DecodeJSON(body, v)
}

func claimResponse(status int, c claims.Claim) (events.APIGatewayProxyResponse, error) {
	resp, err := httpapi.JSON(status, c)
	if err != nil {
		return resp, err
	}
	resp.Headers["ETag"] = c.ETag()
	return resp, nil
}

func memberIDParam(req *events.APIGatewayProxyRequest) (string, error) {
	id := req.PathParameters["memberId"]
	if !claims.ValidMemberID(id) {
		return "", httpapi.Errorf(http.StatusBadRequest, "invalid_member_id", "memberId must be 1 to 64 letters, digits, '_' or '-'.")
	}
	return id, nil
}

func itemParams(req *events.APIGatewayProxyRequest) (memberID, claimID string, err error) {
	if memberID, err = memberIDParam(req); err != nil {
		return "", "", err
	}
	claimID, ok := claims.ParseClaimID(req.PathParameters["claimId"])
	if !ok {
		return "", "", httpapi.Errorf(http.StatusBadRequest, "invalid_claim_id", "claimId must be a UUID such as 0190f5c8-8b1e-7c3a-9d2e-5f6a7b8c9d0e.")
	}
	return memberID, claimID, nil
}

// requestPath is the path the client called, with the stage when API Gateway reports it, so that
// Location resolves against the invoke URL.
func requestPath(req *events.APIGatewayProxyRequest) string {
	if p := req.RequestContext.Path; p != "" {
		return p
	}
	return req.Path
}

// domainError maps the claims errors to their responses; store failures pass through unchanged.
func domainError(err error) error {
	var invalid *claims.ValidationError
	switch {
	case errors.As(err, &invalid):
		return httpapi.Errorf(http.StatusBadRequest, "validation_failed", "%s.", invalid.Error())
	case errors.Is(err, claims.ErrNotFound):
		return httpapi.Errorf(http.StatusNotFound, "claim_not_found", "No such claim for this member.")
	case errors.Is(err, claims.ErrVersionMismatch):
		return httpapi.Errorf(http.StatusPreconditionFailed, "precondition_failed",
			"The claim has changed since you read it: GET it again and retry with its new ETag.")
	case errors.Is(err, claims.ErrExists):
		return httpapi.Errorf(http.StatusConflict, "claim_exists", "A claim with this ID already exists; retry the request.")
	case errors.Is(err, claims.ErrIdempotencyKeyReused):
		return httpapi.Errorf(http.StatusConflict, "idempotency_key_reused",
			"This Idempotency-Key was used with a different body; use a new key for a new claim.")
	case errors.Is(err, claims.ErrIdempotencyInProgress):
		e := httpapi.Errorf(http.StatusConflict, "idempotency_key_in_progress",
			"A request with this Idempotency-Key is still being processed; retry shortly.")
		e.Header = map[string]string{"Retry-After": retryInProgress}
		return e
	}
	return err
}
