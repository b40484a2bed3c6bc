package mail

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/ent/predicate"
	"businesstools/internal/db"
)

// WorkerConfig configures a Worker; zero values take the defaults shown.
type WorkerConfig struct {
	DB     *db.DB
	Sender Sender // CaptureSender{} when nil
	Logger *slog.Logger
	// MaxAttempts is how many deliveries are tried before a message fails (8).
	MaxAttempts int
	// BackoffBase is the wait after the first failed attempt; it doubles after
	// each further one (30 s), up to MaxBackoff (1 h).
	BackoffBase time.Duration
	MaxBackoff  time.Duration
	// Lease is how long a claim lasts; a message whose worker died is claimed
	// again once its lease has run out (5 min). It must exceed SendTimeout.
	Lease time.Duration
	// SendTimeout bounds one delivery (60 s).
	SendTimeout time.Duration
	// PollInterval is how often the outbox is checked for due mail that no
	// Notify announced: retries, other processes' mail (1 s).
	PollInterval time.Duration
	// BatchSize is how many messages one claim takes (10).
	BatchSize int
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Worker delivers the outbox. Start it once; Stop it on shutdown.
type Worker struct {
	cfg    WorkerConfig
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// NewWorker returns a stopped worker.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Sender == nil {
		cfg.Sender = CaptureSender{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.BackoffBase, 30*time.Second)
	def(&cfg.MaxBackoff, time.Hour)
	def(&cfg.SendTimeout, 60*time.Second)
	def(&cfg.Lease, 5*time.Minute)
	def(&cfg.PollInterval, time.Second)
	if cfg.Lease <= cfg.SendTimeout {
		cfg.Lease = 2 * cfg.SendTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Notify tells the worker mail is waiting (call it after the enqueuing commit).
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Start runs the delivery loop in a goroutine until Stop.
func (w *Worker) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go w.loop(ctx)
}

// Stop ends the loop after the message being delivered, if any (its claim
// would otherwise only be retaken after the lease), or when ctx ends.
func (w *Worker) Stop(ctx context.Context) error {
	if w.cancel == nil {
		return nil
	}
	w.once.Do(w.cancel)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Worker) loop(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.cfg.PollInterval)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.Error("mail outbox", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if n == w.cfg.BatchSize {
			continue // there may be more due right now
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-t.C:
		}
	}
}

// RunOnce claims up to BatchSize due messages and delivers each, stopping
// between messages when ctx ends. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	ids, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if ctx.Err() != nil {
			// Hand the rest back at once rather than after the lease.
			w.release(ids[i:])
			return len(ids), nil
		}
		if err := w.deliver(context.WithoutCancel(ctx), id); err != nil {
			return len(ids), err
		}
	}
	return len(ids), nil
}

// now is the clock in UTC at the databases' common precision (µs).
func (w *Worker) now() time.Time { return w.cfg.Now().UTC().Truncate(time.Microsecond) }

// due selects messages that may be claimed at now: queued and due, or
// claimed by a worker whose lease ran out.
func due(now time.Time) predicate.Email {
	return email.Or(
		email.And(email.StatusEQ(email.StatusQueued), email.NextAttemptAtLTE(now)),
		email.And(email.StatusEQ(email.StatusSending), email.LockedUntilLT(now)),
	)
}

// claim marks due messages as sending under a lease and returns their ids.
func (w *Worker) claim(ctx context.Context) ([]int, error) {
	now := w.now()
	lease := now.Add(w.cfg.Lease)
	client := w.cfg.DB.Client
	if w.cfg.DB.IsPostgres() {
		tx, err := client.Tx(ctx)
		if err != nil {
			return nil, err
		}
		ids, err := tx.Email.Query().Where(due(now)).Order(ent.Asc(email.FieldNextAttemptAt), ent.Asc(email.FieldID)).
			Limit(w.cfg.BatchSize).ForUpdate(sql.WithLockAction(sql.SkipLocked)).IDs(ctx)
		if err == nil && len(ids) > 0 {
			_, err = tx.Email.Update().Where(email.IDIn(ids...)).SetStatus(email.StatusSending).
				SetLockedUntil(lease).AddAttempts(1).Save(ctx)
		}
		if err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		return ids, tx.Commit()
	}
	// SQLite has one writer at a time: a conditional UPDATE per candidate is
	// the claim, and only the worker whose UPDATE changed the row owns it.
	cands, err := client.Email.Query().Where(due(now)).Order(ent.Asc(email.FieldNextAttemptAt), ent.Asc(email.FieldID)).
		Limit(w.cfg.BatchSize).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, id := range cands {
		n, err := client.Email.Update().Where(email.ID(id), due(now)).SetStatus(email.StatusSending).
			SetLockedUntil(lease).AddAttempts(1).Save(ctx)
		if err != nil {
			return ids, err
		}
		if n == 1 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// release returns claimed but untried messages to the queue.
func (w *Worker) release(ids []int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := w.cfg.DB.Client.Email.Update().Where(email.IDIn(ids...), email.StatusEQ(email.StatusSending)).
		SetStatus(email.StatusQueued).ClearLockedUntil().AddAttempts(-1).Save(ctx)
	if err != nil {
		w.cfg.Logger.Error("mail outbox: release claims", "err", err)
	}
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, id int) error {
	e, err := w.cfg.DB.Client.Email.Get(ctx, id)
	if err != nil {
		return err
	}
	var sendErr error
	if e.Attempts > w.cfg.MaxAttempts {
		// Claimed again after workers died mid-send more times than allowed.
		sendErr = errors.New("gave up: delivery was interrupted too often")
	} else {
		sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
		sendErr = w.cfg.Sender.Send(sctx, e)
		cancel()
	}
	now := w.now()
	u := w.cfg.DB.Client.Email.Update().Where(email.ID(id), email.StatusEQ(email.StatusSending)).ClearLockedUntil()
	log := w.cfg.Logger.With("email_id", id, "account_id", e.AccountID, "attempt", e.Attempts)
	switch {
	case sendErr == nil:
		u.SetStatus(email.StatusSent).SetSentAt(now).SetSink(w.cfg.Sender.Name()).SetLastError("")
		log.Info("email sent", "sink", w.cfg.Sender.Name())
	case e.Attempts >= w.cfg.MaxAttempts:
		u.SetStatus(email.StatusFailed).SetLastError(truncate(sendErr.Error()))
		log.Warn("email failed for good", "err", sendErr)
	default:
		next := now.Add(w.Backoff(e.Attempts))
		u.SetStatus(email.StatusQueued).SetNextAttemptAt(next).SetLastError(truncate(sendErr.Error()))
		log.Info("email delivery failed; will retry", "err", sendErr, "next_attempt_at", next)
	}
	_, err = u.Save(ctx)
	return err
}

// Backoff is the wait after the attempt-th failed attempt: BackoffBase ×
// 2^(attempt-1), at most MaxBackoff.
func (w *Worker) Backoff(attempt int) time.Duration {
	d := w.cfg.BackoffBase
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}

func truncate(s string) string {
	const max = 1000
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
