package stack

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/functionbuild"
)

// Artifacts supplies each function's deployment package.
type Artifacts interface {
	// Archive returns the zip of function name's `bootstrap`, or why it cannot be deployed.
	Archive(function string) (pulumi.Archive, error)
}

// PackagedArtifacts names the zips in a directory without reading them: the mocks tests and the
// offline plan need no binaries, and the real engine reads (and hashes) the zip itself.
type PackagedArtifacts string

// Archive returns dir/<function>.zip as a pass-through archive (Pulumi keeps a zip's bytes and
// file modes as they are, so bootstrap stays executable).
func (dir PackagedArtifacts) Archive(function string) (pulumi.Archive, error) {
	return pulumi.NewFileArchive(filepath.Join(string(dir), function+".zip")), nil
}

// BuiltArtifacts builds each function from source, the reproducible way, right before the deploy
// uses it: a deploy can never ship a binary older than its source. Go's build cache makes an
// unchanged function a quick no-op that gives the same bytes, so a preview shows no Lambda diff.
type BuiltArtifacts struct {
	// ModuleRoot is the directory holding go.mod; OutDir receives <name>/bootstrap and <name>.zip.
	ModuleRoot, OutDir string
}

// Archive builds function and returns its zip.
func (b BuiltArtifacts) Archive(function string) (pulumi.Archive, error) {
	a, err := functionbuild.Build(context.Background(), b.ModuleRoot, b.OutDir, function, functionbuild.Lambda)
	if err != nil {
		return nil, fmt.Errorf("refusing to deploy without a fresh build: %w", err)
	}
	return pulumi.NewFileArchive(a.Zip), nil
}
