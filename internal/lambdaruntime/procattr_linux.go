package lambdaruntime

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill the function when the process that started it dies, and puts
// it in its own process group, so Ctrl-C reaches only the starter, which then stops its
// functions in order.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
