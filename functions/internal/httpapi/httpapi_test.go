package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
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

func TestPageTokens(t *testing.T) {
	page := NewPage([]string{"a", "b"}, "EMP#b/+=", true)
	req := events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"nextToken": page.NextToken}}
	cursor, err := Cursor(&req, func(string) bool { return true })
	if err != nil || cursor != "EMP#b/+=" {
		t.Errorf("Cursor = %q, %v; want the cursor back", cursor, err)
	}
	if strings.ContainsAny(page.NextToken, "+/=#") {
		t.Errorf("token %q needs escaping in a query string", page.NextToken)
	}
	if _, err := Cursor(&req, func(string) bool { return false }); err == nil {
		t.Error("a cursor the route rejects was accepted")
	}
	if last := NewPage[string](nil, "x", false); last.NextToken != "" || last.Items == nil {
		t.Errorf("last page = %+v, want [] and no token", last)
	}
	if c, err := Cursor(&events.APIGatewayProxyRequest{}, nil); c != "" || err != nil {
		t.Errorf("no token: %q, %v", c, err)
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
