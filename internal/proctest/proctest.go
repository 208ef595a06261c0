// Package proctest freezes a process for a test that needs a function which never answers.
package proctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Freeze sends SIGSTOP to pid and returns once every thread of it has stopped. kill(2) only
// queues the signal: until each thread has taken it, the threads still running can read an event
// and answer it, so a test that invoked right after kill saw the "frozen" function reply.
// Linux only, as it reads /proc/<pid>/task/*/stat (proc(5), field 3 is the state, T = stopped).
func Freeze(t testing.TB, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		states, err := threadStates(pid)
		if err != nil {
			t.Fatalf("process %d: %v", pid, err)
		}
		if strings.Trim(states, "T") == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d: threads in states %q 5 s after SIGSTOP, want all T (stopped)", pid, states)
		}
		time.Sleep(time.Millisecond)
	}
}

// threadStates is the state letter of each thread of pid, in /proc's order.
func threadStates(pid int) (string, error) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(stats) == 0 {
		return "", fmt.Errorf("no threads under /proc/%d/task (exited, or no /proc): %v", pid, err)
	}
	var states strings.Builder
	for _, stat := range stats {
		b, err := os.ReadFile(stat)
		if err != nil {
			return "", err
		}
		// The state follows the command name, which is in parentheses and may hold spaces.
		rest := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(rest) == 0 {
			return "", fmt.Errorf("%s: no state in %q", stat, b)
		}
		states.WriteString(rest[0])
	}
	return states.String(), nil
}
