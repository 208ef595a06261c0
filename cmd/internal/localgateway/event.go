package localgateway

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// LocalVPCEndpoint stands where the deployed stage names the interface endpoint a call came
// through: calls to the local stage come through none.
const LocalVPCEndpoint = "vpce-local"

// localVPC stands for the VPC of that endpoint.
const localVPC = "vpc-local"

// localResourceID stands for API Gateway's resource IDs, which only a deployed API has.
const localResourceID = "local"

// requestTimeLayout is the layout of $context.requestTime (CLF).
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// event builds the Lambda proxy event of a REST API (payload version 1.0) the way API Gateway
// does: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
func (g *Gateway) event(r *http.Request, rt route, params map[string]string, body []byte, x *exchange) ([]byte, error) {
	headers, multiHeaders := map[string]string{}, map[string][]string{}
	for k, vs := range r.Header {
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = vs
	}
	// A private API names the endpoint the call came through in these headers.
	headers["Host"] = r.Host
	multiHeaders["Host"] = []string{r.Host}
	headers["X-Amzn-Vpce-Id"] = LocalVPCEndpoint
	multiHeaders["X-Amzn-Vpce-Id"] = []string{LocalVPCEndpoint}

	req := events.APIGatewayProxyRequest{
		Resource:   rt.Path,
		Path:       strings.TrimPrefix(r.URL.Path, "/"+g.cfg.Stage),
		HTTPMethod: r.Method,
		Headers:    headers, MultiValueHeaders: multiHeaders,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         x.identity.accountID,
			ResourceID:        localResourceID,
			Stage:             g.cfg.Stage,
			DomainName:        r.Host,
			DomainPrefix:      g.cfg.APIID,
			RequestID:         x.requestID,
			ExtendedRequestID: x.requestID,
			Protocol:          r.Proto,
			ResourcePath:      rt.Path,
			Path:              r.URL.Path,
			HTTPMethod:        r.Method,
			RequestTime:       x.started.UTC().Format(requestTimeLayout),
			RequestTimeEpoch:  x.started.UnixMilli(),
			APIID:             g.cfg.APIID,
			Identity: events.APIGatewayRequestIdentity{
				AccountID: x.identity.accountID,
				Caller:    x.identity.caller,
				User:      x.identity.caller,
				UserArn:   x.identity.userArn,
				AccessKey: x.identity.accessKey,
				SourceIP:  x.sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(params) > 0 {
		req.PathParameters = params
	}
	if q := r.URL.Query(); len(q) > 0 {
		req.QueryStringParameters, req.MultiValueQueryStringParameters = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			req.QueryStringParameters[k] = vs[len(vs)-1]
			req.MultiValueQueryStringParameters[k] = vs
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			req.Body = string(body)
		} else {
			req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	// identity.vpceId and vpcId are in the events API Gateway sends for private APIs, and not
	// in events.APIGatewayRequestIdentity: add them to the encoded event.
	var raw map[string]any
	b, err := json.Marshal(req)
	if err == nil {
		err = json.Unmarshal(b, &raw)
	}
	if err != nil {
		return nil, err
	}
	ident := raw["requestContext"].(map[string]any)["identity"].(map[string]any)
	ident["vpceId"], ident["vpcId"] = LocalVPCEndpoint, localVPC
	// API Gateway always sends these keys: null for no body, and the flag even when false.
	raw["isBase64Encoded"] = req.IsBase64Encoded
	if req.Body == "" {
		raw["body"] = nil
	}
	return json.Marshal(raw)
}

// isText reports whether a body goes to the function as text; anything else is base64, as for
// an API's binary media types. JSON, XML, forms and text/* are text when they are valid UTF-8.
func isText(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType != "" && err != nil {
		return false
	}
	textual := contentType == "" || strings.HasPrefix(mt, "text/") || mt == "application/json" ||
		strings.HasSuffix(mt, "+json") || mt == "application/xml" || strings.HasSuffix(mt, "+xml") ||
		mt == "application/x-www-form-urlencoded" || mt == "application/javascript"
	return textual && utf8.Valid(body)
}

// sourceIP is the client's address, $context.identity.sourceIp.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
