package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// supportedRuntime is the one runtime the project builds for (DESIGN.md: provided.al2023, arm64).
const supportedRuntime = "provided.al2023"

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

var lambdaChecks = []Check{
	forType(mockengine.TypePermission, Check{
		IDs:  []string{"Lambda.1", "CKV_AWS_301", "AWS-0067"},
		Rule: "every Lambda permission grants lambda:InvokeFunction to apigateway.amazonaws.com with a source ARN of this stack's API scoped to one method and path",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		if p := str(r, "principal"); p != "apigateway.amazonaws.com" {
			return false, fmt.Sprintf("principal %q, want apigateway.amazonaws.com", p)
		}
		if a := str(r, "action"); a != "lambda:InvokeFunction" {
			return false, fmt.Sprintf("action %q, want lambda:InvokeFunction", a)
		}
		return scopedSourceARN(e, str(r, "sourceArn"))
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"Lambda.2", "CKV_AWS_363"},
		Rule: "every function runs on the supported runtime " + supportedRuntime,
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		rt := str(r, "runtime")
		return rt == supportedRuntime, fmt.Sprintf("runtime %q", rt)
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"Lambda.3", "Lambda.5", "CKV_AWS_117"},
		Rule: "every function runs in this stack's VPC subnets in at least 2 AZs, with a security group",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		if len(strs(r, "vpcConfig.securityGroupIds")) == 0 {
			return false, "no vpcConfig.securityGroupIds: the function is not in a VPC"
		}
		return multiAZ(e, strs(r, "vpcConfig.subnetIds"))
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"Lambda.7", "CKV_AWS_50", "AWS-0066"},
		Rule: "X-Ray active tracing is on for every function",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		mode := str(r, "tracingConfig.mode")
		return mode == "Active", fmt.Sprintf("tracingConfig.mode %q", mode)
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"CKV_AWS_115"},
		Rule: "every function has reserved concurrency of at least 1 (0 would stop it, unset lets it starve the account)",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		n, ok := num(r, "reservedConcurrentExecutions")
		if !ok {
			return false, "reservedConcurrentExecutions not set"
		}
		return n >= 1, fmt.Sprintf("reservedConcurrentExecutions %g", n)
	}),
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"CKV_AWS_45", "awslambda_function_no_secrets_in_variables"},
		Rule: "no environment variable holds or names a secret (they are readable with lambda:GetFunctionConfiguration)",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		return noSecrets(r, "environment.variables")
	}),
}

// scopedSourceARN accepts arn:aws:execute-api:<region>:<account>:<this API>/<stage>/<METHOD>/<path>
// with a concrete method and a path that is not just a wildcard. Path parameters may be `*`.
func scopedSourceARN(e *mockengine.Engine, arn string) (bool, string) {
	if arn == "" {
		return false, "no sourceArn: any API in any account could invoke the function"
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "execute-api" {
		return false, fmt.Sprintf("sourceArn %q is not an execute-api ARN", arn)
	}
	if len(e.RefsOfType(arn, mockengine.TypeRestAPI)) == 0 {
		return false, fmt.Sprintf("sourceArn %q does not name a REST API of this stack", arn)
	}
	segs := strings.Split(parts[5], "/")
	if len(segs) < 4 {
		return false, fmt.Sprintf("sourceArn %q is not scoped to a method and path", arn)
	}
	method, path := segs[2], "/"+strings.Join(segs[3:], "/")
	if !httpMethods[method] {
		return false, fmt.Sprintf("sourceArn %q: method %q, want one HTTP method", arn, method)
	}
	if path == "/*" || strings.Contains(path, "/*/*") || segs[3] == "*" {
		return false, fmt.Sprintf("sourceArn %q: path %q is a wildcard, want the route's path", arn, path)
	}
	return true, fmt.Sprintf("apigateway.amazonaws.com from %s %s", method, path)
}

var (
	secretName  = regexp.MustCompile(`(?i)(secret|passw(or)?d|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)`)
	secretValue = []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), "an AWS access key id"},
		{regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), "a private key"},
		{regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`), "what looks like an AWS secret access key"},
		{regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.`), "a JWT"},
	}
)

// secretLike says why a variable looks like a secret, or "" when it does not. A name such as
// TOKEN_TABLE would be a false positive; rename the variable rather than waive the check.
func secretLike(name, value string) string {
	if secretName.MatchString(name) {
		return "is named like a secret"
	}
	for _, p := range secretValue {
		if p.re.MatchString(value) {
			return "holds " + p.what
		}
	}
	return ""
}
