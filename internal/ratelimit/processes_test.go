package ratelimit

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/proctest"
	"businesstools/internal/testredis"
)

// Ensure one key's limit is one limit across two real server processes on
// one database and one Redis: at 10/s (burst 20), hammered alternately on
// both for 10 s at 20 times the rate, together they accept at most
// 1.1 × (rate × seconds + burst) — and, the limit being shared rather than
// lost, nearly that many.
func TestTwoProcessesShareOneLimit(t *testing.T) {
	pg := proctest.PostgresURL(t)
	redis := testredis.URL(t, testredis.Addr(t))
	bin := proctest.Build(t)
	env := append(proctest.Env(t, pg), "BT_RATE_LIMIT=10", "BT_REDIS_URL="+redis)
	a := proctest.Start(t, bin, env...)
	b := proctest.Start(t, bin, env...)
	secret := a.CreateKey(t, "hammered")

	const rate, burst, seconds, pace = 10, 20, 10, 200 // pace: requests per second, both processes together
	accepted := map[string]int{}
	total := 0
	start := time.Now()
	for i := 0; time.Since(start) < seconds*time.Second; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / pace)))
		p := []*proctest.Proc{a, b}[i%2]
		status, body := p.Get(t, "/v1/me", "Authorization", "Bearer "+secret)
		total++
		switch status {
		case http.StatusOK:
			accepted[p.URL]++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("GET /v1/me on %s: %d %s", p.URL, status, body)
		}
	}
	elapsed := time.Since(start).Seconds()
	n := accepted[a.URL] + accepted[b.URL]
	want := rate*elapsed + burst
	t.Logf("%d of %d requests accepted in %.1fs (process A %d, B %d); one limit allows %.0f",
		n, total, elapsed, accepted[a.URL], accepted[b.URL], want)
	if float64(n) > 1.1*want || float64(n) < 0.9*want {
		t.Fatalf("%d accepted by two processes in %.1fs; want %.0f, at most %.0f", n, elapsed, want, 1.1*want)
	}
	if accepted[a.URL] == 0 || accepted[b.URL] == 0 {
		t.Fatalf("one process accepted nothing: %v", accepted)
	}
	for _, p := range []*proctest.Proc{a, b} {
		if _, metrics := p.Get(t, "/metrics"); !strings.Contains(metrics, "\nratelimit_redis_up 1\n") ||
			!strings.Contains(metrics, "\nratelimit_local_fallbacks_total 0\n") {
			t.Fatalf("%s: limits not shared all along:\n%s", p.URL, grep(metrics, "ratelimit_"))
		}
	}
}

// grep returns the lines of s that contain sub.
func grep(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
