package stack

import (
	"testing"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// The stack files the specs run, and the one type token mockengine does not name. The readers of a
// mock run are in internal/mockengine/spec.
const (
	projectRoot = ".."
	devStack    = "dev"
	prodStack   = "prod"
	tEIP        = "aws:ec2/eip:Eip"
)

// commercial is the partition aws.GetPartition answers in the commercial regions.
var commercial = infra.Partition{ID: "aws", DNSSuffix: "amazonaws.com", ReverseDNSPrefix: "com.amazonaws"}

// testProgram is the real program with packages named, not built: mocks need no binaries.
var testProgram = Program(PackagedArtifacts("build"))

// runProgram runs the whole program under the mock engine and fails the test on a program error.
func runProgram(t *testing.T, cfg map[string]string) *mockengine.Engine {
	t.Helper()
	e, err := mockengine.Run(testProgram, spec.Project, "test", cfg)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return e
}
