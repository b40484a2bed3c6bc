// Package pgnotify carries small change notices between server processes
// that share one PostgreSQL database, through LISTEN/NOTIFY. Caches use it to
// drop what another process changed (DESIGN.md section 6: a key deactivated
// or deleted on one process is refused by all within a second).
package pgnotify

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// Publish sends payload on channel to every process listening, this one
// included. PostgreSQL delivers it when the statement's transaction commits
// (here at once: it runs outside any transaction).
func Publish(ctx context.Context, db *sql.DB, channel, payload string) error {
	if _, err := db.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listener receives one channel's notices on its own connection and
// reconnects by itself when that connection drops.
type Listener struct {
	l    *pq.Listener
	done chan struct{}
}

// listenTimeout bounds how long Listen waits for the first connection; after
// it the listener keeps trying in the background.
const listenTimeout = 5 * time.Second

// Listen starts listening on channel at the database url. fn receives each
// payload; lost runs after the connection was re-established, because notices
// sent meanwhile are gone (callers drop everything they cached). Both run on
// the listener's goroutine, one at a time.
func Listen(url, channel string, fn func(payload string), lost func(), log *slog.Logger) (*Listener, error) {
	pl := pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			log.Warn("pgnotify: connection event", "channel", channel, "event", ev, "err", err)
		}
	})
	// pq's Listen blocks until the first connection is up; never hold up
	// start-up for longer than listenTimeout.
	errc := make(chan error, 1)
	go func() { errc <- pl.Listen(channel) }()
	select {
	case err := <-errc:
		if err != nil {
			pl.Close()
			return nil, fmt.Errorf("listen %s: %w", channel, err)
		}
	case <-time.After(listenTimeout):
		log.Warn("pgnotify: not connected yet; listening in the background", "channel", channel)
	}
	l := &Listener{l: pl, done: make(chan struct{})}
	go l.run(fn, lost)
	return l, nil
}

func (l *Listener) run(fn func(string), lost func()) {
	defer close(l.done)
	for n := range l.l.NotificationChannel() {
		if n == nil { // pq sends nil after a reconnection
			lost()
			continue
		}
		fn(n.Extra)
	}
}

// Close stops listening and waits for the last notice to be handled.
func (l *Listener) Close() error {
	err := l.l.Close()
	<-l.done
	return err
}
