// Package pgnotify carries small change notices between server processes
// that share one PostgreSQL database, through LISTEN/NOTIFY. Caches use it to
// drop what another process changed (DESIGN.md section 6: a key deactivated
// or deleted on one process is refused by all within a second).
package pgnotify

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

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
// payload. state reports whether notices are flowing: true when the
// connection is up (first made, or made again), false when it drops; notices
// sent while it was down are gone, so callers drop what they cached on both.
// Connection changes are logged, reconnections included. fn runs on the
// listener's goroutine and state on pq's, each one call at a time; neither
// may block for long.
func Listen(url, channel string, fn func(payload string), state func(connected bool), log *slog.Logger) (*Listener, error) {
	pl := pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected:
			log.Info("pgnotify: listening", "channel", channel)
			state(true)
		case pq.ListenerEventReconnected:
			log.Warn("pgnotify: reconnected; notices sent while disconnected were lost, caches dropped", "channel", channel)
			state(true)
		case pq.ListenerEventDisconnected:
			log.Warn("pgnotify: connection lost; reconnecting", "channel", channel, "err", err)
			state(false)
		case pq.ListenerEventConnectionAttemptFailed:
			log.Warn("pgnotify: connection attempt failed", "channel", channel, "err", err)
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
	go l.run(fn)
	return l, nil
}

func (l *Listener) run(fn func(string)) {
	defer close(l.done)
	for n := range l.l.NotificationChannel() {
		if n == nil { // pq's mark of a reconnection, already reported to state
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
