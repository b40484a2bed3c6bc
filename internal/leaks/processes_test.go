package leaks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"businesstools/internal/leaks"
	"businesstools/internal/proctest"
	"businesstools/internal/testredis"
)

// Ensure the revocation limit is one limit across two real server
// processes on one database and one Redis: 150 requests from one client
// address, alternately on each process, are accepted at most 60 + one per
// full minute the test took (GCRA: a burst of 60, then one a minute) — and
// at least 60, the limit being shared rather than lost; every other answer
// is 429 with a Retry-After of at most a minute, and both processes kept
// the limit in Redis all along.
func TestRevokeLimitSharedByTwoProcesses(t *testing.T) {
	pg := proctest.PostgresURL(t)
	redis := testredis.URL(t, testredis.Addr(t))
	bin := proctest.Build(t)
	env := append(proctest.Env(t, pg), "BT_REDIS_URL="+redis)
	a := proctest.Start(t, bin, env...)
	b := proctest.Start(t, bin, env...)

	const requests = 150
	accepted := map[string]int{}
	start := time.Now()
	for i := range requests {
		p := []*proctest.Proc{a, b}[i%2]
		status, header, body := p.Post(t, leaks.PathRevoke, `{"credentials":["bt_not_a_key"]}`)
		switch status {
		case http.StatusAccepted:
			if strings.TrimSpace(body) != `{"received":1}` {
				t.Fatalf("request %d on %s: 202 %s", i+1, p.URL, body)
			}
			accepted[p.URL]++
		case http.StatusTooManyRequests:
			if retry, err := strconv.Atoi(header.Get("Retry-After")); err != nil || retry < 1 || retry > 60 {
				t.Fatalf("request %d on %s: 429 with Retry-After %q", i+1, p.URL, header.Get("Retry-After"))
			}
		default:
			t.Fatalf("request %d on %s: %d %s", i+1, p.URL, status, body)
		}
	}
	elapsed := time.Since(start)
	n := accepted[a.URL] + accepted[b.URL]
	bound := 60 + int(elapsed/time.Minute)
	t.Logf("%d of %d revocation requests accepted in %.1fs (process A %d, B %d); the shared limit allows %d",
		n, requests, elapsed.Seconds(), accepted[a.URL], accepted[b.URL], bound)
	if n > bound || n < 60 {
		t.Fatalf("%d accepted by two processes in %.1fs; want 60, at most %d", n, elapsed.Seconds(), bound)
	}
	if accepted[a.URL] == 0 || accepted[b.URL] == 0 {
		t.Fatalf("one process accepted nothing: %v", accepted)
	}
	for _, p := range []*proctest.Proc{a, b} {
		if _, metrics := p.Get(t, "/metrics"); !strings.Contains(metrics, "\nratelimit_redis_up 1\n") ||
			!strings.Contains(metrics, "\nratelimit_local_fallbacks_total 0\n") {
			t.Fatalf("%s: the limit was not shared all along:\n%s", p.URL, metrics)
		}
	}
}
