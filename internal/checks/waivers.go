package checks

import (
	"fmt"
	"slices"

	"github.com/example/private-api/internal/stackconfig"
)

// Waivers are the accepted failures that hold for every stack, each with the reason a reviewer reads
// in the plan: a default that another requirement outranks. A stack's own relaxations live in its
// config (private-api:waivers), where whoever copies the stack file sees and owns them.
var Waivers = []Waiver{
	{CheckID: "CKV_AWS_115", Reason: "functions.reservedConcurrency is 0 by default: Lambda refuses a reservation that leaves the account under 100 unreserved executions, so new accounts (limits of 10 or 50) could not deploy; reserve where the account allows, as prod does"},
}

// ForStack is the code's waivers followed by the stack's own, with its source. A stack waiver must
// name a check the plan runs.
func ForStack(own []stackconfig.Waiver) ([]Waiver, error) {
	out := slices.Clone(Waivers)
	var ids []string
	for _, c := range All() {
		ids = append(ids, c.IDs...)
	}
	for i, w := range own {
		if !slices.Contains(ids, w.Check) {
			return nil, stackconfig.Problem{Key: fmt.Sprintf("waivers[%d].check", i),
				Message: fmt.Sprintf("%q is not the ID of a check: use one the plan lists, such as EC2.6 or CKV_AWS_158%s", w.Check, didYouMean(w.Check, ids))}
		}
		out = append(out, Waiver{CheckID: w.Check, Resource: w.Resource, Reason: w.Reason, FromConfig: true})
	}
	return out, nil
}

// didYouMean names the check ID nearest to id, if one is close.
func didYouMean(id string, ids []string) string {
	if best, ok := stackconfig.Nearest(id, ids); ok {
		return "; did you mean " + best + "?"
	}
	return ""
}
