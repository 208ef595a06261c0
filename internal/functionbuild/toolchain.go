package functionbuild

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// release is an exact Go release, the form GOTOOLCHAIN accepts for "this one and no other".
var release = regexp.MustCompile(`^go1\.\d+\.\d+$`)

// Toolchain is the Go release every bootstrap is built with: go.mod's toolchain line, else its go
// line. The go command alone would take any newer local Go (go.mod only sets a minimum), and
// another release compiles other bytes; GOTOOLCHAIN=<release> makes it run exactly this one,
// fetched once from the module proxy when it is not the local Go
// (https://go.dev/doc/toolchain#select).
func Toolchain(moduleRoot string) (string, error) {
	path := filepath.Join(moduleRoot, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var goLine, toolchainLine string
	for sc := bufio.NewScanner(bytes.NewReader(data)); sc.Scan(); {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "go":
			goLine = "go" + fields[1]
		case "toolchain":
			toolchainLine = fields[1]
		}
	}
	v, line := toolchainLine, "toolchain "+toolchainLine
	if v == "" {
		v, line = goLine, "go "+strings.TrimPrefix(goLine, "go")
	}
	if !release.MatchString(v) {
		what := fmt.Sprintf("%q is not an exact Go release", line)
		if v == "" {
			what = "there is no go line"
		}
		return "", fmt.Errorf("%s: %s, and the functions are built with exactly the release go.mod names, so that their zips are byte-identical on every machine: write the go line as `go 1.x.y` or add a line `toolchain go1.x.y`", path, what)
	}
	return v, nil
}

// toolchainHint says how to get the pinned release when the go command could not fetch it.
func toolchainHint(toolchain string, out []byte) string {
	if !bytes.Contains(out, []byte("download "+toolchain)) {
		return ""
	}
	return fmt.Sprintf("the functions are built with exactly %s (go.mod), so that their zips are byte-identical on every machine: let the go command fetch it from the module proxy (GOPROXY), or put an executable named %s on PATH (go install golang.org/dl/%s@latest && %s download)", toolchain, toolchain, toolchain, toolchain)
}
