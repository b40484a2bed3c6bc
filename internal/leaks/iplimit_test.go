package leaks

import (
	"context"
	"io"
	"log/slog"
	neturl "net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"businesstools/internal/ratelimit"
	"businesstools/internal/syncbuf"
	"businesstools/internal/testredis"
)

// Ensure an address gets limit requests, then waits for a token (Retry-After
// is the wait); others are unaffected, and one IPv6 /64 counts as one client.
func TestIPLimiter(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newIPLimiter(60, time.Hour, func() time.Time { return now }, nil)
	for i := range 60 {
		if ok, _ := l.allow("192.0.2.1"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
	}
	ok, retry := l.allow("192.0.2.1")
	if ok || retry <= 0 || retry > time.Minute {
		t.Fatalf("request 61: %v, retry %v", ok, retry)
	}
	if ok, _ := l.allow("192.0.2.2"); !ok {
		t.Fatal("another address refused")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.allow("192.0.2.1"); !ok {
		t.Fatal("no token after a minute")
	}
	if ok, _ := l.allow("192.0.2.1"); ok {
		t.Fatal("two tokens after a minute")
	}
	for i := range 60 {
		l.allow("2001:db8::" + string(rune('a'+i%6)))
	}
	if ok, _ := l.allow("2001:db8::ffff"); ok {
		t.Fatal("a /64 got more than the limit")
	}
	now = now.Add(2 * time.Hour)
	l.prune(now)
	if len(l.buckets) != 0 {
		t.Fatalf("%d full buckets kept", len(l.buckets))
	}
}

// sharedIPLimiter is the revocation limit of one process (60 per hour) on
// the Redis at url, built as the server builds it: from the process's
// per-key ratelimit.Limiter, which holds the Redis client.
func sharedIPLimiter(t *testing.T, url string, logs io.Writer, now func() time.Time) (*ipLimiter, *ratelimit.Limiter) {
	t.Helper()
	rl := ratelimit.New(50, 0)
	if err := rl.UseRedis(url, slog.New(slog.NewTextHandler(logs, nil))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rl.Close() })
	return newIPLimiter(60, time.Hour, now, rl.SharedLimit(revokeScope, 60, time.Hour)), rl
}

// Ensure two processes' limits on one Redis are one limit: 120 requests
// from one address, alternately on each, are accepted 60 times in all
// (not 120), the rest refused with a wait of at most a minute; an IPv6
// /64 is one client across addresses; requests past the limit cost no
// Redis round trip each; and the keys sit apart from the per-key limits'.
func TestIPLimiter_SharedByTwoProcesses(t *testing.T) {
	addr := testredis.Addr(t)
	url := testredis.URL(t, addr)
	a, ra := sharedIPLimiter(t, url, io.Discard, time.Now)
	b, rb := sharedIPLimiter(t, url, io.Discard, time.Now)
	limiters := []*ipLimiter{a, b}
	trips := func() int64 { return ra.Stats().RoundTrips + rb.Stats().RoundTrips }
	hammer := func(n int, ips ...string) (accepted int) {
		t.Helper()
		for i := range n {
			ip := ips[i%len(ips)]
			ok, retry := limiters[i%2].allow(ip)
			if ok {
				accepted++
			} else if retry <= 0 || retry > time.Minute {
				t.Fatalf("request %d from %s refused with a wait of %v", i+1, ip, retry)
			}
		}
		return accepted
	}

	if n := hammer(120, "192.0.2.1", "::ffff:192.0.2.1"); n != 60 {
		t.Fatalf("two processes accepted %d of 120 requests from one address; want 60", n)
	}
	if n := trips(); n != 62 {
		t.Fatalf("%d round trips; want 62 (60 accepted, one refusal per process)", n)
	}
	if n := hammer(100, "192.0.2.1"); n != 0 || trips() != 62 {
		t.Fatalf("past the limit: %d accepted, %d round trips", n, trips())
	}
	if ok, _ := b.allow("192.0.2.2"); !ok {
		t.Fatal("another address refused")
	}
	if n := hammer(120, "2001:db8:1:2::1", "2001:db8:1:2:aaaa::5", "2001:db8:1:2:ffff:ffff:ffff:ffff"); n != 60 {
		t.Fatalf("two processes accepted %d of 120 requests from one /64; want 60", n)
	}
	if ok, _ := a.allow("2001:db8:1:3::1"); !ok {
		t.Fatal("the next /64 refused")
	}
	for _, rl := range []*ratelimit.Limiter{ra, rb} {
		if st := rl.Stats(); !st.RedisUp || st.Fallbacks != 0 {
			t.Fatalf("not shared all along: %+v", st)
		}
	}

	u, _ := neturl.Parse(url)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	defer rdb.Close()
	keys, err := rdb.Keys(context.Background(), "rate:"+u.Query().Get("prefix")+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	prefix := "rate:" + u.Query().Get("prefix") + revokeScope + ":"
	want := []string{prefix + "192.0.2.1", prefix + "192.0.2.2", prefix + "2001:db8:1:2::/64", prefix + "2001:db8:1:3::/64"}
	if !slices.Equal(keys, want) {
		t.Fatalf("Redis keys %q; want %q", keys, want)
	}
}

// Ensure that when Redis goes away mid-run the revocation limit still
// holds — each process's own bucket of 60 decides — with one log line, not
// one per request, and the fallbacks counted; and that once Redis is back
// the shared limit applies again, with what Redis had counted.
func TestIPLimiter_RedisGoesAway(t *testing.T) {
	addr := testredis.Addr(t)
	p := testredis.StartProxy(t, addr)
	var logs syncbuf.Buffer
	now := time.Now() // the local bucket must not refill while this runs
	l, rl := sharedIPLimiter(t, strings.Replace(testredis.URL(t, addr), addr, p.Addr(), 1), &logs,
		func() time.Time { return now })
	for i := range 10 {
		if ok, _ := l.allow("192.0.2.1"); !ok {
			t.Fatalf("shared: request %d refused", i+1)
		}
	}
	if st := rl.Stats(); !st.RedisUp || st.RoundTrips != 10 {
		t.Fatalf("not shared: %+v", st)
	}

	p.Stop()
	for i := range 60 {
		if ok, _ := l.allow("192.0.2.1"); !ok {
			t.Fatalf("with Redis gone: request %d refused", i+1)
		}
	}
	for range 20 {
		if ok, retry := l.allow("192.0.2.1"); ok || retry <= 0 || retry > time.Minute {
			t.Fatalf("with Redis gone the local limit was not applied: %v, wait %v", ok, retry)
		}
	}
	if st := rl.Stats(); st.RedisUp || st.Fallbacks != 80 {
		t.Fatalf("with Redis gone: %+v", st)
	}
	if n := strings.Count(logs.String(), "Redis unreachable"); n != 1 {
		t.Fatalf("%d log lines say Redis is unreachable; want 1:\n%s", n, logs.String())
	}

	p.Restart(t)
	deadline := time.Now().Add(ratelimit.RecheckInterval + 3*time.Second)
	for !rl.Stats().RedisUp {
		if time.Now().After(deadline) {
			t.Fatalf("still local after Redis came back: %+v", rl.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	accepted := 0
	for range 60 {
		if ok, _ := l.allow("192.0.2.1"); ok {
			accepted++
		}
	}
	if accepted != 50 {
		t.Fatalf("Redis back: %d accepted; want the 50 it had left", accepted)
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Fatalf("no log line says Redis is back:\n%s", logs.String())
	}
}
