package infra

import (
	"strings"
	"testing"

	"github.com/example/private-api/internal/mockengine/spec"
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
			if got := stackScopedName(spec.Project, tc.stack, tc.function, lambdaFunctionName); got != tc.want {
				t.Errorf("%s/%s: %q, want %q", tc.stack, tc.function, got, tc.want)
			}
		}
	})
	t.Run("a_refused_character_is_replaced_and_the_name_hashed", func(t *testing.T) {
		got := stackScopedName(spec.Project, "pr-1234.feature-long-branch-name-for-tests", "whoami", lambdaFunctionName)
		if !lambdaFunctionName.accepts(got) || strings.Contains(got, ".") || !strings.HasSuffix(got, "-whoami") {
			t.Errorf("%q is not a Lambda function name ending -whoami", got)
		}
	})
	t.Run("one_character_over_the_limit_is_shortened", func(t *testing.T) {
		stack := "pr-1234-feature-long-branch-name-for-testsx" // private-api-<stack>-employees is 65
		got := stackScopedName(spec.Project, stack, "employees", lambdaFunctionName)
		if len(got) > 64 || !lambdaFunctionName.accepts(got) || !strings.HasSuffix(got, "-employees") {
			t.Errorf("%q (%d characters), want at most 64 ending -employees", got, len(got))
		}
	})
	t.Run("the_longest_stack_name_fits", func(t *testing.T) {
		got := stackScopedName(spec.Project, long, "employees", lambdaFunctionName)
		if !lambdaFunctionName.accepts(got) {
			t.Errorf("%q (%d characters) is refused", got, len(got))
		}
	})
	t.Run("stable_and_distinct", func(t *testing.T) {
		a := stackScopedName(spec.Project, long, "claims", lambdaFunctionName)
		if b := stackScopedName(spec.Project, long, "claims", lambdaFunctionName); a != b {
			t.Errorf("two runs gave %q and %q", a, b)
		}
		// Two stacks that differ only past the cut must not share a name.
		other := stackScopedName(spec.Project, long[:99]+"t", "claims", lambdaFunctionName)
		if a == other {
			t.Errorf("stacks differing at the end share %q", a)
		}
		if dot, dash := stackScopedName(spec.Project, "a.b", "claims", lambdaFunctionName), stackScopedName(spec.Project, "a-b", "claims", lambdaFunctionName); dot == dash {
			t.Errorf("stacks a.b and a-b share %q", dot)
		}
	})
}
