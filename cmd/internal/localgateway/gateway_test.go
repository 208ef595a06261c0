package localgateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/awsfake"
	"github.com/example/private-api/internal/lambdaruntime"
)

const (
	region    = "eu-west-1"
	callerArn = "arn:aws:iam::123456789012:user/dev"
)

// fakeFunction answers with answer and records the events it got.
type fakeFunction struct {
	mu     sync.Mutex
	events [][]byte
	answer func(ctx context.Context, payload []byte) (lambdaruntime.Result, error)
}

var _ Invoker = (*fakeFunction)(nil)

func (f *fakeFunction) Invoke(ctx context.Context, payload []byte) (lambdaruntime.Result, error) {
	f.mu.Lock()
	f.events = append(f.events, payload)
	f.mu.Unlock()
	return f.answer(ctx, payload)
}

func (f *fakeFunction) lastEvent(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	var ev map[string]any
	if err := json.Unmarshal(f.events[len(f.events)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func ok(body string) func(context.Context, []byte) (lambdaruntime.Result, error) {
	return func(context.Context, []byte) (lambdaruntime.Result, error) {
		b, _ := json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: body})
		return lambdaruntime.Result{Payload: b}, nil
	}
}

type stage struct {
	url  string
	fn   *fakeFunction
	logs *bytes.Buffer
	mu   *sync.Mutex
}

func newStage(t *testing.T, adjust func(*Config)) stage {
	t.Helper()
	fn := &fakeFunction{answer: ok(`{"ok":true}`)}
	functions := map[string]Invoker{}
	for _, r := range infra.Routes {
		functions[r.Function] = fn
	}
	logs := &bytes.Buffer{}
	mu := &sync.Mutex{}
	cfg := Config{
		Stage: "v1", Region: region, APIID: "local", Routes: infra.Routes, Functions: functions,
		Credentials: credentials.StaticCredentialsProvider{Value: awsfake.Credentials}, CallerArn: callerArn,
		RateLimit: 1000, BurstLimit: 1000, IntegrationTimeout: time.Second,
		AccessLog: lockedWriter{mu, logs}, AccessLogFormat: infra.AccessLogFormat(),
	}
	if adjust != nil {
		adjust(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return stage{url: srv.URL, fn: fn, logs: logs, mu: mu}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s stage) logLines(t *testing.T) []map[string]string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []map[string]string
	for _, l := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("access log line %q is not a JSON object of strings: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

type call struct {
	method, path, body, contentType string
	creds                           aws.Credentials
	service, region                 string
	signedAt                        time.Time
	unsigned                        bool
	tamper                          func(*http.Request)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) message(t *testing.T) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON message: %v", a.body, err)
	}
	return m["message"]
}

func (s stage) do(t *testing.T, c call) answer {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	if c.creds == (aws.Credentials{}) {
		c.creds = awsfake.Credentials
	}
	if c.service == "" {
		c.service = "execute-api"
	}
	if c.region == "" {
		c.region = region
	}
	if c.signedAt.IsZero() {
		c.signedAt = time.Now()
	}
	req, err := http.NewRequest(c.method, s.url+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if !c.unsigned {
		sum := sha256.Sum256([]byte(c.body))
		if err := v4.NewSigner().SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), c.service, c.region, c.signedAt); err != nil {
			t.Fatal(err)
		}
	}
	if c.tamper != nil {
		c.tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, body}
}

func TestAWSIAM(t *testing.T) {
	s := newStage(t, nil)
	otherSecret := awsfake.Credentials
	otherSecret.SecretAccessKey = "not-the-secret"
	otherKey := awsfake.Credentials
	otherKey.AccessKeyID = "AKIDOTHER"
	cases := []struct {
		name      string
		call      call
		errorType string
		message   string // exact, or a prefix when it ends in "..."
	}{
		{"unsigned", call{path: "/v1/whoami", unsigned: true}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unknown_resource_even_signed", call{path: "/v1/nowhere"}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"method_the_resource_lacks", call{method: http.MethodDelete, path: "/v1/whoami"}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"another_stage", call{path: "/prod/whoami"}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"another_service", call{path: "/v1/whoami", service: "apigateway"}, "InvalidSignatureException", "Credential should be scoped to correct service: 'execute-api'. "},
		{"another_region", call{path: "/v1/whoami", region: "us-east-1"}, "InvalidSignatureException", "Credential should be scoped to a valid region, not 'us-east-1'. "},
		{"expired", call{path: "/v1/whoami", signedAt: time.Now().Add(-6 * time.Minute)}, "InvalidSignatureException", "Signature expired: ..."},
		{"from_the_future", call{path: "/v1/whoami", signedAt: time.Now().Add(6 * time.Minute)}, "InvalidSignatureException", "Signature not yet current: ..."},
		{"another_secret", call{path: "/v1/whoami", creds: otherSecret}, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. ..."},
		{"another_access_key", call{path: "/v1/whoami", creds: otherKey}, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"changed_body", call{method: http.MethodPost, path: "/v1/members/m1/claims", body: `{"a":1}`, contentType: "application/json",
			tamper: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"a":2}`)) }},
			"InvalidSignatureException", "The request signature we calculated does not match the signature you provided. ..."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := s.do(t, tc.call)
			if a.status != http.StatusForbidden || a.header.Get("X-Amzn-Errortype") != tc.errorType {
				t.Errorf("%d %s, want 403 %s", a.status, a.header.Get("X-Amzn-Errortype"), tc.errorType)
			}
			msg := a.message(t)
			if prefix, ok := strings.CutSuffix(tc.message, "..."); ok {
				if !strings.HasPrefix(msg, prefix) {
					t.Errorf("message %q, want it to start with %q", msg, prefix)
				}
			} else if msg != tc.message {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
		})
	}
	if len(s.fn.events) != 0 {
		t.Errorf("the function ran %d times for requests the stage refused", len(s.fn.events))
	}

	t.Run("signed_with_the_trusted_credentials", func(t *testing.T) {
		if a := s.do(t, call{path: "/v1/whoami"}); a.status != 200 || string(a.body) != `{"ok":true}` {
			t.Errorf("%d %s, want the function's answer", a.status, a.body)
		}
	})
}

func TestProxyEvent(t *testing.T) {
	s := newStage(t, nil)
	a := s.do(t, call{method: http.MethodPost, path: "/v1/members/m%201/claims?limit=5&tag=a&tag=b", body: `{"policyId":"p"}`, contentType: "application/json",
		tamper: func(r *http.Request) { r.Header.Add("X-Multi", "one"); r.Header.Add("X-Multi", "two") }})
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	ev := s.fn.lastEvent(t)
	rc := ev["requestContext"].(map[string]any)
	id := rc["identity"].(map[string]any)
	checks := map[string][2]any{
		"resource":                            {ev["resource"], "/members/{memberId}/claims"},
		"path":                                {ev["path"], "/members/m 1/claims"},
		"httpMethod":                          {ev["httpMethod"], "POST"},
		"pathParameters.memberId":             {ev["pathParameters"].(map[string]any)["memberId"], "m 1"},
		"queryStringParameters.tag":           {ev["queryStringParameters"].(map[string]any)["tag"], "b"},
		"multiValueQueryStringParameters.tag": {strings.Join(toStrings(ev["multiValueQueryStringParameters"].(map[string]any)["tag"]), ","), "a,b"},
		"headers.X-Multi":                     {ev["headers"].(map[string]any)["X-Multi"], "two"},
		"multiValueHeaders.X-Multi":           {strings.Join(toStrings(ev["multiValueHeaders"].(map[string]any)["X-Multi"]), ","), "one,two"},
		"body":                                {ev["body"], `{"policyId":"p"}`},
		"isBase64Encoded":                     {ev["isBase64Encoded"], false},
		"requestContext.stage":                {rc["stage"], "v1"},
		"requestContext.resourcePath":         {rc["resourcePath"], "/members/{memberId}/claims"},
		"requestContext.path":                 {rc["path"], "/v1/members/m 1/claims"},
		"requestContext.requestId":            {rc["requestId"], a.header.Get("X-Amzn-Requestid")},
		"identity.userArn":                    {id["userArn"], callerArn},
		"identity.accountId":                  {id["accountId"], "123456789012"},
		"identity.accessKey":                  {id["accessKey"], awsfake.Credentials.AccessKeyID},
		"identity.sourceIp":                   {id["sourceIp"], "127.0.0.1"},
		"identity.vpceId":                     {id["vpceId"], LocalVPCEndpoint},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %#v, want %#v", name, c[0], c[1])
		}
	}

	t.Run("binary_body_is_base64", func(t *testing.T) {
		png := "\x89PNG\r\n\x1a\n"
		s.do(t, call{method: http.MethodPost, path: "/v1/members/m1/claims", body: png, contentType: "image/png"})
		ev := s.fn.lastEvent(t)
		if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString([]byte(png)) {
			t.Errorf("body %v (base64 %v), want the bytes base64-encoded", ev["body"], ev["isBase64Encoded"])
		}
	})
	t.Run("no_body_no_query_no_parameters_are_null", func(t *testing.T) {
		s.do(t, call{path: "/v1/whoami"})
		ev := s.fn.lastEvent(t)
		for _, k := range []string{"body", "pathParameters", "queryStringParameters"} {
			if v, present := ev[k]; !present || v != nil {
				t.Errorf("%s = %#v (present %v), want null", k, v, present)
			}
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

func TestValidatorRefusesAnEmptyRequiredPathParameter(t *testing.T) {
	s := newStage(t, nil)
	a := s.do(t, call{path: "/v1/members//claims"})
	if a.status != http.StatusBadRequest || a.message(t) != "Missing required request parameters: [memberId]" {
		t.Errorf("%d %s, want 400 naming memberId", a.status, a.body)
	}
	if len(s.fn.events) != 0 {
		t.Error("the function ran for a request the validator refused")
	}
}

func TestThrottling(t *testing.T) {
	s := newStage(t, func(c *Config) { c.RateLimit, c.BurstLimit = 0.001, 2 })
	var statuses []int
	for range 3 {
		statuses = append(statuses, s.do(t, call{path: "/v1/whoami"}).status)
	}
	a := s.do(t, call{path: "/v1/whoami"})
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 || a.status != 429 || a.message(t) != "Too Many Requests" {
		t.Errorf("statuses %v then %d %s: want the burst of 2 served and then 429 Too Many Requests", statuses, a.status, a.body)
	}
}

func TestMethodThrottlesApplyToTheirMethodOnly(t *testing.T) {
	whoami := infra.Route{Method: "GET", Path: "/whoami", Function: "whoami"}
	s := newStage(t, func(c *Config) {
		c.MethodThrottles = map[infra.Route]infra.Throttle{whoami: {Rate: 0.001, Burst: 1}}
	})
	first, second := s.do(t, call{path: "/v1/whoami"}), s.do(t, call{path: "/v1/whoami"})
	other := s.do(t, call{path: "/v1/employees"})
	if first.status != 200 || second.status != 429 || second.message(t) != "Too Many Requests" || other.status != 200 {
		t.Errorf("whoami %d then %d %s, employees %d: want the method's burst of 1, and other methods unaffected",
			first.status, second.status, second.body, other.status)
	}
}

func TestIntegrationFailures(t *testing.T) {
	cases := []struct {
		name    string
		answer  func(context.Context, []byte) (lambdaruntime.Result, error)
		status  int
		message string
	}{
		{"integration_timeout_is_504", func(ctx context.Context, _ []byte) (lambdaruntime.Result, error) {
			<-ctx.Done()
			return lambdaruntime.Result{}, ctx.Err()
		}, 504, "Endpoint request timed out"},
		{"function_timeout_is_502", func(context.Context, []byte) (lambdaruntime.Result, error) {
			return lambdaruntime.Result{}, lambdaruntime.ErrTimeout
		}, 502, "Internal server error"},
		{"function_error_is_502", func(context.Context, []byte) (lambdaruntime.Result, error) {
			return lambdaruntime.Result{Payload: []byte(`{"errorMessage":"boom"}`), FunctionError: "Unhandled"}, nil
		}, 502, "Internal server error"},
		{"refused_invocation_is_500", func(context.Context, []byte) (lambdaruntime.Result, error) {
			return lambdaruntime.Result{}, errors.New("function whoami: stopped")
		}, 500, "Internal server error"},
		{"malformed_proxy_response_is_502", func(context.Context, []byte) (lambdaruntime.Result, error) {
			return lambdaruntime.Result{Payload: []byte(`{"body":"no status"}`)}, nil
		}, 502, "Internal server error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStage(t, func(c *Config) { c.IntegrationTimeout = 100 * time.Millisecond })
			s.fn.answer = tc.answer
			a := s.do(t, call{path: "/v1/whoami"})
			if a.status != tc.status || a.message(t) != tc.message {
				t.Errorf("%d %s, want %d %q", a.status, a.body, tc.status, tc.message)
			}
		})
	}
}

func TestProxyResponse(t *testing.T) {
	s := newStage(t, nil)
	s.fn.answer = func(context.Context, []byte) (lambdaruntime.Result, error) {
		b, _ := json.Marshal(events.APIGatewayProxyResponse{
			StatusCode: 201, Headers: map[string]string{"Etag": `"v1"`, "Location": "/one"},
			MultiValueHeaders: map[string][]string{"Set-Cookie": {"a=1", "b=2"}},
			Body:              base64.StdEncoding.EncodeToString([]byte{0, 1, 2}), IsBase64Encoded: true,
		})
		return lambdaruntime.Result{Payload: b}, nil
	}
	a := s.do(t, call{path: "/v1/whoami"})
	if a.status != 201 || a.header.Get("Etag") != `"v1"` || strings.Join(a.header.Values("Set-Cookie"), ",") != "a=1,b=2" || !bytes.Equal(a.body, []byte{0, 1, 2}) {
		t.Errorf("%d %v %v: want 201, both header kinds and the decoded body", a.status, a.header, a.body)
	}
}

func TestAccessLog(t *testing.T) {
	s := newStage(t, nil)
	s.do(t, call{path: "/v1/whoami", unsigned: true})
	s.do(t, call{path: "/v1/whoami"})
	lines := s.logLines(t)
	if len(lines) != 2 {
		t.Fatalf("%d access log lines for 2 requests", len(lines))
	}
	var format map[string]string
	if err := json.Unmarshal([]byte(infra.AccessLogFormat()), &format); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if len(l) != len(format) {
			t.Errorf("line has keys %v, want the stage format's %v", l, format)
		}
	}
	refused, served := lines[0], lines[1]
	if refused["status"] != "403" || refused["errorMessage"] != "Missing Authentication Token" || refused["userArn"] != "-" || refused["integrationLatency"] != "-" {
		t.Errorf("refused request logged as %v", refused)
	}
	if served["status"] != "200" || served["userArn"] != callerArn || served["resourcePath"] != "/whoami" ||
		served["vpceId"] != LocalVPCEndpoint || served["integrationLatency"] == "-" || served["errorMessage"] != "-" {
		t.Errorf("served request logged as %v", served)
	}
}

func TestNewRejectsAStageItCannotServe(t *testing.T) {
	_, err := New(Config{Stage: "a/b", Routes: infra.Routes, AccessLogFormat: "$context.requestId"})
	for _, want := range []string{"stage name", "region", "credentials", "throttling", "integration timeout", "no function", "access log format"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %s", err, want)
		}
	}
}
