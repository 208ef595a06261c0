package cost_test

import (
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/example/private-api/stack/offline"

	"github.com/example/private-api/internal/cost"
	m "github.com/example/private-api/internal/mockengine"
)

func TestPriceTable(t *testing.T) {
	raw, err := os.ReadFile("prices.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Regions map[string]map[string]cost.Price `json:"regions"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	var keys map[string]bool
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		prices, ok := file.Regions[region]
		if !ok {
			t.Fatalf("prices.json has no %s", region)
		}
		got := map[string]bool{}
		for name, p := range prices {
			got[name] = true
			if p.USD <= 0 || !strings.HasPrefix(p.Source, "https://aws.amazon.com/") || !date.MatchString(p.Checked) || p.Unit == "" {
				t.Errorf("%s %s: every price needs usd > 0, a unit, an aws.amazon.com source and a checked date: %+v", region, name, p)
			}
		}
		if keys != nil && len(keys) != len(got) {
			t.Errorf("%s prices %d items, another region %d: regions must price the same things", region, len(got), len(keys))
		}
		keys = got
	}
	// A region without recorded prices is priced with a named region's, never refused.
	p, err := cost.ForRegion("ap-southeast-2")
	if err != nil || p.Region != "ap-southeast-2" || p.PricedFrom != "eu-west-1" {
		t.Fatalf("ap-southeast-2: %+v, %v; want eu-west-1's prices standing in", p, err)
	}
	if _, ok := p.Get("interfaceEndpointHour"); !ok {
		t.Errorf("stand-in prices lack %s", "interfaceEndpointHour")
	}
	est := cost.Of(m.FromResources("p", "s", "ap-southeast-2", nil), p)
	if w := est.Where(); !strings.Contains(w, "ap-southeast-2") || !strings.Contains(w, "ESTIMATED with eu-west-1's prices") {
		t.Errorf("estimate labelled %q, want the region and the stand-in named", w)
	}
	if own, _ := cost.ForRegion("eu-west-1"); own.PricedFrom != "" || cost.Of(m.FromResources("p", "s", "eu-west-1", nil), own).Where() != "eu-west-1" {
		t.Errorf("a recorded region must use its own prices: %+v", own)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

func TestIdleCostPerResource(t *testing.T) {
	p, err := cost.ForRegion("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	two := []any{"${s1.id}", "${s2.id}"}
	e := m.FromResources("p", "s", "eu-west-1", []m.Resource{
		{Type: m.TypeVpcEndpoint, Name: "vpce", Inputs: map[string]any{"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.eu-west-1.execute-api", "subnetIds": two}},
		{Type: m.TypeVpcEndpoint, Name: "gw", Inputs: map[string]any{"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.eu-west-1.dynamodb"}},
		{Type: m.TypeResolverEndpoint, Name: "in", Inputs: map[string]any{"direction": "INBOUND", "ipAddresses": []any{map[string]any{}, map[string]any{}, map[string]any{}}}},
		{Type: m.TypeZone, Name: "zone", Inputs: map[string]any{}},
		{Type: m.TypeKMSKey, Name: "key", Inputs: map[string]any{}},
		{Type: m.TypeInstance, Name: "vm", Inputs: map[string]any{"instanceType": "t4g.nano"}},
		{Type: m.TypeInstance, Name: "big", Inputs: map[string]any{"instanceType": "x9g.huge", "rootBlockDevice": map[string]any{"volumeSize": 20.0}}},
		{Type: m.TypeMetricAlarm, Name: "p99", Inputs: map[string]any{"metricName": "Latency", "extendedStatistic": "p99", "period": 60.0}},
		{Type: m.TypeMetricAlarm, Name: "sum", Inputs: map[string]any{"metricQueries": []any{
			map[string]any{"id": "a", "metric": map[string]any{"metricName": "ThrottledRequests"}},
			map[string]any{"id": "b", "metric": map[string]any{"metricName": "ThrottledRequests"}},
			map[string]any{"id": "total", "expression": "SUM([a, b])"},
		}}},
		{Type: m.TypeMetricAlarm, Name: "fast", Inputs: map[string]any{"metricName": "Errors", "period": 10.0}},
		{Type: m.TypeDashboard, Name: "board", Inputs: map[string]any{}},
		{Type: m.TypeSNSTopic, Name: "topic", Inputs: map[string]any{}},
		{Type: m.TypeSNSSubscription, Name: "mail", Inputs: map[string]any{"protocol": "email"}},
	})
	est := cost.Of(e, p)
	want := map[string]float64{
		"vpce": 2 * 730 * 0.011,   // per AZ-hour
		"in":   3 * 730 * 0.125,   // per IP-hour
		"zone": 0.50, "key": 1.00, // per month
		"vm":  730*0.0046 + 8*0.088,  // instance + default 8 GB root volume
		"big": 20 * 0.088,            // unknown type: no price, its volume still priced
		"p99": 0.10, "sum": 2 * 0.10, // per alarm metric: a percentile is standard, math counts each metric
		"fast":  0.30, // a 10 s period makes a high-resolution alarm
		"board": 3.00, "mail": 30 * 0.00002,
	}
	got := map[string]float64{}
	for _, l := range est.Idle {
		got[l.Resource] += l.USD
	}
	for name, usd := range want {
		if !near(got[name], usd) {
			t.Errorf("%s: $%.4f, want $%.4f", name, got[name], usd)
		}
	}
	for _, free := range []string{"gw", "topic"} {
		if _, priced := got[free]; priced {
			t.Errorf("%s costs nothing idle and must not appear", free)
		}
	}
	if want := 0.10 + 0.20 + 0.30 + 3.00 + 30*0.00002; !near(est.Monitoring(), want) {
		t.Errorf("monitoring $%.4f, want $%.4f", est.Monitoring(), want)
	}
	if len(est.Missing) != 1 || !strings.Contains(est.Missing[0], "ec2:x9g.huge") {
		t.Errorf("missing prices %v, want the unknown instance type named", est.Missing)
	}
}

// TestDNSModes prices the dev stack in each mode: resolver endpoints dominate, privateZone is a
// hosted zone, endpointAlias creates nothing.
func TestDNSModes(t *testing.T) {
	runs := map[string]*m.Engine{}
	for _, mode := range offline.DNSModes {
		e, err := offline.Load("../..", "dev", mode)
		if err != nil {
			t.Fatal(err)
		}
		runs[mode] = e
	}
	p, err := cost.ForRegion(runs[offline.DNSModes[0]].Region())
	if err != nil {
		t.Fatal(err)
	}
	got := cost.CompareDNS(p, runs, offline.DNSModes)
	byMode := map[string]cost.DNSMode{}
	for _, g := range got {
		byMode[g.Mode] = g
	}
	resolver, zone, alias := byMode["resolver"], byMode["privateZone"], byMode["endpointAlias"]
	// dev: 2 AZs, so 2 IPs per endpoint, inbound and outbound.
	if !near(resolver.DNSIdle, 4*730*0.125) || !near(resolver.PerMillionQueries, 0.80) {
		t.Errorf("resolver: %+v, want 4 IPs × 730 h × $0.125 and $0.40 at each of 2 endpoints per million queries", resolver)
	}
	if !near(zone.DNSIdle, 0.50) || alias.DNSIdle != 0 {
		t.Errorf("privateZone %+v, endpointAlias %+v: want $0.50 and $0", zone, alias)
	}
	if !near(resolver.StackIdle-alias.StackIdle, resolver.DNSIdle) {
		t.Errorf("the modes must differ only by their DNS resources: %+v vs %+v", resolver, alias)
	}
}

// TestMonitoringCost prices the committed stacks' alarms and dashboard: 13 alarms on 19 metrics
// (the API's 2, 3 per function, and the table's 2 summing 4 operations each) and one dashboard.
func TestMonitoringCost(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		e, err := offline.Load("../..", stack, "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := cost.ForRegion(e.Region())
		if err != nil {
			t.Fatal(err)
		}
		var metrics float64
		for _, a := range e.OfType(m.TypeMetricAlarm) {
			metrics += cost.AlarmMetrics(a)
		}
		if n := len(e.OfType(m.TypeMetricAlarm)); n != 13 || metrics != 19 {
			t.Errorf("%s: %d alarms on %g metrics, want 13 on 19", stack, n, metrics)
		}
		if got := cost.Of(e, p).Monitoring(); !near(got, 19*0.10+3.00) {
			t.Errorf("%s: monitoring $%.2f a month, want $%.2f", stack, got, 19*0.10+3.00)
		}
	}
}

func TestPerMillionFollowsTheStack(t *testing.T) {
	e, err := offline.Load("../..", "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := cost.ForRegion(e.Region())
	if err != nil {
		t.Fatal(err)
	}
	est := cost.Of(e, p)
	if len(est.Missing) > 0 {
		t.Errorf("prod uses prices the table lacks: %v", est.Missing)
	}
	items := map[string]float64{}
	for _, l := range est.PerMillion {
		items[l.PriceName] = l.USD
	}
	// prod functions have 512 MB: 1M × 0.5 GB × 0.05 s = 25,000 GB-s.
	if !near(items["lambdaArmGBSecond"], 25000*0.0000133334) || !near(items["apiGatewayRestMillion"], 3.50) {
		t.Errorf("per-million lines %v", items)
	}
	if len(est.Assumptions) == 0 {
		t.Error("a per-request estimate must state its assumptions")
	}
}
