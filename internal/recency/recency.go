// Package recency spaces out how often a cache hit marks its LRU entry
// recently used. Marking (golang-lru's Get) takes the LRU's exclusive lock
// and moves a list element, which every request for a busy key would
// otherwise do on every core; a plain look (Peek) shares a read lock. With
// caches of tens of thousands of entries, an eviction order exact to within
// Every is all that is needed.
package recency

import (
	"sync/atomic"
	"time"
)

// Every is how often a hit marks its entry recently used.
const Every = time.Second

// Mark, kept in an LRU value, remembers when a hit last marked it.
type Mark struct{ at atomic.Int64 } // Unix ns

// Due reports whether a hit at now should mark the entry (Get it) and, if
// so, notes that it did.
func (m *Mark) Due(now time.Time) bool {
	t := now.UnixNano()
	if t-m.at.Load() < int64(Every) {
		return false
	}
	m.at.Store(t)
	return true
}
