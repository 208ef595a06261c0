package stack

import (
	"regexp"
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// validFunctionName is what Lambda accepts as a function name
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName).
var validFunctionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// TestStackNames runs the whole program under stack names Pulumi accepts and AWS would refuse as
// they are: every function name is valid and its log group follows it.
func TestStackNames(t *testing.T) {
	for _, stack := range []string{"pr-1234.feature-long-branch-name-for-tests", strings.Repeat("a.", 50)} {
		t.Run(stack[:10], func(t *testing.T) {
			e, err := runStack(spec.StackConfig(t, projectRoot, devStack), stack)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string]bool{}
			for _, lg := range e.OfType(mockengine.TypeLogGroup) {
				groups[spec.Str(lg.Inputs, "name")] = true
			}
			fns := e.OfType("aws:lambda/function:Function")
			if len(fns) == 0 {
				t.Fatal("no functions")
			}
			// Everything else is auto-named by the provider from its logical name, which holds no
			// stack name (only fixed words and consumer names of at most 20 characters).
			for _, typ := range []string{mockengine.TypeRole, mockengine.TypeSecurityGroup, "aws:iam/instanceProfile:InstanceProfile", "aws:dynamodb/table:Table", mockengine.TypeVpcEndpoint} {
				for _, r := range e.OfType(typ) {
					if n, ok := r.Inputs["name"]; ok || strings.Contains(r.Name, stack) {
						t.Errorf("%s %s: name %v or logical name built from the stack name: compute it in names.go", typ, r.Name, n)
					}
				}
			}
			for _, fn := range fns {
				name := spec.Str(fn.Inputs, "name")
				if !validFunctionName.MatchString(name) {
					t.Errorf("function %s named %q (%d characters): Lambda refuses it", fn.Name, name, len(name))
				}
				if lg := "/aws/lambda/" + name; !groups[lg] || spec.Str(spec.Obj(fn.Inputs, "loggingConfig"), "logGroup") != lg {
					t.Errorf("function %s: no log group %s created for it", fn.Name, lg)
				}
			}
		})
	}
}

// runStack runs the program under the given stack name.
func runStack(cfg map[string]string, stack string) (*mockengine.Engine, error) {
	return mockengine.Run(testProgram, spec.Project, stack, cfg)
}
