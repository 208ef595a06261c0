// Package httpapi is the HTTP side of the request contract for API Gateway REST (v1) proxy events:
// routing on the resource template, reading headers, query parameters and bodies the way API
// Gateway delivers them, and answering with JSON, errors included.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Error is a failure the caller can act on. It becomes a response with Status and the body
// {"error": Code, "message": Message}; Header adds headers such as Retry-After.
type Error struct {
	Status  int
	Code    string
	Message string
	Header  map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Retryable is implemented by errors of a dependency that is overloaded or timed out (DynamoDB
// throttling, for example): the client should retry later rather than see a generic 500.
type Retryable interface {
	error
	RetryAfter() time.Duration
}

// errorBody is the one error shape of the contract.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// JSON answers status with body encoded as JSON.
func JSON(status int, body any) (events.APIGatewayProxyResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode %T response: %w", body, err)
	}
	return response(status, string(b)), nil
}

// NoContent answers 204 with no body.
func NoContent() events.APIGatewayProxyResponse {
	return response(http.StatusNoContent, "")
}

func response(status int, body string) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type": "application/json",
			// Answers are per caller and change with every write: no cache on the path may keep them.
			"Cache-Control": "no-store",
		},
		Body: body,
	}
}

// ErrorResponse turns err into the contract's error response. *Error values keep their status and
// text; Retryable errors become 503 with Retry-After; anything else is logged with the request ID
// and answered 500 without its text, which may name tables, keys or endpoints.
func ErrorResponse(err error, requestID string) events.APIGatewayProxyResponse {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return errorResponse(apiErr)
	}
	var retryable Retryable
	if errors.As(err, &retryable) {
		slog.Warn("dependency unavailable", "requestId", requestID, "error", err)
		seconds := max(1, int(retryable.RetryAfter().Round(time.Second)/time.Second))
		return errorResponse(&Error{
			Status:  http.StatusServiceUnavailable,
			Code:    "service_unavailable",
			Message: fmt.Sprintf("The service is busy; retry in %d s.", seconds),
			Header:  map[string]string{"Retry-After": strconv.Itoa(seconds)},
		})
	}
	slog.Error("request failed", "requestId", requestID, "error", err)
	return errorResponse(&Error{
		Status:  http.StatusInternalServerError,
		Code:    "internal_error",
		Message: fmt.Sprintf("The request failed on our side; quote request ID %q when reporting it.", requestID),
	})
}

func errorResponse(e *Error) events.APIGatewayProxyResponse {
	// Two strings never fail to encode.
	b, _ := json.Marshal(errorBody{Error: e.Code, Message: e.Message})
	resp := response(e.Status, string(b))
	for k, v := range e.Header {
		resp.Headers[k] = v
	}
	return resp
}
