package apikey

import (
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"businesstools/internal/recency"
)

// Cache sizes and freshness, declared in one place (Unkey's
// verification_key_by_hash: fresh 10 s, stale 10 min). A fresh entry is
// served as it is. An older one, up to StaleFor, is still served while one
// background lookup refreshes it, so no request waits on the database when
// an entry ages out. Ageing is only the safety net: every change made
// through any server drops the key's entries at once (in this process
// through Service.OnChange, in the others through LISTEN/NOTIFY), and a
// dropped entry is never served, stale or not. Misses are cached too, in
// their own LRU, so a flood of unknown keys cannot push the known ones out.
const (
	DefaultCacheSize    = 10_000
	DefaultFreshFor     = 10 * time.Second
	DefaultStaleFor     = 10 * time.Minute
	DefaultNegativeSize = 10_000
	DefaultNegativeFor  = 10 * time.Second
)

// entry is a cached lookup: a known key's facts, or nil for an unknown hash.
type entry struct {
	facts      *Facts
	loadedAt   time.Time
	refreshing atomic.Bool // one background refresh at a time
	used       recency.Mark
}

// lookup is an LRU read that marks the entry recently used at most once
// per recency.Every.
func lookup(c *lru.Cache[[32]byte, *entry], hash [32]byte, now time.Time) (*entry, bool) {
	e, ok := c.Peek(hash)
	if ok && e.used.Due(now) {
		c.Get(hash)
	}
	return e, ok
}

// factsCache caches Facts by key hash. Reads take only the LRUs' own locks;
// mu orders stores against drops, so a lookup that read the database before
// a change committed cannot store what it read after the change dropped the
// key (gen counts drops; a store from an older generation is discarded).
type factsCache struct {
	freshFor, staleFor, negativeFor time.Duration
	pos, neg                        *lru.Cache[[32]byte, *entry]

	mu  sync.Mutex
	gen uint64
}

func newFactsCache(size, negSize int, freshFor, staleFor, negativeFor time.Duration) *factsCache {
	pos, err := lru.New[[32]byte, *entry](size)
	if err != nil {
		panic(err) // only for a non-positive size, which the config defaults rule out
	}
	neg, err := lru.New[[32]byte, *entry](negSize)
	if err != nil {
		panic(err)
	}
	return &factsCache{freshFor: freshFor, staleFor: staleFor, negativeFor: negativeFor, pos: pos, neg: neg}
}

// How a lookup was answered, for metrics: CacheResults lists them all.
const (
	cacheHit           = "hit"
	cacheStale         = "stale"
	cacheNegativeHit   = "negative_hit"
	cacheNegativeStale = "negative_stale"
	cacheMiss          = "miss"
)

// CacheResults are the values VerifyObserver.CacheLookup reports.
var CacheResults = []string{cacheHit, cacheStale, cacheNegativeHit, cacheNegativeStale, cacheMiss}

// get returns the entry for hash and how it answers: hit or negative hit
// while fresh, stale or negative stale after that (only when allowStale, and
// up to staleFor), miss otherwise (and a too old entry is removed).
func (c *factsCache) get(hash [32]byte, now time.Time, allowStale bool) (*entry, string) {
	if e, ok := lookup(c.pos, hash, now); ok {
		switch age := now.Sub(e.loadedAt); {
		case age < c.freshFor:
			return e, cacheHit
		case allowStale && age < c.staleFor:
			return e, cacheStale
		}
		c.pos.Remove(hash)
	}
	if e, ok := lookup(c.neg, hash, now); ok {
		switch age := now.Sub(e.loadedAt); {
		case age < c.negativeFor:
			return e, cacheNegativeHit
		case allowStale && age < c.staleFor:
			return e, cacheNegativeStale
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
// happened since generation gen was read. It replaces whatever the hash had,
// in either LRU: a refresh may find a known key gone, or back.
func (c *factsCache) put(hash [32]byte, f *Facts, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	e := &entry{facts: f, loadedAt: now}
	if f == nil {
		c.pos.Remove(hash)
		c.neg.Add(hash, e)
		return
	}
	c.neg.Remove(hash)
	c.pos.Add(hash, e)
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
