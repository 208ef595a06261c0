package bootstraps_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// apiEvent is an API Gateway REST proxy event as Lambda delivers it to the function.
func apiEvent(method, resource string, params map[string]string, body string) string {
	path := resource
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	b, _ := json.Marshal(events.APIGatewayProxyRequest{
		Resource: resource, Path: path, HTTPMethod: method, PathParameters: params, Body: body,
		Headers: map[string]string{"Content-Type": "application/json"},
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: "dev", RequestID: "req-" + method, Path: "/dev" + path,
			Identity: events.APIGatewayRequestIdentity{SourceIP: "10.20.1.15", AccountID: "222222222222",
				UserArn: "arn:aws:sts::222222222222:assumed-role/client/i-1"},
		},
	})
	return string(b)
}

// call invokes the function and decodes its proxy response.
func call(t *testing.T, api *runtimeAPI, fn *function, payload string) (events.APIGatewayProxyResponse, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := api.invoke(ctx, payload)
	if err != nil {
		t.Fatalf("%v; function stderr:\n%s", err, fn.stderr)
	}
	if res.failed {
		t.Fatalf("the function reported an invocation error: %s", res.body)
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(res.body, &resp); err != nil {
		t.Fatalf("answer %s is not a proxy response: %v", res.body, err)
	}
	var body map[string]any
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("response body %q is not JSON: %v", resp.Body, err)
		}
	}
	return resp, body
}

// TestArtifacts runs the real bootstraps, built with the deployment flags for this machine,
// against a Runtime API served by the test, with API Gateway events.
func TestArtifacts(t *testing.T) {
	t.Run("whoami_answers_from_the_request_context_with_no_table", func(t *testing.T) {
		api := newRuntimeAPI(t)
		fn := startFunction(t, hostBootstrap(t, "whoami"), api, "TABLE_NAME=")
		resp, body := call(t, api, fn, apiEvent("GET", "/whoami", nil, ""))
		if resp.StatusCode != 200 || body["sourceIp"] != "10.20.1.15" || body["stage"] != "dev" ||
			body["callerArn"] != "arn:aws:sts::222222222222:assumed-role/client/i-1" {
			t.Errorf("%d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("claims_creates_reads_and_validates_on_dynamodb", func(t *testing.T) {
		api := newRuntimeAPI(t)
		fn := startFunction(t, hostBootstrap(t, "claims"), api, "TABLE_NAME="+tableName)
		params := map[string]string{"memberId": "artifact-member"}
		resp, created := call(t, api, fn, apiEvent("POST", "/members/{memberId}/claims", params, `{"policyId":"POL-1","memberName":"Ada"}`))
		if resp.StatusCode != 201 || resp.Headers["ETag"] != `"1"` {
			t.Fatalf("create: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
		}
		// The same process serves the next invocation (a warm start).
		params["claimId"], _ = created["claimId"].(string)
		resp, got := call(t, api, fn, apiEvent("GET", "/members/{memberId}/claims/{claimId}", params, ""))
		if resp.StatusCode != 200 || got["policyId"] != "POL-1" {
			t.Errorf("get: %d %s", resp.StatusCode, resp.Body)
		}
		resp, body := call(t, api, fn, apiEvent("POST", "/members/{memberId}/claims", map[string]string{"memberId": "bad id"}, `{}`))
		if resp.StatusCode != 400 || body["error"] != "invalid_member_id" {
			t.Errorf("invalid member: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("employees_lists_the_seeded_directory", func(t *testing.T) {
		api := newRuntimeAPI(t)
		fn := startFunction(t, hostBootstrap(t, "employees"), api, "TABLE_NAME="+tableName)
		resp, body := call(t, api, fn, apiEvent("GET", "/employees", nil, ""))
		items, _ := body["items"].([]any)
		if resp.StatusCode != 200 || len(items) != 10 {
			t.Errorf("list: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("a_function_without_its_table_stops_at_init_saying_why", func(t *testing.T) {
		api := newRuntimeAPI(t)
		fn := startFunction(t, hostBootstrap(t, "claims"), api, "TABLE_NAME=")
		select {
		case <-fn.exited:
		case <-time.After(10 * time.Second):
			t.Fatal("claims without TABLE_NAME is still running")
		}
		if fn.cmd.ProcessState.Success() || !strings.Contains(fn.stderr.String(), "TABLE_NAME is not set") {
			t.Errorf("exit %v, stderr %q: want a failure naming TABLE_NAME", fn.cmd.ProcessState, fn.stderr)
		}
	})
}
