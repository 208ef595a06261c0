// Package directoryapi serves the employee directory routes of the request contract.
package directoryapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/functions/internal/httpapi"
	"github.com/example/private-api/functions/internal/pagetoken"
	"github.com/example/private-api/internal/directorydata"
)

// The API Gateway resources this handler serves.
const (
	CollectionResource = "/employees"
	ItemResource       = "/employees/{employeeId}"
)

// Store reads the directory, and keeps the keys of the list's page tokens.
type Store interface {
	pagetoken.KeySource
	// GetEmployee returns directory.ErrNotFound for an unknown ID.
	GetEmployee(ctx context.Context, employeeID string) (directorydata.Employee, error)
	// ListEmployees returns up to limit entries in ID order after afterEmployeeID ("" for the
	// first page); more reports whether others follow.
	ListEmployees(ctx context.Context, limit int, afterEmployeeID string) (page []directorydata.Employee, more bool, err error)
}

// New returns the router of the directory routes over store; its Handle is the Lambda handler.
func New(store Store) *httpapi.Router {
	h := handler{store: store, tokens: pagetoken.New(store)}
	return httpapi.NewRouter(
		httpapi.Route{Method: http.MethodGet, Resource: CollectionResource, Handle: h.list},
		httpapi.Route{Method: http.MethodGet, Resource: ItemResource, Handle: h.get},
	)
}

type handler struct {
	store  Store
	tokens *pagetoken.Codec
}

// listScope names the employee list for its page tokens: a token of a claims list is refused.
const listScope = http.MethodGet + " " + CollectionResource

func (h handler) list(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	limit, err := httpapi.Limit(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	cursor, err := httpapi.PageCursor(ctx, req, h.tokens, listScope)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	after := string(cursor)
	if cursor != nil && !directorydata.ValidEmployeeID(after) {
		return events.APIGatewayProxyResponse{}, httpapi.InvalidNextToken()
	}
	items, more, err := h.store.ListEmployees(ctx, limit, after)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	var last []byte
	if len(items) > 0 {
		last = []byte(items[len(items)-1].EmployeeID)
	}
	page, err := httpapi.NewPage(ctx, h.tokens, listScope, items, last, more)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

func (h handler) get(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := req.PathParameters["employeeId"]
	if !directorydata.ValidEmployeeID(id) {
		return events.APIGatewayProxyResponse{}, httpapi.Errorf(http.StatusBadRequest, "invalid_employee_id",
			"employeeId must be 1 to 64 letters, digits, '_' or '-'.")
	}
	e, err := h.store.GetEmployee(ctx, id)
	if errors.Is(err, directorydata.ErrNotFound) {
		return events.APIGatewayProxyResponse{}, httpapi.Errorf(http.StatusNotFound, "employee_not_found", "No employee has this ID.")
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, e)
}
