package accesstoken

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"businesstools/ent"
	"businesstools/ent/accesstoken"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// LastUsed records when tokens were last used without a database write per
// request: VerifyToken notes the time in a map, and a background loop writes
// what gathered, in one transaction, every Interval and once more on Stop.
type LastUsed struct {
	client   *ent.Client
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	pending map[int]time.Time
	writes  atomic.Int64

	stop, done chan struct{}
	stopOnce   sync.Once
	started    atomic.Bool
}

// NewLastUsed returns a recorder writing every interval (1 s when zero);
// call Start.
func NewLastUsed(client *ent.Client, interval time.Duration, log *slog.Logger) *LastUsed {
	if interval <= 0 {
		interval = time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LastUsed{client: client, interval: interval, log: log, pending: map[int]time.Time{},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// Touch notes a use of the token; it never touches the database.
func (l *LastUsed) Touch(tokenID int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at.After(l.pending[tokenID]) {
		l.pending[tokenID] = at
	}
}

// Start writes pending uses every interval until Stop.
func (l *LastUsed) Start() {
	l.started.Store(true)
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.interval)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if err := l.Flush(ctx); err != nil {
					l.log.Error("access token last-used flush failed; will retry", "err", err)
				}
				cancel()
			}
		}
	}()
}

// Stop ends the loop (after Start) and writes what is pending, even when
// ctx has run out (the final write has its own short deadline).
func (l *LastUsed) Stop(ctx context.Context) error {
	l.stopOnce.Do(func() { close(l.stop) })
	if l.started.Load() {
		select {
		case <-l.done:
		case <-ctx.Done():
		}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return l.Flush(fctx)
}

// Flush writes the pending uses in one transaction: one UPDATE per token
// used since the last flush, never one per request. A token revoked
// meanwhile is simply not updated. On failure the uses are kept for the next try.
func (l *LastUsed) Flush(ctx context.Context) error {
	l.mu.Lock()
	batch := l.pending
	if len(batch) == 0 {
		l.mu.Unlock()
		return nil
	}
	l.pending = make(map[int]time.Time, len(batch))
	l.mu.Unlock()
	ctx = tenant.Unscoped(ctx) // a background write across accounts
	err := db.WithTx(ctx, l.client, func(tx *ent.Tx) error {
		for id, at := range batch {
			err := tx.AccessToken.Update().Where(accesstoken.ID(id), accesstoken.Or(
				accesstoken.LastUsedAtIsNil(), accesstoken.LastUsedAtLT(at))).
				SetLastUsedAt(at.UTC()).Exec(ctx)
			if err != nil {
				return fmt.Errorf("update token %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		for id, at := range batch {
			l.Touch(id, at)
		}
		return err
	}
	l.writes.Add(int64(len(batch)))
	return nil
}

// Writes is how many token rows the recorder has updated, for tests.
func (l *LastUsed) Writes() int64 { return l.writes.Load() }
