package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// HandlerFunc serves one route. A returned error becomes the response ErrorResponse makes of it.
type HandlerFunc func(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Route binds a method and an API Gateway resource template (for example
// "/members/{memberId}/claims") to a handler.
type Route struct {
	Method   string
	Resource string
	Handle   HandlerFunc
}

// Router dispatches proxy events on their resource template and method. API Gateway routes
// only the methods the API declares, so 404 and 405 here mean the API and the function disagree.
type Router struct {
	routes map[string]map[string]HandlerFunc
	allow  map[string]string
}

// requestBudget bounds the work of one request below API Gateway's 29 s integration timeout, so a
// slow dependency ends in this function's own 503 instead of the gateway's bare 504.
const requestBudget = 25 * time.Second

// deadlineMargin is the time kept, before the Lambda deadline, to send the answer.
const deadlineMargin = 250 * time.Millisecond

// NewRouter builds a router; it panics on a duplicate route, which is a programming error.
func NewRouter(routes ...Route) *Router {
	r := &Router{routes: map[string]map[string]HandlerFunc{}, allow: map[string]string{}}
	for _, rt := range routes {
		if r.routes[rt.Resource] == nil {
			r.routes[rt.Resource] = map[string]HandlerFunc{}
		}
		if _, dup := r.routes[rt.Resource][rt.Method]; dup {
			panic(fmt.Sprintf("httpapi: duplicate route %s %s", rt.Method, rt.Resource))
		}
		r.routes[rt.Resource][rt.Method] = rt.Handle
	}
	for resource, methods := range r.routes {
		names := make([]string, 0, len(methods))
		for m := range methods {
			names = append(names, m)
		}
		slices.Sort(names)
		r.allow[resource] = strings.Join(names, ", ")
	}
	return r
}

// Routes lists the routes the router serves as "METHOD resource" keys, the form the API's route
// table writes ("GET /employees/{employeeId}"), sorted.
func (r *Router) Routes() []string {
	var keys []string
	for resource, methods := range r.routes {
		for m := range methods {
			keys = append(keys, m+" "+resource)
		}
	}
	slices.Sort(keys)
	return keys
}

// Handle is the Lambda handler. It never returns an error: Lambda would turn one into a 502
// without a body, so every failure, a panic included, is answered in the contract's shape.
func (r *Router) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, _ error) {
	requestID := req.RequestContext.RequestID
	defer func() {
		if p := recover(); p != nil {
			resp = ErrorResponse(fmt.Errorf("panic: %v", p), requestID)
		}
	}()
	methods, ok := r.routes[req.Resource]
	if !ok {
		return ErrorResponse(Errorf(http.StatusNotFound, "route_not_found", "No route matches %s %s.", req.HTTPMethod, req.Path), requestID), nil
	}
	handle, ok := methods[req.HTTPMethod]
	if !ok {
		e := Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed here; use %s.", req.HTTPMethod, r.allow[req.Resource])
		e.Header = map[string]string{"Allow": r.allow[req.Resource]}
		return ErrorResponse(e, requestID), nil
	}
	ctx, cancel := context.WithDeadline(ctx, budgetDeadline(ctx, time.Now()))
	defer cancel()
	resp, err := handle(ctx, &req)
	if err != nil {
		return ErrorResponse(err, requestID), nil
	}
	return resp, nil
}

// budgetDeadline is the earlier of the request budget and the Lambda deadline less the margin.
func budgetDeadline(ctx context.Context, now time.Time) time.Time {
	deadline := now.Add(requestBudget)
	if d, ok := ctx.Deadline(); ok && d.Add(-deadlineMargin).Before(deadline) {
		deadline = d.Add(-deadlineMargin)
	}
	return deadline
}
