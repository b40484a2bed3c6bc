// Package usage records when API keys were last used and how many requests
// each made per UTC day, without a database write per request: the REST
// middleware calls Record (a map update under a mutex), and a background
// loop writes everything gathered in one transaction at least once a second
// and once more on shutdown (DESIGN.md section 3).
package usage

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"businesstools/internal/db"
)

// DefaultInterval is how often pending usage is written.
const DefaultInterval = time.Second

// FlushTimeout bounds one background flush, and StopTimeout the final one
// Stop writes (on its own context: a shutdown whose deadline the HTTP drain
// used up still writes what is pending).
const (
	FlushTimeout = 30 * time.Second
	StopTimeout  = 10 * time.Second
)

// Config configures a Recorder.
type Config struct {
	DB       *db.DB
	Interval time.Duration // DefaultInterval when zero
	Logger   *slog.Logger
}

// Stats counts what the Recorder did, for metrics and tests.
type Stats struct {
	Recorded       int64 // requests recorded
	Flushes        int64 // flushes that wrote something and committed
	FailedFlushes  int64 // flushes rolled back (their usage is retried)
	LastUsedWrites int64 // UPDATEs of api_keys.last_used_at
	UsageRows      int64 // key_usages rows inserted or incremented
	DroppedKeys    int64 // keys deleted before their usage was written
}

// Recorder coalesces usage in memory and writes it in batches.
type Recorder struct {
	cfg Config

	mu       sync.Mutex
	pending  map[int]*keyUsage
	recorded int64

	flushMu sync.Mutex // one flush at a time; guards stats
	stats   Stats

	stop, done chan struct{}
	stopOnce   sync.Once
	started    atomic.Bool
}

// keyUsage is what one key did since the last flush.
type keyUsage struct {
	last time.Time
	days map[string]int64 // UTC day → requests
}

// New returns a Recorder; call Start to write in the background.
func New(cfg Config) *Recorder {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recorder{cfg: cfg, pending: map[int]*keyUsage{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// Record notes one request by the key at the given time. It never blocks on
// the database.
func (r *Recorder) Record(keyID int, at time.Time) {
	at = at.UTC()
	day := dayOf(at)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recorded++
	u := r.pending[keyID]
	if u == nil {
		u = &keyUsage{days: make(map[string]int64, 1)}
		r.pending[keyID] = u
	}
	u.days[day]++
	if at.After(u.last) {
		u.last = at
	}
}

// Start writes pending usage every Interval until Stop.
func (r *Recorder) Start() {
	r.started.Store(true)
	go func() {
		defer close(r.done)
		t := time.NewTicker(r.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), FlushTimeout)
				if err := r.Flush(ctx); err != nil {
					r.cfg.Logger.Error("usage flush failed; will retry", "err", err)
				}
				cancel()
			}
		}
	}()
}

// Stop ends the background loop (if started) and writes what is pending;
// register it with Server.OnStop so SIGTERM loses no usage. The final write
// always happens, on a context of its own bounded by StopTimeout, even when
// ctx has already ended (its values are kept, its deadline is not).
func (r *Recorder) Stop(ctx context.Context) error {
	r.stopOnce.Do(func() { close(r.stop) })
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), StopTimeout)
	defer cancel()
	if r.started.Load() {
		// Let a flush in progress end first (Flush also serializes on
		// flushMu); one that failed has given its batch back by then.
		select {
		case <-r.done:
		case <-fctx.Done():
		}
	}
	return r.Flush(fctx)
}

// Stats returns the counters so far.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	recorded := r.recorded
	r.mu.Unlock()
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	s := r.stats
	s.Recorded = recorded
	return s
}

// take swaps the pending usage for an empty map.
func (r *Recorder) take() map[int]*keyUsage {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return nil
	}
	batch := r.pending
	r.pending = make(map[int]*keyUsage, len(batch))
	return batch
}

// giveBack merges a batch whose write failed into what is pending now.
func (r *Recorder) giveBack(batch map[int]*keyUsage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, b := range batch {
		u := r.pending[id]
		if u == nil {
			r.pending[id] = b
			continue
		}
		for day, n := range b.days {
			u.days[day] += n
		}
		if b.last.After(u.last) {
			u.last = b.last
		}
	}
}
