package localgateway

import "net/http"

// gatewayError is an answer API Gateway gives itself, before or instead of the integration's:
// a status, the x-amzn-ErrorType header and a {"message": ...} body. The types and their default
// statuses are API Gateway's gateway responses:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
type gatewayError struct {
	status    int
	errorType string
	message   string
}

var (
	// MISSING_AUTHENTICATION_TOKEN: an unsigned request, or a resource or method the API does not
	// have. Body text: knowledge center api-gateway-authentication-token-errors.
	missingToken = gatewayError{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	// THROTTLED: over the stage's rate or burst.
	tooManyRequests = gatewayError{http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests"}
	// REQUEST_TOO_LARGE: over the 10 MB payload quota.
	requestTooLarge = gatewayError{http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request Too Long"}
	// INTEGRATION_TIMEOUT: the integration did not answer within the integration timeout.
	// Body text: knowledge center api-gateway-504-errors.
	integrationTimeout = gatewayError{http.StatusGatewayTimeout, "", "Endpoint request timed out"}
	// A function that ran and failed (error, crash, its own timeout) or answered in the wrong
	// format: 502; an invocation Lambda refused: 500; the body is the same
	// (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
	functionFailed = gatewayError{http.StatusBadGateway, "", "Internal server error"}
	internalError  = gatewayError{http.StatusInternalServerError, "", "Internal server error"}
)
