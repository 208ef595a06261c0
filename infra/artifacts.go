package infra

import (
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
