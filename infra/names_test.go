package infra

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine"
)

func TestStackScopedName(t *testing.T) {
	long := strings.Repeat("s", 100) // the longest stack name Pulumi accepts
	t.Run("names_AWS_accepts_stay_exactly_as_they_are", func(t *testing.T) {
		for _, tc := range []struct{ stack, function, want string }{
			{"dev", "claims", "private-api-dev-claims"},
			{"prod", "employees", "private-api-prod-employees"},
			{"pr-1234_feature", "whoami", "private-api-pr-1234_feature-whoami"},
			// exactly Lambda's 64 characters: still accepted, so still unchanged
			{"pr-1234-feature-long-branch-name-for-tests", "employees", "private-api-pr-1234-feature-long-branch-name-for-tests-employees"},
		} {
			if got := stackScopedName(projectName, tc.stack, tc.function, lambdaFunctionName); got != tc.want {
				t.Errorf("%s/%s: %q, want %q", tc.stack, tc.function, got, tc.want)
			}
		}
	})
	t.Run("a_refused_character_is_replaced_and_the_name_hashed", func(t *testing.T) {
		got := stackScopedName(projectName, "pr-1234.feature-long-branch-name-for-tests", "whoami", lambdaFunctionName)
		if !lambdaFunctionName.accepts(got) || strings.Contains(got, ".") || !strings.HasSuffix(got, "-whoami") {
			t.Errorf("%q is not a Lambda function name ending -whoami", got)
		}
	})
	t.Run("one_character_over_the_limit_is_shortened", func(t *testing.T) {
		stack := "pr-1234-feature-long-branch-name-for-testsx" // private-api-<stack>-employees is 65
		got := stackScopedName(projectName, stack, "employees", lambdaFunctionName)
		if len(got) > 64 || !lambdaFunctionName.accepts(got) || !strings.HasSuffix(got, "-employees") {
			t.Errorf("%q (%d characters), want at most 64 ending -employees", got, len(got))
		}
	})
	t.Run("the_longest_stack_name_fits", func(t *testing.T) {
		got := stackScopedName(projectName, long, "employees", lambdaFunctionName)
		if !lambdaFunctionName.accepts(got) {
			t.Errorf("%q (%d characters) is refused", got, len(got))
		}
	})
	t.Run("stable_and_distinct", func(t *testing.T) {
		a := stackScopedName(projectName, long, "claims", lambdaFunctionName)
		if b := stackScopedName(projectName, long, "claims", lambdaFunctionName); a != b {
			t.Errorf("two runs gave %q and %q", a, b)
		}
		// Two stacks that differ only past the cut must not share a name.
		other := stackScopedName(projectName, long[:99]+"t", "claims", lambdaFunctionName)
		if a == other {
			t.Errorf("stacks differing at the end share %q", a)
		}
		if dot, dash := stackScopedName(projectName, "a.b", "claims", lambdaFunctionName), stackScopedName(projectName, "a-b", "claims", lambdaFunctionName); dot == dash {
			t.Errorf("stacks a.b and a-b share %q", dot)
		}
	})
}

// TestStackNames runs the whole program under stack names Pulumi accepts and AWS would refuse as
// they are: every function name is valid and its log group follows it.
func TestStackNames(t *testing.T) {
	for _, stack := range []string{"pr-1234.feature-long-branch-name-for-tests", strings.Repeat("a.", 50)} {
		t.Run(stack[:10], func(t *testing.T) {
			e, err := runStack(stackConfig(t, devStack), stack)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string]bool{}
			for _, lg := range e.OfType(tLogGroup) {
				groups[str(lg.Inputs, "name")] = true
			}
			fns := e.OfType("aws:lambda/function:Function")
			if len(fns) == 0 {
				t.Fatal("no functions")
			}
			// Everything else is auto-named by the provider from its logical name, which holds no
			// stack name (only fixed words and consumer names of at most 20 characters).
			for _, typ := range []string{tRole, tSG, "aws:iam/instanceProfile:InstanceProfile", "aws:dynamodb/table:Table", tVpcEndpoint} {
				for _, r := range e.OfType(typ) {
					if n, ok := r.Inputs["name"]; ok || strings.Contains(r.Name, stack) {
						t.Errorf("%s %s: name %v or logical name built from the stack name: compute it in names.go", typ, r.Name, n)
					}
				}
			}
			for _, fn := range fns {
				name := str(fn.Inputs, "name")
				if !lambdaFunctionName.accepts(name) {
					t.Errorf("function %s named %q (%d characters): Lambda refuses it", fn.Name, name, len(name))
				}
				if lg := "/aws/lambda/" + name; !groups[lg] || str(obj(fn.Inputs, "loggingConfig"), "logGroup") != lg {
					t.Errorf("function %s: no log group %s created for it", fn.Name, lg)
				}
			}
		})
	}
}

// runStack runs the program under the given stack name.
func runStack(cfg map[string]string, stack string) (*mockengine.Engine, error) {
	return mockengine.Run(testProgram, projectName, stack, cfg)
}
