package checks

import (
	"fmt"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

// alarmChecks guard what tells an operator that something is wrong (issue 12): alarms on every
// function's failures and the API's 5XX, each alarm notifying a topic of the stack, and a topic
// that is encrypted and that only this account's alarms may publish to.
var alarmChecks = []Check{
	forType(mockengine.TypeFunction, Check{
		IDs:  []string{"project:function-alarms"},
		Rule: "every function has an alarm on its Errors and one on its Throttles (AWS/Lambda, dimension FunctionName)",
	}, func(e *mockengine.Engine, fn mockengine.Resource) (bool, string) {
		var missing []string
		unknown := false
		for _, metric := range []string{"Errors", "Throttles"} {
			found, unsure := watched(e, "AWS/Lambda", metric, func(dims map[string]any) (bool, bool) {
				return identifies(e, dims["FunctionName"], fn)
			})
			if !found {
				missing = append(missing, metric)
				unknown = unknown || unsure
			}
		}
		switch {
		case len(missing) == 0:
			return true, "alarms on Errors and Throttles"
		case unknown:
			return false, fmt.Sprintf("no alarm known on %s: an alarm's FunctionName is %s", strings.Join(missing, " and "), notKnown)
		}
		return false, fmt.Sprintf("no alarm on %s: a failing or throttled function pages nobody", strings.Join(missing, " and "))
	}),
	forType(mockengine.TypeRestAPI, Check{
		IDs:  []string{"project:api-5xx-alarm"},
		Rule: "every REST API has an alarm on its 5XXError (AWS/ApiGateway, dimensions ApiName and Stage of this API)",
	}, func(e *mockengine.Engine, api mockengine.Resource) (bool, string) {
		found, unsure := watched(e, "AWS/ApiGateway", "5XXError", func(dims map[string]any) (bool, bool) {
			ok, unsure := identifies(e, dims["ApiName"], api)
			if stage, set := dims["Stage"].(string); ok && set && !stageOf(e, api, stage) {
				return false, stage == mockengine.Unknown
			}
			return ok, unsure
		})
		switch {
		case found:
			return true, "alarm on 5XXError"
		case unsure:
			return false, "no alarm known on 5XXError: an alarm's ApiName is " + notKnown
		}
		return false, "no alarm on 5XXError with this API's ApiName and one of its stages: failing requests page nobody"
	}),
	forType(mockengine.TypeMetricAlarm, Check{
		IDs:  []string{"project:alarm-actions"},
		Rule: "every alarm has its actions enabled and notifies an SNS topic of this stack when it fires",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		if on, set := r.Inputs["actionsEnabled"].(bool); set && !on {
			return false, "actionsEnabled false: the alarm changes state and tells nobody"
		}
		actions := strs(r, "alarmActions")
		if len(actions) == 0 {
			return false, "no alarmActions: the alarm changes state and tells nobody"
		}
		for _, a := range actions {
			if len(e.RefsOfType(a, mockengine.TypeSNSTopic)) == 0 {
				if a == mockengine.Unknown {
					return false, "alarm action " + notKnown
				}
				return false, fmt.Sprintf("alarm action %q is not an SNS topic of this stack", a)
			}
		}
		return true, fmt.Sprintf("notifies %s", names(e.RefsOfType(actions, mockengine.TypeSNSTopic)))
	}),
	forType(mockengine.TypeSNSTopic, Check{
		IDs:  []string{"CKV_AWS_26", "AWS-0095", "AWS-0136"},
		Rule: "every SNS topic is encrypted with a customer-managed KMS key of this stack that rotates (CloudWatch cannot publish to one under the AWS managed key alias/aws/sns)",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		key := str(r, "kmsMasterKeyId")
		switch {
		case key == "":
			return false, "no kmsMasterKeyId: messages are stored unencrypted"
		case strings.HasSuffix(key, "alias/aws/sns"):
			return false, "encrypted with the AWS managed key alias/aws/sns, whose policy nobody can change: CloudWatch alarms cannot publish to it"
		}
		return rotatingKey(e, key)
	}),
	forType(mockengine.TypeSNSTopic, Check{
		IDs:  []string{"sns_topics_not_publicly_accessible"},
		Rule: "no SNS topic policy allows anyone outside this account: a service may publish only for this account (aws:SourceAccount or aws:SourceArn), AWS principals are this account's",
	}, func(e *mockengine.Engine, topic mockengine.Resource) (bool, string) {
		docs := []string{}
		if p := str(topic, "policy"); p != "" {
			docs = append(docs, p)
		}
		for _, p := range e.OfType(mockengine.TypeSNSTopicPolicy) {
			if refs := e.RefsOfType(str(p, "arn"), mockengine.TypeSNSTopic); len(refs) > 0 && refs[0].Name == topic.Name {
				docs = append(docs, str(p, "policy"))
			}
		}
		if len(docs) == 0 {
			return true, "no policy of its own: SNS's default admits this account's principals only"
		}
		for _, d := range docs {
			if ok, detail := judgeTopicPolicy(d); !ok {
				return false, detail
			}
		}
		return true, "admits only this account and services acting for it"
	}),
}

// judgeTopicPolicy refuses an Allow to anyone, to a service without a guard naming this account, or
// to a principal of another account.
func judgeTopicPolicy(doc string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, err.Error()
	}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		switch {
		case s.Principal == nil || s.NotPrincipal != nil:
			return false, fmt.Sprintf("statement %q allows without naming a principal", s.Sid)
		case s.Principal.All && !accountGuard(s.Condition, mockengine.Account) && !sourceGuard(s.Condition, mockengine.Account):
			return false, fmt.Sprintf("statement %q allows any principal without a condition naming this account", s.Sid)
		}
		for _, svc := range s.Principal.Service {
			if !sourceGuard(s.Condition, mockengine.Account) {
				return false, fmt.Sprintf("statement %q lets %s publish for any account: add aws:SourceAccount of this account (confused deputy)", s.Sid, svc)
			}
		}
		for _, a := range s.Principal.AWS {
			if a != mockengine.Account && !strings.Contains(a, ":"+mockengine.Account+":") {
				return false, fmt.Sprintf("statement %q allows %q, outside this account", s.Sid, a)
			}
		}
	}
	return true, ""
}

// watched reports whether an alarm watches the metric (in the namespace, by name) with dimensions
// that match, directly or as one metric of its metric math; unsure is set when a non-matching
// dimension is not known before deploy.
func watched(e *mockengine.Engine, namespace, metric string, match func(dims map[string]any) (ok, unsure bool)) (found, unsure bool) {
	for _, a := range e.OfType(mockengine.TypeMetricAlarm) {
		candidates := []map[string]any{a.Inputs}
		for _, q := range asList(a.Inputs["metricQueries"]) {
			if m, ok := q.(map[string]any)["metric"].(map[string]any); ok {
				candidates = append(candidates, m)
			}
		}
		for _, c := range candidates {
			if c["namespace"] != namespace || c["metricName"] != metric {
				continue
			}
			dims, _ := c["dimensions"].(map[string]any)
			ok, u := match(dims)
			if ok {
				return true, false
			}
			unsure = unsure || u
		}
	}
	return false, unsure
}

// identifies reports whether a dimension value names the resource r: its name as given or as AWS
// assigns it, or a placeholder or ARN that refers to it. unsure: the value is not known yet.
func identifies(e *mockengine.Engine, v any, r mockengine.Resource) (ok, unsure bool) {
	s, _ := v.(string)
	switch {
	case s == "":
		return false, false
	case s == mockengine.Unknown:
		return false, true
	case s == str(r, "name"), s == fmt.Sprint(r.Outputs["name"]):
		return true, false
	}
	for _, ref := range e.RefsOfType(s, r.Type) {
		if ref.Name == r.Name {
			return true, false
		}
	}
	return false, false
}

// stageOf reports whether the API has a stage of that name in this stack.
func stageOf(e *mockengine.Engine, api mockengine.Resource, stage string) bool {
	for _, s := range e.OfType(mockengine.TypeStage) {
		if refersTo(e, str(s, "restApi"), api) && str(s, "stageName") == stage {
			return true
		}
	}
	return false
}
