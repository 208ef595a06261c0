package mockengine

import (
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// projectRoot is the directory holding go.mod, found from this file's own path (internal/mockengine),
// so frames can be named relative to it however the tests or the plan are started.
var projectRoot = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}()

// programFrame returns "file:line" of the first stack frame in the Pulumi program itself (main.go or
// infra/, not the SDKs, not this package, not a test): the line a reviewer opens to change the
// resource. The Go SDK sends the registration's stack trace with each RegisterResource, frames as
// file:// URIs (sdk/go/pulumi/context.go getStackTrace).
// builders is the file of the builders several components share (infra/builders.go).
const builders = "infra/builders.go"

func programFrame(frames []*pulumirpc.StackFrame) string {
	for _, f := range frames {
		pc := f.GetPc()
		if pc == nil {
			continue
		}
		file, err := url.PathUnescape(strings.TrimPrefix(pc.GetUri(), "file://"))
		if err != nil || projectRoot == "" {
			continue
		}
		rel, err := filepath.Rel(projectRoot, filepath.Clean(file))
		if err != nil || strings.HasPrefix(rel, "..") || strings.HasSuffix(rel, "_test.go") {
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel == builders { // a shared builder: the caller's line says which component registers it
			continue
		}
		if rel == "main.go" || strings.HasPrefix(rel, "infra/") || strings.HasPrefix(rel, "stack/") {
			return fmt.Sprintf("%s:%d", rel, pc.GetLine())
		}
	}
	return ""
}
