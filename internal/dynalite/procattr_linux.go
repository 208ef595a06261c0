package dynalite

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill dynalite when the process that started it dies, so a crashed
// or interrupted run leaves no server behind, and puts it in its own process group, so Ctrl-C
// reaches only its starter, which stops it after what depends on it.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
