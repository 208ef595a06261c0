package main

import "github.com/example/private-api/internal/policydoc"

// The audit reads policies with the one reader beside the writer (internal/policydoc), the same the
// offline checks use, and judges the resource policy with the one private-API rule beside it
// (policydoc.PrivateAPI), the same the offline check seed:resource-policy applies.
type policyDocument = policydoc.Read

// decodePolicy parses the policy field of a REST API, in any of the forms API Gateway and other
// tools return it (policydoc.Parse).
func decodePolicy(raw string) (policyDocument, error) { return policydoc.Parse(raw) }
