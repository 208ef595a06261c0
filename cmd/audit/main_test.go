package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/awsfake"
)

// fakeAPIGateway serves recorded API Gateway responses from testdata/apigateway, to requests signed
// for apigateway in us-east-1. GET /restapis/ID/stages?position=P is answered by
// restapis_ID_stages@P.json; the list of APIs comes from list.json, so scenarios share the rest.
func fakeAPIGateway(t *testing.T, list string) {
	srv := httptest.NewServer(awsfake.RequireSignature("apigateway", "us-east-1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			awsfake.WriteError(w, http.StatusBadRequest, "BadRequestException", "the audit must only read, got "+r.Method)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/resources") && r.URL.Query().Get("embed") != "methods" {
			awsfake.WriteError(w, http.StatusBadRequest, "BadRequestException", "test fake: resources without embed=methods carry no methods to audit")
			return
		}
		name := strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "_")
		if name == "restapis" {
			name = list
		}
		if pos := r.URL.Query().Get("position"); pos != "" {
			name += "@" + pos
		}
		body, err := os.ReadFile(filepath.Join("testdata", "apigateway", name+".json"))
		if err != nil {
			awsfake.WriteError(w, http.StatusNotFound, "NotFoundException", "no recorded response "+name)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})))
	t.Cleanup(srv.Close)
	awsfake.UseCredentials(t, "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_API_GATEWAY", srv.URL)
}

func audit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestAuditJSON(t *testing.T) {
	fakeAPIGateway(t, "restapis")
	code, stdout, stderr := audit(t, "-json")
	if code != exitFail {
		t.Fatalf("exit %d (stderr %q), want %d: three APIs fail", code, stderr, exitFail)
	}
	var got struct {
		Region string
		APIs   []apiReport
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if got.Region != "us-east-1" {
		t.Errorf("region %q, want us-east-1", got.Region)
	}
	byID := map[string]apiReport{}
	for _, r := range got.APIs {
		byID[r.ID] = r
	}
	if len(byID) != 4 {
		t.Fatalf("got %d APIs, want the 4 of both pages: %s", len(byID), stdout)
	}

	t.Run("compliant_private_API_passes", func(t *testing.T) {
		r := byID["a1b2c3d4e5"]
		if !r.Pass || len(r.Problems) != 0 || !r.DenyGuard || !slices.Equal(r.RestrictedBy, []string{"aws:SourceVpce"}) ||
			!slices.Equal(r.EndpointTypes, []string{"PRIVATE"}) || !slices.Equal(r.VPCEndpointIDs, []string{"vpce-0a1b2c3d4e5f60718"}) ||
			len(r.UnauthorizedMethods) != 0 || !slices.Equal(r.Stages, []stageReport{{Name: "dev", AccessLogs: true, LoggingLevel: "INFO", Tracing: true}}) {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("public_API_fails_on_endpoint_policy_and_stage", func(t *testing.T) {
		r := byID["f6g7h8i9j0"]
		wantProblems(t, r, "endpoint type REGIONAL", "no resource policy", "stage prod: no access logs", "stage prod: execution logging OFF", "stage prod: X-Ray tracing off")
		if r.DenyGuard || len(r.RestrictedBy) != 0 {
			t.Errorf("no policy, yet restriction %v guard %v", r.RestrictedBy, r.DenyGuard)
		}
	})
	t.Run("allow_only_policy_and_unauthorized_method_on_the_second_page_fail", func(t *testing.T) {
		r := byID["k1l2m3n4o5"]
		wantProblems(t, r, "no Deny guards the resource policy", "methods without authorization: GET /health")
		if !slices.Equal(r.RestrictedBy, []string{"aws:SourceVpc"}) || r.DenyGuard {
			t.Errorf("restriction %v guard %v, want [aws:SourceVpc] and no guard", r.RestrictedBy, r.DenyGuard)
		}
		if !slices.Equal(r.UnauthorizedMethods, []string{"GET /health"}) {
			t.Errorf("unauthorized %v, want [GET /health]", r.UnauthorizedMethods)
		}
	})
	t.Run("malformed_policy_fails_without_stopping_the_audit", func(t *testing.T) {
		r := byID["p6q7r8s9t0"]
		wantProblems(t, r, "resource policy cannot be read")
		if len(r.Stages) != 0 || r.Stages == nil {
			t.Errorf("stages %#v, want an empty list for an API never deployed", r.Stages)
		}
	})
}

func wantProblems(t *testing.T, r apiReport, want ...string) {
	t.Helper()
	if r.Pass {
		t.Errorf("%s passes, want it to fail", r.ID)
	}
	if len(r.Problems) != len(want) {
		t.Errorf("%s problems %q, want %d problems starting %q", r.ID, r.Problems, len(want), want)
		return
	}
	for i, p := range r.Problems {
		if !strings.HasPrefix(p, want[i]) {
			t.Errorf("%s problem %d is %q, want it to start %q", r.ID, i, p, want[i])
		}
	}
}

func TestAuditTable(t *testing.T) {
	fakeAPIGateway(t, "restapis")
	code, stdout, _ := audit(t)
	if code != exitFail {
		t.Fatalf("exit %d, want %d", code, exitFail)
	}
	if !strings.HasPrefix(stdout, "API ID  ") {
		t.Errorf("table does not start with its header:\n%s", stdout)
	}
	rows := map[string][]string{}
	for line := range strings.Lines(stdout) {
		if fields := strings.Fields(line); len(fields) == 8 {
			rows[fields[0]] = fields[1:]
		}
	}
	for id, want := range map[string][]string{
		"a1b2c3d4e5": {"private-api-dev", "PRIVATE", "aws:SourceVpce", "yes", "0", "dev(logs,INFO,xray)", "PASS"},
		"f6g7h8i9j0": {"orders-public", "REGIONAL", "-", "no", "0", "prod(no-logs,OFF,no-xray)", "FAIL"},
		"k1l2m3n4o5": {"reports-allow-only", "PRIVATE", "aws:SourceVpc", "no", "1", "prod(logs,ERROR,xray)", "FAIL"},
		"p6q7r8s9t0": {"legacy-private", "PRIVATE", "-", "no", "0", "-", "FAIL"},
	} {
		if !slices.Equal(rows[id], want) {
			t.Errorf("row %s = %q, want %q\n%s", id, rows[id], want, stdout)
		}
	}
	for _, want := range []string{
		"FAIL k1l2m3n4o5 (reports-allow-only):\n  - no Deny guards the resource policy",
		"\n1 of 4 REST APIs in us-east-1 pass\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestAuditPassesWhenEveryAPIPasses(t *testing.T) {
	fakeAPIGateway(t, "restapis-compliant")
	if code, stdout, stderr := audit(t); code != 0 || !strings.Contains(stdout, "1 of 1 REST APIs in us-east-1 pass") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
	}
}

func TestAuditErrors(t *testing.T) {
	t.Run("unreadable_API_Gateway", func(t *testing.T) {
		fakeAPIGateway(t, "restapis-missing")
		code, _, stderr := audit(t)
		if code != exitNoRead || !strings.Contains(stderr, "list REST APIs") || !strings.Contains(stderr, "NotFoundException") {
			t.Errorf("exit %d, stderr %q; want %d naming the call that failed", code, stderr, exitNoRead)
		}
	})
	t.Run("no_region", func(t *testing.T) {
		fakeAPIGateway(t, "restapis")
		t.Setenv("AWS_REGION", "")
		code, _, stderr := audit(t)
		if code != exitUsage || !strings.Contains(stderr, "-region") {
			t.Errorf("exit %d, stderr %q; want %d naming -region", code, stderr, exitUsage)
		}
	})
	t.Run("region_flag_is_used_for_signing", func(t *testing.T) {
		fakeAPIGateway(t, "restapis")
		code, _, stderr := audit(t, "-region", "eu-west-1")
		if code != exitNoRead || !strings.Contains(stderr, "eu-west-1/apigateway") {
			t.Errorf("exit %d, stderr %q; want the fake (us-east-1) to reject a eu-west-1 signature", code, stderr)
		}
	})
	t.Run("arguments", func(t *testing.T) {
		if code, _, stderr := audit(t, "us-east-1"); code != exitUsage || !strings.Contains(stderr, "takes only flags") {
			t.Errorf("exit %d, stderr %q; want %d", code, stderr, exitUsage)
		}
	})
}

// TestAuditJudgesValues: policies whose conditions look right but admit everyone fail, each with its
// reason; an endpoint the API is not associated with is a warning; a name from AWS cannot forge a
// row of the table. One recorded GetRestApis answer per trick.
func TestAuditJudgesValues(t *testing.T) {
	cases := []struct {
		list      string
		wantCode  int
		wantProbs []string
		wantWarns []string
	}{
		{"restapis-trick-wildcard-endpoint", exitFail, []string{`aws:SourceVpce value "vpce-*" is a wildcard`, `an Allow to "*" has no aws:SourceVpce`}, nil},
		{"restapis-trick-every-address", exitFail, []string{"aws:VpcSourceIp range 0.0.0.0/0 covers every address", `an Allow to "*" has no aws:SourceVpce`}, nil},
		{"restapis-trick-allow-everyone", exitFail, []string{`an Allow to "*" has no aws:SourceVpce, aws:SourceVpc or aws:VpcSourceIp condition`}, nil},
		{"restapis-trick-foreign-endpoint", 0, nil, []string{"admits endpoint vpce-0fffffffffffffff0, which the API is not associated with"}},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.list, "restapis-trick-"), func(t *testing.T) {
			fakeAPIGateway(t, tc.list)
			code, stdout, stderr := audit(t, "-json")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)\n%s", code, tc.wantCode, stderr, stdout)
			}
			var got struct{ APIs []apiReport }
			if err := json.Unmarshal([]byte(stdout), &got); err != nil || len(got.APIs) != 1 {
				t.Fatalf("output %s: %v", stdout, err)
			}
			r := got.APIs[0]
			for _, want := range tc.wantProbs {
				if !slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, want) }) {
					t.Errorf("problems %q lack %q", r.Problems, want)
				}
			}
			for _, want := range tc.wantWarns {
				if !slices.ContainsFunc(r.Warnings, func(p string) bool { return strings.Contains(p, want) }) {
					t.Errorf("warnings %q lack %q", r.Warnings, want)
				}
			}
		})
	}
	t.Run("newline_in_a_name_is_escaped", func(t *testing.T) {
		fakeAPIGateway(t, "restapis-trick-newline-name")
		_, stdout, _ := audit(t)
		if !strings.Contains(stdout, `evil\nFAIL forged-row\t0`) {
			t.Errorf("the name is not escaped:\n%s", stdout)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(line, "FAIL forged-row") {
				t.Errorf("a name forged a row: %q\n%s", line, stdout)
			}
		}
	})
}
