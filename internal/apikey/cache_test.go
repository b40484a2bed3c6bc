package apikey

import (
	"crypto/sha256"
	"testing"
	"time"
)

// Ensure a lookup that read the database before a change cannot store its
// stale answer after the change dropped the key.
func TestFactsCache_StaleStoreDiscarded(t *testing.T) {
	c := newFactsCache(10, 10, time.Minute, time.Hour, time.Minute)
	now := time.Now()
	h := sha256.Sum256([]byte("k"))
	gen := c.generation() // lookup starts
	c.dropKey(7)          // the key changes meanwhile
	c.put(h, &Facts{KeyID: 7, Active: true}, gen, now)
	if _, res := c.get(h, now, true); res != cacheMiss {
		t.Fatalf("stale answer was cached: %s", res)
	}
	c.put(h, &Facts{KeyID: 7, Active: true}, c.generation(), now)
	if e, res := c.get(h, now, true); res != cacheHit || e.facts.KeyID != 7 {
		t.Fatalf("fresh answer: %s", res)
	}
}

// Ensure entries are fresh, then stale (only when stale is allowed), then
// gone, known and unknown alike; that dropping a key removes all its hashes
// (current and previous secret); and that a refresh finding a known key
// gone replaces its entry.
func TestFactsCache_FreshStaleAndDrop(t *testing.T) {
	c := newFactsCache(10, 10, 10*time.Second, 10*time.Minute, 5*time.Second)
	now := time.Now()
	cur, prev, unknown := sha256.Sum256([]byte("cur")), sha256.Sum256([]byte("prev")), sha256.Sum256([]byte("x"))
	c.put(cur, &Facts{KeyID: 1}, c.generation(), now)
	c.put(prev, &Facts{KeyID: 1}, c.generation(), now)
	c.put(unknown, nil, c.generation(), now)
	for _, step := range []struct {
		hash       [32]byte
		after      time.Duration
		allowStale bool
		want       string
	}{
		{unknown, 4 * time.Second, true, cacheNegativeHit},
		{unknown, 5 * time.Second, true, cacheNegativeStale},
		{cur, 9 * time.Second, true, cacheHit},
		{cur, 10 * time.Second, true, cacheStale},
		{cur, 10 * time.Second, false, cacheMiss}, // and removed
		{cur, 0, true, cacheMiss},
		{prev, 10*time.Minute - 1, true, cacheStale},
		{unknown, 10 * time.Minute, true, cacheMiss},
	} {
		if _, res := c.get(step.hash, now.Add(step.after), step.allowStale); res != step.want {
			t.Fatalf("after %s (stale allowed: %v): %s, want %s", step.after, step.allowStale, res, step.want)
		}
	}
	c.put(cur, &Facts{KeyID: 1}, c.generation(), now)
	c.dropKey(1)
	if _, res := c.get(prev, now, true); res != cacheMiss {
		t.Fatalf("previous secret after drop: %s", res)
	}
	c.put(cur, &Facts{KeyID: 1}, c.generation(), now)
	c.put(cur, nil, c.generation(), now) // refreshed: deleted meanwhile
	if e, res := c.get(cur, now, true); res != cacheNegativeHit || e.facts != nil {
		t.Fatalf("a key found gone: %s", res)
	}
}
