// Package ratelimit limits each API key's request rate: a key may spend up
// to Burst(rate) requests at once, and earns rate requests back per second.
// The default rate is BT_RATE_LIMIT (50/s); a key's own rate_limit (> 0)
// overrides it.
//
// Without Redis the buckets live in memory, per process
// (golang.org/x/time/rate, in a bounded LRU keyed by key id: a key pushed
// out simply starts again with a full bucket), so N processes allow N times
// the rate. With BT_REDIS_URL (UseRedis) one GCRA limit per key is kept in
// Redis for every process, and each process reserves requests from it in
// small batches (see shared.go); when Redis cannot be reached the local
// buckets take over until it answers again. SharedLimit keeps other limits
// (the public revocation endpoint's, per client address) in the same Redis
// the same way.
package ratelimit

import (
	"math"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"businesstools/internal/recency"
)

// DefaultSize is how many keys' buckets are kept.
const DefaultSize = 50_000

// Burst is the bucket size for a rate: two seconds' worth, so a client that
// batches its calls is not refused while its average stays within the rate.
func Burst(perSecond int) int { return 2 * perSecond }

// Decision is the answer for one request, with what the RateLimit-* headers say.
type Decision struct {
	Allowed    bool
	Limit      int           // RateLimit-Limit: the bucket size (Burst)
	Remaining  int           // RateLimit-Remaining: requests left right now
	Reset      time.Duration // RateLimit-Reset: until the bucket is full again
	RetryAfter time.Duration // Retry-After when refused: until one request fits
}

// Limiter holds one bucket per key, and the shared limits when UseRedis
// was called.
type Limiter struct {
	defaultRate int
	buckets     *lru.Cache[int, *bucket]
	now         func() time.Time
	shared      *shared // nil without Redis
}

type bucket struct {
	perSecond int
	lim       *rate.Limiter
	used      recency.Mark
}

// New returns a Limiter with defaultRate requests per second for keys
// without their own limit, keeping at most size buckets (DefaultSize if ≤ 0).
func New(defaultRate, size int) *Limiter {
	if size <= 0 {
		size = DefaultSize
	}
	if defaultRate <= 0 {
		defaultRate = 50
	}
	c, _ := lru.New[int, *bucket](size)
	return &Limiter{defaultRate: defaultRate, buckets: c, now: time.Now}
}

// Allow takes one request from the key's bucket: the shared one while Redis
// answers, the process's own otherwise. keyRate is the key's own limit
// (0 = the default); a changed limit starts a fresh bucket.
func (l *Limiter) Allow(keyID, keyRate int) Decision { return l.AllowAt(keyID, keyRate, l.now()) }

// AllowAt is Allow at a time the caller read (the request's start), so that
// a request reads the clock once, not once per layer.
func (l *Limiter) AllowAt(keyID, keyRate int, now time.Time) Decision {
	perSecond := keyRate
	if perSecond <= 0 {
		perSecond = l.defaultRate
	}
	if l.shared != nil {
		if d, ok := l.shared.allow(keyID, perSecond, now); ok {
			return d
		}
	}
	return l.allowLocal(keyID, perSecond, now)
}

func (l *Limiter) allowLocal(keyID, perSecond int, now time.Time) Decision {
	b := l.bucket(keyID, perSecond, now)
	d := Decision{Limit: Burst(perSecond)}
	res := b.lim.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		d.RetryAfter = wait
	} else {
		d.Allowed = true
	}
	tokens := b.lim.TokensAt(now)
	d.Remaining = max(0, int(math.Floor(tokens)))
	if missing := float64(d.Limit) - tokens; missing > 0 {
		d.Reset = time.Duration(missing / float64(perSecond) * float64(time.Second))
	}
	return d
}

func (l *Limiter) bucket(keyID, perSecond int, now time.Time) *bucket {
	if b, ok := l.buckets.Peek(keyID); ok && b.perSecond == perSecond {
		if b.used.Due(now) { // see package recency
			l.buckets.Get(keyID)
		}
		return b
	}
	b := &bucket{perSecond: perSecond, lim: rate.NewLimiter(rate.Limit(perSecond), Burst(perSecond))}
	if prev, found, _ := l.buckets.PeekOrAdd(keyID, b); found {
		if prev.perSecond == perSecond {
			return prev // another request created it first
		}
		l.buckets.Add(keyID, b)
	}
	return b
}
