package ratelimit

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"businesstools/internal/syncbuf"
	"businesstools/internal/testredis"
)

func sharedLimiter(t *testing.T, rate int, url string, logs io.Writer) *Limiter {
	t.Helper()
	l := New(rate, 0)
	if err := l.UseRedis(url, slog.New(slog.NewTextHandler(logs, nil))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Ensure two limiters on one Redis prefix (two processes) share one limit:
// hammered alternately for two seconds at 10/s, together they accept the
// burst plus the rate's worth, not twice that; and Redis is asked once per
// accepted request at this rate plus once per refusal window, not once
// per request.
func TestShared_OneLimitForTwo(t *testing.T) {
	url := testredis.URL(t, testredis.Addr(t))
	var logs syncbuf.Buffer
	a, b := sharedLimiter(t, 10, url, &logs), sharedLimiter(t, 10, url, &logs)
	const seconds = 2
	accepted, total := 0, 0
	start := time.Now()
	for time.Since(start) < seconds*time.Second {
		for _, l := range []*Limiter{a, b} {
			total++
			if d := l.Allow(7, 0); d.Allowed {
				accepted++
			} else if d.RetryAfter <= 0 || d.Limit != 20 {
				t.Fatalf("refusal without Retry-After: %+v", d)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start).Seconds()
	limit := 1.1 * (10*elapsed + 20)
	if float64(accepted) > limit || accepted < 10*seconds+20-2 {
		t.Fatalf("%d of %d accepted in %.1fs by two limiters; want about %.0f, at most %.0f", accepted, total, elapsed, 10*elapsed+20, limit)
	}
	trips := a.Stats().RoundTrips + b.Stats().RoundTrips
	// Batching: a round trip per reservation, never one per request (the
	// exact count moves with scheduling on a loaded machine).
	if trips > int64(total)/10 {
		t.Fatalf("%d round trips for %d requests (%d accepted)", trips, total, accepted)
	}
	t.Logf("%d of %d accepted in %.2fs; %d Redis round trips", accepted, total, elapsed, trips)
	if st := a.Stats(); !st.Shared || !st.RedisUp || st.Fallbacks != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Ensure a high rate is served from reserved batches: one round trip per
// BatchDivisor-th of the rate, not per request.
func TestShared_Batches(t *testing.T) {
	l := sharedLimiter(t, 1000, testredis.URL(t, testredis.Addr(t)), io.Discard)
	for i := range 500 {
		if d := l.Allow(1, 0); !d.Allowed || d.Limit != 2000 {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	if n := l.Stats().RoundTrips; n < 10 || n > 11 {
		t.Fatalf("%d round trips for 500 requests in batches of %d", n, 1000/BatchDivisor)
	}
}

// Ensure that when Redis goes away requests are still decided — by the
// process's own bucket — with the state, a counter and a log line saying
// so, and that the limits are shared again once Redis is back.
func TestShared_FallbackAndRecovery(t *testing.T) {
	addr := testredis.Addr(t)
	p := testredis.StartProxy(t, addr)
	var logs syncbuf.Buffer
	url := testredis.URL(t, addr)
	l := sharedLimiter(t, 5, strings.Replace(url, addr, p.Addr(), 1), &logs)
	if d := l.Allow(1, 0); !d.Allowed || l.Stats().RoundTrips != 1 {
		t.Fatalf("shared: %+v %+v", d, l.Stats())
	}

	p.Stop()
	now := time.Now() // the local bucket must not refill while this runs
	l.now = func() time.Time { return now }
	for i := range 10 { // the local bucket holds 10
		if d := l.Allow(1, 0); !d.Allowed {
			t.Fatalf("request %d with Redis gone: %+v", i, d)
		}
	}
	if d := l.Allow(1, 0); d.Allowed || d.RetryAfter <= 0 {
		t.Fatalf("local limit not applied: %+v", d)
	}
	st := l.Stats()
	if st.RedisUp || st.Fallbacks < 10 {
		t.Fatalf("with Redis gone: %+v", st)
	}
	if !strings.Contains(logs.String(), "Redis unreachable") {
		t.Fatalf("no log line: %s", logs.String())
	}

	p.Restart(t)
	l.now = time.Now
	deadline := time.Now().Add(RecheckInterval + 3*time.Second)
	for !l.Stats().RedisUp {
		if time.Now().After(deadline) {
			t.Fatalf("still local after Redis came back: %+v", l.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	trips := l.Stats().RoundTrips
	if d := l.Allow(1, 0); !d.Allowed || l.Stats().RoundTrips != trips+1 {
		t.Fatalf("not shared again: %+v %+v", d, l.Stats())
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Fatalf("no recovery log line: %s", logs.String())
	}
}

// Ensure a BT_REDIS_URL on a closed port starts with local limits (no
// error: serving goes on) and a bad URL is refused without its password.
func TestShared_StartWithoutRedis(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	var logs syncbuf.Buffer
	lim := sharedLimiter(t, 5, "redis://"+closed+"/0", &logs)
	if d := lim.Allow(1, 0); !d.Allowed || lim.Stats().RedisUp || lim.Stats().Fallbacks != 1 {
		t.Fatalf("%+v %+v", d, lim.Stats())
	}
	if !strings.Contains(logs.String(), "Redis unreachable") {
		t.Fatalf("no log line: %s", logs.String())
	}
	err = New(5, 0).UseRedis("redis://:s3cret@"+closed+"/notanumber", nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URL: %v", err)
	}
}

// The cost of a rate limit decision on the hot path: the process's own
// bucket, a shared limit served from reserved batches, and — the
// alternative not taken — one GCRA round trip to Redis per request.
func BenchmarkAllow(b *testing.B) {
	const rate = 1_000_000 // never refuses: measures the decision itself
	b.Run("local", func(b *testing.B) {
		l := New(rate, 0)
		b.ReportAllocs()
		for b.Loop() {
			l.Allow(1, 0)
		}
	})
	b.Run("redis-batched", func(b *testing.B) {
		l := New(rate, 0)
		if err := l.UseRedis(testredis.URL(b, testredis.Addr(b)), nil); err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		b.ReportAllocs()
		for b.Loop() {
			l.Allow(1, 0)
		}
		b.ReportMetric(float64(l.Stats().RoundTrips)/float64(b.N), "trips/op")
	})
	b.Run("redis-every-request", func(b *testing.B) {
		opt, prefix, err := parseRedisURL(testredis.URL(b, testredis.Addr(b)))
		if err != nil {
			b.Fatal(err)
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		gcra := redis_rate.NewLimiter(rdb)
		lim := redis_rate.Limit{Rate: rate, Burst: Burst(rate), Period: time.Second}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gcra.Allow(ctx, prefix+"1", lim); err != nil {
				b.Fatal(err)
			}
		}
	})
}
