package infra

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/internal/policydoc"
)

// AlarmThresholds say when the alarms fire and who they mail (config alarms, whose defaults and
// limits the README's config table gives).
type AlarmThresholds struct {
	// API5xxRatePercent is the share of requests answered 5XX above which the API alarms (0: any).
	API5xxRatePercent float64
	// APILatencyP99Ms is the p99 of API Gateway's Latency above which the API alarms.
	APILatencyP99Ms int
	// FunctionDurationP99Percent is the share of a function's timeout its p99 duration may reach.
	FunctionDurationP99Percent int
	// An alarm fires when DatapointsToAlarm of the last EvaluationPeriods periods of PeriodSeconds breach.
	PeriodSeconds, EvaluationPeriods, DatapointsToAlarm int
	// Emails are subscribed to the alarm topic.
	Emails []string
}

// MonitoringArgs configures what tells an operator that something is wrong: the alarms, the topic
// they notify, the email subscriptions and the dashboard.
type MonitoringArgs struct {
	Region    string
	Partition Partition
	AccountID pulumi.StringInput
	// TopicName is the alarm topic's fixed name (alarmTopicName): the stack key's policy names it.
	TopicName string
	// KeyArn, when set, encrypts the topic with the stack's customer-managed key, whose policy lets
	// CloudWatch use it for this topic (TableArgs.AlarmTopicName). Nil leaves the topic unencrypted:
	// CloudWatch cannot publish to a topic under the AWS managed key alias/aws/sns, whose policy
	// nobody can change (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns).
	KeyArn pulumi.StringInput
	// Alarms are the thresholds, the evaluation periods and the addresses to subscribe.
	Alarms AlarmThresholds
	// API is the REST API and stage whose requests are watched.
	API MonitoredAPI
	// Functions are watched each against its own timeout.
	Functions []MonitoredFunction
	// Table is watched for throttles and errors on the operations the functions call.
	Table MonitoredTable
}

// MonitoredAPI names a REST API and its stage as CloudWatch's AWS/ApiGateway dimensions do: ApiName
// and Stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
type MonitoredAPI struct {
	Name  pulumi.StringInput
	Stage string
}

// MonitoredFunction is one function: Name is its name in the stack (claims), FunctionName what
// Lambda calls it (the FunctionName dimension).
type MonitoredFunction struct {
	Name           string
	FunctionName   pulumi.StringInput
	TimeoutSeconds int
}

// MonitoredTable is the table and the DynamoDB operations (GetItem, Query, ...) called on it: its
// ThrottledRequests and SystemErrors metrics exist per TableName and Operation only
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
type MonitoredTable struct {
	Name       pulumi.StringInput
	Operations []string
}

// Monitoring is the stack's alarms, the SNS topic they notify and its dashboard.
type Monitoring struct {
	pulumi.ResourceState

	// TopicArn is the topic every alarm notifies, on alarm and on recovery.
	TopicArn pulumi.StringOutput
	// DashboardName is the stack's CloudWatch dashboard.
	DashboardName pulumi.StringOutput
	// AlarmNames are the alarms' names, in the order they are registered.
	AlarmNames []string
}

func (a *MonitoringArgs) validate() error {
	switch {
	case a.Region == "" || a.AccountID == nil || a.TopicName == "":
		return errors.New("Monitoring: Region, AccountID and TopicName are required")
	case a.API.Name == nil || a.API.Stage == "":
		return errors.New("Monitoring: the API's name and stage are required")
	case len(a.Functions) == 0:
		return errors.New("Monitoring: no functions to watch")
	case a.Table.Name == nil || len(a.Table.Operations) == 0:
		return errors.New("Monitoring: the table and the operations called on it are required")
	case a.Alarms.PeriodSeconds < 60 || a.Alarms.PeriodSeconds%60 != 0 || a.Alarms.EvaluationPeriods < 1 ||
		a.Alarms.DatapointsToAlarm < 1 || a.Alarms.DatapointsToAlarm > a.Alarms.EvaluationPeriods:
		return fmt.Errorf("Monitoring: periods %+v are not what the config allows", a.Alarms)
	}
	for _, f := range a.Functions {
		if f.Name == "" || f.FunctionName == nil || f.TimeoutSeconds < 1 {
			return fmt.Errorf("Monitoring: function %q needs its name, its Lambda name and its timeout", f.Name)
		}
	}
	return a.Partition.validate()
}

// What CloudWatch does with an evaluation period that has no data
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data).
const (
	// missingIsZero: the metric is published only when something happens (Lambda Errors and
	// Throttles only for periods with invocations, API Gateway's 5XXError only with requests,
	// DynamoDB's ThrottledRequests and SystemErrors only when non-zero), so an empty period is
	// zero and an idle API stays OK instead of paging at night.
	missingIsZero = "notBreaching"
	// missingKeepsState: a percentile of no requests is no evidence either way, so an alarm keeps
	// its state; a slow API that goes quiet stays in ALARM until requests show it recovered.
	missingKeepsState = "ignore"
)

// alarm is one CloudWatch alarm before it is registered: one metric, or the sum of several.
type alarm struct {
	// key names the alarm in the stack ("api-5xx-rate") and ends its AWS name.
	key, description string
	// metric is the single metric watched; sum, when set, watches the sum of these instead.
	metric metric
	sum    []metric
	// stat is Sum, Average, ...; extended a percentile such as p99 (one of the two).
	stat, extended string
	comparison     string
	threshold      float64
	missing        string
}

// metric is one CloudWatch metric: namespace, name and dimensions.
type metric struct {
	namespace, name string
	dims            pulumi.StringMap
	// id names it in a metric-math alarm: a lowercase letter, then letters, digits and _.
	id string
}

// alarms are the stack's alarms: the API's 5XX rate and p99 latency; per function Errors, Throttles
// and p99 duration against its timeout; the table's throttled requests and system errors.
func (a *MonitoringArgs) alarms() []alarm {
	th := a.Alarms
	api := pulumi.StringMap{"ApiName": a.API.Name, "Stage": pulumi.String(a.API.Stage)}
	out := []alarm{
		// The Average of 5XXError is the share of requests answered 5XX: one metric (one billed
		// alarm metric) instead of the math 5XXError/Count over two.
		{key: "api-5xx-rate", stat: "Average", comparison: "GreaterThanThreshold", threshold: th.API5xxRatePercent / 100, missing: missingIsZero,
			metric:      metric{namespace: "AWS/ApiGateway", name: "5XXError", dims: api},
			description: fmt.Sprintf("More than %g%% of the API's requests answered 5XX. A function failed (see its errors alarm), was throttled, or the table refused a call.", th.API5xxRatePercent)},
		{key: "api-latency-p99", extended: "p99", comparison: "GreaterThanThreshold", threshold: float64(th.APILatencyP99Ms), missing: missingKeepsState,
			metric:      metric{namespace: "AWS/ApiGateway", name: "Latency", dims: api},
			description: fmt.Sprintf("The API's p99 latency is over %d ms: callers wait; compare IntegrationLatency and the functions' duration on the dashboard.", th.APILatencyP99Ms)},
	}
	for _, f := range a.Functions {
		fn := pulumi.StringMap{"FunctionName": f.FunctionName}
		limit := float64(f.TimeoutSeconds*1000*th.FunctionDurationP99Percent) / 100
		out = append(out,
			alarm{key: f.Name + "-errors", stat: "Sum", comparison: "GreaterThanThreshold", threshold: 0, missing: missingIsZero,
				metric:      metric{namespace: "AWS/Lambda", name: "Errors", dims: fn},
				description: fmt.Sprintf("Function %s failed (crashed, panicked or timed out): callers got 502. Its log group has the error.", f.Name)},
			alarm{key: f.Name + "-throttles", stat: "Sum", comparison: "GreaterThanThreshold", threshold: 0, missing: missingIsZero,
				metric:      metric{namespace: "AWS/Lambda", name: "Throttles", dims: fn},
				description: fmt.Sprintf("Lambda throttled function %s: behind a proxy integration callers got 500. Raise its concurrency or the API's method throttles.", f.Name)},
			alarm{key: f.Name + "-duration-p99", extended: "p99", comparison: "GreaterThanOrEqualToThreshold", threshold: limit, missing: missingKeepsState,
				metric: metric{namespace: "AWS/Lambda", name: "Duration", dims: fn},
				description: fmt.Sprintf("Function %s's p99 duration reached %g ms, %d%% of its %d s timeout: requests are about to time out.",
					f.Name, limit, th.FunctionDurationP99Percent, f.TimeoutSeconds)},
		)
	}
	// ThrottledRequests counts a request once however many of its items were throttled (what a
	// caller sees), and SystemErrors exists per operation only. The table-wide ReadThrottleEvents and
	// WriteThrottleEvents need no Operation but count events (a batch counts several) and have no
	// errors counterpart, so both alarms sum the operations the functions call, one billed metric each.
	for _, m := range []struct{ key, name, what string }{
		{"table-throttled-requests", "ThrottledRequests", "throttled requests (callers got 503)"},
		{"table-system-errors", "SystemErrors", "failed with an internal error (callers got 5XX)"},
	} {
		out = append(out, alarm{key: m.key, stat: "Sum", comparison: "GreaterThanThreshold", threshold: 0, missing: missingIsZero,
			sum:         a.perOperation(m.name),
			description: fmt.Sprintf("DynamoDB %s on the table, summed over %s.", m.what, strings.Join(a.Table.Operations, ", "))})
	}
	return out
}

// perOperation is a DynamoDB table metric once per operation the functions call.
func (a *MonitoringArgs) perOperation(name string) []metric {
	out := make([]metric, len(a.Table.Operations))
	for i, op := range a.Table.Operations {
		out[i] = metric{namespace: "AWS/DynamoDB", name: name, id: strings.ToLower(op),
			dims: pulumi.StringMap{"TableName": a.Table.Name, "Operation": pulumi.String(op)}}
	}
	return out
}

// NewMonitoring registers the topic (with its policy and subscriptions), the alarms and the dashboard.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Monitoring{}
	if err := ctx.RegisterComponentResource(typeToken("Monitoring"), name, c, opts...); err != nil {
		return nil, err
	}
	opt := pulumi.Parent(c)
	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		Name:           pulumi.String(args.TopicName),
		KmsMasterKeyId: args.KeyArn,
		Tags:           tags(ctx, name+"-topic"),
	}, opt)
	if err != nil {
		return nil, err
	}
	specs := args.alarms()
	for _, s := range specs {
		c.AlarmNames = append(c.AlarmNames, alarmName(ctx, s.key))
	}
	if _, err := sns.NewTopicPolicy(ctx, name+"-topic-policy", &sns.TopicPolicyArgs{
		Arn: topic.Arn,
		Policy: policydoc.Render(func(v []string) policydoc.Document {
			return alarmTopicPolicy(args.Partition, v[0], v[1], args.Region, c.AlarmNames)
		}, topic.Arn, args.AccountID),
	}, opt); err != nil {
		return nil, err
	}
	for _, addr := range args.Alarms.Emails {
		// Named by address, so reordering the list replaces nothing. AWS mails a confirmation link;
		// until it is followed the subscription is pending and receives nothing.
		if _, err := sns.NewTopicSubscription(ctx, name+"-email-"+addr, &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(addr),
		}, opt); err != nil {
			return nil, err
		}
	}
	actions := pulumi.Array{topic.Arn}
	for i, s := range specs {
		if err := c.registerAlarm(ctx, name, c.AlarmNames[i], s, args.Alarms, actions); err != nil {
			return nil, err
		}
	}
	dashboard, err := cloudwatch.NewDashboard(ctx, name+"-dashboard", &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(stackDashboardName(ctx)),
		DashboardBody: args.dashboardBody(),
	}, opt)
	if err != nil {
		return nil, err
	}
	c.TopicArn = topic.Arn
	c.DashboardName = dashboard.DashboardName
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"topicArn": c.TopicArn, "dashboardName": c.DashboardName}); err != nil {
		return nil, err
	}
	return c, nil
}

// registerAlarm registers one alarm that notifies the topic when it fires and when it recovers.
func (c *Monitoring) registerAlarm(ctx *pulumi.Context, component, alarmName string, s alarm, th AlarmThresholds, actions pulumi.Array) error {
	args := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(alarmName),
		AlarmDescription:   pulumi.String(s.description),
		ComparisonOperator: pulumi.String(s.comparison),
		Threshold:          pulumi.Float64(s.threshold),
		EvaluationPeriods:  pulumi.Int(th.EvaluationPeriods),
		DatapointsToAlarm:  pulumi.Int(th.DatapointsToAlarm),
		TreatMissingData:   pulumi.String(s.missing),
		ActionsEnabled:     pulumi.Bool(true),
		AlarmActions:       actions,
		OkActions:          actions,
		Tags:               tags(ctx, component+"-"+s.key),
	}
	switch {
	case len(s.sum) > 0:
		ids := make([]string, len(s.sum))
		var queries cloudwatch.MetricAlarmMetricQueryArray
		for i, m := range s.sum {
			ids[i] = m.id
			queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String(m.id),
				Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace: pulumi.String(m.namespace), MetricName: pulumi.String(m.name), Dimensions: m.dims,
					Period: pulumi.Int(th.PeriodSeconds), Stat: pulumi.String(s.stat),
				},
				ReturnData: pulumi.Bool(false),
			})
		}
		args.MetricQueries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String("total"),
			Expression: pulumi.String("SUM([" + strings.Join(ids, ", ") + "])"),
			Label:      pulumi.String(s.sum[0].name + " on " + strings.Join(ids, ", ")),
			ReturnData: pulumi.Bool(true),
		})
	default:
		args.Namespace = pulumi.String(s.metric.namespace)
		args.MetricName = pulumi.String(s.metric.name)
		args.Dimensions = s.metric.dims
		args.Period = pulumi.Int(th.PeriodSeconds)
		if s.extended != "" {
			args.ExtendedStatistic = pulumi.String(s.extended)
			// The API serves a few internal callers: ignoring periods with few samples would
			// silence the percentile alarms at the traffic they see; M out of N absorbs one slow request.
			args.EvaluateLowSampleCountPercentiles = pulumi.String("evaluate")
		} else {
			args.Statistic = pulumi.String(s.stat)
		}
	}
	_, err := cloudwatch.NewMetricAlarm(ctx, component+"-"+s.key, args, pulumi.Parent(c))
	return err
}

// alarmTopicPolicy admits CloudWatch to publish to the topic only for this stack's alarms, named by
// ARN (aws:SourceArn), in this account (aws:SourceAccount), as "Why didn't I receive an SNS
// notification for my CloudWatch alarm trigger?" shows
// (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger). The account's own
// principals need no statement: same-account access follows their IAM policies.
func alarmTopicPolicy(partition Partition, topicArn, accountID, region string, alarmNames []string) policydoc.Document {
	arns := make([]string, len(alarmNames))
	for i, n := range alarmNames {
		arns[i] = partition.ARN("cloudwatch", region, accountID, "alarm:"+n)
	}
	return policydoc.New(policydoc.Statement{
		Sid: "ThisStacksAlarmsPublish", Effect: "Allow",
		Principal: &policydoc.Principal{Service: []string{partition.ServicePrincipal("cloudwatch")}},
		Action:    []string{"sns:Publish"},
		Resource:  []string{topicArn},
		Condition: policydoc.Condition{
			"StringEquals": {"aws:SourceAccount": {accountID}},
			"ArnLike":      {"aws:SourceArn": arns},
		},
	})
}

// dashboardBody is the dashboard's JSON, built from the same API, functions and table as the
// alarms (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
func (a *MonitoringArgs) dashboardBody() pulumi.StringOutput {
	inputs := []any{a.API.Name, a.Table.Name}
	for _, f := range a.Functions {
		inputs = append(inputs, f.FunctionName)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		names := make([]string, len(v))
		for i, x := range v {
			names[i] = fmt.Sprint(x)
		}
		b, err := json.Marshal(a.dashboard(names[0], names[1], names[2:]))
		return string(b), err
	}).(pulumi.StringOutput)
}

// dashboard lays out the widgets, two per row: the API's requests, errors and latency, the
// functions' duration, errors, throttles and concurrency, the table's throttles and capacity.
func (a *MonitoringArgs) dashboard(apiName, tableName string, functionNames []string) dashboard {
	api := []string{"ApiName", apiName, "Stage", a.API.Stage}
	apiMetric := func(name, stat string) widgetMetric { return widgetMetric{"AWS/ApiGateway", name, api, stat} }
	perFunction := func(name, stat string) []widgetMetric {
		out := make([]widgetMetric, len(functionNames))
		for i, fn := range functionNames {
			out[i] = widgetMetric{"AWS/Lambda", name, []string{"FunctionName", fn}, stat}
		}
		return out
	}
	perOperation := func(name string) []widgetMetric {
		out := make([]widgetMetric, len(a.Table.Operations))
		for i, op := range a.Table.Operations {
			out[i] = widgetMetric{"AWS/DynamoDB", name, []string{"TableName", tableName, "Operation", op}, "Sum"}
		}
		return out
	}
	table := func(name string) widgetMetric {
		return widgetMetric{"AWS/DynamoDB", name, []string{"TableName", tableName}, "Sum"}
	}
	var durations []widgetMetric
	for _, stat := range []string{"p50", "p99"} {
		durations = append(durations, perFunction("Duration", stat)...)
	}
	graphs := []struct {
		title   string
		metrics []widgetMetric
	}{
		{"API requests", []widgetMetric{apiMetric("Count", "Sum")}},
		{"API 4XX and 5XX", []widgetMetric{apiMetric("4XXError", "Sum"), apiMetric("5XXError", "Sum")}},
		{"API latency p50 and p99 (ms)", []widgetMetric{apiMetric("Latency", "p50"), apiMetric("Latency", "p99"), apiMetric("IntegrationLatency", "p99")}},
		{"Function duration p50 and p99 (ms)", durations},
		{"Function errors", perFunction("Errors", "Sum")},
		{"Function throttles", perFunction("Throttles", "Sum")},
		{"Function concurrency", perFunction("ConcurrentExecutions", "Maximum")},
		{"Table throttled requests and system errors", append(perOperation("ThrottledRequests"), perOperation("SystemErrors")...)},
		{"Table consumed capacity", []widgetMetric{table("ConsumedReadCapacityUnits"), table("ConsumedWriteCapacityUnits")}},
	}
	d := dashboard{Widgets: make([]widget, len(graphs))}
	for i, g := range graphs {
		metrics := make([][]any, len(g.metrics))
		for j, m := range g.metrics {
			metrics[j] = m.row()
		}
		d.Widgets[i] = widget{Type: "metric", X: (i % 2) * 12, Y: (i / 2) * 6, Width: 12, Height: 6, Properties: widgetProperties{
			Title: g.title, Region: a.Region, View: "timeSeries", Period: a.Alarms.PeriodSeconds, Metrics: metrics,
		}}
	}
	return d
}

// dashboard, widget and widgetProperties are the parts of the dashboard body the stack uses.
type dashboard struct {
	Widgets []widget `json:"widgets"`
}

type widget struct {
	Type       string           `json:"type"`
	X          int              `json:"x"`
	Y          int              `json:"y"`
	Width      int              `json:"width"`
	Height     int              `json:"height"`
	Properties widgetProperties `json:"properties"`
}

type widgetProperties struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	View    string  `json:"view"`
	Period  int     `json:"period"`
	Metrics [][]any `json:"metrics"`
}

// widgetMetric is one line of a graph: namespace, metric name, dimension name-value pairs, statistic.
type widgetMetric struct {
	namespace, name string
	dims            []string
	stat            string
}

// row is the metric's array form in a widget: [namespace, name, dim1, value1, ..., {"stat": ...}].
func (m widgetMetric) row() []any {
	row := []any{m.namespace, m.name}
	for _, d := range m.dims {
		row = append(row, d)
	}
	return append(row, map[string]string{"stat": m.stat})
}
