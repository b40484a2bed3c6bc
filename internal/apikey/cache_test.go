package apikey

import (
	"crypto/sha256"
	"testing"
	"time"
)

// Ensure a lookup that read the database before a change cannot store its
// stale answer after the change dropped the key.
func TestFactsCache_StaleStoreDiscarded(t *testing.T) {
	c := newFactsCache(10, 10, time.Minute, time.Minute)
	now := time.Now()
	h := sha256.Sum256([]byte("k"))
	gen := c.generation() // lookup starts
	c.dropKey(7)          // the key changes meanwhile
	c.put(h, &Facts{KeyID: 7, Active: true}, gen, now)
	if _, res := c.get(h, now); res != cacheMiss {
		t.Fatalf("stale answer was cached: %s", res)
	}
	c.put(h, &Facts{KeyID: 7, Active: true}, c.generation(), now)
	if f, res := c.get(h, now); res != cacheHit || f.KeyID != 7 {
		t.Fatalf("fresh answer: %s", res)
	}
}

// Ensure entries expire after their freshness, known and unknown alike, and
// that dropping a key removes all its hashes (current and previous secret).
func TestFactsCache_FreshnessAndDrop(t *testing.T) {
	c := newFactsCache(10, 10, 10*time.Second, 5*time.Second)
	now := time.Now()
	cur, prev, unknown := sha256.Sum256([]byte("cur")), sha256.Sum256([]byte("prev")), sha256.Sum256([]byte("x"))
	c.put(cur, &Facts{KeyID: 1}, c.generation(), now)
	c.put(prev, &Facts{KeyID: 1}, c.generation(), now)
	c.put(unknown, nil, c.generation(), now)
	if _, res := c.get(unknown, now.Add(4*time.Second)); res != cacheNegativeHit {
		t.Fatalf("unknown within 5 s: %s", res)
	}
	if _, res := c.get(unknown, now.Add(5*time.Second)); res != cacheMiss {
		t.Fatalf("unknown after 5 s: %s", res)
	}
	if _, res := c.get(cur, now.Add(10*time.Second)); res != cacheMiss {
		t.Fatalf("known after 10 s: %s", res)
	}
	c.dropKey(1)
	if _, res := c.get(prev, now); res != cacheMiss {
		t.Fatalf("previous secret after drop: %s", res)
	}
}
