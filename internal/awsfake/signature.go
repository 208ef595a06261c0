// Package awsfake stands in for AWS endpoints in tests: it checks SigV4 signatures the way AWS does
// (recomputing them from the shared secret) and points the SDK's default config at local servers
// through the standard environment variables.
package awsfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Credentials are the static credentials every fake accepts. The session token makes the checks
// cover what role credentials (IMDS, SSO, assumed roles) add to a signature.
var Credentials = aws.Credentials{
	AccessKeyID:     "AKIDEXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	SessionToken:    "FwoGZXIvYXdzEXAMPLEsessiontoken",
	Source:          "awsfake",
}

// maxSkew is how far the signing time may be from the server's clock, as AWS enforces.
const maxSkew = 5 * time.Minute

const amzDateFormat = "20060102T150405Z"

// VerifySignature recomputes the SigV4 signature of r (whose body is body) with creds for service
// and region, over exactly the headers the caller signed, and reports how it differs from the one
// the caller sent. Host is taken from the request line, so a request signed for another host fails.
func VerifySignature(r *http.Request, body []byte, creds aws.Credentials, service, region string) error {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return fmt.Errorf("missing authentication token: the request has no Authorization header")
	}
	got, err := parseAuthorization(auth)
	if err != nil {
		return err
	}
	wantScope := fmt.Sprintf("%s/%s/%s/aws4_request", got.date, region, service)
	if got.accessKeyID != creds.AccessKeyID || got.scope != wantScope {
		return fmt.Errorf("credential %s/%s should be %s/%s", got.accessKeyID, got.scope, creds.AccessKeyID, wantScope)
	}
	signedAt, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q is not a SigV4 timestamp", r.Header.Get("X-Amz-Date"))
	}
	if skew := time.Since(signedAt); skew > maxSkew || skew < -maxSkew {
		return fmt.Errorf("signature expired: signed at %s", signedAt)
	}
	if !slices.Contains(got.signedHeaders, "host") {
		return fmt.Errorf("the host header is not signed (SignedHeaders=%s)", strings.Join(got.signedHeaders, ";"))
	}

	u := *r.URL
	u.Host = r.Host
	again := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for _, name := range got.signedHeaders {
		switch name {
		case "host", "x-amz-date", "x-amz-security-token":
			// The signer sets these from the request line, the signing time and the credentials.
		case "content-length":
			again.ContentLength = r.ContentLength
		default:
			again.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), service, region, signedAt); err != nil {
		return fmt.Errorf("recompute signature: %w", err)
	}
	if want := again.Header.Get("Authorization"); want != auth {
		return fmt.Errorf("signature does not match: got %q, want %q", auth, want)
	}
	if token := r.Header.Get("X-Amz-Security-Token"); token != creds.SessionToken {
		return fmt.Errorf("security token %q is not the session token of the credentials", token)
	}
	return nil
}

type authorization struct {
	accessKeyID, date, scope string
	signedHeaders            []string
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/execute-api/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=...".
func parseAuthorization(header string) (authorization, error) {
	var a authorization
	params, ok := strings.CutPrefix(header, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, fmt.Errorf("authorization header %q is not AWS4-HMAC-SHA256", header)
	}
	for part := range strings.SplitSeq(params, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "Credential":
			a.accessKeyID, a.scope, _ = strings.Cut(value, "/")
			a.date, _, _ = strings.Cut(a.scope, "/")
		case "SignedHeaders":
			a.signedHeaders = strings.Split(value, ";")
		}
	}
	if a.scope == "" || len(a.signedHeaders) == 0 {
		return a, fmt.Errorf("authorization header %q lacks Credential or SignedHeaders", header)
	}
	return a, nil
}

// RequireSignature serves next only to requests signed with Credentials for service and region.
// Others get what AWS answers: 403 with the reason in a JSON message and x-amzn-ErrorType.
func RequireSignature(service, region string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := VerifySignature(r, body, Credentials, service, region); err != nil {
			WriteError(w, http.StatusForbidden, "InvalidSignatureException", err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// WriteError writes an error the way AWS JSON protocols do, which the SDK turns into a typed error
// named by errorType.
func WriteError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", errorType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": errorType, "message": message})
}
