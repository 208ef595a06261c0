// Package bootstrap builds the Lambda functions reproducibly: each ./functions/<name> becomes a
// static linux/arm64 executable named bootstrap (what the provided.al2023 runtime starts) and a
// zip holding it. The same source always gives the same bytes, so a deploy with no code change
// shows no function diff.
package functionbuild

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/example/private-api/internal/catalogue"
)

// Functions are the functions under ./functions, in a fixed order: the catalogue's names.
var Functions = catalogue.Names()

// Target is the platform a bootstrap is built for.
type Target struct {
	GOOS, GOARCH string
}

// Lambda is the deployment target: provided.al2023 on Graviton.
var Lambda = Target{GOOS: "linux", GOARCH: "arm64"}

// Artifact is one built function.
type Artifact struct {
	Name      string
	Bootstrap string // path of the executable
	Zip       string // path of the deployment package
	// ZipSHA256 is the base64 SHA-256 of the zip: what Lambda reports as CodeSha256 and what
	// a function's sourceCodeHash compares.
	ZipSHA256 string
}

// buildFlags are the go build flags of every bootstrap: no RPC shim (provided.al2023 speaks the
// Runtime API), and nothing that varies between machines or runs: no paths, no VCS stamp, no
// build ID, no symbols.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid="}

// BuildAll builds every function for Lambda into outDir as <name>/bootstrap and <name>.zip.
func BuildAll(ctx context.Context, moduleRoot, outDir string) ([]Artifact, error) {
	var arts []Artifact
	for _, name := range Functions {
		a, err := Build(ctx, moduleRoot, outDir, name, Lambda)
		if err != nil {
			return nil, err
		}
		arts = append(arts, a)
	}
	return arts, nil
}

// Build builds function name of the module at moduleRoot for target into outDir.
func Build(ctx context.Context, moduleRoot, outDir, name string, target Target) (Artifact, error) {
	pkgDir := filepath.Join(moduleRoot, "functions", name)
	if _, err := os.Stat(filepath.Join(pkgDir, "main.go")); err != nil {
		return Artifact{}, fmt.Errorf("build %s: no function at %s (known: %s): %w", name, pkgDir, strings.Join(Functions, ", "), err)
	}
	return BuildPackage(ctx, moduleRoot, "./functions/"+name, outDir, name, target)
}

// BuildPackage builds the main package pkg (relative to moduleRoot) as outDir/name/bootstrap
// and outDir/name.zip.
func BuildPackage(ctx context.Context, moduleRoot, pkg, outDir, name string, target Target) (Artifact, error) {
	outDir, err := filepath.Abs(outDir)
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	toolchain, err := Toolchain(moduleRoot)
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	a := Artifact{
		Name:      name,
		Bootstrap: filepath.Join(outDir, name, "bootstrap"),
		Zip:       filepath.Join(outDir, name+".zip"),
	}
	if err := os.MkdirAll(filepath.Dir(a.Bootstrap), 0o755); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", a.Bootstrap, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), buildEnv(target, toolchain)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return Artifact{}, fmt.Errorf("build %s: GOTOOLCHAIN=%s go %s: %w\n%s%s", name, toolchain, strings.Join(args, " "), err, out, toolchainHint(toolchain, out))
	}
	if a.ZipSHA256, err = Zip(a.Bootstrap, a.Zip); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	return a, nil
}

// buildEnv pins everything in the environment that changes the output: the Go release, no cgo,
// the target, its baseline instruction set, and no GOFLAGS from the caller's shell (-race or
// -cover would change the bytes).
func buildEnv(t Target, toolchain string) []string {
	env := []string{"GOTOOLCHAIN=" + toolchain, "CGO_ENABLED=0", "GOOS=" + t.GOOS, "GOARCH=" + t.GOARCH, "GOFLAGS="}
	switch t.GOARCH {
	case "arm64":
		env = append(env, "GOARM64=v8.0")
	case "amd64":
		env = append(env, "GOAMD64=v1")
	}
	return env
}

// zipTime is the timestamp of every zip entry: the earliest a zip can hold, instead of the
// build time.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes a deployment package holding the executable at bootstrapPath as "bootstrap", mode
// 0755, with a fixed timestamp, and returns its base64 SHA-256. The file is replaced atomically,
// so an interrupted build never leaves a truncated zip to deploy.
func Zip(bootstrapPath, zipPath string) (string, error) {
	exe, err := os.ReadFile(bootstrapPath)
	if err != nil {
		return "", fmt.Errorf("zip: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(exe)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return "", fmt.Errorf("zip %s: %w", bootstrapPath, err)
	}
	if err := writeAtomic(zipPath, buf.Bytes()); err != nil {
		return "", fmt.Errorf("zip: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SHA256File returns the hex SHA-256 of a file, the form sha256sum prints.
func SHA256File(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ModuleRoot returns the nearest directory at or above dir holding go.mod.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod at or above " + dir)
		}
	}
}
