package checks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

// The checks read policies with the one reader beside the writer (internal/policydoc), the same the
// live audit uses, under short local names.
type (
	policy     = policydoc.Read
	statement  = policydoc.ReadStatement
	conditions = policydoc.Conditions
)

// parsePolicy reads a policy document recorded as a JSON string input.
func parsePolicy(doc string) (policy, error) {
	var p policy
	switch {
	case doc == "":
		return p, errors.New("no policy document")
	case strings.Contains(doc, mockengine.Unknown):
		return p, errors.New("policy document is " + notKnown + ", so it cannot be reviewed")
	}
	p, err := policydoc.Parse(doc)
	if err != nil {
		return p, fmt.Errorf("policy document: %w", err)
	}
	return p, nil
}

// thisAccount reports whether every value names account: the account the judged resource lives in
// (mockengine.Engine.AccountOf), the deploying account unless another account's provider made it.
func thisAccount(values []string, account string) bool {
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		if v != account {
			return false
		}
	}
	return true
}

// accountGuard reports whether a statement's condition confines it to account.
func accountGuard(c conditions, account string) bool {
	for _, key := range []string{"aws:PrincipalAccount", "aws:SourceAccount", "aws:ResourceAccount"} {
		if thisAccount(c.Values(key, "StringEquals"), account) {
			return true
		}
	}
	return false
}
