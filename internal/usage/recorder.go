// Package usage records when API keys were last used (time, client address,
// route) and how many requests each made per UTC day, without a database
// write per request: the REST middleware calls Record (two map updates under
// a mutex, no allocation for a key already pending), and a background loop
// writes everything gathered at least once a second and once more on
// shutdown (DESIGN.md sections 3 and 8), a few thousand keys per statement.
package usage

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"businesstools/internal/db"
)

// DefaultInterval is how often pending usage is written.
const DefaultInterval = time.Second

// ChunkTimeout bounds the writing of one chunk (its two statements) in the
// background, and StopTimeout the final flush Stop writes (on its own
// context: a shutdown whose deadline the HTTP drain used up still writes
// what is pending). Chunks written before a timeout stay written.
const (
	ChunkTimeout = 10 * time.Second
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
	Pending        int64 // rows (per-day counts and last uses) not yet written, waiting or being written
	Flushes        int64 // flushes that wrote everything they took
	FailedFlushes  int64 // flushes that failed part-way (the rest is retried)
	Statements     int64 // SQL statements the flushes ran
	LastUsedWrites int64 // api_keys rows whose last use moved forward
	UsageRows      int64 // key_usages rows inserted or incremented
	DroppedRows    int64 // (key, day) counts of keys deleted before they were written
}

// Recorder coalesces usage in memory and writes it in batches.
type Recorder struct {
	cfg Config

	mu       sync.Mutex
	pending  batch
	recorded int64
	inFlight atomic.Int64 // rows taken by the flush in progress and not yet written

	flushMu      sync.Mutex // one flush at a time; guards the chunk sizes
	chunkRows    int        // rows per statement now (see ChunkRows)
	maxChunkRows int

	statsMu sync.Mutex
	stats   Stats

	stop, done chan struct{}
	stopOnce   sync.Once
	started    atomic.Bool

	onExec atomic.Pointer[func(query string)] // tests: sees every statement (export_test.go)
}

// dayKey is one key's requests on one UTC day (days since the Unix epoch).
type dayKey struct {
	id  int
	day int32
}

// lastUse is a key's latest request: its time, client address and route
// pattern (the ServeMux's, e.g. "POST /v1/emails": a string that already
// exists, so recording it copies no bytes).
type lastUse struct {
	at    time.Time
	ip    netip.Addr
	route string
}

// batch is the usage gathered since the last flush. Both maps hold values,
// not pointers: recording a key already present allocates nothing.
type batch struct {
	days map[dayKey]int64
	last map[int]lastUse
}

// rows is how many rows the batch writes.
func (b batch) rows() int { return len(b.days) + len(b.last) }

func newBatch(keys int) batch {
	return batch{days: make(map[dayKey]int64, keys), last: make(map[int]lastUse, keys)}
}

// New returns a Recorder; call Start to write in the background.
func New(cfg Config) *Recorder {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recorder{cfg: cfg, pending: newBatch(0), chunkRows: ChunkRows, maxChunkRows: ChunkRows,
		stop: make(chan struct{}), done: make(chan struct{})}
}

// dayOf is t's UTC day as days since the Unix epoch (no formatting on the
// request path: the flush writes the date).
func dayOf(t time.Time) int32 { return int32(t.Unix() / 86400) }

// Record notes one request by the key at the given time from client address
// ip (the zero Addr when unknown) on route. It never blocks on the database
// and, for a key already pending, allocates nothing.
func (r *Recorder) Record(keyID int, at time.Time, ip netip.Addr, route string) {
	day := dayOf(at)
	r.mu.Lock()
	r.recorded++
	r.pending.days[dayKey{keyID, day}]++
	if l, ok := r.pending.last[keyID]; !ok || at.After(l.at) {
		r.pending.last[keyID] = lastUse{at: at, ip: ip, route: route}
	}
	r.mu.Unlock()
}

// Start writes pending usage every Interval until Stop. A flush that takes
// longer than Interval delays the next one, which then takes everything
// gathered meanwhile: the batches grow instead of queueing up.
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
				if err := r.Flush(context.Background()); err != nil {
					r.cfg.Logger.Error("usage flush failed; will retry", "err", err)
				}
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
		// flushMu); one that failed has given its rest back by then.
		select {
		case <-r.done:
		case <-fctx.Done():
		}
	}
	return r.Flush(fctx)
}

// Stats returns the counters so far. It does not wait for a flush.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	recorded, pending := r.recorded, int64(r.pending.rows())
	r.mu.Unlock()
	r.statsMu.Lock()
	defer r.statsMu.Unlock()
	s := r.stats
	s.Recorded = recorded
	s.Pending = pending + r.inFlight.Load()
	return s
}

// take swaps the pending usage for an empty batch sized like it (so a
// steady load does not grow maps on the request path) and counts it as in
// flight.
func (r *Recorder) take() (batch, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.pending
	if b.rows() == 0 {
		return batch{}, false
	}
	r.pending = newBatch(len(b.last))
	r.inFlight.Store(int64(b.rows()))
	return b, true
}

// giveBack merges usage whose write failed into what is pending now.
func (r *Recorder) giveBack(days []dayRow, last []lastRow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range days {
		r.pending.days[dayKey{d.id, d.day}] += d.n
	}
	for _, l := range last {
		if p, ok := r.pending.last[l.id]; !ok || l.at.After(p.at) {
			r.pending.last[l.id] = l.lastUse
		}
	}
}
