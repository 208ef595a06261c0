package bootstraps_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/functions/internal/dynalitetest"
	"github.com/example/private-api/functions/internal/dynamo"
	"github.com/example/private-api/internal/functionbuild"
)

// tableName is the dynalite table the claims and employees bootstraps use here.
const tableName = "bootstrap-test"

// hostDir holds the bootstraps built for this machine.
var hostDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bootstrap-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	hostDir = dir
	code := dynalitetest.Main(m, func(ctx context.Context, c *dynamodb.Client) error {
		if err := dynalitetest.CreateTable(ctx, c, tableName); err != nil {
			return err
		}
		return dynamo.New(c, tableName).SeedDirectory(ctx)
	})
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	hostBuilds   sync.Map // function name → func() (string, error)
	moduleRootMu sync.Once
	moduleRoot   string
	moduleErr    error
)

// repoRoot is the module this test builds from.
func repoRoot(t testing.TB) string {
	t.Helper()
	moduleRootMu.Do(func() { moduleRoot, moduleErr = functionbuild.ModuleRoot(".") })
	if moduleErr != nil {
		t.Fatal(moduleErr)
	}
	return moduleRoot
}

// hostBootstrap builds function name once per test binary with the deployment flags, but for
// this machine's OS and architecture, so the test can run it.
func hostBootstrap(t testing.TB, name string) string {
	t.Helper()
	root := repoRoot(t)
	build, _ := hostBuilds.LoadOrStore(name, sync.OnceValues(func() (string, error) {
		a, err := functionbuild.Build(context.Background(), root, hostDir, name, functionbuild.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH})
		return a.Bootstrap, err
	}))
	path, err := build.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "bootstrap" {
		t.Fatalf("built %s, want an executable named bootstrap", path)
	}
	return path
}
