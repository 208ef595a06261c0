package bootstrap_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// BenchmarkColdStart measures, for each real bootstrap, the time from process start to its
// first answer under the Runtime API harness: runtime start, AWS config, client set-up and the
// first request (for claims and employees a read from dynalite). It reports the median over the
// iterations (run with -benchtime 20x for the median of 20). Target: under 15 ms.
func BenchmarkColdStart(b *testing.B) {
	for _, tc := range []struct {
		name, event string
		status      int
	}{
		{"whoami", apiEvent("GET", "/whoami", nil, ""), 200},
		{"claims", apiEvent("GET", "/members/{memberId}/claims/{claimId}",
			map[string]string{"memberId": "cold", "claimId": "0195503a-0c2f-7a1e-8b3c-4d5e6f708192"}, ""), 404},
		{"employees", apiEvent("GET", "/employees/{employeeId}", map[string]string{"employeeId": "E1001"}, ""), 200},
	} {
		b.Run(tc.name, func(b *testing.B) {
			path := hostBootstrap(b, tc.name)
			api := newRuntimeAPI(b)
			var samples []time.Duration
			for b.Loop() {
				start := time.Now()
				fn := startFunction(b, path, api, "TABLE_NAME="+tableName)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				res, err := api.invoke(ctx, tc.event)
				cancel()
				samples = append(samples, time.Since(start))
				fn.stop()
				if err != nil || res.failed || !statusIs(res.body, tc.status) {
					b.Fatalf("first answer %s, %v; want status %d; stderr:\n%s", res.body, err, tc.status, fn.stderr)
				}
			}
			slices.Sort(samples)
			b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "ms-median")
		})
	}
}

// statusIs reports whether body is a proxy response with status.
func statusIs(body []byte, status int) bool {
	var resp events.APIGatewayProxyResponse
	return json.Unmarshal(body, &resp) == nil && resp.StatusCode == status
}
