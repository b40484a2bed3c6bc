package leaks

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"businesstools/internal/ratelimit"
)

// ipLimiter limits requests per client address: limit at once, refilled
// evenly over window (60 per hour: a burst of 60, then one a minute). IPv6
// clients are counted per /64, which one host usually holds whole. With
// BT_REDIS_URL the limit is shared by every process (a
// ratelimit.SharedLimit); without it, and while Redis is unreachable, it is
// a token bucket per address in this process, so N processes allow N times
// the limit (see the README).
type ipLimiter struct {
	limit  float64
	window time.Duration
	now    func() time.Time
	shared *ratelimit.SharedLimit // nil without Redis

	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	tokens float64
	at     time.Time
}

// pruneEvery is how many calls pass between sweeps of full buckets.
const pruneEvery = 1024

// revokeScope names the revocation limit's keys in Redis, apart from the
// per-key rate limits'.
const revokeScope = "revoke-ip"

// newIPLimiter returns the limit; shared is the one kept in Redis, or nil.
func newIPLimiter(limit int, window time.Duration, now func() time.Time, shared *ratelimit.SharedLimit) *ipLimiter {
	return &ipLimiter{limit: float64(limit), window: window, now: now, shared: shared, buckets: map[string]*bucket{}}
}

// allow takes a request for ip from the shared limit while Redis answers,
// from this process's bucket otherwise, or says how long until one fits.
func (l *ipLimiter) allow(ip string) (bool, time.Duration) {
	key := limitKey(ip)
	now := l.now()
	if l.shared != nil {
		if ok, retry, decided := l.shared.Allow(key, now); decided {
			return ok, retry
		}
	}
	return l.allowLocal(key, now)
}

// allowLocal takes a token from key's bucket in this process.
func (l *ipLimiter) allowLocal(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls++; l.calls%pruneEvery == 0 {
		l.prune(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.limit, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.limit, b.tokens+l.refill(now.Sub(b.at)))
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	perToken := l.window / time.Duration(l.limit)
	return false, time.Duration((1 - b.tokens) * float64(perToken))
}

func (l *ipLimiter) refill(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return l.limit * float64(d) / float64(l.window)
}

// prune drops buckets that have filled up again: they hold no state.
func (l *ipLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+l.refill(now.Sub(b.at)) >= l.limit {
			delete(l.buckets, k)
		}
	}
}

// limitKey is the address an IPv4 client is counted by, or the /64 of an
// IPv6 one.
func limitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// peer is the TCP peer's address, for when no ClientIP function is set.
func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
