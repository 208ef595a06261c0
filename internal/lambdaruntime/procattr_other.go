//go:build !linux

package lambdaruntime

import "os/exec"

// setProcAttr does nothing where the kernel has no parent-death signal; Close still stops every
// function when its starter ends normally.
func setProcAttr(*exec.Cmd) {}
