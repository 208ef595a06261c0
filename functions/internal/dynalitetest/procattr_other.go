//go:build !linux

package dynalitetest

import "os/exec"

// setProcAttr does nothing where the kernel has no parent-death signal; Main still stops
// dynalite when the tests end normally.
func setProcAttr(*exec.Cmd) {}
