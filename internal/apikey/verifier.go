package apikey

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"businesstools/internal/db"
)

// Verification outcomes besides the Refused… reasons, for metrics and tests.
const (
	OutcomeOK        = "ok"
	OutcomeMissing   = "missing"
	OutcomeMalformed = "malformed"
)

// Outcomes are the values VerifyObserver.Verified reports.
var Outcomes = []string{OutcomeOK, OutcomeMissing, OutcomeMalformed,
	RefusedUnknown, RefusedInactive, RefusedExpired, RefusedGraceEnded, RefusedIP}

// VerifyObserver receives what happened on each verification; the metrics
// package implements it. Both methods run on the request path and must be cheap.
type VerifyObserver interface {
	// Verified reports the outcome: one of Outcomes.
	Verified(outcome string)
	// CacheLookup reports how the cache answered a well-formed key: one of CacheResults.
	CacheLookup(result string)
}

// VerifierConfig configures a Verifier; zero values take the defaults.
type VerifierConfig struct {
	DB           *db.DB
	LookupDB     *sql.DB // where the prepared lookup runs (db.OpenLookupPool); DB.SQL when nil
	Now          func() time.Time
	CacheSize    int           // known keys cached (DefaultCacheSize)
	FreshFor     time.Duration // how long a cached key is served as it is (DefaultFreshFor)
	StaleFor     time.Duration // how long it is served while refreshed in the background (DefaultStaleFor)
	NegativeSize int           // unknown hashes cached (DefaultNegativeSize)
	NegativeFor  time.Duration // how long an unknown hash is served as unknown as it is (DefaultNegativeFor)
	Observer     VerifyObserver
	Logger       *slog.Logger // background refresh failures
}

// Verifier answers "may this request use this key?" on every REST request.
// In order: the key's shape and checksum (a bad one costs no I/O at all),
// its SHA-256, the in-process cache, and only on a miss the database, in one
// round trip (concurrent misses for one hash share a single lookup); then
// the per-request rules of Facts.Refusal, the IP allow-list included. An
// entry past its freshness is served while one background lookup refreshes
// it (see DefaultStaleFor), as long as the change feed is live.
type Verifier struct {
	cfg     VerifierConfig
	cache   *factsCache
	group   singleflight.Group
	lookups atomic.Int64
	// noStale is set while changes made by other processes may go unnoticed
	// (the change feed is down): entries are then served only while fresh.
	noStale atomic.Bool

	stmtMu sync.Mutex
	stmt   atomic.Pointer[sql.Stmt] // the prepared lookup, once preparing worked
}

// refreshTimeout bounds one background refresh; refreshRetry is how long a
// failed one waits before the entry may try again.
const (
	refreshTimeout = 5 * time.Second
	refreshRetry   = time.Second
)

// NewVerifier returns a Verifier. Wire Forget to Service.OnChange (and to the
// cross-process change feed) so changes take effect on the next request.
func NewVerifier(cfg VerifierConfig) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.CacheSize, DefaultCacheSize)
	def(&cfg.NegativeSize, DefaultNegativeSize)
	defDur(&cfg.FreshFor, DefaultFreshFor)
	defDur(&cfg.StaleFor, DefaultStaleFor)
	defDur(&cfg.NegativeFor, DefaultNegativeFor)
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Verifier{cfg: cfg,
		cache: newFactsCache(cfg.CacheSize, cfg.NegativeSize, cfg.FreshFor, cfg.StaleFor, cfg.NegativeFor)}
}

// Verify checks the raw key from a request made from ip. It returns the
// key's facts and OutcomeOK, or ErrInvalidKey (whatever the reason: the
// outcome says which, for metrics only) or an Internal error when the
// database fails. The returned Facts are shared: do not modify them.
func (v *Verifier) Verify(ctx context.Context, raw string, ip netip.Addr) (*Facts, string, error) {
	return v.VerifyAt(ctx, raw, ip, v.cfg.Now())
}

// VerifyAt is Verify at a time the caller read (the request's start), so
// that a request reads the clock once, not once per layer.
func (v *Verifier) VerifyAt(ctx context.Context, raw string, ip netip.Addr, now time.Time) (*Facts, string, error) {
	outcome, f, err := v.verify(ctx, raw, ip, now)
	if err == nil || err == ErrInvalidKey {
		v.cfg.Observer.Verified(outcome)
	}
	return f, outcome, err
}

func (v *Verifier) verify(ctx context.Context, raw string, ip netip.Addr, now time.Time) (string, *Facts, error) {
	if raw == "" {
		return OutcomeMissing, nil, ErrInvalidKey
	}
	if Parse(raw) != nil {
		return OutcomeMalformed, nil, ErrInvalidKey
	}
	hash := sha256.Sum256(stringBytes(raw))
	e, result := v.cache.get(hash, now, !v.noStale.Load())
	v.cfg.Observer.CacheLookup(result)
	var f *Facts
	switch result {
	case cacheMiss:
		var err error
		if f, err = v.load(ctx, hash); err != nil {
			return "", nil, err
		}
	case cacheStale, cacheNegativeStale:
		f = e.facts
		v.refresh(hash, e)
	default:
		f = e.facts
	}
	if reason := f.Refusal(now, ip); reason != "" {
		return reason, nil, ErrInvalidKey
	}
	return OutcomeOK, f, nil
}

// load reads the key from the database and caches the answer. The
// singleflight key includes the cache generation, so a request that starts
// after a change never joins a lookup that began before it.
func (v *Verifier) load(ctx context.Context, hash [32]byte) (*Facts, error) {
	gen := v.cache.generation()
	res, err, _ := v.group.Do(string(hash[:])+strconv.FormatUint(gen, 10), func() (any, error) {
		defer v.lookups.Add(1) // counted once done (and cached): tests wait for background ones
		// Detached from the first caller's cancellation: others may share the result.
		ctx := context.WithoutCancel(ctx)
		var f *Facts
		var err error
		if stmt := v.prepared(ctx); stmt != nil {
			f, err = loadFactsPrepared(ctx, stmt, hash[:])
		} else {
			f, err = LoadFacts(ctx, v.cfg.DB, hash[:])
		}
		if err != nil {
			return nil, err
		}
		v.cache.put(hash, f, gen, v.cfg.Now())
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	return res.(*Facts), nil
}

// prepared returns the prepared lookup, preparing it the first time (and
// again after a failure, e.g. while the database was unreachable); nil when
// that fails, and the lookup goes unprepared. database/sql prepares it
// anew on each pooled connection as it first runs there.
func (v *Verifier) prepared(ctx context.Context) *sql.Stmt {
	if s := v.stmt.Load(); s != nil {
		return s
	}
	v.stmtMu.Lock()
	defer v.stmtMu.Unlock()
	if s := v.stmt.Load(); s != nil {
		return s
	}
	pool := v.cfg.LookupDB
	if pool == nil {
		pool = v.cfg.DB.SQL
	}
	s, err := pool.PrepareContext(ctx, FactsQuery(v.cfg.DB.Dialect))
	if err != nil {
		return nil
	}
	v.stmt.Store(s)
	return s
}

// refresh starts the background lookup of a stale entry, unless one is
// already under way. Its answer replaces the entry; should the key have
// changed meanwhile, the change's drop wins (see factsCache.put). A failed
// refresh keeps serving the entry and lets the next request after
// refreshRetry try again.
func (v *Verifier) refresh(hash [32]byte, e *entry) {
	if !e.refreshing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
		defer cancel()
		if _, err := v.load(ctx, hash); err != nil {
			v.cfg.Logger.Warn("apikey: background refresh failed; serving the cached entry", "err", err)
			time.AfterFunc(refreshRetry, func() { e.refreshing.Store(false) })
		}
	}()
}

// Forget drops every cached entry of the key; Service.OnChange and the
// change feed call it.
func (v *Verifier) Forget(keyID int) { v.cache.dropKey(keyID) }

// ForgetAll empties the cache.
func (v *Verifier) ForgetAll() { v.cache.dropAll() }

// ChangeFeed tells the verifier whether the other processes' change notices
// are arriving. Either way the cache is emptied: notices sent while the feed
// was down are lost. While it is down entries are served only while fresh,
// as a safety net; once it is live again, stale entries are served while
// they refresh. A Verifier starts live (a single process needs no feed).
func (v *Verifier) ChangeFeed(live bool) {
	if !live {
		v.noStale.Store(true)
		v.cache.dropAll()
		return
	}
	v.cache.dropAll()
	v.noStale.Store(false)
}

// Lookups is how many database lookups the Verifier has completed: tests and
// the load test use it to show which requests cost no database work.
func (v *Verifier) Lookups() int64 { return v.lookups.Load() }

type nopObserver struct{}

func (nopObserver) Verified(string)    {}
func (nopObserver) CacheLookup(string) {}
