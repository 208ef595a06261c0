// Package cost estimates what a recorded stack costs per month: the idle cost of what exists
// whether or not anyone calls the API, and the cost per million requests. Prices come from
// prices.json (embedded), one entry per price with its source page and date, so a reviewer can
// check any figure and a price change is a one-line data edit.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/example/private-api/internal/mockengine"
)

//go:embed prices.json
var pricesJSON []byte

// Price is one list price.
type Price struct {
	USD      float64 `json:"usd"`
	Unit     string  `json:"unit"`
	Source   string  `json:"source"`
	Checked  string  `json:"checked"`
	Verified bool    `json:"verified"`
	Note     string  `json:"note,omitempty"`
}

// Prices is the price table of one region.
type Prices struct {
	Region string
	// PricedFrom is the region whose prices stand in when none are recorded for Region ("" when
	// Region's own prices are used).
	PricedFrom    string
	HoursPerMonth float64
	byName        map[string]Price
}

// standInRegion prices a region prices.json does not hold: of the recorded regions it has the
// higher list price for every item this stack uses (some regions, Sydney or São Paulo, are dearer
// still, hence the estimate label).
const standInRegion = "eu-west-1"

// price keys in prices.json; instance types are "ec2:<type>".
const (
	interfaceEndpointHour  = "interfaceEndpointHour"
	endpointDataGB         = "endpointDataGB"
	resolverEndpointIPHour = "resolverEndpointIPHour"
	resolverQueriesMillion = "resolverQueriesMillion"
	hostedZoneMonth        = "hostedZoneMonth"
	kmsKeyMonth            = "kmsKeyMonth"
	logsIngestGB           = "logsIngestGB"
	logsStorageGBMonth     = "logsStorageGBMonth"
	apiGatewayRestMillion  = "apiGatewayRestMillion"
	lambdaRequestsMillion  = "lambdaRequestsMillion"
	lambdaArmGBSecond      = "lambdaArmGBSecond"
	dynamodbReadMillion    = "dynamodbReadMillion"
	dynamodbWriteMillion   = "dynamodbWriteMillion"
	xrayTracesMillion      = "xrayTracesMillion"
	ebsGp3GBMonth          = "ebsGp3GBMonth"
	alarmMetricMonth       = "alarmMetricMonth"
	highResAlarmMetric     = "highResolutionAlarmMetricMonth"
	dashboardMonth         = "dashboardMonth"
	snsEmailNotification   = "snsEmailNotification"
)

// emailsPerSubscription is the notifications an address is assumed to get a month: an alarm's
// message when it fires and another when it recovers, a few times a week.
const emailsPerSubscription = 30

// monitoringPrices are what the alarms, dashboards and their notifications bill.
var monitoringPrices = []string{alarmMetricMonth, highResAlarmMetric, dashboardMonth, snsEmailNotification}

// ForRegion loads the embedded price table of one region.
func ForRegion(region string) (Prices, error) {
	var file struct {
		HoursPerMonth float64                     `json:"hoursPerMonth"`
		Regions       map[string]map[string]Price `json:"regions"`
	}
	if err := json.Unmarshal(pricesJSON, &file); err != nil {
		return Prices{}, fmt.Errorf("internal/cost/prices.json: %w", err)
	}
	if byName, ok := file.Regions[region]; ok {
		return Prices{Region: region, HoursPerMonth: file.HoursPerMonth, byName: byName}, nil
	}
	// A region without recorded prices still plans: its cost is an estimate from a named region.
	byName, ok := file.Regions[standInRegion]
	if !ok {
		return Prices{}, fmt.Errorf("internal/cost/prices.json has no prices for %s, the region that stands in for unrecorded ones", standInRegion)
	}
	return Prices{Region: region, PricedFrom: standInRegion, HoursPerMonth: file.HoursPerMonth, byName: byName}, nil
}

// Get returns a named price; ok is false when prices.json lacks it for the region.
func (p Prices) Get(name string) (Price, bool) {
	pr, ok := p.byName[name]
	return pr, ok
}

// Line is one item of an estimate: quantity × unit price = monthly (or per-million) cost.
type Line struct {
	// Resource is the resource the line prices ("" for usage lines of the whole stack).
	Resource string
	Item     string
	Quantity float64
	// PriceName is the prices.json key; Price is empty when the region lacks it (see Estimate.Missing).
	PriceName string
	Price     Price
	USD       float64
}

// Estimate is a stack's monthly idle cost and its cost per million requests.
type Estimate struct {
	Region string
	// PricedFrom is the region whose prices stand in for Region's ("" when Region's own are used).
	PricedFrom string
	Idle       []Line
	// PerMillion prices one million API requests under Assumptions.
	PerMillion  []Line
	Assumptions []string
	// Missing names prices the table lacks for this stack; their lines count as zero.
	Missing []string
}

// Where says which region the estimate is for and whose prices it uses.
func (e Estimate) Where() string {
	if e.PricedFrom == "" {
		return e.Region
	}
	return fmt.Sprintf("%s, ESTIMATED with %s's prices (none recorded for %s in internal/cost/prices.json)", e.Region, e.PricedFrom, e.Region)
}

// Monitoring is the monthly cost of the alarms, the dashboards and the alarm emails.
func (e Estimate) Monitoring() float64 {
	var t float64
	for _, l := range e.Idle {
		if slices.Contains(monitoringPrices, l.PriceName) {
			t += l.USD
		}
	}
	return t
}

// IdleTotal is the monthly cost of the stack with no traffic.
func (e Estimate) IdleTotal() float64 { return total(e.Idle) }

// PerMillionTotal is the cost of one million requests.
func (e Estimate) PerMillionTotal() float64 { return total(e.PerMillion) }

func total(lines []Line) float64 {
	var t float64
	for _, l := range lines {
		t += l.USD
	}
	return t
}

// line prices quantity units of a named price, recording a missing price instead of guessing.
func (est *Estimate) line(p Prices, resource, item, priceName string, quantity float64) {
	pr, ok := p.Get(priceName)
	if !ok {
		est.Missing = append(est.Missing, fmt.Sprintf("%s in %s (for %s)", priceName, p.Region, item))
	}
	l := Line{Resource: resource, Item: item, Quantity: quantity, PriceName: priceName, Price: pr, USD: quantity * pr.USD}
	if resource == "" {
		est.PerMillion = append(est.PerMillion, l)
	} else {
		est.Idle = append(est.Idle, l)
	}
}

// Of estimates the recorded stack with the region's prices.
func Of(e *mockengine.Engine, p Prices) Estimate {
	est := Estimate{Region: p.Region, PricedFrom: p.PricedFrom}
	idle(e, p, &est)
	perMillion(e, p, &est)
	return est
}

// defaultRootVolumeGB is the root volume of the Amazon Linux 2023 AMI when the instance sets none.
const defaultRootVolumeGB = 8

// idle prices what bills by the hour or month regardless of traffic. VPCs, subnets, route tables,
// security groups, peering, gateway endpoints, IAM, Lambda, API Gateway, DynamoDB on-demand and SNS
// topics cost nothing idle; logs and table storage grow with use and are priced per request.
// Alarms bill per metric they watch (each metric of a metric-math alarm counts; a percentile alarm
// is a standard one), dashboards per month, alarm emails per message; free tiers are left out.
func idle(e *mockengine.Engine, p Prices, est *Estimate) {
	h := p.HoursPerMonth
	for _, r := range e.Resources() {
		switch r.Type {
		case mockengine.TypeVpcEndpoint:
			if service, _ := r.Inputs["serviceName"].(string); r.Inputs["vpcEndpointType"] == "Interface" {
				azs := float64(len(list(r.Inputs["subnetIds"])))
				est.line(p, r.Name, fmt.Sprintf("interface endpoint %s, %g AZ × %g h", shortService(service), azs, h), interfaceEndpointHour, azs*h)
			}
		case mockengine.TypeResolverEndpoint:
			ips := float64(len(list(r.Inputs["ipAddresses"])))
			est.line(p, r.Name, fmt.Sprintf("resolver endpoint %v, %g IPs × %g h", r.Inputs["direction"], ips, h), resolverEndpointIPHour, ips*h)
		case mockengine.TypeZone:
			est.line(p, r.Name, "hosted zone", hostedZoneMonth, 1)
		case mockengine.TypeKMSKey:
			est.line(p, r.Name, "KMS customer-managed key", kmsKeyMonth, 1)
		case mockengine.TypeInstance:
			typ, _ := r.Inputs["instanceType"].(string)
			est.line(p, r.Name, fmt.Sprintf("instance %s × %g h", typ, h), "ec2:"+typ, h)
			gb := float64(defaultRootVolumeGB)
			if v, ok := mockengine.Get(r.Inputs, "rootBlockDevice.volumeSize"); ok {
				gb, _ = v.(float64)
			}
			est.line(p, r.Name, fmt.Sprintf("root volume gp3 %g GB", gb), ebsGp3GBMonth, gb)
		case mockengine.TypeMetricAlarm:
			metrics, price := AlarmMetrics(r), alarmMetricMonth
			if period, ok := r.Inputs["period"].(float64); ok && period < 60 {
				price = highResAlarmMetric
			}
			est.line(p, r.Name, fmt.Sprintf("alarm on %g metric(s)", metrics), price, metrics)
		case mockengine.TypeDashboard:
			est.line(p, r.Name, "dashboard", dashboardMonth, 1)
		case mockengine.TypeSNSSubscription:
			if r.Inputs["protocol"] == "email" {
				est.line(p, r.Name, fmt.Sprintf("alarm emails, %d a month (assumed)", emailsPerSubscription), snsEmailNotification, emailsPerSubscription)
			}
		}
	}
	sort.SliceStable(est.Idle, func(i, j int) bool { return est.Idle[i].Resource < est.Idle[j].Resource })
}

// AlarmMetrics is how many metrics an alarm watches: its one metric, or each metric its metric
// math reads (expressions are free).
func AlarmMetrics(r mockengine.Resource) float64 {
	n := 0
	for _, q := range list(r.Inputs["metricQueries"]) {
		if m, _ := q.(map[string]any); m["metric"] != nil {
			n++
		}
	}
	return float64(max(n, 1))
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func shortService(name string) string {
	return name[strings.LastIndex(name, ".")+1:]
}
