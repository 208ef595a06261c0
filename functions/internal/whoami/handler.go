// Package whoami answers GET /whoami with who called and by which path: the diagnostic that shows
// a call arrived signed, from the expected account, through the expected VPC endpoint.
package whoami

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/functions/internal/httpapi"
)

// Resource is the API Gateway resource this handler serves.
const Resource = "/whoami"

// Identity is the body of the answer.
type Identity struct {
	CallerArn string `json:"callerArn"`
	AccountID string `json:"accountId"`
	SourceIP  string `json:"sourceIp"`
	VpceID    string `json:"vpceId"`
	Stage     string `json:"stage"`
	RequestID string `json:"requestId"`
}

// Request is a proxy event plus requestContext.identity.vpceId, which API Gateway sends for
// private APIs but events.APIGatewayRequestIdentity does not declare.
type Request struct {
	events.APIGatewayProxyRequest
	VpceID string `json:"-"`
}

// UnmarshalJSON decodes the event and the one field the events type lacks.
func (r *Request) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &r.APIGatewayProxyRequest); err != nil {
		return err
	}
	var extra struct {
		RequestContext struct {
			Identity struct {
				VpceID string `json:"vpceId"`
			} `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		return err
	}
	r.VpceID = extra.RequestContext.Identity.VpceID
	return nil
}

// vpceKey carries Request.VpceID past the router, whose handlers see only the events type.
type vpceKey struct{}

// router serves the one route of the diagnostic.
func router() *httpapi.Router {
	return httpapi.NewRouter(httpapi.Route{Method: http.MethodGet, Resource: Resource, Handle: whoami})
}

// Routes are the routes the handler serves ("METHOD resource").
func Routes() []string { return router().Routes() }

// New returns the Lambda handler.
func New() func(context.Context, Request) (events.APIGatewayProxyResponse, error) {
	router := router()
	return func(ctx context.Context, req Request) (events.APIGatewayProxyResponse, error) {
		return router.Handle(context.WithValue(ctx, vpceKey{}, req.VpceID), req.APIGatewayProxyRequest)
	}
}

func whoami(ctx context.Context, req *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	vpce, _ := ctx.Value(vpceKey{}).(string)
	if vpce == "" {
		// API Gateway also names the endpoint in this header on calls to private APIs.
		vpce, _ = httpapi.Header(req, "x-amzn-vpce-id")
	}
	return httpapi.JSON(http.StatusOK, Identity{
		CallerArn: rc.Identity.UserArn,
		AccountID: rc.Identity.AccountID,
		SourceIP:  rc.Identity.SourceIP,
		VpceID:    vpce,
		Stage:     rc.Stage,
		RequestID: rc.RequestID,
	})
}
