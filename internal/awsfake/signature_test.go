package awsfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signed sends a request signed by the SDK signer with the given parameters to a server that
// requires execute-api in us-east-1, and returns the status it answers.
func signed(t *testing.T, creds aws.Credentials, service, region string, tamper func(*http.Request)) int {
	t.Helper()
	srv := httptest.NewServer(RequireSignature("execute-api", "us-east-1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != `{"a":1}` {
			t.Errorf("handler got body %q after verification, want it intact", body)
		}
	})))
	defer srv.Close()

	body := []byte(`{"a":1}`)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/dev/members/m%201/claims?limit=5&a=b", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden && resp.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" {
		t.Errorf("403 without x-amzn-ErrorType: %v", resp.Header)
	}
	return resp.StatusCode
}

func TestRequireSignature(t *testing.T) {
	otherSecret := Credentials
	otherSecret.SecretAccessKey = "not-the-secret"
	otherToken := Credentials
	otherToken.SessionToken = "another-token"
	cases := []struct {
		name            string
		creds           aws.Credentials
		service, region string
		tamper          func(*http.Request)
		want            int
	}{
		{name: "accepts_a_correct_signature", creds: Credentials, service: "execute-api", region: "us-east-1", want: http.StatusOK},
		{name: "rejects_another_region", creds: Credentials, service: "execute-api", region: "us-west-2", want: http.StatusForbidden},
		{name: "rejects_another_service", creds: Credentials, service: "apigateway", region: "us-east-1", want: http.StatusForbidden},
		{name: "rejects_another_secret", creds: otherSecret, service: "execute-api", region: "us-east-1", want: http.StatusForbidden},
		{name: "rejects_another_session_token", creds: otherToken, service: "execute-api", region: "us-east-1", want: http.StatusForbidden},
		{name: "rejects_another_host", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) { r.Host = "other.example" }, want: http.StatusForbidden},
		{name: "rejects_a_changed_body", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"a":2}`)) }, want: http.StatusForbidden},
		{name: "rejects_a_changed_signed_header", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, want: http.StatusForbidden},
		{name: "rejects_a_changed_query", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) { r.URL.RawQuery = "limit=6&a=b" }, want: http.StatusForbidden},
		{name: "rejects_an_unsigned_request", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) { r.Header.Del("Authorization") }, want: http.StatusForbidden},
		{name: "rejects_an_old_signature", creds: Credentials, service: "execute-api", region: "us-east-1",
			tamper: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", time.Now().Add(-time.Hour).UTC().Format(amzDateFormat))
			}, want: http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := signed(t, tc.creds, tc.service, tc.region, tc.tamper); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}
