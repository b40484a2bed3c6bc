package apikey

import (
	"context"
	"crypto/sha256"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"businesstools/ent"
)

// Verification outcomes besides the Refused… reasons, for metrics and tests.
const (
	OutcomeOK        = "ok"
	OutcomeMissing   = "missing"
	OutcomeMalformed = "malformed"
)

// VerifyObserver receives what happened on each verification; the metrics
// package implements it. Both methods run on the request path and must be cheap.
type VerifyObserver interface {
	// Verified reports the outcome: OutcomeOK, OutcomeMissing,
	// OutcomeMalformed or one of the Refused… reasons.
	Verified(outcome string)
	// CacheLookup reports "hit", "negative_hit" or "miss" for a well-formed key.
	CacheLookup(result string)
}

// VerifierConfig configures a Verifier; zero values take the defaults.
type VerifierConfig struct {
	Client       *ent.Client
	Now          func() time.Time
	CacheSize    int           // known keys cached (DefaultCacheSize)
	FreshFor     time.Duration // how long a cached key is trusted (DefaultFreshFor)
	NegativeSize int           // unknown hashes cached (DefaultNegativeSize)
	NegativeFor  time.Duration // how long an unknown hash stays unknown (DefaultNegativeFor)
	Observer     VerifyObserver
}

// Verifier answers "may this request use this key?" on every REST request.
// In order: the key's shape and checksum (a bad one costs no I/O at all),
// its SHA-256, the in-process cache, and only on a miss the database
// (concurrent misses for one hash share a single lookup); then the
// per-request rules of Facts.Refusal, the IP allow-list included.
type Verifier struct {
	cfg     VerifierConfig
	cache   *factsCache
	group   singleflight.Group
	lookups atomic.Int64
}

// NewVerifier returns a Verifier. Wire Forget to Service.OnChange (and to the
// cross-process change feed) so changes take effect on the next request.
func NewVerifier(cfg VerifierConfig) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.FreshFor <= 0 {
		cfg.FreshFor = DefaultFreshFor
	}
	if cfg.NegativeSize <= 0 {
		cfg.NegativeSize = DefaultNegativeSize
	}
	if cfg.NegativeFor <= 0 {
		cfg.NegativeFor = DefaultNegativeFor
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Verifier{cfg: cfg, cache: newFactsCache(cfg.CacheSize, cfg.NegativeSize, cfg.FreshFor, cfg.NegativeFor)}
}

// Verify checks the raw key from a request made from ip. It returns the
// key's facts and OutcomeOK, or ErrInvalidKey (whatever the reason: the
// outcome says which, for metrics only) or an Internal error when the
// database fails. The returned Facts are shared: do not modify them.
func (v *Verifier) Verify(ctx context.Context, raw string, ip netip.Addr) (*Facts, string, error) {
	outcome, f, err := v.verify(ctx, raw, ip)
	if err == nil || err == ErrInvalidKey {
		v.cfg.Observer.Verified(outcome)
	}
	return f, outcome, err
}

func (v *Verifier) verify(ctx context.Context, raw string, ip netip.Addr) (string, *Facts, error) {
	if raw == "" {
		return OutcomeMissing, nil, ErrInvalidKey
	}
	if Parse(raw) != nil {
		return OutcomeMalformed, nil, ErrInvalidKey
	}
	hash := sha256.Sum256([]byte(raw))
	now := v.cfg.Now()
	f, result := v.cache.get(hash, now)
	v.cfg.Observer.CacheLookup(result)
	if result == cacheMiss {
		var err error
		if f, err = v.load(ctx, hash); err != nil {
			return "", nil, err
		}
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
		v.lookups.Add(1)
		// Detached from the first caller's cancellation: others may share the result.
		f, err := LoadFacts(context.WithoutCancel(ctx), v.cfg.Client, hash[:])
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

// Forget drops every cached entry of the key; Service.OnChange and the
// change feed call it.
func (v *Verifier) Forget(keyID int) { v.cache.dropKey(keyID) }

// ForgetAll empties the cache (after the change feed lost notifications).
func (v *Verifier) ForgetAll() { v.cache.dropAll() }

// Lookups is how many database lookups the Verifier has made: tests and the
// load test use it to show which requests cost no database work.
func (v *Verifier) Lookups() int64 { return v.lookups.Load() }

type nopObserver struct{}

func (nopObserver) Verified(string)    {}
func (nopObserver) CacheLookup(string) {}
