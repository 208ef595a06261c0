package bootstraps_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runtimeAPI is a minimal Lambda Runtime API (the 2018-06-01 interface a provided.al2023
// bootstrap polls), enough to hand a function events and collect its answers.
type runtimeAPI struct {
	server  *httptest.Server
	events  chan invocation
	mu      sync.Mutex
	waiting map[string]chan result
	nextID  atomic.Int64
	// firstPoll is when the function first asked for an event: the end of its init, what
	// Lambda reports as Init Duration.
	firstPoll time.Time
}

type invocation struct {
	id      string
	payload []byte
}

// result is what the function posted for one invocation: to /response or to /error.
type result struct {
	failed bool
	body   []byte
}

func newRuntimeAPI(t testing.TB) *runtimeAPI {
	r := &runtimeAPI{events: make(chan invocation, 16), waiting: map[string]chan result{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", r.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", r.answer(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", r.answer(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		t.Errorf("function reported an init error: %s", body)
		w.WriteHeader(http.StatusAccepted)
	})
	r.server = httptest.NewServer(mux)
	t.Cleanup(r.server.Close)
	return r
}

// addr is the value of AWS_LAMBDA_RUNTIME_API.
func (r *runtimeAPI) addr() string { return strings.TrimPrefix(r.server.URL, "http://") }

func (r *runtimeAPI) next(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.firstPoll.IsZero() {
		r.firstPoll = time.Now()
	}
	r.mu.Unlock()
	select {
	case inv := <-r.events:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:111111111111:function:test")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
		_, _ = w.Write(inv.payload)
	case <-req.Context().Done():
	}
}

func (r *runtimeAPI) answer(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		ch := r.waiting[req.PathValue("id")]
		r.mu.Unlock()
		if ch == nil {
			http.Error(w, "unknown invocation", http.StatusBadRequest)
			return
		}
		ch <- result{failed: failed, body: body}
		w.WriteHeader(http.StatusAccepted)
	}
}

// invoke queues payload and waits for the function's answer.
func (r *runtimeAPI) invoke(ctx context.Context, payload string) (result, error) {
	id := fmt.Sprintf("inv-%d", r.nextID.Add(1))
	ch := make(chan result, 1)
	r.mu.Lock()
	r.waiting[id] = ch
	r.mu.Unlock()
	r.events <- invocation{id: id, payload: []byte(payload)}
	select {
	case res := <-ch:
		return res, nil
	case <-ctx.Done():
		return result{}, fmt.Errorf("invocation %s: no answer: %w", id, ctx.Err())
	}
}

// function is a bootstrap running against a runtimeAPI.
type function struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan struct{}
}

// startFunction runs the executable at path as Lambda would, with env on top of lambdaEnv.
func startFunction(t testing.TB, path string, api *runtimeAPI, env ...string) *function {
	t.Helper()
	cmd := exec.Command(path)
	cmd.Env = append(lambdaEnv(api), env...)
	f := &function{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = f.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	go func() {
		_ = cmd.Wait()
		close(f.exited)
	}()
	t.Cleanup(f.stop)
	return f
}

// lambdaEnv is the environment Lambda gives a provided.al2023 function
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
// with the Runtime API address and the credentials, region and endpoint that dynalitetest.Main
// set in this process to point the SDK at dynalite. Nothing else of this machine's environment
// reaches the function: a developer's AWS_PROFILE or AWS_CA_BUNDLE would change what it does
// and how long it takes to start.
func lambdaEnv(api *runtimeAPI) []string {
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + api.addr(),
		"AWS_LAMBDA_FUNCTION_NAME=test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/test",
		"AWS_LAMBDA_LOG_STREAM_NAME=test",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT=/var/task",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	for _, k := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_DYNAMODB"} {
		env = append(env, k+"="+os.Getenv(k))
	}
	return env
}

func (f *function) stop() {
	_ = f.cmd.Process.Kill()
	<-f.exited
}
