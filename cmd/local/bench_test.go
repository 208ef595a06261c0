package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/example/private-api/internal/awsfake"
	"github.com/example/private-api/internal/sigv4client"
)

// Figures for bench/local.sh: what a developer waits for through cmd/local.

// BenchmarkSignedGetClaim is one signed GET of a claim through cmd/local: SigV4 check, proxy
// event, the claims bootstrap under the Runtime API, dynalite. It reports the median and 99th
// percentile latency. Throttling is lifted so the stage's limits do not shape the figure.
func BenchmarkSignedGetClaim(b *testing.B) {
	s := startLocal(b, "-rate", "1000000", "-burst", "1000000")
	client := sigv4client.New(credentials.StaticCredentialsProvider{Value: awsfake.Credentials}, region, nil)
	claims := s.base + "/members/bench/claims"
	req, _ := http.NewRequest(http.MethodPost, claims, nil)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(context.Background(), req, []byte(`{"policyId":"POL-1","memberName":"Bench"}`))
	if err != nil {
		b.Fatal(err)
	}
	var created struct {
		ClaimID string `json:"claimId"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("create: %d", resp.StatusCode)
	}
	url := claims + "/" + created.ClaimID
	var took []time.Duration
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		began := time.Now()
		resp, err := client.Do(context.Background(), req, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		took = append(took, time.Since(began))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET: %d", resp.StatusCode)
		}
	}
	slices.Sort(took)
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[(len(took)*99)/100]), "p99-ms")
}

// BenchmarkStartup is the time from starting cmd/local to the first answer of a signed GET
// /whoami, with the bootstraps prebuilt (-bin) and as `make local` does, building them.
func BenchmarkStartup(b *testing.B) {
	for _, mode := range []string{"prebuilt", "build"} {
		b.Run(mode, func(b *testing.B) {
			client := sigv4client.New(credentials.StaticCredentialsProvider{Value: awsfake.Credentials}, region, nil)
			var took []time.Duration
			for b.Loop() {
				began := time.Now()
				var args []string
				if mode == "build" {
					args = []string{"-bin", ""} // the last -bin wins over startLocal's
				}
				s := startLocal(b, args...)
				for {
					req, _ := http.NewRequest(http.MethodGet, s.base+"/whoami", nil)
					resp, err := client.Do(context.Background(), req, nil)
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							break
						}
					}
					if time.Since(began) > time.Minute {
						b.Fatalf("no answer within a minute: %v", err)
					}
				}
				took = append(took, time.Since(began))
				stopLocal(b, s)
			}
			slices.Sort(took)
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// stopLocal interrupts s and waits for it, as Ctrl-C does.
func stopLocal(tb testing.TB, s *server) {
	tb.Helper()
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		tb.Fatalf("cmd/local still runs 15 s after Ctrl-C: %s", strings.TrimSpace(s.log()))
	}
}
