package ratelimit

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
	lru "github.com/hashicorp/golang-lru/v2"
)

// SharedLimit is a limit other than a key's rate — n requests per window
// for each name, a burst of n (60 per hour: 60 at once, then one a minute)
// — kept in the Limiter's Redis for every process: the same client, the
// same up/down state, log lines and counters as the per-key limits. The
// public revocation endpoint limits client addresses with one.
//
// Its rates are low, so each accepted request is one GCRA round trip (no
// batches). A refusal is remembered per name until Redis said a request
// would fit: a client hammering past its limit costs no round trip per
// request, and since other processes can only push that time later,
// refusing locally until then never refuses what the limit would allow.
type SharedLimit struct {
	s       *shared
	prefix  string // Redis key prefix + scope + ":"
	limit   redis_rate.Limit
	refused *lru.Cache[string, time.Time] // name → no request fits before then
}

// SharedLimit returns the limit scope shared through Redis, n requests per
// window per name, or nil when l does not share (no UseRedis): the caller
// keeps its own limit then. Its Redis keys are the per-key limits' prefix,
// then scope and a colon, so they never meet a key's limit (those end in
// the key id's digits); scope must not be empty.
func (l *Limiter) SharedLimit(scope string, n int, window time.Duration) *SharedLimit {
	if l.shared == nil {
		return nil
	}
	if scope == "" {
		panic("ratelimit: SharedLimit needs a scope")
	}
	refused, _ := lru.New[string, time.Time](DefaultSize)
	return &SharedLimit{s: l.shared, prefix: l.shared.prefix + scope + ":",
		limit: redis_rate.Limit{Rate: n, Burst: n, Period: window}, refused: refused}
}

// Allow takes one request for name at now. decided is false while Redis is
// unreachable (counted in Stats.Fallbacks; the first failure is logged,
// once, as for the per-key limits): the caller's own limit decides then.
// When refused, retryAfter is how long until a request fits.
func (sl *SharedLimit) Allow(name string, now time.Time) (allowed bool, retryAfter time.Duration, decided bool) {
	s := sl.s
	if !s.up.Load() {
		s.fallbacks.Add(1)
		return false, 0, false
	}
	if until, ok := sl.refused.Get(name); ok {
		if now.Before(until) {
			return false, until.Sub(now), true
		}
		sl.refused.Remove(name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), OpTimeout)
	defer cancel()
	s.roundTrips.Add(1)
	res, err := s.gcra.Allow(ctx, sl.prefix+name, sl.limit)
	if err != nil {
		s.markDown(err)
		s.fallbacks.Add(1)
		return false, 0, false
	}
	if res.Allowed > 0 {
		return true, 0, true
	}
	retryAfter = max(time.Millisecond, res.RetryAfter)
	sl.refused.Add(name, now.Add(retryAfter))
	return false, retryAfter, true
}
