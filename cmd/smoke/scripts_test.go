package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/private-api/internal/awsfake"
)

// fakeIMDS serves the instance role's credentials the IMDSv2 way: a session token from PUT
// /latest/api/token, and 401 for any read without it.
func fakeIMDS(t *testing.T) *httptest.Server {
	const token, role = "imds-session-token", "private-api-dev-client"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" && r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "":
			_, _ = io.WriteString(w, token)
		case r.Method != http.MethodGet || r.Header.Get("X-Aws-Ec2-Metadata-Token") != token:
			http.Error(w, "", http.StatusUnauthorized)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			_, _ = io.WriteString(w, role)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/"+role:
			fmt.Fprintf(w, "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2025-01-01T00:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n"+
				"  \"AccessKeyId\" : %q,\n  \"SecretAccessKey\" : %q,\n  \"Token\" : %q,\n  \"Expiration\" : \"2025-01-01T06:00:00Z\"\n}",
				awsfake.Credentials.AccessKeyID, awsfake.Credentials.SecretAccessKey, awsfake.Credentials.SessionToken)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestScriptsRunWithCurl runs the HTTP checks' scripts for real, with sh and curl as on the test
// client: credentials from a fake IMDSv2, and the API replaced by a TLS server that verifies
// SigV4 for execute-api in us-east-1 and answers like API Gateway (403 for a bad signature).
// curl's own config file sends the API host and 169.254.169.254 to those servers; the scripts are
// the ones sent to SSM, unchanged. Name resolution has no equivalent here, so the DNS checks keep
// their scripted answers.
func TestScriptsRunWithCurl(t *testing.T) {
	if out, err := exec.Command("curl", "--help", "all").Output(); err != nil || !bytes.Contains(out, []byte("--aws-sigv4")) {
		t.Fatalf("these tests need curl 7.75 or later (for --aws-sigv4) on PATH: %v", err)
	}
	imds := fakeIMDS(t)
	api := httptest.NewTLSServer(awsfake.RequireSignature("execute-api", "us-east-1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" && r.URL.Path == "/dev/employees" {
			// What API Gateway answers a signed caller whose policies do not allow the route.
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"Message":"User: arn:aws:sts::123456789012:assumed-role/private-api-dev-client/i-0123456789abcdef0 is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********2012:a1b2c3d4e5/dev/GET/employees"}`)
			return
		}
		if r.Host != "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" || r.URL.Path != "/dev/whoami" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, whoamiBody)
	})))
	t.Cleanup(api.Close)

	curlHome := t.TempDir()
	curlrc := fmt.Sprintf("connect-to = \"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com:443:%s\"\nconnect-to = \"169.254.169.254:80:%s\"\ninsecure\n",
		api.Listener.Addr(), imds.Listener.Addr())
	if err := os.WriteFile(filepath.Join(curlHome, ".curlrc"), []byte(curlrc), 0o600); err != nil {
		t.Fatal(err)
	}
	ran := map[string]bool{} // written by the fake under its lock
	f := newFakeSSM(t, func(check, script string) output {
		if strings.HasSuffix(check, "-dns") {
			return passing(check, script)
		}
		ran[check] = true
		cmd := exec.Command("sh", "-c", script)
		// No proxy variables: curl must reach the local servers directly.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + curlHome, "CURL_HOME=" + curlHome}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		status := "Success"
		if cmd.Run() != nil {
			status = "Failed"
		}
		return output{status: status, stdout: stdout.String(), stderr: stderr.String()}
	})

	code, stdout, stderr := smoke(t, "-outputs", outputsFile)
	f.mu.Lock()
	defer f.mu.Unlock()
	if code != 0 || len(ran) != 4 {
		t.Fatalf("exit %d after running %v, stdout:\n%s\nstderr: %s", code, ran, stdout, stderr)
	}
}

func TestDNSSuffixFollowsThePartition(t *testing.T) {
	for _, tc := range []struct{ host, region, want string }{
		{"a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn", "cn-north-1", "amazonaws.com.cn"},
		{"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "us-east-1", "amazonaws.com"},
		{"a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.us-gov-west-1.amazonaws.com", "us-gov-west-1", "amazonaws.com"},
		{"api.internal.example", "us-east-1", "amazonaws.com"},
	} {
		if got := dnsSuffix(tc.host); got != tc.want {
			t.Errorf("dnsSuffix(%s) = %s, want %s", tc.host, got, tc.want)
		}
	}
}
