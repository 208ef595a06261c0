package checks

import (
	"testing"

	"github.com/example/private-api/internal/mockengine"
)

// judgeTablePolicy reads the statements in any order: the admin Deny before the account Deny still
// passes, and the admin Deny alone does not (it says nothing of other accounts by itself).
func TestJudgeTablePolicyIsOrderFree(t *testing.T) {
	account := `{"Effect":"Deny","Principal":"*","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"t","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + mockengine.Account + `"}}}`
	admins := `{"Effect":"Deny","Principal":"*","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"t","Condition":{"ArnNotEquals":{"aws:PrincipalArn":["arn:aws:iam::1:role/a"]}}}`
	for doc, want := range map[string]bool{
		`{"Statement":[` + account + `,` + admins + `]}`: true,
		`{"Statement":[` + admins + `,` + account + `]}`: true,
		`{"Statement":[` + admins + `]}`:                 false,
		`{"Statement":[` + account + `]}`:                true,
	} {
		if ok, detail := judgeTablePolicy(doc); ok != want {
			t.Errorf("%s: %v (%s), want %v", doc, ok, detail, want)
		}
	}
}
