//go:build !linux

package dynalite

import "os/exec"

// setProcAttr does nothing where the kernel has no parent-death signal; Stop still ends
// dynalite when its starter ends normally.
func setProcAttr(*exec.Cmd) {}
