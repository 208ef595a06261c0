package infra

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// This file is the one place that computes the names the stack gives AWS resources itself (most
// are auto-named by the provider from their logical names, which do not hold the stack name).
//
// Pulumi accepts stack and project names of up to 100 characters of A-Z, a-z, 0-9, -, _ and .
// (pulumi/sdk go/common/tokens stack_name.go, project.go); AWS refuses many of them inside its own
// names. A name that AWS accepts as it is stays exactly as it is: renaming a Lambda function
// replaces it and its log group. Only a name AWS would refuse is rewritten: refused characters
// become -, the stack part is shortened, and 8 hex digits of the SHA-256 of the original
// project-stack keep it unique and the same on every run.

// awsName is one kind of AWS name: its longest length and the characters it may hold.
type awsName struct {
	max     int
	allowed func(r rune) bool
}

// lambdaFunctionName: at most 64 of A-Z, a-z, 0-9, - and _
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html, FunctionName). The log
// group /aws/lambda/<name> then always fits CloudWatch Logs' 512 of a-z, A-Z, 0-9 and ._-/#
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
var lambdaFunctionName = awsName{max: 64, allowed: func(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}}

// hashLength is how many hex digits of the digest a rewritten name carries.
const hashLength = 8

// stackScopedName names a resource <project>-<stack>-<suffix>, rewritten only when kind refuses it:
// then <project-stack, sanitized and cut>-<hash>-<suffix>, so the suffix (the function) stays
// readable and every resource of one stack carries the same hash.
func stackScopedName(project, stack, suffix string, kind awsName) string {
	scope := project + "-" + stack
	if name := scope + "-" + suffix; kind.accepts(name) {
		return name
	}
	sum := sha256.Sum256([]byte(scope))
	hash := hex.EncodeToString(sum[:])[:hashLength]
	room := kind.max - len(suffix) - len(hash) - 2
	clean := strings.Map(func(r rune) rune {
		if kind.allowed(r) {
			return r
		}
		return '-'
	}, scope)
	if len(clean) > room {
		clean = clean[:max(room, 0)]
	}
	return strings.Trim(clean, "-") + "-" + hash + "-" + suffix
}

func (k awsName) accepts(name string) bool {
	if name == "" || len(name) > k.max {
		return false
	}
	for _, r := range name {
		if !k.allowed(r) {
			return false
		}
	}
	return true
}

// functionName is the Lambda function name of one of the stack's functions.
func DeployedFunctionName(ctx *pulumi.Context, function string) string {
	return stackScopedName(ctx.Project(), ctx.Stack(), function, lambdaFunctionName)
}

// functionLogGroup is where a function logs: the group Lambda uses by default, created first.
func functionLogGroup(ctx *pulumi.Context, function string) string {
	return "/aws/lambda/" + DeployedFunctionName(ctx, function)
}

// functionLogGroups are globs that match the log groups of the given functions: one glob over the
// stack's prefix while every function keeps its plain name (the key policy of today's stacks stays
// as it is), else each group by name.
func FunctionLogGroups(ctx *pulumi.Context, functions []string) []string {
	prefix := "/aws/lambda/" + ctx.Project() + "-" + ctx.Stack() + "-"
	out := make([]string, len(functions))
	plain := true
	for i, f := range functions {
		out[i] = functionLogGroup(ctx, f)
		plain = plain && out[i] == prefix+f
	}
	if plain {
		return []string{prefix + "*"}
	}
	return out
}

// cloudWatchAlarmName: 1 to 255 characters, none of them ASCII control characters
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html, AlarmName;
// "The name must contain only UTF-8 characters, and can't contain ASCII control characters").
var cloudWatchAlarmName = awsName{max: 255, allowed: func(r rune) bool { return r >= 0x20 && r != 0x7f }}

// dashboardName: up to 255 of A-Z, a-z, 0-9, - and _
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html, DashboardName).
var dashboardName = lambdaFunctionName.withMax(255)

// snsTopicName: 1 to 256 of A-Z, a-z, 0-9, - and _ for a standard topic
// (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html, Name).
var snsTopicName = lambdaFunctionName.withMax(256)

// withMax is the same characters with another longest length.
func (k awsName) withMax(n int) awsName { return awsName{max: n, allowed: k.allowed} }

// alarmName names one of the stack's alarms: <project>-<stack>-<what>.
func alarmName(ctx *pulumi.Context, what string) string {
	return stackScopedName(ctx.Project(), ctx.Stack(), what, cloudWatchAlarmName)
}

// alarmTopicName names the topic every alarm notifies. It is fixed (not auto-named) because the
// stack key's policy, registered before the topic, names the topic's ARN.
func AlarmTopicName(ctx *pulumi.Context) string {
	return stackScopedName(ctx.Project(), ctx.Stack(), "alarms", snsTopicName)
}

// stackDashboardName names the stack's CloudWatch dashboard.
func stackDashboardName(ctx *pulumi.Context) string {
	return stackScopedName(ctx.Project(), ctx.Stack(), "operations", dashboardName)
}
