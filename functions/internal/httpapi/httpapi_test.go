package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/functions/internal/pagetoken"
)

func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		name   string
		req    events.APIGatewayProxyRequest
		want   string
		wantOK bool
	}{
		{"single_value_any_case", events.APIGatewayProxyRequest{Headers: map[string]string{"if-MATCH": `"1"`}}, `"1"`, true},
		{"multi_value_wins_and_keeps_every_occurrence", events.APIGatewayProxyRequest{
			Headers:           map[string]string{"If-Match": `"2"`},
			MultiValueHeaders: map[string][]string{"If-Match": {`"1"`, `"2"`}},
		}, `"1", "2"`, true},
		{"absent", events.APIGatewayProxyRequest{Headers: map[string]string{"If-None-Match": "x"}}, "", false},
		{"present_but_empty", events.APIGatewayProxyRequest{Headers: map[string]string{"If-Match": ""}}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Header(&tc.req, "If-Match")
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Header = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	req := events.APIGatewayProxyRequest{
		QueryStringParameters:           map[string]string{"limit": "5", "a": "1"},
		MultiValueQueryStringParameters: map[string][]string{"limit": {"3", "5"}},
	}
	if v, ok := Query(&req, "limit"); v != "5" || !ok {
		t.Errorf("repeated parameter = %q, %v; want the last value", v, ok)
	}
	if v, ok := Query(&req, "a"); v != "1" || !ok {
		t.Errorf("single-value parameter = %q, %v", v, ok)
	}
	if _, ok := Query(&req, "LIMIT"); ok {
		t.Error("query parameter names matched case-insensitively")
	}
}

func TestLimit(t *testing.T) {
	for raw, want := range map[string]int{"1": 1, "100": 100, "42": 42} {
		req := events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"limit": raw}}
		if got, err := Limit(&req); got != want || err != nil {
			t.Errorf("limit=%s: %d, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"0", "101", "-1", "", "1e2", " 5", "99999999999999999999"} {
		req := events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"limit": raw}}
		var e *Error
		if _, err := Limit(&req); !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("limit=%q: err = %v, want a 400", raw, err)
		}
	}
}

// fixedKey is a page-token key source with one key for every version.
type fixedKey struct{}

func (fixedKey) PageKey(context.Context, byte, bool) ([]byte, error) {
	return bytes.Repeat([]byte{1}, pagetoken.KeySize), nil
}

func TestPageTokens(t *testing.T) {
	ctx := context.Background()
	tokens := pagetoken.New(fixedKey{})
	page, err := NewPage(ctx, tokens, "list A", []string{"a", "b"}, []byte("b"), true)
	if err != nil {
		t.Fatal(err)
	}
	withToken := func(token string) *events.APIGatewayProxyRequest {
		return &events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"nextToken": token}}
	}
	if cursor, err := PageCursor(ctx, withToken(page.NextToken), tokens, "list A"); err != nil || string(cursor) != "b" {
		t.Errorf("PageCursor = %q, %v; want the cursor back", cursor, err)
	}
	if strings.ContainsAny(page.NextToken, "+/=#%") {
		t.Errorf("token %q needs escaping in a query string", page.NextToken)
	}
	for _, token := range []string{page.NextToken + "A", "YQ", ""} {
		var e *Error
		if _, err := PageCursor(ctx, withToken(token), tokens, "list A"); !errors.As(err, &e) || e.Status != 400 || e.Code != "invalid_next_token" {
			t.Errorf("token %q: err = %v, want 400 invalid_next_token", token, err)
		}
	}
	if _, err := PageCursor(ctx, withToken(page.NextToken), tokens, "list B"); err == nil {
		t.Error("list B accepted list A's token")
	}
	if last, err := NewPage[string](ctx, tokens, "list A", nil, nil, false); err != nil || last.NextToken != "" || last.Items == nil {
		t.Errorf("last page = %+v, %v; want [] and no token", last, err)
	}
	if c, err := PageCursor(ctx, &events.APIGatewayProxyRequest{}, tokens, "list A"); c != nil || err != nil {
		t.Errorf("no token: %q, %v", c, err)
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name  string   `json:"name"`
		Count *float64 `json:"count"`
	}
	var ok body
	if err := DecodeJSON([]byte(` {"name":"Jérôme","count":2} `), &ok); err != nil || ok.Name != "Jérôme" || *ok.Count != 2 {
		t.Errorf("DecodeJSON = %+v, %v", ok, err)
	}
	for _, tc := range []struct {
		body, code, message string
	}{
		{`{"Name":"x"}`, "unknown_field", `The body has an unknown field "Name": field names are case-sensitive; use "name".`},
		{`{"colour":"x"}`, "unknown_field", `The body has an unknown field "colour"; remove it.`},
		{`{"name":"a","name":"b"}`, "duplicate_field", `The body has field "name" more than once; send each field once.`},
		{"{\"name\":\"J\xe9r\xf4me\"}", "invalid_encoding", `The body must be UTF-8 encoded JSON; byte 10 is not UTF-8 (write text such as é in UTF-8, or as \u00e9).`},
		{`{"count":"2"}`, "invalid_field", "count must be a number."},
		{`{"count":1e999}`, "invalid_field", "count must be a number."},
		{`[]`, "invalid_json", "The body must be a JSON object."},
		{`null`, "invalid_json", "The body must be a JSON object."},
		{"\t", "invalid_json", "The body is empty; send a JSON object."},
		{`{"name":"a"`, "invalid_json", "The body is not valid JSON: the text ends in the middle of an object, after a value where ',' or '}' belongs at byte 11."},
	} {
		var v body
		var e *Error
		if err := DecodeJSON([]byte(tc.body), &v); !errors.As(err, &e) || e.Status != 400 || e.Code != tc.code || e.Message != tc.message {
			t.Errorf("%q: %v, want 400 %s %q", tc.body, err, tc.code, tc.message)
		}
		if v != (body{}) {
			t.Errorf("%q: a refused body was decoded: %+v", tc.body, v)
		}
	}
}

func TestErrorResponse(t *testing.T) {
	t.Run("retryable_errors_are_503_with_retry_after", func(t *testing.T) {
		resp := ErrorResponse(fmt.Errorf("get claim: %w", slowDown{3 * time.Second}), "r1")
		if resp.StatusCode != 503 || resp.Headers["Retry-After"] != "3" {
			t.Errorf("%d Retry-After %q", resp.StatusCode, resp.Headers["Retry-After"])
		}
		resp = ErrorResponse(slowDown{100 * time.Millisecond}, "r1")
		if resp.Headers["Retry-After"] != "1" {
			t.Errorf("Retry-After %q for a sub-second wait, want 1 (the header counts whole seconds)", resp.Headers["Retry-After"])
		}
	})
	t.Run("other_errors_are_500_without_their_text", func(t *testing.T) {
		resp := ErrorResponse(errors.New("table arn:aws:dynamodb:eu-west-1:123:table/x"), "req-9")
		var body errorBody
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.StatusCode != 500 || body.Error != "internal_error" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if strings.Contains(resp.Body, "arn:") || !strings.Contains(body.Message, "req-9") {
			t.Errorf("message %q: want the request ID and nothing of the error", body.Message)
		}
	})
}

type slowDown struct{ d time.Duration }

func (s slowDown) Error() string             { return "throttled" }
func (s slowDown) RetryAfter() time.Duration { return s.d }

func TestRouter(t *testing.T) {
	t.Run("duplicate_routes_are_a_programming_error", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		h := func(context.Context, *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return NoContent(), nil
		}
		NewRouter(Route{http.MethodGet, "/a", h}, Route{http.MethodGet, "/a", h})
	})

	t.Run("the_budget_ends_before_the_gateway_and_the_lambda_give_up", func(t *testing.T) {
		now := time.Now()
		if got := budgetDeadline(context.Background(), now); got != now.Add(requestBudget) || requestBudget >= 29*time.Second {
			t.Errorf("without a Lambda deadline: %v after now, want %v (< 29 s)", got.Sub(now), requestBudget)
		}
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(3*time.Second))
		defer cancel()
		if got := budgetDeadline(ctx, now); got != now.Add(3*time.Second-deadlineMargin) {
			t.Errorf("with a 3 s Lambda deadline: %v after now", got.Sub(now))
		}
	})
}
