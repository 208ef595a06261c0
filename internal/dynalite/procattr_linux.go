package dynalite

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill dynalite when the process that started it dies, so a crashed
// or interrupted run leaves no server behind.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
