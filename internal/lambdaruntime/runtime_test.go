package lambdaruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/example/private-api/internal/functionbuild"
	"github.com/example/private-api/internal/proctest"
)

var whoamiPath string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "lambdaruntime-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		root, err := functionbuild.ModuleRoot(".")
		if err == nil {
			var a functionbuild.Artifact
			a, err = functionbuild.Build(context.Background(), root, dir, "whoami", functionbuild.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH})
			whoamiPath = a.Bootstrap
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
		return m.Run()
	}())
}

func start(t *testing.T, timeout time.Duration, maxEnvs int) *Pool {
	t.Helper()
	p, err := Start(context.Background(), Function{
		Name: "whoami", Executable: whoamiPath, MemoryMB: 256, Timeout: timeout, Region: "eu-west-1",
		AccountID: "111111111111", MaxEnvironments: maxEnvs, Logs: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

const whoamiEvent = `{"resource":"/whoami","path":"/whoami","httpMethod":"GET","headers":{},"requestContext":{"stage":"v1","requestId":"r-1","identity":{"sourceIp":"127.0.0.1","userArn":"arn:aws:iam::111111111111:user/dev"}}}`

func invokeWhoami(t *testing.T, p *Pool) map[string]any {
	t.Helper()
	res, err := p.Invoke(context.Background(), []byte(whoamiEvent))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("function error %s: %s", res.FunctionError, res.Payload)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("answer %s (%v), want a proxy response with status 200", res.Payload, err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	return body
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestInvokeKeepsTheEnvironmentWarm(t *testing.T) {
	p := start(t, 5*time.Second, 1)
	pids := p.PIDs()
	for range 3 {
		if got := invokeWhoami(t, p)["callerArn"]; got != "arn:aws:iam::111111111111:user/dev" {
			t.Errorf("callerArn %v, want the event's userArn", got)
		}
	}
	if after := p.PIDs(); len(pids) != 1 || len(after) != 1 || after[0] != pids[0] {
		t.Errorf("environments %v then %v: want the same single process for every invocation", pids, after)
	}
}

func TestAnOverrunningInvocationTimesOutAndItsEnvironmentIsReplaced(t *testing.T) {
	p := start(t, 300*time.Millisecond, 1)
	frozen := p.PIDs()[0]
	// A stopped process cannot answer: the invocation must overrun the timeout.
	proctest.Freeze(t, frozen)
	began := time.Now()
	_, err := p.Invoke(context.Background(), []byte(whoamiEvent))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if took := time.Since(began); took < 300*time.Millisecond {
		t.Errorf("timed out after %s, before the function's timeout", took)
	}
	if alive(frozen) {
		t.Errorf("process %d still runs after its invocation timed out", frozen)
	}
	invokeWhoami(t, p)
	if now := p.PIDs(); len(now) != 1 || now[0] == frozen {
		t.Errorf("environments %v after the timeout, want one new process", now)
	}
}

func TestConcurrentInvocationsGetTheirOwnEnvironments(t *testing.T) {
	p := start(t, 5*time.Second, 2)
	// The first environment is frozen, so a second invocation needs a second environment.
	proctest.Freeze(t, p.PIDs()[0])
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, []byte(whoamiEvent))
		done <- err
	}()
	for len(p.idle) > 0 {
		time.Sleep(10 * time.Millisecond) // until the frozen environment has taken the first event
	}
	invokeWhoami(t, p)
	if n := len(p.PIDs()); n != 2 {
		t.Errorf("%d environments, want a second one for the second invocation", n)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("frozen invocation: err = %v, want context.Canceled", err)
	}
}

func TestCloseStopsEveryProcess(t *testing.T) {
	p := start(t, time.Second, 1)
	pids := p.PIDs()
	p.Close()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
}

func TestAnUndecodableEventIsAnUnhandledError(t *testing.T) {
	p := start(t, time.Second, 1)
	res, err := p.Invoke(context.Background(), []byte(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" {
		t.Errorf("an undecodable event gave %q %s, want an Unhandled function error", res.FunctionError, res.Payload)
	}
}

func TestStartRejectsAFunctionWithoutEnvironments(t *testing.T) {
	_, err := Start(context.Background(), Function{Name: "whoami", Executable: whoamiPath, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "MaxEnvironments") {
		t.Errorf("err = %v, want one naming MaxEnvironments", err)
	}
}

func TestFunctionLogLinesArePrefixedWithItsName(t *testing.T) {
	var logs bytes.Buffer
	p := &Pool{fn: Function{Name: "claims", Logs: &logs}}
	p.copyLogs(strings.NewReader("first\nsecond\n"))
	if got, want := logs.String(), "[claims] first\n[claims] second\n"; got != want {
		t.Errorf("logs %q, want %q", got, want)
	}
}

func TestTheProcessGetsLambdasVariablesAndNothingOfItsStarter(t *testing.T) {
	t.Setenv("STARTER_SECRET", "must-not-leak")
	p, err := Start(context.Background(), Function{
		Name: "whoami", Executable: whoamiPath, MemoryMB: 512, Timeout: time.Second, Region: "eu-west-1",
		AccountID: "111111111111", MaxEnvironments: 1, Env: []string{"TABLE_NAME=t"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.PIDs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	for _, want := range []string{"AWS_LAMBDA_FUNCTION_NAME=whoami", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"AWS_REGION=eu-west-1", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "TABLE_NAME=t"} {
		if !slices.Contains(env, want) {
			t.Errorf("environment lacks %s: %v", want, env)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "STARTER_SECRET=") {
			t.Errorf("the starter's environment leaked into the function's: %v", env)
		}
	}
}
