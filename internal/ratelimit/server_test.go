package ratelimit_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/ratelimit"
	"businesstools/internal/testredis"
)

// metricsOf returns the server's ratelimit_ metric lines.
func metricsOf(t *testing.T, app *apptest.App) string {
	t.Helper()
	resp, err := http.Get(app.HTTP.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "ratelimit_") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// Ensure that when Redis goes away mid-run the server keeps serving on its
// own limits — the 429 still comes — with ratelimit_redis_up at 0, the
// fallbacks counted and a log line, and shares the limits again once Redis
// is back.
func TestServer_RedisGoesAwayAndComesBack(t *testing.T) {
	addr := testredis.Addr(t)
	p := testredis.StartProxy(t, addr)
	url := strings.Replace(testredis.URL(t, addr), addr, p.Addr(), 1)
	app := apptest.New(t, func(c *config.Config) { c.RedisURL = url; c.RateLimit = 2 })
	k := app.CreateKey(app.LoginOwner(), "k", "READ_LEADS")
	get := func() int {
		resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != 200 || !strings.Contains(metricsOf(t, app), "ratelimit_redis_up 1") {
		t.Fatalf("with Redis: %d\n%s", s, metricsOf(t, app))
	}

	p.Stop()
	codes := map[int]int{}
	for range 8 {
		codes[get()]++
	}
	// The local bucket holds Burst(2) = 4 (it may earn one more meanwhile).
	if codes[200] < 4 || codes[200] > 5 || codes[429] != 8-codes[200] {
		t.Fatalf("with Redis gone: %v", codes)
	}
	m := metricsOf(t, app)
	if !strings.Contains(m, "ratelimit_redis_up 0") || strings.Contains(m, "ratelimit_local_fallbacks_total 0\n") {
		t.Fatalf("metrics with Redis gone:\n%s", m)
	}
	if !strings.Contains(app.Logs.String(), "Redis unreachable") {
		t.Fatal("no log line says Redis is gone")
	}

	p.Restart(t)
	deadline := time.Now().Add(ratelimit.RecheckInterval + 3*time.Second)
	for !strings.Contains(metricsOf(t, app), "ratelimit_redis_up 1") {
		if time.Now().After(deadline) {
			t.Fatalf("limits not shared again after Redis came back:\n%s", metricsOf(t, app))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(app.Logs.String(), "Redis answers again") {
		t.Fatal("no log line says Redis is back")
	}
}

// Ensure a server whose BT_REDIS_URL points at a closed port starts and
// serves requests on its own limits, and says so.
func TestServer_StartsWithRedisDown(t *testing.T) {
	app := apptest.New(t, func(c *config.Config) { c.RedisURL = "redis://127.0.0.1:1/0" })
	k := app.CreateKey(app.LoginOwner(), "k", "READ_LEADS")
	resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/me with Redis down: %d", resp.StatusCode)
	}
	if m := metricsOf(t, app); !strings.Contains(m, "ratelimit_redis_up 0") || !strings.Contains(m, "ratelimit_local_fallbacks_total 1") {
		t.Fatalf("metrics:\n%s", m)
	}
	if !strings.Contains(app.Logs.String(), "Redis unreachable") {
		t.Fatal("no log line says Redis is unreachable")
	}
}
