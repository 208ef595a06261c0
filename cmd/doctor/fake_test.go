package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/example/private-api/internal/awsfake"
)

// region is the aws:region of every test stack; the fakes accept only signatures for it.
const region = "eu-west-1"

// protocol is how a service encodes requests and errors, which decides how the fake names a
// recorded response and writes an error.
type protocol int

const (
	query    protocol = iota // awsQuery: form-encoded Action, XML answers and errors (STS, IAM)
	ec2Query                 // EC2's query dialect: XML errors under <Response><Errors>
	awsJSON                  // awsJson1.1: X-Amz-Target names the operation
	restJSON                 // REST: the path names the resource
)

// services are the AWS APIs doctor reads: endpoint variable, signing name and protocol.
var services = []struct {
	dir, env, signingName string
	proto                 protocol
}{
	{"sts", "AWS_ENDPOINT_URL_STS", "sts", query},
	{"iam", "AWS_ENDPOINT_URL_IAM", "iam", query},
	{"ec2", "AWS_ENDPOINT_URL_EC2", "ec2", ec2Query},
	{"servicequotas", "AWS_ENDPOINT_URL_SERVICE_QUOTAS", "servicequotas", awsJSON},
	{"route53resolver", "AWS_ENDPOINT_URL_ROUTE53RESOLVER", "route53resolver", awsJSON},
	{"ssm", "AWS_ENDPOINT_URL_SSM", "ssm", awsJSON},
	{"lambda", "AWS_ENDPOINT_URL_LAMBDA", "lambda", restJSON},
	{"apigateway", "AWS_ENDPOINT_URL_API_GATEWAY", "apigateway", restJSON},
}

// fakeAWS serves recorded responses from testdata/<scenario>/<service>/, falling back to
// testdata/ok/, to requests signed for the service in region. A request is named by its operation
// and what selects the answer (ListServiceQuotas_vpc, GetRole_NAME, 2016-08-19_account-settings),
// with @TOKEN for a page after the first. Next to a response, NAME.error.json ({status, code,
// message}) answers with that error instead, and NAME.throttle-once throttles the first request.
// Every operation must be a read.
func fakeAWS(t *testing.T, scenario string) {
	t.Helper()
	awsfake.UseCredentials(t, region)
	var mu sync.Mutex
	throttled := map[string]bool{}
	for _, svc := range services {
		srv := httptest.NewServer(awsfake.RequireSignature(svc.signingName, region, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name, op, err := requestName(svc.proto, r)
			if err != nil {
				writeError(w, svc.proto, http.StatusBadRequest, "ValidationException", err.Error())
				return
			}
			if !isRead(op) {
				writeError(w, svc.proto, http.StatusBadRequest, "ValidationException", "doctor must only read, got "+op)
				return
			}
			dirs := []string{filepath.Join("testdata", scenario, svc.dir), filepath.Join("testdata", "ok", svc.dir)}
			mu.Lock()
			first := !throttled[svc.dir+"/"+name]
			throttled[svc.dir+"/"+name] = true
			mu.Unlock()
			if _, err := os.Stat(filepath.Join(dirs[0], name+".throttle-once")); err == nil && first {
				writeError(w, svc.proto, http.StatusBadRequest, throttleCode[svc.proto], "Rate exceeded")
				return
			}
			for _, dir := range dirs {
				if b, err := os.ReadFile(filepath.Join(dir, name+".error.json")); err == nil {
					var e struct {
						Status        int
						Code, Message string
					}
					if err := json.Unmarshal(b, &e); err != nil {
						t.Errorf("%s/%s.error.json: %v", dir, name, err)
					}
					writeError(w, svc.proto, e.Status, e.Code, e.Message)
					return
				}
				for _, ext := range []string{".json", ".xml"} {
					if b, err := os.ReadFile(filepath.Join(dir, name+ext)); err == nil {
						w.Header().Set("Content-Type", contentType[svc.proto])
						_, _ = w.Write(b)
						return
					}
				}
			}
			writeError(w, svc.proto, http.StatusBadRequest, "ValidationException", "test fake: no recorded response "+svc.dir+"/"+name)
		})))
		t.Cleanup(srv.Close)
		t.Setenv(svc.env, srv.URL)
	}
}

// requestName names the recorded response of a request, and returns its operation.
func requestName(proto protocol, r *http.Request) (name, op string, err error) {
	switch proto {
	case query, ec2Query:
		if err := r.ParseForm(); err != nil {
			return "", "", err
		}
		op = r.PostForm.Get("Action")
		name = op
		if role := r.PostForm.Get("RoleName"); role != "" {
			name += "_" + role
		}
		return withPage(name, r.PostForm.Get("NextToken")), op, nil
	case awsJSON:
		_, op, _ = strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		var body struct{ ServiceCode, Name, NextToken string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return "", "", err
		}
		name = op
		for _, v := range []string{body.ServiceCode, path.Base(body.Name)} {
			if v != "" && v != "." {
				name += "_" + v
			}
		}
		return withPage(name, body.NextToken), op, nil
	default:
		if r.Method != http.MethodGet {
			return "", r.Method, nil
		}
		return strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "_"), "Get", nil
	}
}

func withPage(name, token string) string {
	if token != "" {
		return name + "@" + url.PathEscape(token)
	}
	return name
}

func isRead(op string) bool {
	for _, prefix := range []string{"Get", "List", "Describe"} {
		if strings.HasPrefix(op, prefix) {
			return true
		}
	}
	return false
}

// The error code each protocol's services throttle with, which the SDK retries.
var throttleCode = map[protocol]string{query: "Throttling", ec2Query: "RequestLimitExceeded", awsJSON: "ThrottlingException", restJSON: "TooManyRequestsException"}

var contentType = map[protocol]string{query: "text/xml", ec2Query: "text/xml;charset=UTF-8", awsJSON: "application/x-amz-json-1.1", restJSON: "application/json"}

// writeError answers as the protocol does, so the SDK decodes the error code.
func writeError(w http.ResponseWriter, proto protocol, status int, code, message string) {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	switch proto {
	case query:
		w.Header().Set("Content-Type", contentType[proto])
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, esc(code), esc(message))
	case ec2Query:
		w.Header().Set("Content-Type", contentType[proto])
		w.WriteHeader(status)
		fmt.Fprintf(w, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, esc(code), esc(message))
	default:
		awsfake.WriteError(w, status, code, message)
	}
}
