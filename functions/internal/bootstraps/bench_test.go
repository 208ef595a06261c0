package bootstraps_test

import (
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/internal/functionbuild"
)

// BenchmarkColdStart measures, for each real bootstrap, a cold start under the Runtime API
// harness: process start to the first poll for an event (its init: runtime, package
// initialisers, client set-up; what Lambda reports as Init Duration) and to its first answer
// (for claims and employees after a read from dynalite). Beside it, in the same iterations, run
// two baselines built here with the same flags:
//   - bare (testdata/bare): the least an aws-lambda-go function can be, answering the same event;
//   - sdkfloor (testdata/sdkfloor), for the functions with a table: bare plus the SDK's DynamoDB
//     client and one GetItem, the least a function reading its table can be;
//   - enginefloor (testdata/enginefloor), for the same functions: bare plus that GetItem sent
//     with net/http and no SDK, so that sdkfloor's distance to bare splits into what the engine's
//     answer costs (enginefloor over bare, which no client avoids) and what the SDK client costs.
//
// Each iteration starts every binary once, in rotating order, so all see the same machine load;
// the figures are medians, and the ratios are medians of the per-iteration ratios, which is what
// bench/functions.sh judges: an absolute time on a shared machine says more about the machine
// than about the code.
func BenchmarkColdStart(b *testing.B) {
	bare := baseline(b, "bare")
	for _, tc := range []struct {
		name, event string
		status      int
		table       bool
	}{
		{"whoami", apiEvent("GET", "/whoami", nil, ""), 200, false},
		{"claims", apiEvent("GET", "/members/{memberId}/claims/{claimId}",
			map[string]string{"memberId": "cold", "claimId": "0195503a-0c2f-7a1e-8b3c-4d5e6f708192"}, ""), 404, true},
		{"employees", apiEvent("GET", "/employees/{employeeId}", map[string]string{"employeeId": "E1001"}, ""), 200, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			runs := []coldRun{{path: hostBootstrap(b, tc.name), status: tc.status}, {path: bare, status: 200}}
			if tc.table {
				runs = append(runs, coldRun{path: baseline(b, "sdkfloor"), status: 200},
					coldRun{path: baseline(b, "enginefloor"), status: 200})
			}
			// One round untimed: it warms dynalite's code paths and the page cache.
			for i := range runs {
				runs[i].start(b, tc.event)
			}
			for i := range runs {
				runs[i].init, runs[i].answer = nil, nil
			}
			var xBare, xBareInit, xFloor, floorXBare, engineXBare []float64
			for i := 0; b.Loop(); i++ {
				for j := range runs {
					r := &runs[(i+j)%len(runs)]
					init, answer := r.start(b, tc.event)
					r.init = append(r.init, init)
					r.answer = append(r.answer, answer)
				}
				fn, base := runs[0], runs[1]
				xBare = append(xBare, fn.answer[i]/base.answer[i])
				xBareInit = append(xBareInit, fn.init[i]/base.init[i])
				if tc.table {
					sdk, engine := runs[2], runs[3]
					xFloor = append(xFloor, fn.answer[i]/sdk.answer[i])
					floorXBare = append(floorXBare, sdk.answer[i]/base.answer[i])
					engineXBare = append(engineXBare, engine.answer[i]/base.answer[i])
				}
			}
			b.ReportMetric(median(runs[0].answer), "ms")
			b.ReportMetric(median(runs[0].init), "init-ms")
			b.ReportMetric(median(runs[1].answer), "bare-ms")
			b.ReportMetric(median(xBare), "x-bare")
			b.ReportMetric(median(xBareInit), "init-x-bare")
			if tc.table {
				b.ReportMetric(median(runs[2].answer), "sdkfloor-ms")
				b.ReportMetric(median(xFloor), "x-sdkfloor")
				b.ReportMetric(median(floorXBare), "sdkfloor-x-bare")
				b.ReportMetric(median(runs[3].answer), "enginefloor-ms")
				b.ReportMetric(median(engineXBare), "enginefloor-x-bare")
			}
		})
	}
}

// coldRun is one binary of a cold-start comparison and its samples, in milliseconds.
type coldRun struct {
	path         string
	status       int
	init, answer []float64
}

// start runs the binary once until its first answer to event and returns how long it took to
// poll for the event and to answer it.
func (r *coldRun) start(b *testing.B, event string) (init, answer float64) {
	// A Runtime API of its own: a stopped process may have left a poll for the next event
	// open, and that poll must not take this process's event.
	api := newRuntimeAPI(b)
	defer api.server.Close()
	start := time.Now()
	fn := startFunction(b, r.path, api, "TABLE_NAME="+tableName)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	res, err := api.invoke(ctx, event)
	cancel()
	answered := time.Since(start)
	fn.stop()
	if err != nil || res.failed || !statusIs(res.body, r.status) {
		b.Fatalf("%s: first answer %s, %v; want status %d; stderr:\n%s", r.path, res.body, err, r.status, fn.stderr)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	return ms(api.firstPoll.Sub(start)), ms(answered)
}

var baselines sync.Map // name → func() (string, error)

// baseline builds testdata/<name> once, with the deployment flags, for this machine.
func baseline(t testing.TB, name string) string {
	t.Helper()
	build, _ := baselines.LoadOrStore(name, sync.OnceValues(func() (string, error) {
		root, err := functionbuild.ModuleRoot(".")
		if err != nil {
			return "", err
		}
		a, err := functionbuild.BuildPackage(context.Background(), root, "./functions/internal/bootstraps/testdata/"+name, hostDir, name,
			functionbuild.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH})
		return a.Bootstrap, err
	}))
	path, err := build.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// statusIs reports whether body is a proxy response with status.
func statusIs(body []byte, status int) bool {
	var resp events.APIGatewayProxyResponse
	return json.Unmarshal(body, &resp) == nil && resp.StatusCode == status
}
