package infra

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// whoamiCommand is a ready-to-paste command that calls GET /whoami from the test client, signed
// with the instance's client-role credentials (the AWS CLI on Amazon Linux exports the instance role's credentials; curl signs with SigV4).
func whoamiCommand(instanceID pulumi.StringOutput, invokeURL pulumi.StringOutput, region string) pulumi.StringOutput {
	return pulumi.All(instanceID, invokeURL).ApplyT(func(v []any) string {
		id, url := v[0].(string), v[1].(string)
		if id == "" {
			return "no test client: set client.testInstance to true, or call " + url + "/whoami with `go run ./cmd/apicall` from a consumer VPC"
		}
		script := fmt.Sprintf(`eval "$(aws configure export-credentials --format env)" && `+
			`curl -sS --aws-sigv4 aws:amz:%s:execute-api --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" `+
			`-H "x-amz-security-token: $AWS_SESSION_TOKEN" %s/whoami`, region, url)
		return fmt.Sprintf(`aws ssm send-command --region %s --instance-ids %s --document-name AWS-RunShellScript --parameters '{"commands":[%q]}' --query Command.CommandId --output text`, region, id, script)
	}).(pulumi.StringOutput)
}
