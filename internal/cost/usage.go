package cost

import (
	"fmt"

	"github.com/example/private-api/internal/mockengine"
)

// The request profile behind the per-million prices. They are assumptions, printed with the
// estimate; change them here when measurements say otherwise.
const (
	// lambdaMillis is a typical warm duration of a Go function on arm64 making one DynamoDB call.
	lambdaMillis = 50
	// readShare of requests read one item or page (one read unit, ≤ 4 KB, strongly consistent);
	// the rest write one item (one write unit, ≤ 1 KB) plus an idempotency record (one more).
	readShare = 0.9
	// logKBPerRequest: one JSON access-log line (~0.5 KB) and the function's platform and
	// application lines (~0.7 KB).
	logKBPerRequest = 1.2
	// endpointKBPerRequest is request plus response through the execute-api endpoint.
	endpointKBPerRequest = 4
	// tracedShare of requests X-Ray records: the default rule traces the first request each second
	// and 5% after that, so at a million a month (~0.4/s) nearly all.
	tracedShare = 1.0
	million     = 1e6
	// daysPerMonth turns a retention in days into months of storage.
	daysPerMonth = 30.4
)

// perMillion prices one million API requests through the stack.
func perMillion(e *mockengine.Engine, p Prices, est *Estimate) {
	fns := e.OfType(mockengine.TypeFunction)
	if len(e.OfType(mockengine.TypeRestAPI)) == 0 || len(fns) == 0 {
		return
	}
	var memMB float64
	for _, f := range fns {
		m, _ := f.Inputs["memorySize"].(float64)
		if m == 0 {
			m = 128 // Lambda's default
		}
		memMB += m
	}
	memMB /= float64(len(fns))
	gbSeconds := million * memMB / 1024 * lambdaMillis / 1000
	logGB := million * logKBPerRequest / 1e6
	retention := longestRetention(e)
	writes := (1 - readShare) * 2

	est.Assumptions = []string{
		fmt.Sprintf("each request: one REST API call, one Lambda invocation of %g ms at %g MB (mean of the stack's functions), arm64", float64(lambdaMillis), memMB),
		fmt.Sprintf("%g%% reads (1 read unit), %g%% writes (1 write unit + 1 idempotency record)", readShare*100, (1-readShare)*100),
		fmt.Sprintf("%g KB of logs per request, kept %g days (the stack's longest retention); %g KB through the endpoint; %g%% traced by X-Ray", logKBPerRequest, retention, float64(endpointKBPerRequest), tracedShare*100),
		"no free tier; DNS lookups are cached by clients and priced per million queries in the DNS comparison",
	}
	est.line(p, "", "API Gateway REST requests", apiGatewayRestMillion, 1)
	est.line(p, "", "Lambda invocations", lambdaRequestsMillion, 1)
	est.line(p, "", fmt.Sprintf("Lambda compute, %.0f GB-s", gbSeconds), lambdaArmGBSecond, gbSeconds)
	if len(e.OfType(mockengine.TypeTable)) > 0 {
		est.line(p, "", "DynamoDB reads (million read units)", dynamodbReadMillion, readShare)
		est.line(p, "", "DynamoDB writes (million write units)", dynamodbWriteMillion, writes)
	}
	est.line(p, "", fmt.Sprintf("CloudWatch Logs ingestion, %.2f GB", logGB), logsIngestGB, logGB)
	est.line(p, "", fmt.Sprintf("CloudWatch Logs storage, %.2f GB kept %g days (steady state)", logGB, retention), logsStorageGBMonth, logGB*retention/daysPerMonth)
	est.line(p, "", fmt.Sprintf("execute-api endpoint data, %g GB", million*endpointKBPerRequest/1e6), endpointDataGB, million*endpointKBPerRequest/1e6)
	est.line(p, "", "X-Ray traces recorded", xrayTracesMillion, tracedShare)
}

func longestRetention(e *mockengine.Engine) float64 {
	var days float64
	for _, g := range e.OfType(mockengine.TypeLogGroup) {
		if d, _ := g.Inputs["retentionInDays"].(float64); d > days {
			days = d
		}
	}
	return days
}

// DNSMode is one DNS mode's idle cost for the same stack.
type DNSMode struct {
	Mode string
	// Resources summarises what the mode creates ("2 resolver endpoints, 4 IPs").
	Resources string
	// DNSIdle is the idle cost of the mode's own DNS resources; StackIdle of the whole stack.
	DNSIdle, StackIdle float64
	// PerMillionQueries is what a million lookups of the API host cost in this mode.
	PerMillionQueries float64
}

// CompareDNS prices one stack's runs in each DNS mode (the same config with dns.mode replaced).
func CompareDNS(p Prices, runs map[string]*mockengine.Engine, modes []string) []DNSMode {
	out := make([]DNSMode, 0, len(modes))
	for _, mode := range modes {
		e := runs[mode]
		est := Of(e, p)
		m := DNSMode{Mode: mode, StackIdle: est.IdleTotal()}
		endpoints, ips, zones := 0, 0, 0
		for _, l := range est.Idle {
			switch l.PriceName {
			case resolverEndpointIPHour:
				endpoints++
				ips += int(l.Quantity / p.HoursPerMonth)
				m.DNSIdle += l.USD
			case hostedZoneMonth:
				zones++
				m.DNSIdle += l.USD
			}
		}
		switch {
		case endpoints > 0:
			m.Resources = fmt.Sprintf("%d resolver endpoints, %d IPs, 1 forwarding rule", endpoints, ips)
			// A forwarded lookup is billed at the outbound and again at the inbound endpoint.
			q, _ := p.Get(resolverQueriesMillion)
			m.PerMillionQueries = float64(endpoints) * q.USD
		case zones > 0:
			// Queries for an alias record to an AWS resource (here the VPC endpoint) are free.
			m.Resources = fmt.Sprintf("%d private hosted zone, alias to the endpoint", zones)
		default:
			m.Resources = "none: clients call the <apiId>-<vpceId> host name"
		}
		out = append(out, m)
	}
	return out
}
