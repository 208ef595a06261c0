package sigv4client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/example/private-api/internal/awsfake"
)

const apiHost = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"

var staticCreds = credentials.StaticCredentialsProvider{Value: awsfake.Credentials}

// server answers 200 with the body it got, to requests signed for execute-api in us-east-1.
func server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(awsfake.RequireSignature(Service, "us-east-1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != apiHost {
			t.Errorf("server got Host %q, want %q", r.Host, apiHost)
		}
		_, _ = io.Copy(w, r.Body)
	})))
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, c *Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), req, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(got)
}

func TestClient(t *testing.T) {
	srv := server(t)
	dial := DialTo(srv.Listener.Addr().String())

	t.Run("signature_over_the_URL_host_is_accepted", func(t *testing.T) {
		status, body := call(t, New(staticCreds, "us-east-1", dial), http.MethodPost, "http://"+apiHost+"/dev/members/m1/claims", `{"policyId":"p"}`)
		if status != http.StatusOK || body != `{"policyId":"p"}` {
			t.Errorf("got %d %q, want 200 echoing the body", status, body)
		}
	})
	t.Run("empty_body_is_signed_as_empty_payload", func(t *testing.T) {
		if status, body := call(t, New(staticCreds, "us-east-1", dial), http.MethodGet, "http://"+apiHost+"/dev/whoami", ""); status != http.StatusOK {
			t.Errorf("got %d %s, want 200", status, body)
		}
	})
	t.Run("signature_for_another_region_is_rejected", func(t *testing.T) {
		status, body := call(t, New(staticCreds, "us-west-2", dial), http.MethodGet, "http://"+apiHost+"/dev/whoami", "")
		if status != http.StatusForbidden || !strings.Contains(body, "us-west-2") {
			t.Errorf("got %d %s, want 403 naming the region", status, body)
		}
	})
	t.Run("redirects_are_not_followed", func(t *testing.T) {
		redirect := httptest.NewServer(http.RedirectHandler("http://elsewhere.example/", http.StatusFound))
		defer redirect.Close()
		status, _ := call(t, New(staticCreds, "us-east-1", DialTo(redirect.Listener.Addr().String())), http.MethodGet, "http://"+apiHost+"/dev/whoami", "")
		if status != http.StatusFound {
			t.Errorf("got %d, want the 302 itself", status)
		}
	})
}

// DialTo must not relax TLS: the certificate is checked against the URL's host, not the address
// dialled. httptest's certificate names example.com and 127.0.0.1, and the test dials 127.0.0.1.
func TestDialToChecksTheCertificateForTheURLHost(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	transport := DialTo(srv.Listener.Addr().String())
	transport.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	client := &http.Client{Transport: transport}

	resp, err := client.Get("https://example.com/")
	if err != nil {
		t.Fatalf("host named by the certificate: %v", err)
	}
	resp.Body.Close()

	_, err = client.Get("https://" + apiHost + "/")
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) || hostErr.Host != apiHost {
		t.Fatalf("host not named by the certificate: got %v, want a hostname error for %s", err, apiHost)
	}
}
