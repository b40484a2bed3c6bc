package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
)

// Shared limits (BT_REDIS_URL). Each key has one GCRA limit in Redis
// (github.com/go-redis/redis_rate: an atomic Lua script on Redis's clock),
// the same for every process. A round trip per request would put Redis's
// latency and a second process's CPU on the hot path (measured: see the
// README), so each process reserves a batch of requests at once — BatchDivisor
// parts of the rate, 50 ms' worth, one request for rates under 40/s — and
// spends it locally; and when Redis refuses, the process refuses locally
// until Redis said a request would fit. Every accepted request was reserved
// in Redis, so N processes together never exceed the limit; a batch not
// spent within LeaseTTL is dropped (at worst a process allows a batch less).
const (
	// BatchDivisor: a reservation is perSecond/BatchDivisor requests (≥ 1).
	BatchDivisor = 20
	// LeaseTTL is how long a reserved batch may be spent.
	LeaseTTL = time.Second
	// OpTimeout bounds one Redis operation (dial, write, read): a request
	// never waits longer than this for Redis before the local limit decides.
	OpTimeout = 250 * time.Millisecond
	// RecheckInterval is how often an unreachable Redis is tried again.
	RecheckInterval = time.Second
	// DefaultPrefix starts every Redis key (after redis_rate's "rate:")
	// unless BT_REDIS_URL says ?prefix=….
	DefaultPrefix = "businesstools:"
)

// Stats describes the shared limits, for metrics and tests.
type Stats struct {
	Shared     bool  // BT_REDIS_URL is set
	RedisUp    bool  // limits are shared right now
	RoundTrips int64 // reservations (and SharedLimit requests) asked of Redis
	Fallbacks  int64 // decisions made by the local buckets while Redis was unreachable
}

type shared struct {
	rdb    *redis.Client
	gcra   *redis_rate.Limiter
	prefix string
	logger *slog.Logger
	leases *lru.Cache[int, *lease]

	up         atomic.Bool
	roundTrips atomic.Int64
	fallbacks  atomic.Int64

	wake       chan struct{}
	stop, done chan struct{}
	closeOnce  sync.Once
}

// lease is one key's reserved requests in this process.
type lease struct {
	mu           sync.Mutex
	perSecond    int
	tokens       int       // reserved in Redis, not yet spent
	expires      time.Time // tokens left then are dropped
	remaining    int       // what Redis had left after the reservation
	resetAt      time.Time // when Redis's bucket is full again
	refusedUntil time.Time // Redis said no request fits before then
}

// UseRedis shares the limits of every process through Redis at rawURL
// (redis://[:password@]host:port/db, or rediss:// for TLS; ?prefix=name:
// sets the key prefix, DefaultPrefix otherwise). An unreachable Redis is
// not an error: the local limits apply, and a loop tries again every
// RecheckInterval. Call Close on shutdown.
func (l *Limiter) UseRedis(rawURL string, logger *slog.Logger) error {
	opt, prefix, err := parseRedisURL(rawURL)
	if err != nil {
		return err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// go-redis logs each failed dial of its pool on stderr: while Redis is
	// down that is one line a second beside ours; keep them at debug level.
	redisLogOnce.Do(func() { redis.SetLogger(debugLogger{logger}) })
	leases, _ := lru.New[int, *lease](DefaultSize)
	rdb := redis.NewClient(opt)
	s := &shared{rdb: rdb, gcra: redis_rate.NewLimiter(rdb), prefix: prefix, logger: logger, leases: leases,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), OpTimeout)
	err = rdb.Ping(ctx).Err()
	cancel()
	go s.recover()
	where := redactedURL(rawURL)
	if err != nil {
		logger.Warn("rate limits: Redis unreachable; each process applies its own limits until it answers", "redis", where, "err", err)
		s.wake <- struct{}{}
	} else {
		s.up.Store(true)
		logger.Info("rate limits: shared by every process through Redis", "redis", where)
	}
	l.shared = s
	return nil
}

// Close stops sharing and closes the Redis client.
func (l *Limiter) Close() error {
	s := l.shared
	if s == nil {
		return nil
	}
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return s.rdb.Close()
}

// Stats returns the shared limits' state and counters.
func (l *Limiter) Stats() Stats {
	s := l.shared
	if s == nil {
		return Stats{}
	}
	return Stats{Shared: true, RedisUp: s.up.Load(), RoundTrips: s.roundTrips.Load(), Fallbacks: s.fallbacks.Load()}
}

var redisLogOnce sync.Once

// debugLogger writes go-redis's internal log lines as debug records.
type debugLogger struct{ l *slog.Logger }

func (d debugLogger) Printf(ctx context.Context, format string, v ...any) {
	d.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// parseRedisURL reads BT_REDIS_URL; the prefix parameter is ours, the rest
// is go-redis's. Timeouts are OpTimeout and failures are not retried: the
// local limit answers instead.
func parseRedisURL(rawURL string) (*redis.Options, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, "", fmt.Errorf("BT_REDIS_URL must look like redis://host:port/db")
	}
	q := u.Query()
	prefix := DefaultPrefix
	if p := q.Get("prefix"); p != "" {
		prefix = p
	}
	q.Del("prefix")
	u.RawQuery = q.Encode()
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, "", fmt.Errorf("BT_REDIS_URL must look like redis://host:port/db (%s): %v", u.Redacted(), err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout, opt.PoolTimeout = OpTimeout, OpTimeout, OpTimeout, OpTimeout
	opt.MaxRetries, opt.DialerRetries = -1, 1
	opt.ContextTimeoutEnabled = true
	opt.DisableIdentity = true
	return opt, prefix, nil
}

// redactedURL is rawURL without its password, for logs.
func redactedURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// allow decides with the shared limit; ok is false when Redis is
// unreachable and the local bucket must decide.
func (s *shared) allow(keyID, perSecond int, now time.Time) (d Decision, ok bool) {
	if !s.up.Load() {
		s.fallbacks.Add(1)
		return Decision{}, false
	}
	ls := s.lease(keyID)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.perSecond != perSecond { // a changed limit: forget what was reserved under the old one
		ls.perSecond, ls.tokens, ls.refusedUntil = perSecond, 0, time.Time{}
	}
	d.Limit = Burst(perSecond)
	if ls.tokens == 0 || !now.Before(ls.expires) {
		ls.tokens = 0
		if now.Before(ls.refusedUntil) {
			return ls.refused(d, now), true
		}
		if err := s.reserve(ls, keyID, perSecond, now); err != nil {
			s.markDown(err)
			s.fallbacks.Add(1)
			return Decision{}, false
		}
		if ls.tokens == 0 {
			return ls.refused(d, now), true
		}
	}
	ls.tokens--
	d.Allowed = true
	d.Remaining = ls.tokens + ls.remaining
	d.Reset = max(0, ls.resetAt.Sub(now))
	return d, true
}

func (ls *lease) refused(d Decision, now time.Time) Decision {
	d.RetryAfter = max(time.Millisecond, ls.refusedUntil.Sub(now))
	d.Reset = max(0, ls.resetAt.Sub(now))
	return d
}

// reserve asks Redis for a batch of requests for the key.
func (s *shared) reserve(ls *lease, keyID, perSecond int, now time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), OpTimeout)
	defer cancel()
	s.roundTrips.Add(1)
	res, err := s.gcra.AllowAtMost(ctx, s.prefix+strconv.Itoa(keyID),
		redis_rate.Limit{Rate: perSecond, Burst: Burst(perSecond), Period: time.Second}, max(1, perSecond/BatchDivisor))
	if err != nil {
		return err
	}
	ls.tokens, ls.remaining = res.Allowed, res.Remaining
	ls.expires = now.Add(LeaseTTL)
	ls.resetAt = now.Add(max(0, res.ResetAfter))
	if res.Allowed == 0 {
		ls.refusedUntil = now.Add(res.RetryAfter)
	}
	return nil
}

func (s *shared) lease(keyID int) *lease {
	if ls, ok := s.leases.Get(keyID); ok {
		return ls
	}
	ls := &lease{}
	if prev, found, _ := s.leases.PeekOrAdd(keyID, ls); found {
		return prev
	}
	return ls
}

// markDown switches to the local limits until Redis answers again.
func (s *shared) markDown(err error) {
	if s.up.CompareAndSwap(true, false) {
		s.logger.Warn("rate limits: Redis unreachable; each process applies its own limits until it answers again", "err", err)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// recover pings an unreachable Redis every RecheckInterval and shares the
// limits again once it answers, starting from fresh reservations.
func (s *shared) recover() {
	defer close(s.done)
	t := time.NewTicker(RecheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
		}
		for !s.up.Load() {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), OpTimeout)
			err := s.rdb.Ping(ctx).Err()
			cancel()
			if err == nil {
				s.leases.Purge()
				s.up.Store(true)
				s.logger.Info("rate limits: Redis answers again; limits are shared by every process")
			}
		}
	}
}
