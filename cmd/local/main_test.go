package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/example/private-api/internal/awsfake"
	"github.com/example/private-api/internal/functionbuild"
	"github.com/example/private-api/internal/proctest"
	"github.com/example/private-api/internal/sigv4client"
)

// The end-to-end tests run this test binary as cmd/local (runMainEnv set) and call it with the
// real cmd/apicall, as a developer does in a shell.
const runMainEnv = "PRIVATE_API_LOCAL_TEST_RUN_MAIN"

var (
	binDir     string // prebuilt bootstraps, built once for every cmd/local the tests start
	apicallBin string
	region     string // the dev stack's
)

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "local-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		if err := setUp(dir); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
		return m.Run()
	}())
}

func setUp(dir string) error {
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		return err
	}
	cfg, err := loadStack(root, "dev")
	if err != nil {
		return err
	}
	region = cfg.Region
	// The credentials of "the developer's shell": cmd/local trusts them, apicall signs with them.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": awsfake.Credentials.AccessKeyID, "AWS_SECRET_ACCESS_KEY": awsfake.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN": awsfake.Credentials.SessionToken, "AWS_REGION": region, "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	binDir = filepath.Join(dir, "bin")
	if err := buildAll(context.Background(), root, binDir); err != nil {
		return err
	}
	apicallBin = filepath.Join(dir, "apicall")
	build := exec.Command("go", "build", "-o", apicallBin, "./cmd/apicall")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build apicall: %v\n%s", err, out)
	}
	return nil
}

// server is a running cmd/local.
type server struct {
	base   string
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	stdout []string // access log lines
	stderr bytes.Buffer
}

func startLocal(t testing.TB, args ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-port", "0", "-bin", binDir}, args...)...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	// Its own process group, as a shell gives a foreground job, so a test can Ctrl-C it as a
	// terminal does: SIGINT to the whole group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &server{cmd: cmd, exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = lockedWriter{&s.mu, &s.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
			s.mu.Lock()
			s.stdout = append(s.stdout, sc.Text())
			s.mu.Unlock()
		}
		_ = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.exited
	})
	select {
	case base, ok := <-first:
		if !ok {
			<-s.exited
			t.Fatalf("cmd/local exited before printing its URL: %s", s.log())
		}
		s.base = base
	case <-time.After(60 * time.Second):
		t.Fatalf("cmd/local printed no URL within a minute: %s", s.log())
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/v1$`).MatchString(s.base) {
		t.Fatalf("first line %q is not the base URL http://127.0.0.1:<port>/<stage>", s.base)
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

func (s *server) accessLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.stdout...)
}

// pid is the process ID cmd/local reported for a function's first environment.
func (s *server) pid(t *testing.T, function string) int {
	t.Helper()
	// stderr arrives through a pipe of its own, possibly after the URL on stdout.
	re := regexp.MustCompile(`function ` + function + `: pid \[(\d+)\]`)
	m := re.FindStringSubmatch(s.log())
	for deadline := time.Now().Add(5 * time.Second); m == nil && time.Now().Before(deadline); m = re.FindStringSubmatch(s.log()) {
		time.Sleep(20 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("cmd/local reported no pid for %s: %s", function, s.log())
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// call is one apicall run: its exit code, the status line and the body.
type call struct {
	exit   int
	status string
	body   string
}

func (c call) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(c.body), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", c.body, err)
	}
	return m
}

func apicall(t *testing.T, env []string, args ...string) call {
	t.Helper()
	cmd := exec.Command(apicallBin, append([]string{"-region", region}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	c := call{status: strings.TrimSpace(strings.SplitN(stderr.String(), "\n", 2)[0]), body: stdout.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		c.exit = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return c
}

func TestLocalAPI(t *testing.T) {
	s := startLocal(t)

	t.Run("signed_whoami_answers_with_the_callers_identity", func(t *testing.T) {
		c := apicall(t, nil, s.base+"/whoami")
		id := c.json(t)
		if c.exit != 0 || id["callerArn"] != defaultCallerArn || id["accountId"] != "123456789012" ||
			id["vpceId"] != "vpce-local" || id["stage"] != "v1" || id["sourceIp"] != "127.0.0.1" {
			t.Errorf("exit %d %s %v", c.exit, c.status, id)
		}
	})

	t.Run("unsigned_is_403_missing_authentication_token", func(t *testing.T) {
		resp, err := http.Get(s.base + "/whoami")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != 403 || body["message"] != "Missing Authentication Token" {
			t.Errorf("%d %v", resp.StatusCode, body)
		}
	})

	t.Run("wrong_secret_is_403_signature_mismatch", func(t *testing.T) {
		c := apicall(t, []string{"AWS_SECRET_ACCESS_KEY=not-the-secret"}, s.base+"/whoami")
		if c.exit != 1 || !strings.Contains(c.status, "403") || !strings.HasPrefix(c.json(t)["message"].(string), "The request signature we calculated does not match") {
			t.Errorf("exit %d %s %s", c.exit, c.status, c.body)
		}
	})

	t.Run("claim_create_read_patch_delete", func(t *testing.T) {
		member := fmt.Sprintf("local-%d", time.Now().UnixNano())
		claims := s.base + "/members/" + member + "/claims"
		c := apicall(t, nil, "-d", `{"policyId":"POL-1","memberName":"Ann Lee","amount":120.5,"currency":"EUR"}`, claims)
		created := c.json(t)
		id, _ := created["claimId"].(string)
		if c.exit != 0 || !strings.Contains(c.status, "201") || id == "" {
			t.Fatalf("create: exit %d %s %s", c.exit, c.status, c.body)
		}
		claim := claims + "/" + id
		if c := apicall(t, nil, claim); c.exit != 0 || c.json(t)["policyId"] != "POL-1" {
			t.Fatalf("read: exit %d %s %s", c.exit, c.status, c.body)
		}
		etag := signedETag(t, claim)
		if c := apicall(t, nil, "-X", "PATCH", "-d", `{"status":"IN_REVIEW"}`, claim); !strings.Contains(c.status, "428") {
			t.Errorf("patch without If-Match: %s %s, want 428", c.status, c.body)
		}
		if c := apicall(t, nil, "-X", "PATCH", "-H", "If-Match: "+etag, "-d", `{"status":"IN_REVIEW"}`, claim); c.exit != 0 || c.json(t)["status"] != "IN_REVIEW" {
			t.Errorf("patch with If-Match %s: exit %d %s %s", etag, c.exit, c.status, c.body)
		}
		if c := apicall(t, nil, "-X", "PATCH", "-H", "If-Match: "+etag, "-d", `{"status":"APPROVED"}`, claim); !strings.Contains(c.status, "412") {
			t.Errorf("patch with the stale ETag: %s %s, want 412", c.status, c.body)
		}
		if c := apicall(t, nil, "-X", "DELETE", claim); c.exit != 0 || !strings.Contains(c.status, "204") {
			t.Errorf("delete: exit %d %s %s", c.exit, c.status, c.body)
		}
		if c := apicall(t, nil, claim); c.exit != 1 || !strings.Contains(c.status, "404") {
			t.Errorf("read after delete: exit %d %s %s, want 404", c.exit, c.status, c.body)
		}
	})

	t.Run("employees_are_the_seeded_directory", func(t *testing.T) {
		c := apicall(t, nil, s.base+"/employees?limit=100")
		items, _ := c.json(t)["items"].([]any)
		if c.exit != 0 || len(items) == 0 {
			t.Fatalf("exit %d %s %s", c.exit, c.status, c.body)
		}
		if first, _ := items[0].(map[string]any); first["employeeId"] != "E1001" {
			t.Errorf("first employee %v, want E1001 from employees.json", first)
		}
		if c := apicall(t, nil, s.base+"/employees/E1001"); c.exit != 0 || c.json(t)["employeeId"] != "E1001" {
			t.Errorf("GET /employees/E1001: exit %d %s %s", c.exit, c.status, c.body)
		}
	})

	t.Run("one_access_log_line_per_request_in_the_stage_format", func(t *testing.T) {
		c := apicall(t, nil, s.base+"/whoami")
		requestID := c.json(t)["requestId"]
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			for _, line := range s.accessLog() {
				var entry map[string]string
				if json.Unmarshal([]byte(line), &entry) == nil && entry["requestId"] == requestID {
					if entry["status"] != "200" || entry["resourcePath"] != "/whoami" || entry["userArn"] != defaultCallerArn {
						t.Errorf("access log line %s", line)
					}
					return
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Errorf("no access log line with requestId %v in %q", requestID, s.accessLog())
	})
}

// signedETag reads a claim's ETag header, which apicall does not print, with the same signer.
func signedETag(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := sigv4client.New(credentials.StaticCredentialsProvider{Value: awsfake.Credentials}, region, nil)
	resp, err := client.Do(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		t.Fatalf("GET %s: %d, ETag %q", url, resp.StatusCode, resp.Header.Get("ETag"))
	}
	return resp.Header.Get("ETag")
}

func TestLocalLimitsAndStop(t *testing.T) {
	s := startLocal(t, "-rate", "0.01", "-burst", "4", "-function-timeout", "2s", "-integration-timeout", "1s")

	t.Run("a_function_that_overruns_the_integration_timeout_is_504", func(t *testing.T) {
		// A stopped process cannot answer, so the call overruns like a slow function.
		proctest.Freeze(t, s.pid(t, "whoami"))
		c := apicall(t, nil, s.base+"/whoami")
		if c.exit != 1 || !strings.Contains(c.status, "504") || c.json(t)["message"] != "Endpoint request timed out" {
			t.Errorf("exit %d %s %s, want 504 Endpoint request timed out", c.exit, c.status, c.body)
		}
		if c := apicall(t, nil, s.base+"/whoami"); c.exit != 0 {
			t.Errorf("the next call after a timeout: exit %d %s %s, want a fresh environment to answer", c.exit, c.status, c.body)
		}
	})

	t.Run("over_the_burst_is_429", func(t *testing.T) {
		var statuses []string
		for range 5 { // the burst is 4, some of it spent above, and the rate refills none meanwhile
			c := apicall(t, nil, s.base+"/whoami")
			statuses = append(statuses, c.status)
			if strings.Contains(c.status, "429") {
				if c.json(t)["message"] != "Too Many Requests" {
					t.Errorf("429 body %s", c.body)
				}
				return
			}
		}
		t.Errorf("statuses %v with a burst of 4: want a 429 by the fifth call", statuses)
	})

	t.Run("ctrl_c_stops_everything_it_started", func(t *testing.T) {
		children := childrenOf(t, s.cmd.Process.Pid)
		if len(children) < 4 {
			t.Fatalf("children %v: want dynalite and the three functions", children)
		}
		// What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
		if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			t.Fatal("cmd/local still runs 15 s after Ctrl-C")
		}
		if !s.cmd.ProcessState.Success() {
			t.Errorf("exit %v after Ctrl-C, want 0: %s", s.cmd.ProcessState, s.log())
		}
		for _, pid := range children {
			if syscall.Kill(pid, 0) == nil {
				t.Errorf("process %d still runs after cmd/local stopped", pid)
			}
		}
	})
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Fatalf("childrenOf reads /proc, which %s lacks", runtime.GOOS)
	}
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, child)
		}
	}
	return out
}

func TestFlags(t *testing.T) {
	cases := map[string][]string{
		"-port":                {"-port", "70000"},
		"-caller-arn":          {"-caller-arn", "me"},
		"-integration-timeout": {"-integration-timeout", "0s"},
		"unexpected arguments": {"extra"},
	}
	for want, args := range cases {
		var stderr bytes.Buffer
		if _, err := parseArgs(args, &stderr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: err = %v, want one naming %s", args, err, want)
		}
	}
}

func TestRefusesToStartWithoutWhatItNeeds(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown_stack", []string{"-stack", "nope"}, nil, "-stack nope"},
		{"no_credentials", nil, []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN="}, "no AWS credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"-port", "0", "-bin", binDir}, tc.args...)...)
			cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), tc.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), tc.want) {
				t.Errorf("err %v, output %q: want exit 1 naming %q", err, out, tc.want)
			}
		})
	}
}

func TestEveryStackFileLoads(t *testing.T) {
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		if _, err := loadStack(root, stack); err != nil {
			t.Errorf("stack %s: %v", stack, err)
		}
	}
	if environments(0) != unreservedEnvironments || environments(50) != 50 {
		t.Errorf("environments(0) = %d, environments(50) = %d: want the cap for unreserved, the reservation otherwise",
			environments(0), environments(50))
	}
}

func TestDataDirectoryKeepsClaimsBetweenRuns(t *testing.T) {
	data := t.TempDir()
	first := startLocal(t, "-data", data)
	c := apicall(t, nil, "-d", `{"policyId":"POL-9","memberName":"Kept"}`, first.base+"/members/kept/claims")
	id, _ := c.json(t)["claimId"].(string)
	if c.exit != 0 || id == "" {
		t.Fatalf("create: exit %d %s %s", c.exit, c.status, c.body)
	}
	stopLocal(t, first)

	second := startLocal(t, "-data", data)
	if c := apicall(t, nil, second.base+"/members/kept/claims/"+id); c.exit != 0 || c.json(t)["memberName"] != "Kept" {
		t.Errorf("after a restart on the same -data: exit %d %s %s, want the claim", c.exit, c.status, c.body)
	}
}

func TestCallerFromSTS(t *testing.T) {
	// A fake STS that answers only calls signed with the trusted credentials, as STS would.
	sts := httptest.NewServer(awsfake.RequireSignature("sts", region, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "GetCallerIdentity" {
			http.Error(w, "unexpected call", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:sts::444455556666:assumed-role/dev/ann</Arn><UserId>AROAEXAMPLEID:ann</UserId><Account>444455556666</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	})))
	defer sts.Close()
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	cfg, err := trustedCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	arn, id, err := lookUpCaller(context.Background(), cfg, region)
	if err != nil || arn != "arn:aws:sts::444455556666:assumed-role/dev/ann" || id != "AROAEXAMPLEID:ann" {
		t.Errorf("arn %q, id %q, err %v: want the identity STS answered", arn, id, err)
	}

	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	cfg, err = trustedCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := lookUpCaller(context.Background(), cfg, region); err == nil || !strings.Contains(err.Error(), "-caller-arn sts") {
		t.Errorf("err = %v, want a refusal naming -caller-arn sts", err)
	}
}
