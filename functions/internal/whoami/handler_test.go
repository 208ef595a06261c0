package whoami

import (
	"context"
	"encoding/json"
	"testing"
)

// event is a private-API proxy event as API Gateway sends it, trimmed to what matters here.
const event = `{
  "resource": "/whoami", "path": "/whoami", "httpMethod": "GET",
  "headers": {"Host": "abc123.execute-api.eu-west-1.amazonaws.com", "X-Amzn-Vpce-Id": "vpce-from-header"},
  "multiValueHeaders": {"Host": ["abc123.execute-api.eu-west-1.amazonaws.com"], "X-Amzn-Vpce-Id": ["vpce-from-header"]},
  "requestContext": {
    "resourcePath": "/whoami", "httpMethod": "GET", "stage": "dev", "path": "/dev/whoami",
    "requestId": "c2fc2e4d-8082-4375-a923-e7c4fddbf51a", "accountId": "111111111111",
    "identity": {
      "accountId": "222222222222", "sourceIp": "10.20.1.15", "vpceId": "vpce-0123456789abcdef0", "vpcId": "vpc-0aaa",
      "userArn": "arn:aws:sts::222222222222:assumed-role/private-api-client/i-0abc", "caller": "AROAEXAMPLE:i-0abc"
    }
  },
  "body": null, "isBase64Encoded": false
}`

func invoke(t *testing.T, raw string) (int, map[string]string) {
	t.Helper()
	var req Request
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		t.Fatal(err)
	}
	resp, err := New()(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("response %d %v %q is not JSON", resp.StatusCode, resp.Headers, resp.Body)
	}
	return resp.StatusCode, body
}

func TestWhoami(t *testing.T) {
	t.Run("reports_the_caller_and_the_private_path", func(t *testing.T) {
		status, body := invoke(t, event)
		want := map[string]string{
			"callerArn": "arn:aws:sts::222222222222:assumed-role/private-api-client/i-0abc",
			"accountId": "222222222222",
			"sourceIp":  "10.20.1.15",
			"vpceId":    "vpce-0123456789abcdef0", // the request context wins over the header
			"stage":     "dev",
			"requestId": "c2fc2e4d-8082-4375-a923-e7c4fddbf51a",
		}
		if status != 200 || len(body) != len(want) {
			t.Fatalf("%d %v", status, body)
		}
		for k, v := range want {
			if body[k] != v {
				t.Errorf("%s = %q, want %q", k, body[k], v)
			}
		}
	})

	t.Run("falls_back_to_the_vpce_header", func(t *testing.T) {
		var raw map[string]any
		if err := json.Unmarshal([]byte(event), &raw); err != nil {
			t.Fatal(err)
		}
		delete(raw["requestContext"].(map[string]any)["identity"].(map[string]any), "vpceId")
		delete(raw, "multiValueHeaders")
		b, _ := json.Marshal(raw)
		if _, body := invoke(t, string(b)); body["vpceId"] != "vpce-from-header" {
			t.Errorf("vpceId = %q, want the x-amzn-vpce-id header's", body["vpceId"])
		}
	})

	t.Run("other_routes", func(t *testing.T) {
		if status, body := invoke(t, `{"resource": "/whoami", "httpMethod": "POST"}`); status != 405 || body["error"] != "method_not_allowed" {
			t.Errorf("POST: %d %v", status, body)
		}
		if status, body := invoke(t, `{"resource": "/whoareyou", "httpMethod": "GET"}`); status != 404 || body["error"] != "route_not_found" {
			t.Errorf("unknown resource: %d %v", status, body)
		}
	})

	t.Run("an_event_that_is_not_a_proxy_event_is_refused_at_decoding", func(t *testing.T) {
		var req Request
		if err := json.Unmarshal([]byte(`{"requestContext": {"identity": "me"}}`), &req); err == nil {
			t.Error("decoded an identity that is a string")
		}
	})
}
