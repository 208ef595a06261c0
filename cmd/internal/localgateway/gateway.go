// Package localgateway serves a private REST API stage on this machine the way API Gateway serves
// the deployed one: the routes of infra's route table under /<stage>, AWS_IAM (SigV4) on every
// method with API Gateway's 403 bodies, the parameter validator, the stage's throttling, Lambda
// proxy events as API Gateway builds them, the integration timeout, and one access-log line per
// request in the stage's format.
package localgateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/lambdaruntime"
)

// Invoker runs one function.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (lambdaruntime.Result, error)
}

// Config is one stage and what serves it.
type Config struct {
	Stage  string
	Region string
	// APIID names the local API in events and logs.
	APIID  string
	Routes []infra.Route
	// Functions serve the routes, by the function names of the route table.
	Functions map[string]Invoker
	// Credentials are the only ones whose signatures are accepted.
	Credentials aws.CredentialsProvider
	// CallerArn is the principal those credentials stand for (userArn in the request context), and
	// CallerID its unique ID (caller); without one, the last part of CallerArn stands in.
	CallerArn, CallerID string
	// RateLimit (requests per second) and BurstLimit are the stage's throttling.
	RateLimit  float64
	BurstLimit int
	// MethodThrottles are method-level limits, by route, on top of the stage's.
	MethodThrottles map[infra.Route]infra.Throttle
	// IntegrationTimeout is how long API Gateway waits for a Lambda integration.
	IntegrationTimeout time.Duration
	// AccessLog receives one line per request in AccessLogFormat.
	AccessLog       io.Writer
	AccessLogFormat string
}

// DefaultIntegrationTimeout is API Gateway's default (and, without a quota increase, maximum)
// integration timeout for REST APIs, 29 s:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
const DefaultIntegrationTimeout = 29 * time.Second

// maxPayload is API Gateway's payload size quota for REST APIs, 10 MB (same page).
const maxPayload = 10 << 20

// Gateway is the stage's HTTP handler.
type Gateway struct {
	cfg    Config
	routes []route
	bucket *bucket
	log    *accessLog
	logMu  sync.Mutex
}

// New checks cfg and returns the stage.
func New(cfg Config) (*Gateway, error) {
	var errs []error
	if cfg.Stage == "" || strings.Contains(cfg.Stage, "/") {
		errs = append(errs, fmt.Errorf("stage name %q: want one path segment, such as v1", cfg.Stage))
	}
	if cfg.Region == "" {
		errs = append(errs, errors.New("region: empty; signatures are checked against the API's region"))
	}
	if cfg.Credentials == nil {
		errs = append(errs, errors.New("credentials: none; give the credentials whose signatures the stage accepts"))
	}
	if cfg.RateLimit <= 0 || cfg.BurstLimit <= 0 {
		errs = append(errs, fmt.Errorf("throttling rate %g, burst %d: both must be positive", cfg.RateLimit, cfg.BurstLimit))
	}
	if cfg.IntegrationTimeout <= 0 {
		errs = append(errs, fmt.Errorf("integration timeout %s: must be positive", cfg.IntegrationTimeout))
	}
	g := &Gateway{cfg: cfg, bucket: newBucket(cfg.RateLimit, cfg.BurstLimit)}
	for _, r := range cfg.Routes {
		if cfg.Functions[r.Function] == nil {
			errs = append(errs, fmt.Errorf("route %s %s: no function %q to serve it", r.Method, r.Path, r.Function))
			continue
		}
		rt := newRoute(r)
		if t, ok := cfg.MethodThrottles[r]; ok {
			if t.Rate <= 0 || t.Burst <= 0 {
				errs = append(errs, fmt.Errorf("route %s %s: throttling rate %g, burst %d: both must be positive", r.Method, r.Path, t.Rate, t.Burst))
			}
			rt.bucket = newBucket(t.Rate, t.Burst)
		}
		g.routes = append(g.routes, rt)
	}
	log, err := parseAccessLogFormat(cfg.AccessLogFormat)
	if err != nil {
		errs = append(errs, err)
	}
	g.log = log
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return g, nil
}

// ServeHTTP answers one request as the stage would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	x := &exchange{requestID: uuid(), started: started, method: r.Method, sourceIP: sourceIP(r)}
	defer func() { g.writeAccessLog(x) }()
	w.Header().Set("X-Amzn-Requestid", x.requestID)

	rt, params, ok := g.match(r)
	if !ok {
		// API Gateway gives this answer, not a 404, for a resource or method the API does not
		// have, signed or not (knowledge center: api-gateway-authentication-token-errors).
		g.fail(w, x, missingToken)
		return
	}
	x.resourcePath = rt.Path
	// A request counts against its method's limits, where the stage sets some, and the stage's
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
	now := time.Now()
	if (rt.bucket != nil && !rt.bucket.allow(now)) || !g.bucket.allow(now) {
		g.fail(w, x, tooManyRequests)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		g.fail(w, x, gatewayError{status: http.StatusBadRequest, errorType: "BadRequestException", message: "Could not read the request body"})
		return
	}
	if len(body) > maxPayload {
		g.fail(w, x, requestTooLarge)
		return
	}
	id, gerr := g.authenticate(r, body)
	if gerr != nil {
		g.fail(w, x, *gerr)
		return
	}
	x.identity = id
	if gerr := validateParams(rt, params); gerr != nil {
		g.fail(w, x, *gerr)
		return
	}
	payload, err := g.event(r, rt, params, body, x)
	if err != nil {
		g.fail(w, x, internalError)
		return
	}
	g.integrate(r.Context(), w, x, g.cfg.Functions[rt.Function], payload)
}

// integrate invokes the function and maps its answer as a Lambda proxy integration does.
func (g *Gateway) integrate(ctx context.Context, w http.ResponseWriter, x *exchange, fn Invoker, payload []byte) {
	ctx, cancel := context.WithTimeout(ctx, g.cfg.IntegrationTimeout)
	defer cancel()
	began := time.Now()
	res, err := fn.Invoke(ctx, payload)
	x.integrationLatency = time.Since(began)
	x.integrated = true
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		// INTEGRATION_TIMEOUT, 504 (supported-gateway-response-types.html; knowledge center
		// api-gateway-504-errors: the integration ran past the API's integration timeout).
		g.fail(w, x, integrationTimeout)
		return
	case errors.Is(err, lambdaruntime.ErrTimeout):
		// The function's own timeout is shorter than the integration's: Lambda ends it and
		// returns a function error, which a proxy integration turns into 502.
		g.fail(w, x, functionFailed)
		return
	case err != nil:
		g.fail(w, x, internalError)
		return
	case res.FunctionError != "":
		g.fail(w, x, functionFailed)
		return
	}
	var resp proxyResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		// "Malformed Lambda proxy response" (knowledge center malformed-502-api-gateway).
		g.fail(w, x, functionFailed)
		return
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			g.fail(w, x, functionFailed)
			return
		}
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		if _, ok := resp.MultiValueHeaders[k]; !ok {
			h.Set(k, v)
		}
	}
	x.status = resp.StatusCode
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// proxyResponse is what a Lambda proxy integration must return.
type proxyResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// exchange is what the access log records about one request.
type exchange struct {
	requestID          string
	started            time.Time
	method             string
	sourceIP           string
	resourcePath       string
	identity           *identity
	status             int
	errorMessage       string
	integrated         bool
	integrationLatency time.Duration
}

// fail writes one of API Gateway's own error answers.
func (g *Gateway) fail(w http.ResponseWriter, x *exchange, e gatewayError) {
	x.status = e.status
	x.errorMessage = e.message
	w.Header().Set("Content-Type", "application/json")
	if e.errorType != "" {
		w.Header().Set("X-Amzn-Errortype", e.errorType)
	}
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": e.message})
}

func (g *Gateway) writeAccessLog(x *exchange) {
	if g.cfg.AccessLog == nil {
		return
	}
	line := g.log.render(g.contextVars(x))
	g.logMu.Lock()
	defer g.logMu.Unlock()
	_, _ = g.cfg.AccessLog.Write(append(line, '\n'))
}

// uuid is a random version 4 UUID, the form of API Gateway's request IDs.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
