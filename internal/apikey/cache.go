package apikey

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Cache sizes and freshness, declared in one place. Fresh entries save the
// database lookup on the hot path; the short TTL is only a safety net, since
// every change made through any server drops the key's entries at once (in
// this process through Service.OnChange, in the others through
// LISTEN/NOTIFY). Misses are cached too, in their own LRU, so a flood of
// unknown keys cannot push the known ones out.
const (
	DefaultCacheSize    = 10_000
	DefaultFreshFor     = 10 * time.Second
	DefaultNegativeSize = 10_000
	DefaultNegativeFor  = 10 * time.Second
)

// cachedFacts is a positive entry: a known key's facts and when they were loaded.
type cachedFacts struct {
	facts    *Facts
	loadedAt time.Time
}

// factsCache caches Facts by key hash. Reads take only the LRUs' own locks;
// mu orders stores against drops, so a lookup that read the database before
// a change committed cannot store what it read after the change dropped the
// key (gen counts drops; a store from an older generation is discarded).
type factsCache struct {
	freshFor, negativeFor time.Duration
	pos                   *lru.Cache[[32]byte, cachedFacts]
	neg                   *lru.Cache[[32]byte, time.Time]

	mu  sync.Mutex
	gen uint64
}

func newFactsCache(size, negSize int, freshFor, negativeFor time.Duration) *factsCache {
	pos, err := lru.New[[32]byte, cachedFacts](size)
	if err != nil {
		panic(err) // only for a non-positive size, which the config defaults rule out
	}
	neg, err := lru.New[[32]byte, time.Time](negSize)
	if err != nil {
		panic(err)
	}
	return &factsCache{freshFor: freshFor, negativeFor: negativeFor, pos: pos, neg: neg}
}

// cacheResult says how a lookup was answered, for metrics.
const (
	cacheHit         = "hit"
	cacheNegativeHit = "negative_hit"
	cacheMiss        = "miss"
)

// get returns the cached facts for hash: (facts, hit) for a fresh positive
// entry, (nil, negative hit) for a fresh miss, (nil, miss) otherwise.
func (c *factsCache) get(hash [32]byte, now time.Time) (*Facts, string) {
	if e, ok := c.pos.Get(hash); ok {
		if now.Sub(e.loadedAt) < c.freshFor {
			return e.facts, cacheHit
		}
		c.pos.Remove(hash)
	}
	if at, ok := c.neg.Get(hash); ok {
		if now.Sub(at) < c.negativeFor {
			return nil, cacheNegativeHit
		}
		c.neg.Remove(hash)
	}
	return nil, cacheMiss
}

// generation returns the drop counter to pass to put.
func (c *factsCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores a lookup's result (nil facts = unknown key) unless a drop
// happened since generation gen was read.
func (c *factsCache) put(hash [32]byte, f *Facts, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if f == nil {
		c.neg.Add(hash, now)
		return
	}
	c.pos.Add(hash, cachedFacts{facts: f, loadedAt: now})
}

// dropKey removes every entry of one key: after a roll in its grace period a
// key has two hashes (current and previous secret). Changes are rare admin
// actions, so a scan of the bounded cache is cheaper than keeping an index
// consistent on every eviction. Unknown-key entries stay: a hash missing
// before a change cannot belong to the key afterwards, since every new
// secret holds 256 fresh random bits.
func (c *factsCache) dropKey(keyID int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, h := range c.pos.Keys() {
		if e, ok := c.pos.Peek(h); ok && e.facts.KeyID == keyID {
			c.pos.Remove(h)
		}
	}
}

// dropAll empties the cache, e.g. after the change feed was interrupted and
// notifications may have been missed.
func (c *factsCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.pos.Purge()
	c.neg.Purge()
}
