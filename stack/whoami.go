package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// whoamiCommand is the ready-to-paste command of the whoamiCommand output.
func whoamiCommand(instanceID pulumi.StringOutput, invokeURL pulumi.StringOutput, region string) pulumi.StringOutput {
	return pulumi.All(instanceID, invokeURL).ApplyT(func(v []any) string {
		return whoamiShell(v[0].(string), v[1].(string), region)
	}).(pulumi.StringOutput)
}

// whoamiShell calls GET /whoami on the test client through SSM Run Command, signed with the
// test client role's credentials (the AWS CLI on Amazon Linux exports them; curl signs with
// SigV4 for execute-api), waits for it and prints the answer.
func whoamiShell(instanceID, invokeURL, region string) string {
	if instanceID == "" {
		return "no test client: set client.testInstance to true, or call " + invokeURL + "/whoami with `go run ./cmd/apicall` from a consumer VPC"
	}
	// The key pair and session token reach curl as config on standard input (printf is a shell
	// builtin), never on a command line, where ps on the instance would show them.
	script := fmt.Sprintf(`eval "$(aws configure export-credentials --format env)" && `+
		`printf "user = \"%%s:%%s\"\nheader = \"x-amz-security-token: %%s\"\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" | `+
		`curl -sS -K - --aws-sigv4 aws:amz:%s:execute-api %s/whoami`, region, invokeURL)
	target := fmt.Sprintf("--region %s --instance-id %s", region, instanceID)
	return fmt.Sprintf(`ID=$(aws ssm send-command --region %s --instance-ids %s --document-name AWS-RunShellScript --parameters '{"commands":[%q]}' --query Command.CommandId --output text) && `+
		`aws ssm wait command-executed --command-id "$ID" %s; `+
		`aws ssm get-command-invocation --command-id "$ID" %s --query StandardOutputContent --output text`, region, instanceID, script, target, target)
}
