package dynalitetest

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill dynalite when the test binary dies, so a crashed or
// interrupted test run leaves no server behind.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
