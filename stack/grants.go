package stack

import (
	"slices"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/catalogue"
)

// functionTableAccess is each function's least privilege on the table, from the catalogue.
var functionTableAccess = func() map[string][]infra.TableGrant {
	out := map[string][]infra.TableGrant{}
	for _, f := range catalogue.Functions {
		out[f.Name] = f.Table
	}
	return out
}()

// TableGrants are the DynamoDB actions function name may call on the table, by partition; none
// means the function gets no table access and no TABLE_NAME.
func TableGrants(name string) []infra.TableGrant {
	grants := slices.Clone(functionTableAccess[name])
	for i, g := range grants {
		grants[i] = infra.TableGrant{Actions: slices.Clone(g.Actions), Partitions: slices.Clone(g.Partitions)}
	}
	return grants
}
