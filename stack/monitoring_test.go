package stack

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/functionbuild"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
	"github.com/example/private-api/internal/policydoc"
)

const (
	tAlarm        = mockengine.TypeMetricAlarm
	tTopic        = mockengine.TypeSNSTopic
	tTopicPolicy  = mockengine.TypeSNSTopicPolicy
	tSubscription = mockengine.TypeSNSSubscription
	tDashboard    = mockengine.TypeDashboard
)

// TestMonitoring is the specification of the alarms, their topic and the dashboard on both
// committed stacks.
func TestMonitoring(t *testing.T) {
	for _, stack := range []string{devStack, prodStack} {
		t.Run(stack, func(t *testing.T) {
			e := runProgram(t, spec.StackConfig(t, projectRoot, stack))
			alarms := e.OfType(tAlarm)
			topic := spec.Named(t, e, tTopic, "monitoring-topic")
			topicArn := fmt.Sprint(topic.Outputs["arn"])

			t.Run("thirteen_alarms_two_on_the_API_three_per_function_two_on_the_table", func(t *testing.T) {
				want := []string{"api-5xx-rate", "api-latency-p99", "table-throttled-requests", "table-system-errors"}
				for _, fn := range functionbuild.Functions {
					want = append(want, fn+"-errors", fn+"-throttles", fn+"-duration-p99")
				}
				var got []string
				for _, a := range alarms {
					got = append(got, strings.TrimPrefix(a.Name, "monitoring-"))
				}
				slices.Sort(got)
				slices.Sort(want)
				if len(alarms) != 13 || !slices.Equal(got, want) {
					t.Errorf("alarms %v, want %v (13)", got, want)
				}
			})
			t.Run("every_alarm_notifies_the_topic_when_it_fires_and_when_it_recovers", func(t *testing.T) {
				for _, a := range alarms {
					for _, key := range []string{"alarmActions", "okActions"} {
						if got := spec.List(a.Inputs, key); len(got) != 1 || got[0] != topicArn {
							t.Errorf("%s %s %v, want [%s]", a.Name, key, got, topicArn)
						}
					}
					if a.Inputs["actionsEnabled"] != true || len(spec.List(a.Inputs, "insufficientDataActions")) != 0 {
						t.Errorf("%s: actionsEnabled %v, insufficientDataActions %v", a.Name, a.Inputs["actionsEnabled"], a.Inputs["insufficientDataActions"])
					}
				}
			})
			t.Run("missing_data_is_zero_for_counts_and_no_evidence_for_percentiles", func(t *testing.T) {
				for _, a := range alarms {
					want := "notBreaching"
					if spec.Str(a.Inputs, "extendedStatistic") != "" {
						want = "ignore"
					}
					if got := spec.Str(a.Inputs, "treatMissingData"); got != want {
						t.Errorf("%s treatMissingData %q, want %q", a.Name, got, want)
					}
				}
			})
			t.Run("alarm_names_are_the_stack's_and_fit_CloudWatch", func(t *testing.T) {
				for _, a := range alarms {
					name := spec.Str(a.Inputs, "name")
					if !strings.HasPrefix(name, "private-api-test-") || len(name) > 255 || len(spec.Str(a.Inputs, "alarmDescription")) > 1024 {
						t.Errorf("%s: name %q (%d), description %d characters", a.Name, name, len(name), len(spec.Str(a.Inputs, "alarmDescription")))
					}
				}
			})
			t.Run("API_alarms_name_the_API_and_its_stage", func(t *testing.T) {
				api := e.OfType(mockengine.TypeRestAPI)[0]
				wantDims := map[string]any{"ApiName": api.Outputs["name"], "Stage": "v1"}
				rate := spec.Named(t, e, tAlarm, "monitoring-api-5xx-rate")
				latency := spec.Named(t, e, tAlarm, "monitoring-api-latency-p99")
				for _, a := range []mockengine.Resource{rate, latency} {
					if spec.Str(a.Inputs, "namespace") != "AWS/ApiGateway" || fmt.Sprint(spec.Obj(a.Inputs, "dimensions")) != fmt.Sprint(wantDims) {
						t.Errorf("%s: %s %v, want AWS/ApiGateway %v", a.Name, spec.Str(a.Inputs, "namespace"), a.Inputs["dimensions"], wantDims)
					}
				}
				// The Average of 5XXError is the share of requests answered 5XX: dev waits for 5%,
				// prod keeps the default 1%; prod pages at a p99 of 2 s, dev at the default 5 s.
				rateWant, latencyWant := map[string]float64{devStack: 0.05, prodStack: 0.01}[stack], map[string]float64{devStack: 5000, prodStack: 2000}[stack]
				if spec.Str(rate.Inputs, "metricName") != "5XXError" || spec.Str(rate.Inputs, "statistic") != "Average" || spec.Num(rate.Inputs, "threshold") != rateWant {
					t.Errorf("5XX alarm %v, want the Average of 5XXError over %g", rate.Inputs, rateWant)
				}
				if spec.Str(latency.Inputs, "metricName") != "Latency" || spec.Str(latency.Inputs, "extendedStatistic") != "p99" || spec.Num(latency.Inputs, "threshold") != latencyWant {
					t.Errorf("latency alarm %v, want p99 Latency over %g", latency.Inputs, latencyWant)
				}
			})
			t.Run("function_alarms_name_the_function_and_its_timeout", func(t *testing.T) {
				for _, fnRes := range e.OfType("aws:lambda/function:Function") {
					fn := spec.Str(fnRes.Inputs, "name")
					for metric, stat := range map[string]string{"errors": "Errors", "throttles": "Throttles", "duration-p99": "Duration"} {
						a := spec.Named(t, e, tAlarm, "monitoring-"+fnRes.Name+"-"+metric)
						if spec.Str(a.Inputs, "namespace") != "AWS/Lambda" || spec.Str(a.Inputs, "metricName") != stat || spec.Str(spec.Obj(a.Inputs, "dimensions"), "FunctionName") != fn {
							t.Errorf("%s watches %s %s %v, want AWS/Lambda %s of %s", a.Name, spec.Str(a.Inputs, "namespace"), spec.Str(a.Inputs, "metricName"), a.Inputs["dimensions"], stat, fn)
						}
					}
					// The p99 may reach 80% of the function's timeout.
					duration := spec.Named(t, e, tAlarm, "monitoring-"+fnRes.Name+"-duration-p99")
					if want := spec.Num(fnRes.Inputs, "timeout") * 1000 * 0.8; spec.Num(duration.Inputs, "threshold") != want {
						t.Errorf("%s threshold %g, want %g", duration.Name, spec.Num(duration.Inputs, "threshold"), want)
					}
				}
			})
			t.Run("table_alarms_sum_every_operation_the_functions_call", func(t *testing.T) {
				table := e.OfType("aws:dynamodb/table:Table")[0]
				for _, name := range []string{"monitoring-table-throttled-requests", "monitoring-table-system-errors"} {
					a := spec.Named(t, e, tAlarm, name)
					var ops, ids []string
					for _, q := range spec.List(a.Inputs, "metricQueries") {
						m := q.(map[string]any)
						if spec.Str(m, "expression") != "" {
							if m["returnData"] != true || !strings.HasPrefix(spec.Str(m, "expression"), "SUM([") {
								t.Errorf("%s: expression %v", name, m)
							}
							continue
						}
						metric := spec.Obj(m, "metric")
						dims := spec.Obj(metric, "dimensions")
						if spec.Str(metric, "namespace") != "AWS/DynamoDB" || spec.Str(dims, "TableName") != table.Outputs["name"] || m["returnData"] != false {
							t.Errorf("%s: query %v is not the table's", name, m)
						}
						ops = append(ops, spec.Str(dims, "Operation"))
						ids = append(ids, spec.Str(m, "id"))
					}
					if want := []string{"GetItem", "PutItem", "Query", "UpdateItem"}; !slices.Equal(ops, want) {
						t.Errorf("%s sums operations %v, want %v", name, ops, want)
					}
				}
			})
			t.Run("topic_admits_only_this_stack's_alarms_of_this_account", func(t *testing.T) {
				p := spec.Policy(t, spec.Named(t, e, tTopicPolicy, "monitoring-topic-policy"), "policy")
				if len(p.Statement) != 1 {
					t.Fatalf("topic policy has %d statements, want 1", len(p.Statement))
				}
				s := p.Statement[0]
				var wantArns []string
				for _, a := range alarms {
					wantArns = append(wantArns, "arn:aws:cloudwatch:eu-west-1:"+mockengine.Account+":alarm:"+spec.Str(a.Inputs, "name"))
				}
				gotArns := slices.Clone(s.Condition["ArnLike"]["aws:SourceArn"])
				slices.Sort(gotArns)
				slices.Sort(wantArns)
				if s.Effect != "Allow" || s.Principal == nil || s.Principal.All || len(s.Principal.AWS) != 0 ||
					!slices.Equal(s.Principal.Service, []string{"cloudwatch.amazonaws.com"}) || !slices.Equal(s.Action, []string{"sns:Publish"}) ||
					!slices.Equal(s.Resource, []string{topicArn}) {
					t.Errorf("statement %+v, want cloudwatch.amazonaws.com allowed sns:Publish on the topic only", s)
				}
				if !slices.Equal(s.Condition["StringEquals"]["aws:SourceAccount"], []string{mockengine.Account}) || !slices.Equal(gotArns, wantArns) {
					t.Errorf("conditions %v, want this account and exactly the stack's %d alarm ARNs", s.Condition, len(wantArns))
				}
			})
			t.Run("no_email_subscription_unless_configured", func(t *testing.T) {
				if n := len(e.OfType(tSubscription)); n != 0 {
					t.Errorf("%d subscriptions", n)
				}
			})
			t.Run("dashboard_shows_the_API_functions_and_table", func(t *testing.T) {
				d := spec.Named(t, e, tDashboard, "monitoring-dashboard")
				if spec.Str(d.Inputs, "dashboardName") != "private-api-test-operations" {
					t.Errorf("dashboard name %q", spec.Str(d.Inputs, "dashboardName"))
				}
				var body struct{ Widgets []any }
				if err := json.Unmarshal([]byte(spec.Str(d.Inputs, "dashboardBody")), &body); err != nil {
					t.Fatalf("dashboard body: %v", err)
				}
				text := spec.Str(d.Inputs, "dashboardBody")
				for _, want := range []string{`"Count"`, `"4XXError"`, `"5XXError"`, `"p50"`, `"p99"`, `"Duration"`, `"Errors"`, `"Throttles"`,
					`"ConcurrentExecutions"`, `"ThrottledRequests"`, `"ConsumedReadCapacityUnits"`, `"ConsumedWriteCapacityUnits"`} {
					if !strings.Contains(text, want) {
						t.Errorf("dashboard shows no %s", want)
					}
				}
				for _, fn := range e.OfType("aws:lambda/function:Function") {
					if !strings.Contains(text, `"FunctionName","`+spec.Str(fn.Inputs, "name")+`"`) {
						t.Errorf("dashboard does not show function %s", fn.Name)
					}
				}
				if len(body.Widgets) != 9 {
					t.Errorf("%d widgets, want 9", len(body.Widgets))
				}
			})
		})
	}
}

// TestAlarmTopicEncryption: under a customer-managed key the topic is encrypted with it and the key
// lets CloudWatch use it for that topic only; without one the topic is not encrypted (CloudWatch
// cannot publish to a topic under alias/aws/sns) and the key does not exist.
func TestAlarmTopicEncryption(t *testing.T) {
	prod := runProgram(t, spec.StackConfig(t, projectRoot, prodStack))
	topic := spec.Named(t, prod, tTopic, "monitoring-topic")
	key := spec.Named(t, prod, "aws:kms/key:Key", "data-key")
	if got := spec.Str(topic.Inputs, "kmsMasterKeyId"); got != key.Outputs["arn"] {
		t.Errorf("prod topic key %q, want the stack key %v", got, key.Outputs["arn"])
	}
	var found *policydoc.Statement
	doc := spec.Policy(t, key, "policy")
	for i, s := range doc.Statement {
		if s.Principal != nil && slices.Contains(s.Principal.Service, "cloudwatch.amazonaws.com") {
			found = &doc.Statement[i]
		}
	}
	wantTopic := "arn:aws:sns:eu-west-1:" + mockengine.Account + ":" + spec.Str(topic.Inputs, "name")
	if found == nil || !slices.Equal(found.Action, []string{"kms:Decrypt", "kms:GenerateDataKey*"}) ||
		!slices.Equal(found.Condition["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"], []string{wantTopic}) {
		t.Errorf("key statement for CloudWatch %+v, want kms:Decrypt and kms:GenerateDataKey* for %s only", found, wantTopic)
	}

	dev := runProgram(t, spec.StackConfig(t, projectRoot, devStack))
	if got, ok := spec.Named(t, dev, tTopic, "monitoring-topic").Inputs["kmsMasterKeyId"]; ok && got != "" {
		t.Errorf("dev topic key %v, want none (no customer-managed key)", got)
	}
}

// TestAlarmEmails: each configured address gets its own email subscription to the topic.
func TestAlarmEmails(t *testing.T) {
	emails := []string{"oncall@example.com", "team-api@example.org"}
	e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "alarms", map[string]any{"emails": emails}))
	topicArn := fmt.Sprint(spec.Named(t, e, tTopic, "monitoring-topic").Outputs["arn"])
	subs := e.OfType(tSubscription)
	var got []string
	for _, s := range subs {
		if spec.Str(s.Inputs, "protocol") != "email" || spec.Str(s.Inputs, "topic") != topicArn {
			t.Errorf("%s: protocol %q topic %q, want email to %s", s.Name, spec.Str(s.Inputs, "protocol"), spec.Str(s.Inputs, "topic"), topicArn)
		}
		got = append(got, spec.Str(s.Inputs, "endpoint"))
	}
	slices.Sort(got)
	if !slices.Equal(got, emails) {
		t.Errorf("subscribed %v, want %v", got, emails)
	}
}

// TestAlarmThresholdsFollowConfig: the stack's thresholds and periods reach every alarm.
func TestAlarmThresholdsFollowConfig(t *testing.T) {
	e := runProgram(t, spec.WithKey(t, spec.StackConfig(t, projectRoot, devStack), "alarms", map[string]any{
		"api5xxRatePercent": 0, "apiLatencyP99Ms": 2000, "functionDurationP99Percent": 50,
		"periodSeconds": 300, "evaluationPeriods": 3, "datapointsToAlarm": 2,
	}))
	for name, want := range map[string]float64{"monitoring-api-5xx-rate": 0, "monitoring-api-latency-p99": 2000, "monitoring-claims-duration-p99": 5000} {
		if got := spec.Num(spec.Named(t, e, tAlarm, name).Inputs, "threshold"); got != want {
			t.Errorf("%s threshold %g, want %g", name, got, want)
		}
	}
	for _, a := range e.OfType(tAlarm) {
		period := spec.Num(a.Inputs, "period")
		for _, q := range spec.List(a.Inputs, "metricQueries") {
			if m := spec.Obj(q.(map[string]any), "metric"); m != nil {
				period = spec.Num(m, "period")
			}
		}
		if period != 300 || spec.Num(a.Inputs, "evaluationPeriods") != 3 || spec.Num(a.Inputs, "datapointsToAlarm") != 2 {
			t.Errorf("%s: period %g, %g of %g periods; want 300 s, 2 of 3", a.Name, period, spec.Num(a.Inputs, "datapointsToAlarm"), spec.Num(a.Inputs, "evaluationPeriods"))
		}
	}
}
