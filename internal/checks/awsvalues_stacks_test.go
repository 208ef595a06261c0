package checks_test

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/checks"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/stack"
)

// runAs runs a committed stack's config under another stack name and region, as `pulumi up` would
// for a copy of that stack (the plan's program, packages named rather than built).
func runAs(t *testing.T, file, stackName, region string) *mockengine.Engine {
	t.Helper()
	project, cfg, err := mockengine.StackConfig(projectRoot, file)
	if err != nil {
		t.Fatal(err)
	}
	if region != "" {
		cfg["aws:region"] = region
	}
	e, err := mockengine.Run(stack.Program(stack.PackagedArtifacts("build")), project, stackName, cfg)
	if err != nil {
		t.Fatalf("stack %s in %s: %v", stackName, region, err)
	}
	return e
}

// TestAnyStackNameGivesValidAWSValues: every stack name Pulumi accepts (up to 100 of A-Z, a-z,
// 0-9, -, _ and .) yields values AWS accepts, on every committed config.
func TestAnyStackNameGivesValidAWSValues(t *testing.T) {
	for _, file := range []string{"dev", "prod", "multi"} {
		for _, stack := range []string{"pr-1234.feature-long-branch-name-for-tests", strings.Repeat("x", 100), "a_b.c-d"} {
			t.Run(file+"/"+stack, func(t *testing.T) {
				rep := checks.Run(runAs(t, file, stack, ""), []checks.Check{byID(t, "aws-api:value-constraints")}, nil)
				if f := failures(rep); f != "" {
					t.Errorf("values AWS refuses:%s", f)
				}
			})
		}
	}
}

// TestOtherPartitionsPassTheChecks: dev and prod in a China and a GovCloud region pass every check
// as they do in eu-west-1 (partition-specific ARNs, hosts and principals are judged as such).
func TestOtherPartitionsPassTheChecks(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		for _, region := range []string{"cn-north-1", "us-gov-west-1"} {
			t.Run(stack+"/"+region, func(t *testing.T) {
				rep := checks.Run(runAs(t, stack, stack, region), checks.All(), stackWaivers(t, projectRoot, stack))
				if f := failures(rep); f != "" {
					t.Errorf("failing checks:%s", f)
				}
			})
		}
	}
}
