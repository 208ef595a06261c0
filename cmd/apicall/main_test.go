package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/example/private-api/internal/awsfake"
)

const (
	apiHost      = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
	aliasHost    = "a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com"
	endpointHost = "vpce-0123456789abcdef0-4x5y6z7w.execute-api.us-east-1.vpce.amazonaws.com"
)

// seen is what the fake API received, after its signature was verified.
type seen struct {
	method, host, body string
	header             http.Header
}

// fakeAPI stands in for API Gateway: it verifies the SigV4 signature for execute-api in us-east-1
// (403 otherwise, as API Gateway does) and answers by path.
func fakeAPI(t *testing.T) (addr string, last func() seen) {
	var mu sync.Mutex
	var got seen
	srv := httptest.NewServer(awsfake.RequireSignature("execute-api", "us-east-1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = seen{method: r.Method, host: r.Host, body: string(body), header: r.Header.Clone()}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/dev/whoami":
			_, _ = io.WriteString(w, `{"callerArn":"arn:aws:sts::123456789012:assumed-role/client/s","stage":"dev"}`)
		case "/dev/boom":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"message":"Internal server error"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not_found","message":"no such route"}`)
		}
	})))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), func() seen { mu.Lock(); defer mu.Unlock(); return got }
}

func apicall(t *testing.T, stdin string, terminal bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, streams{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, stdoutIsTerminal: terminal})
	return code, out.String(), errOut.String()
}

func TestCalls(t *testing.T) {
	awsfake.UseCredentials(t, "us-east-1")
	addr, last := fakeAPI(t)
	bodyFile := filepath.Join(t.TempDir(), "claim.json")
	if err := os.WriteFile(bodyFile, []byte(`{"policyId":"from-file"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name       string
		args       []string
		stdin      string
		terminal   bool
		wantCode   int
		wantOut    string
		wantSeen   seen
		wantHeader map[string]string
	}{
		{
			name:     "GET_on_the_API_host_is_signed_and_printed_raw",
			args:     []string{"http://" + apiHost + "/dev/whoami"},
			wantOut:  `{"callerArn":"arn:aws:sts::123456789012:assumed-role/client/s","stage":"dev"}`,
			wantSeen: seen{method: "GET", host: apiHost},
		},
		{
			name:     "JSON_is_indented_on_a_terminal",
			args:     []string{"http://" + apiHost + "/dev/whoami"},
			terminal: true,
			wantOut:  "{\n  \"callerArn\": \"arn:aws:sts::123456789012:assumed-role/client/s\",\n  \"stage\": \"dev\"\n}\n",
			wantSeen: seen{method: "GET", host: apiHost},
		},
		{
			name:       "-d_literal_makes_a_JSON_POST",
			args:       []string{"-d", `{"policyId":"p1"}`, "http://" + apiHost + "/dev/members/m1/claims"},
			wantCode:   exitHTTPError,
			wantOut:    `{"error":"not_found","message":"no such route"}`,
			wantSeen:   seen{method: "POST", host: apiHost, body: `{"policyId":"p1"}`},
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			name:     "-d_@file_with_-X",
			args:     []string{"-X", "put", "-d", "@" + bodyFile, "http://" + apiHost + "/dev/members/m1/claims"},
			wantCode: exitHTTPError,
			wantOut:  `{"error":"not_found","message":"no such route"}`,
			wantSeen: seen{method: "PUT", host: apiHost, body: `{"policyId":"from-file"}`},
		},
		{
			name:       "-d_@-_reads_stdin_and_-H_headers_are_signed",
			args:       []string{"-X", "PATCH", "-d", "@-", "-H", `If-Match: "v1"`, "-H", "Content-Type: application/merge-patch+json", "http://" + apiHost + "/dev/members/m1/claims/c1"},
			stdin:      `{"status":"PAID"}`,
			wantCode:   exitHTTPError,
			wantOut:    `{"error":"not_found","message":"no such route"}`,
			wantSeen:   seen{method: "PATCH", host: apiHost, body: `{"status":"PAID"}`},
			wantHeader: map[string]string{"If-Match": `"v1"`, "Content-Type": "application/merge-patch+json"},
		},
		{
			name:     "endpoint_alias_host",
			args:     []string{"http://" + aliasHost + "/dev/whoami"},
			wantOut:  `{"callerArn":"arn:aws:sts::123456789012:assumed-role/client/s","stage":"dev"}`,
			wantSeen: seen{method: "GET", host: aliasHost},
		},
		{
			name:       "endpoint_DNS_name_with_x-apigw-api-id_signs_for_that_name",
			args:       []string{"-H", "x-apigw-api-id: a1b2c3d4e5", "http://" + endpointHost + "/dev/whoami"},
			wantOut:    `{"callerArn":"arn:aws:sts::123456789012:assumed-role/client/s","stage":"dev"}`,
			wantSeen:   seen{method: "GET", host: endpointHost},
			wantHeader: map[string]string{"X-Apigw-Api-Id": "a1b2c3d4e5"},
		},
		{
			name:     "custom_host_with_-region",
			args:     []string{"-region", "us-east-1", "http://api.internal.example/dev/whoami"},
			wantOut:  `{"callerArn":"arn:aws:sts::123456789012:assumed-role/client/s","stage":"dev"}`,
			wantSeen: seen{method: "GET", host: "api.internal.example"},
		},
		{
			name:     "5xx_exits_with_the_HTTP_error_code_and_prints_the_body",
			args:     []string{"http://" + apiHost + "/dev/boom"},
			wantCode: exitHTTPError,
			wantOut:  `{"message":"Internal server error"}`,
			wantSeen: seen{method: "GET", host: apiHost},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := apicall(t, tc.stdin, tc.terminal, append([]string{"-connect-to", addr}, tc.args...)...)
			if code != tc.wantCode || stdout != tc.wantOut {
				t.Fatalf("exit %d, stdout %q (stderr %q); want exit %d, stdout %q", code, stdout, stderr, tc.wantCode, tc.wantOut)
			}
			if !strings.HasPrefix(stderr, "HTTP/1.1 ") {
				t.Errorf("stderr %q does not start with the status line", stderr)
			}
			got := last()
			if got.method != tc.wantSeen.method || got.host != tc.wantSeen.host || got.body != tc.wantSeen.body {
				t.Errorf("server saw %s %s body %q, want %s %s body %q", got.method, got.host, got.body, tc.wantSeen.method, tc.wantSeen.host, tc.wantSeen.body)
			}
			for name, want := range tc.wantHeader {
				if v := got.header.Get(name); v != want {
					t.Errorf("server saw %s: %q, want %q", name, v, want)
				}
				if signed := got.header.Get("Authorization"); !strings.Contains(signed, strings.ToLower(name)) {
					t.Errorf("%s is not among the signed headers: %s", name, signed)
				}
			}
		})
	}
}

func TestSignatureForAnotherRegionIsRejected(t *testing.T) {
	awsfake.UseCredentials(t, "us-east-1")
	addr, _ := fakeAPI(t)
	code, stdout, stderr := apicall(t, "", false, "-connect-to", addr, "-region", "eu-west-1", "http://api.internal.example/dev/whoami")
	if code != exitHTTPError || !strings.Contains(stderr, "403 Forbidden (InvalidSignatureException)") {
		t.Fatalf("exit %d, stderr %q; want %d and the 403 with its error type", code, stderr, exitHTTPError)
	}
	var msg struct{ Message string }
	if err := json.Unmarshal([]byte(stdout), &msg); err != nil || !strings.Contains(msg.Message, "eu-west-1") {
		t.Errorf("body %q should say which region was signed for", stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	awsfake.UseCredentials(t, "us-east-1")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no_URL", nil, "want exactly one URL"},
		{"not_a_URL", []string{"a1b2c3d4e5/dev/whoami"}, "is not an http(s) URL"},
		{"plain_http_off_the_machine", []string{"http://" + apiHost + "/dev/whoami"}, "sends them only over https; plain http only to a loopback address (make local): use https://" + apiHost + "/dev/whoami"},
		{"plain_http_dialled_off_the_machine", []string{"-connect-to", "10.20.1.5:80", "http://" + apiHost + "/dev/whoami"}, "only over https"},
		{"Host_override", []string{"-H", "Host: " + apiHost, "https://" + endpointHost + "/dev/whoami"}, "do not override Host"},
		{"endpoint_DNS_name_without_API_id", []string{"https://" + endpointHost + "/dev/whoami"}, "x-apigw-api-id: <apiId>"},
		{"custom_host_without_region", []string{"https://api.internal.example/dev/whoami"}, "add -region"},
		{"region_contradicting_the_host", []string{"-region", "eu-west-1", "https://" + apiHost + "/dev/whoami"}, "-region eu-west-1: the host"},
		{"malformed_header", []string{"-H", "If-Match", "https://" + apiHost + "/dev/whoami"}, "is not 'Name: value'"},
		{"missing_body_file", []string{"-d", "@/nonexistent/claim.json", "https://" + apiHost + "/dev/whoami"}, "-d: open /nonexistent/claim.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := apicall(t, "", false, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and stderr containing %q", code, stderr, stdout, exitUsage, tc.want)
			}
		})
	}
}

func TestNoAnswer(t *testing.T) {
	t.Run("connection_refused", func(t *testing.T) {
		awsfake.UseCredentials(t, "us-east-1")
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := l.Addr().String()
		l.Close()
		code, _, stderr := apicall(t, "", false, "-connect-to", closed, "https://"+apiHost+"/dev/whoami")
		if code != exitNoAnswer || !strings.Contains(stderr, "connection refused") {
			t.Errorf("exit %d, stderr %q; want %d and the connection error", code, stderr, exitNoAnswer)
		}
	})
	t.Run("no_credentials", func(t *testing.T) {
		awsfake.UseCredentials(t, "us-east-1")
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		addr, _ := fakeAPI(t)
		code, _, stderr := apicall(t, "", false, "-connect-to", addr, "http://"+apiHost+"/dev/whoami")
		if code != exitNoAnswer || !strings.Contains(stderr, "get AWS credentials") {
			t.Errorf("exit %d, stderr %q; want %d and a credentials error", code, stderr, exitNoAnswer)
		}
	})
}
