package accesstoken

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"businesstools/ent"
	"businesstools/ent/accesstoken"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/tenant"
)

// Cache size and freshness. Every change through any process drops the
// token's entries at once (Service.OnChange here, LISTEN/NOTIFY elsewhere);
// the short freshness is only the safety net, as for API keys. Unknown
// hashes are cached too, so a flood of made-up tokens costs one lookup each.
const (
	DefaultCacheSize = 10_000
	DefaultFreshFor  = 10 * time.Second
)

// VerifierConfig configures a Verifier; zero values take the defaults.
type VerifierConfig struct {
	Client    *ent.Client
	Now       func() time.Time
	CacheSize int
	FreshFor  time.Duration
	LastUsed  *LastUsed // records each use; nil records nothing
	Logger    *slog.Logger
}

// Verifier checks the access token of a GraphQL request (it implements
// auth.TokenVerifier). In order: shape and checksum (no I/O for a bad one),
// SHA-256, the cache, and only on a miss one indexed lookup of the token
// with its admin (concurrent misses share it); then the expiry, and the
// admin's current role against the token's scopes.
type Verifier struct {
	cfg     VerifierConfig
	group   singleflight.Group
	lookups atomic.Int64

	mu    sync.Mutex // orders stores against drops (see put)
	gen   uint64
	cache *lru.Cache[[32]byte, entry]
}

// entry is a cached lookup: the token's viewer, or nil for an unknown hash.
type entry struct {
	viewer    *auth.Viewer
	expiresAt time.Time
	loadedAt  time.Time
}

// NewVerifier returns a Verifier. Wire Forget to Service.OnChange and to the
// cross-process change feed.
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
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := lru.New[[32]byte, entry](cfg.CacheSize)
	if err != nil {
		panic(err) // only for a non-positive size, which the defaults rule out
	}
	return &Verifier{cfg: cfg, cache: c}
}

// VerifyToken returns the viewer the token acts for. Errors:
// auth.ErrBadToken for any unusable token (the reason is not told),
// Internal when the database fails. The viewer is shared: do not modify it.
func (v *Verifier) VerifyToken(ctx context.Context, raw string) (*auth.Viewer, error) {
	if Parse(raw) != nil {
		return nil, auth.ErrBadToken
	}
	var buf [64]byte // a token fits: hashing it allocates nothing
	hash := sha256.Sum256(append(buf[:0], raw...))
	now := v.cfg.Now()
	e, ok := v.get(hash, now)
	if !ok {
		var err error
		if e, err = v.load(ctx, hash); err != nil {
			// The middleware answers 500 without detail: the cause is logged here.
			v.cfg.Logger.ErrorContext(ctx, "verify access token", "err", err)
			return nil, err
		}
	}
	if e.viewer == nil || !now.Before(e.expiresAt) || !roleAllowsAll(e.viewer.Role, e.viewer.Token.Scopes) {
		return nil, auth.ErrBadToken
	}
	if v.cfg.LastUsed != nil {
		v.cfg.LastUsed.Touch(e.viewer.Token.ID, now)
	}
	return e.viewer, nil
}

func (v *Verifier) get(hash [32]byte, now time.Time) (entry, bool) {
	e, ok := v.cache.Get(hash)
	if !ok || now.Sub(e.loadedAt) >= v.cfg.FreshFor {
		return entry{}, false
	}
	return e, true
}

// load reads the token from the database and caches the answer. The
// singleflight key holds the cache generation, so a request that starts
// after a change never joins a lookup that began before it.
func (v *Verifier) load(ctx context.Context, hash [32]byte) (entry, error) {
	v.mu.Lock()
	gen := v.gen
	v.mu.Unlock()
	res, err, _ := v.group.Do(string(hash[:])+strconv.FormatUint(gen, 10), func() (any, error) {
		v.lookups.Add(1)
		// Detached from the first caller's cancellation: others may share the
		// result. Unscoped: the token is what says which account this is.
		e, err := lookup(tenant.Unscoped(context.WithoutCancel(ctx)), v.cfg.Client, hash[:])
		if err != nil {
			return nil, err
		}
		e.loadedAt = v.cfg.Now()
		v.put(hash, e, gen)
		return e, nil
	})
	if err != nil {
		return entry{}, err
	}
	return res.(entry), nil
}

func lookup(ctx context.Context, c *ent.Client, hash []byte) (entry, error) {
	t, err := c.AccessToken.Query().Where(accesstoken.TokenHash(hash)).WithAdmin().Only(ctx)
	if ent.IsNotFound(err) {
		return entry{}, nil
	}
	if err != nil {
		return entry{}, apperr.Internalf(err, "load access token")
	}
	a := t.Edges.Admin
	if subtle.ConstantTimeCompare(t.TokenHash, hash) != 1 || a == nil || a.InvitePending {
		return entry{}, nil
	}
	return entry{expiresAt: t.ExpiresAt, viewer: &auth.Viewer{AdminID: a.ID, AccountID: a.AccountID,
		Email: a.Email, Role: a.Role, Token: &auth.Token{ID: t.ID, Name: t.Name, Scopes: t.Scopes}}}, nil
}

// put stores a lookup's result unless a drop happened since generation gen.
func (v *Verifier) put(hash [32]byte, e entry, gen uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if gen == v.gen {
		v.cache.Add(hash, e)
	}
}

// Forget drops the cached entries the change touched. Changes are rare
// admin actions, so a scan of the bounded cache is cheaper than an index.
// Unknown-hash entries stay: a new token's hash holds 256 fresh random bits.
func (v *Verifier) Forget(c Change) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	for _, h := range v.cache.Keys() {
		e, ok := v.cache.Peek(h)
		if ok && e.viewer != nil && (e.viewer.Token.ID == c.TokenID || e.viewer.AdminID == c.AdminID) {
			v.cache.Remove(h)
		}
	}
}

// ForgetAll empties the cache (after the change feed lost notifications).
func (v *Verifier) ForgetAll() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	v.cache.Purge()
}

// Lookups is how many database lookups the Verifier has made, for tests.
func (v *Verifier) Lookups() int64 { return v.lookups.Load() }
