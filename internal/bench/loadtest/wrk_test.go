package main

import (
	"testing"
	"time"
)

// A report as wrk 4.1 prints it with --latency (a 401 flood adds the
// Non-2xx line).
const wrkReport = `Running 1s test @ http://127.0.0.1:9090/v1/me
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   101.24us  211.95us   4.51ms   97.91%
    Req/Sec    12.43k     1.57k   15.89k    81.82%
  Latency Distribution
     50%   77.00us
     75%  106.00us
     90%  131.00us
     99%    0.90ms
  13604 requests in 1.10s, 3.28MB read
  Non-2xx or 3xx responses: 12
Requests/sec:  12372.94
Transfer/sec:      2.99MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkReport)
	if err != nil {
		t.Fatal(err)
	}
	want := round{rps: 12372.94, p50: 77 * time.Microsecond, p90: 131 * time.Microsecond,
		p99: 900 * time.Microsecond, max: 4510 * time.Microsecond, requests: 13604, non2xx: 12}
	if r != want {
		t.Fatalf("parseWrk = %+v, want %+v", r, want)
	}
	if _, err := parseWrk("Running 1s test\n"); err == nil {
		t.Fatal("a report without figures parsed")
	}
}

func TestMedianOf(t *testing.T) {
	v := []float64{0.9, 0.8, 1.0, 0.85}
	if got := medianOf(v); got != 0.875 {
		t.Fatalf("medianOf(%v) = %v, want 0.875", v, got)
	}
	if v[0] != 0.9 {
		t.Fatal("medianOf sorted its argument in place")
	}
	if got := medianOf([]float64{3, 1, 2}); got != 2 {
		t.Fatalf("odd median = %v, want 2", got)
	}
}
