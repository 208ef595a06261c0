package stack

import (
	"slices"
	"testing"

	"github.com/example/private-api/infra"
)

func TestTableGrantsAreACopy(t *testing.T) {
	if len(TableGrants("whoami")) != 0 || len(TableGrants("claims")) == 0 {
		t.Fatalf("whoami %v, claims %v: want none for whoami and some for claims", TableGrants("whoami"), TableGrants("claims"))
	}
	TableGrants("claims")[0].Actions[0] = "dynamodb:DeleteTable"
	if slices.Contains(infra.GrantedActions(TableGrants("claims")), "dynamodb:DeleteTable") {
		t.Error("changing the returned grants changed the function's actions")
	}
}
