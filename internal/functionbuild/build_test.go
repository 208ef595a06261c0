package functionbuild_test

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/private-api/internal/functionbuild"
)

// TestReproducibleBuild builds every function for Lambda twice, the second time from a copy of
// the sources at another path, and wants the same bytes: a deploy with no code change must show
// no function diff, wherever the repository is checked out.
func TestReproducibleBuild(t *testing.T) {
	root := repoRoot(t)
	ctx := context.Background()
	first, err := functionbuild.BuildAll(ctx, root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	copyRoot := copyModule(t, root)
	second, err := functionbuild.BuildAll(ctx, copyRoot, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range first {
		b := second[i]
		if sha(t, a.Bootstrap) != sha(t, b.Bootstrap) || sha(t, a.Zip) != sha(t, b.Zip) || a.ZipSHA256 != b.ZipSHA256 {
			t.Errorf("%s: two builds differ: bootstrap %s vs %s, zip %s vs %s", a.Name, sha(t, a.Bootstrap), sha(t, b.Bootstrap), a.ZipSHA256, b.ZipSHA256)
		}
		t.Run(a.Name, func(t *testing.T) {
			checkBinary(t, a.Bootstrap, toolchain(t, root), root, copyRoot)
			checkZip(t, a)
		})
	}
}

// TestCompileIsReproducible compiles whoami, the function with the fewest dependencies, from an
// empty build cache: the same bytes again show that nothing but the source goes into the
// compiled packages, not only that the cache hands back what it stored.
func TestCompileIsReproducible(t *testing.T) {
	root := repoRoot(t)
	cached, err := functionbuild.Build(context.Background(), root, t.TempDir(), "whoami", functionbuild.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", t.TempDir())
	fresh, err := functionbuild.Build(context.Background(), root, t.TempDir(), "whoami", functionbuild.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	if sha(t, cached.Bootstrap) != sha(t, fresh.Bootstrap) {
		t.Errorf("whoami built from an empty cache differs from the cached build")
	}
}

func checkBinary(t *testing.T, path, toolchain string, roots ...string) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The local Go may be newer than go.mod's: the build must still run go.mod's release.
	if info.GoVersion != toolchain {
		t.Errorf("built with %s, want %s, the release go.mod names", info.GoVersion, toolchain)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{
		// -ldflags is not recorded under -trimpath; the ELF checks below cover it.
		"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "0", "-tags": "lambda.norpc", "-trimpath": "true",
	} {
		if settings[k] != want {
			t.Errorf("build setting %s = %q, want %q", k, settings[k], want)
		}
	}
	for k := range settings {
		if strings.HasPrefix(k, "vcs") {
			t.Errorf("build setting %s stamps the checkout into the binary", k)
		}
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want AArch64 (Graviton)", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary needs a dynamic loader; provided.al2023 wants a static executable")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary keeps its symbol table (-s missing)")
	}
	if f.Section(".note.go.buildid") != nil {
		t.Error("the binary carries a Go build ID (-buildid= missing)")
	}
	exe, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range roots {
		if bytes.Contains(exe, []byte(root)) {
			t.Errorf("the binary contains the build path %s (-trimpath missing)", root)
		}
	}
}

func checkZip(t *testing.T, a functionbuild.Artifact) {
	zr, err := zip.OpenReader(a.Zip)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("zip holds %d files, want only bootstrap", len(zr.File))
	}
	f := zr.File[0]
	if f.Mode() != 0o755 {
		t.Errorf("bootstrap mode %v in the zip, want 0755 (Lambda runs it)", f.Mode())
	}
	if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("zip entry time %v, want the fixed 1980-01-01", f.Modified)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	inZip, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.ReadFile(a.Bootstrap)
	if !bytes.Equal(inZip, exe) {
		t.Error("the zip's bootstrap is not the built executable")
	}
}

// copyModule copies what the functions build from (go.mod, go.sum, functions/) to a new
// directory.
func copyModule(t *testing.T, root string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"go.mod", "go.sum", "functions", "internal"} { // internal: strictjson
		if out, err := exec.Command("cp", "-R", filepath.Join(root, p), dst).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v: %s", p, err, out)
		}
	}
	return dst
}

func sha(t *testing.T, path string) string {
	t.Helper()
	s, err := functionbuild.SHA256File(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func toolchain(t *testing.T, root string) string {
	t.Helper()
	v, err := functionbuild.Toolchain(root)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestToolchain(t *testing.T) {
	for _, tc := range []struct {
		name, gomod, want, wantErr string
	}{
		{"the_go_line", "module m\n\ngo 1.26.6\n", "go1.26.6", ""},
		{"the_toolchain_line_first", "module m\n\ngo 1.26.0\n\ntoolchain go1.26.8\n", "go1.26.8", ""},
		{"a_language_version_with_a_toolchain", "module m\n\ngo 1.26\ntoolchain go1.26.6\n", "go1.26.6", ""},
		{"a_language_version_alone", "module m\n\ngo 1.26\n", "", `"go 1.26" is not an exact Go release`},
		{"a_toolchain_that_is_no_release", "module m\n\ngo 1.26.6\ntoolchain default\n", "", `"toolchain default" is not an exact Go release`},
		{"no_go_line", "module m\n", "", "there is no go line, and the functions are built with exactly the release go.mod names, so that their zips are byte-identical on every machine: write the go line as `go 1.x.y` or add a line `toolchain go1.x.y`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := functionbuild.Toolchain(dir)
			if tc.wantErr == "" && (err != nil || got != tc.want) {
				t.Errorf("Toolchain = %q, %v; want %q", got, err, tc.want)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Toolchain = %q, %v; want an error containing %q", got, err, tc.wantErr)
			}
		})
	}
}

func TestBuildRejectsUnknownFunctions(t *testing.T) {
	_, err := functionbuild.Build(context.Background(), repoRoot(t), t.TempDir(), "payments", functionbuild.Lambda)
	if err == nil || !strings.Contains(err.Error(), "claims, employees, whoami") {
		t.Errorf("err = %v, want one listing the known functions", err)
	}
}

func TestModuleRoot(t *testing.T) {
	root := repoRoot(t)
	if got, err := functionbuild.ModuleRoot(filepath.Join(root, "functions", "bootstrap")); err != nil || got != root {
		t.Errorf("ModuleRoot = %q, %v; want %q", got, err, root)
	}
	if _, err := functionbuild.ModuleRoot(os.TempDir()); err == nil {
		t.Error("found a module above the temp directory")
	}
}

// repoRoot is the module this test builds from.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
