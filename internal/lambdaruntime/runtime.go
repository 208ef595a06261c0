// Package lambdaruntime runs Lambda bootstraps on this machine the way Lambda runs a
// provided.al2023 function: each execution environment is one process that polls its own Lambda
// Runtime API (version 2018-06-01) for events, handles one invocation at a time, stays warm
// between invocations, and is killed when an invocation overruns the function's timeout.
//
// Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
package lambdaruntime

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Function is one function and how Lambda would run it.
type Function struct {
	Name       string
	Executable string // path of the bootstrap
	// Env is the function's configured environment (TABLE_NAME, endpoints, credentials). The
	// process gets only this and Lambda's own variables, never the starter's environment.
	Env       []string
	MemoryMB  int
	Timeout   time.Duration
	Region    string
	AccountID string
	// MaxEnvironments caps concurrent execution environments, as reserved concurrency does.
	MaxEnvironments int
	// Logs receives the function's stdout and stderr, one Write per line, prefixed with its
	// name; it must be safe for concurrent use.
	Logs io.Writer
}

// initTimeout is how long Lambda gives an environment's init phase (10 s for on-demand
// functions: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
const initTimeout = 10 * time.Second

// ErrTimeout is returned when an invocation overruns the function's timeout; the environment
// that ran it is gone, as in Lambda, and the next invocation starts a fresh one.
var ErrTimeout = errors.New("task timed out")

// Result is what the function posted for one invocation.
type Result struct {
	Payload []byte
	// FunctionError is "Unhandled" when the function posted to /error or its process exited,
	// the value of Lambda's X-Amz-Function-Error header; empty for a response.
	FunctionError string
}

// Pool is the set of execution environments of one function.
type Pool struct {
	fn     Function
	idle   chan *environment
	slots  chan struct{} // one token per environment that may exist
	mu     sync.Mutex
	all    map[*environment]struct{}
	closed bool
}

// Start checks the function and starts its first environment, so the first request finds it
// warm. It returns once the bootstrap has finished init and polls for an event.
func Start(ctx context.Context, fn Function) (*Pool, error) {
	if fn.MaxEnvironments < 1 {
		return nil, fmt.Errorf("function %s: MaxEnvironments %d: at least one environment is needed", fn.Name, fn.MaxEnvironments)
	}
	if fn.Timeout <= 0 {
		return nil, fmt.Errorf("function %s: timeout %s: must be positive", fn.Name, fn.Timeout)
	}
	p := &Pool{
		fn: fn, idle: make(chan *environment, fn.MaxEnvironments), slots: make(chan struct{}, fn.MaxEnvironments),
		all: map[*environment]struct{}{},
	}
	p.slots <- struct{}{}
	env, err := p.newEnvironment(ctx)
	if err != nil {
		return nil, err
	}
	p.idle <- env
	return p, nil
}

// Invoke hands payload to an idle environment (starting one when none is idle and the cap
// allows) and waits for its answer, at most the function's timeout after the event is handed
// over. On ErrTimeout the environment has been killed.
func (p *Pool) Invoke(ctx context.Context, payload []byte) (Result, error) {
	env, err := p.acquire(ctx)
	if err != nil {
		return Result{}, err
	}
	res, err := env.invoke(ctx, payload, p.fn.Timeout)
	if err != nil || env.dead() {
		p.discard(env)
		return res, err
	}
	p.idle <- env
	return res, nil
}

// acquire takes an idle environment, or starts one when none is idle and the cap allows, or
// waits for one to come back. An idle environment whose process died is replaced.
func (p *Pool) acquire(ctx context.Context) (*environment, error) {
	for {
		env, err := p.take(ctx)
		if err != nil || !env.dead() {
			return env, err
		}
		p.discard(env)
	}
}

func (p *Pool) take(ctx context.Context) (*environment, error) {
	select {
	case env := <-p.idle:
		return env, nil
	default:
	}
	select {
	case env := <-p.idle:
		return env, nil
	case p.slots <- struct{}{}:
		env, err := p.newEnvironment(ctx)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return env, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// discard stops env and frees its slot.
func (p *Pool) discard(env *environment) {
	env.stop()
	p.mu.Lock()
	delete(p.all, env)
	p.mu.Unlock()
	<-p.slots
}

// Close stops every environment and waits for their processes to exit.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	envs := make([]*environment, 0, len(p.all))
	for env := range p.all {
		envs = append(envs, env)
	}
	p.all = map[*environment]struct{}{}
	p.mu.Unlock()
	for _, env := range envs {
		env.stop()
	}
}

// PIDs lists the process IDs of the running environments.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for env := range p.all {
		pids = append(pids, env.cmd.Process.Pid)
	}
	return pids
}

// environment is one bootstrap process and the Runtime API it polls.
type environment struct {
	fn       Function
	cmd      *exec.Cmd
	listener net.Listener
	server   *http.Server
	events   chan event
	mu       sync.Mutex
	waiting  map[string]chan Result
	polled   chan struct{} // closed at the first /next: init is done
	pollOnce sync.Once
	initErr  chan []byte
	exited   chan struct{}
}

type event struct {
	id       string
	payload  []byte
	deadline time.Time
}

func (p *Pool) newEnvironment(ctx context.Context) (*environment, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, fmt.Errorf("function %s: stopped", p.fn.Name)
	}
	p.mu.Unlock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("function %s: runtime API listener: %w", p.fn.Name, err)
	}
	env := &environment{
		fn: p.fn, listener: l, events: make(chan event), waiting: map[string]chan Result{},
		polled: make(chan struct{}), initErr: make(chan []byte, 1), exited: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", env.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", env.answer(""))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", env.answer("Unhandled"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", env.initError)
	env.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = env.server.Serve(l) }()

	cmd := exec.Command(p.fn.Executable)
	cmd.Dir = filepath.Dir(p.fn.Executable)
	cmd.Env = append(lambdaEnv(p.fn, l.Addr().String()), p.fn.Env...)
	out, err := cmd.StdoutPipe()
	if err == nil {
		cmd.Stderr = cmd.Stdout
	}
	if err != nil {
		_ = env.server.Close()
		return nil, fmt.Errorf("function %s: %w", p.fn.Name, err)
	}
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		_ = env.server.Close()
		return nil, fmt.Errorf("function %s: start %s: %w", p.fn.Name, p.fn.Executable, err)
	}
	env.cmd = cmd
	p.mu.Lock()
	p.all[env] = struct{}{}
	p.mu.Unlock()
	go func() {
		p.copyLogs(out)
		_ = cmd.Wait()
		close(env.exited)
	}()

	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	select {
	case <-env.polled:
		return env, nil
	case body := <-env.initErr:
		err = fmt.Errorf("function %s: init error: %s", p.fn.Name, body)
	case <-env.exited:
		err = fmt.Errorf("function %s: exited during init (%s); its log is above", p.fn.Name, cmd.ProcessState)
	case <-timer.C:
		err = fmt.Errorf("function %s: init did not finish within %s", p.fn.Name, initTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.mu.Lock()
	delete(p.all, env)
	p.mu.Unlock()
	env.stop()
	return nil, err
}

// lambdaEnv is what Lambda sets in every execution environment of a custom runtime:
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
func lambdaEnv(fn Function, runtimeAPI string) []string {
	dir := filepath.Dir(fn.Executable)
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"_HANDLER=bootstrap",
		"AWS_REGION=" + fn.Region,
		"AWS_DEFAULT_REGION=" + fn.Region,
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
	}
}

// copyLogs writes the function's output lines, prefixed with its name.
func (p *Pool) copyLogs(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		writeLog(p.fn, sc.Text())
	}
}

func (env *environment) log(line string) { writeLog(env.fn, line) }

func writeLog(fn Function, line string) {
	if fn.Logs != nil {
		_, _ = fn.Logs.Write([]byte("[" + fn.Name + "] " + line + "\n"))
	}
}

func (env *environment) next(w http.ResponseWriter, r *http.Request) {
	env.pollOnce.Do(func() { close(env.polled) })
	select {
	case ev := <-env.events:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", ev.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", env.fn.Region, env.fn.AccountID, env.fn.Name))
		h.Set("Lambda-Runtime-Trace-Id", traceID(ev.id))
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(ev.payload)
	case <-r.Context().Done():
	}
}

func (env *environment) answer(functionError string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		env.mu.Lock()
		ch := env.waiting[r.PathValue("id")]
		delete(env.waiting, r.PathValue("id"))
		env.mu.Unlock()
		if ch == nil {
			// What Lambda answers for an unknown or already answered request ID.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`))
			return
		}
		ch <- Result{Payload: body, FunctionError: functionError}
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"OK"}`))
	}
}

func (env *environment) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	select {
	case env.initErr <- body:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

func (env *environment) invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	id := requestID()
	ch := make(chan Result, 1)
	env.mu.Lock()
	env.waiting[id] = ch
	env.mu.Unlock()
	defer func() {
		env.mu.Lock()
		delete(env.waiting, id)
		env.mu.Unlock()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case env.events <- event{id: id, payload: payload, deadline: time.Now().Add(timeout)}:
	case <-env.exited:
		return exitResult(env), nil
	case <-timer.C:
		return Result{}, ErrTimeout
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case res := <-ch:
		return res, nil
	case <-env.exited:
		return exitResult(env), nil
	case <-timer.C:
		// The line Lambda writes to the function's log when it ends an invocation.
		env.log(fmt.Sprintf("%s %s Task timed out after %.2f seconds", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), id, timeout.Seconds()))
		return Result{}, ErrTimeout
	case <-ctx.Done():
		// The caller gave up; the environment may still be busy with this event.
		env.stop()
		return Result{}, ctx.Err()
	}
}

// exitResult is the error Lambda reports when the runtime process exits mid-invocation.
func exitResult(env *environment) Result {
	b, _ := json.Marshal(map[string]string{
		"errorType":    "Runtime.ExitError",
		"errorMessage": fmt.Sprintf("RequestId: local Error: Runtime exited: %s", env.cmd.ProcessState),
	})
	return Result{Payload: b, FunctionError: "Unhandled"}
}

func (env *environment) dead() bool {
	select {
	case <-env.exited:
		return true
	default:
		return false
	}
}

// stop kills the process, waits for it and closes its Runtime API.
func (env *environment) stop() {
	if env.cmd != nil && env.cmd.Process != nil {
		_ = env.cmd.Process.Kill()
		<-env.exited
	}
	_ = env.server.Close()
}

// requestID is a random UUID (version 4), the form of Lambda's request IDs.
func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// traceID is an X-Ray trace header of the documented shape, Root=1-<8 hex time>-<24 hex>.
func traceID(id string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%s;Sampled=0", time.Now().Unix(), b, id[:8]+id[9:13]+id[14:18])
}
