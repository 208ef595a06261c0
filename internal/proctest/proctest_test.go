package proctest

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// TestMain doubles as the busy child: several threads on the CPU are what the stop has to catch.
func TestMain(m *testing.M) {
	if os.Getenv("PROCTEST_SPIN") == "1" {
		for range runtime.GOMAXPROCS(0) + 2 {
			go func() {
				for {
				}
			}()
		}
		select {}
	}
	os.Exit(m.Run())
}

func TestFreezeReturnsOnceTheKernelReportsTheProcessStopped(t *testing.T) {
	for range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PROCTEST_SPIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid
		Freeze(t, pid)
		// The parent is told of a stop only once every thread has stopped (wait(2), WUNTRACED), so
		// this must report it without blocking.
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WUNTRACED|syscall.WNOHANG, nil)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err != nil || got != pid || !ws.Stopped() {
			t.Fatalf("wait4 after Freeze: pid %d, status %#x, err %v; want %d reported stopped", got, ws, err, pid)
		}
	}
}

func TestThreadStatesOfAnExitedProcessIsAnError(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if states, err := threadStates(cmd.Process.Pid); err == nil {
		t.Errorf("states %q of an exited (reaped) process, want an error", states)
	}
}
