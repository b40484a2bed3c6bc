package pgnotify

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Publisher sends one channel's notices from its own goroutine, so that the
// request which made a change never waits on the database a second time:
// Publish only queues. A stuck statement cannot hold requests either: lib/pq
// cancels a statement by asking the server, which a connection that hangs
// (a network that drops packets) never answers, so a timeout alone would
// not bound the caller.
//
// Notices queued together go out in one statement. When the queue is full
// (the database unreachable for a while) further notices are dropped and
// the drop is logged once per outage: the other processes' cache lifetime
// still bounds how long they serve what changed.
type Publisher struct {
	db      *sql.DB
	channel string
	timeout time.Duration
	log     *slog.Logger
	queue   chan string
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	dropped int // notices dropped since the last one that went out
}

// PublisherConfig configures NewPublisher.
type PublisherConfig struct {
	DB      *sql.DB
	Channel string
	Timeout time.Duration // bound of one statement; 2 s when 0
	Queue   int           // notices waiting at most; 1024 when 0
	Logger  *slog.Logger
}

// maxBatch is the most notices one statement sends.
const maxBatch = 256

// NewPublisher starts a Publisher; Close stops it.
func NewPublisher(cfg PublisherConfig) *Publisher {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 1024
	}
	p := &Publisher{db: cfg.DB, channel: cfg.Channel, timeout: cfg.Timeout, log: cfg.Logger,
		queue: make(chan string, cfg.Queue), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// Publish queues payload for every listening process, this one included,
// and returns at once.
func (p *Publisher) Publish(payload string) {
	select {
	case p.queue <- payload:
	default:
		p.mu.Lock()
		p.dropped++
		first := p.dropped == 1
		p.mu.Unlock()
		if first {
			p.log.Error("pgnotify: notice queue full; dropping notices until the database answers (other processes rely on their cache lifetime meanwhile)",
				"channel", p.channel)
		}
	}
}

func (p *Publisher) run() {
	defer close(p.done)
	for {
		select {
		case first := <-p.queue:
			p.send(p.batch(first))
		case <-p.stop:
			for len(p.queue) > 0 { // what was queued before Close
				p.send(p.batch(<-p.queue))
			}
			return
		}
	}
}

// batch is first and whatever else is queued, up to maxBatch.
func (p *Publisher) batch(first string) []string {
	b := []string{first}
	for len(b) < maxBatch {
		select {
		case s := <-p.queue:
			b = append(b, s)
		default:
			return b
		}
	}
	return b
}

func (p *Publisher) send(payloads []string) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	_, err := p.db.ExecContext(ctx, "SELECT pg_notify($1, x) FROM unnest($2::text[]) AS x", p.channel, pq.Array(payloads))
	if err != nil {
		p.log.Error("pgnotify: notices not sent (other processes rely on their cache lifetime)",
			"channel", p.channel, "notices", len(payloads), "err", err)
		return
	}
	p.mu.Lock()
	dropped := p.dropped
	p.dropped = 0
	p.mu.Unlock()
	if dropped > 0 {
		p.log.Warn("pgnotify: sending notices again", "channel", p.channel, "dropped", dropped)
	}
}

// Close sends what is queued and stops, by ctx's deadline at the latest.
func (p *Publisher) Close(ctx context.Context) error {
	p.once.Do(func() { close(p.stop) })
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
