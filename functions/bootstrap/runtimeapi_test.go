package bootstrap_test

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

// startFunction runs the executable at path as Lambda would: the Runtime API address in
// AWS_LAMBDA_RUNTIME_API, the test process's environment (which points the SDK at dynalite)
// and env on top.
func startFunction(t testing.TB, path string, api *runtimeAPI, env ...string) *function {
	t.Helper()
	cmd := exec.Command(path)
	cmd.Env = append(append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+api.addr()), env...)
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

func (f *function) stop() {
	_ = f.cmd.Process.Kill()
	<-f.exited
}
