package mail

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/ent/predicate"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
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
	// Lease is how long a claim lasts without renewal; a message whose worker
	// died is claimed again once its lease has run out (30 s: another
	// process takes it over within Lease + PollInterval). While a worker
	// holds a claim a heartbeat renews it every Lease/3, however long the
	// sends take; each message's claim is also renewed right before its send.
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

// DefaultLease is WorkerConfig.Lease's default (BT_MAIL_LEASE overrides it,
// for tests).
const DefaultLease = 30 * time.Second

// StopTimeout bounds the database writes Stop waits for after the caller's
// context has ended: handing back the message whose send was interrupted.
const StopTimeout = 10 * time.Second

// Worker delivers the outbox. Start it once; Stop it on shutdown.
type Worker struct {
	cfg    WorkerConfig
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	// sends is the parent of every send's context; Stop cancels it (abort)
	// when the caller will not wait for the message in flight.
	sends context.Context
	abort context.CancelFunc
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
	def(&cfg.Lease, DefaultLease)
	def(&cfg.PollInterval, time.Second)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sends, abort := context.WithCancel(context.Background())
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1), sends: sends, abort: abort}
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

// Stop ends the loop after the message being delivered, if any. When ctx
// ends first (or has already ended), the send in flight is interrupted and
// the message handed back to the queue at once rather than after its lease;
// Stop waits for that on its own bounded context (StopTimeout), so a
// shutdown whose deadline the HTTP drain used up still leaves no claim
// behind.
func (w *Worker) Stop(ctx context.Context) error {
	if w.cancel == nil {
		return nil
	}
	w.once.Do(w.cancel)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
	}
	w.abort()
	t := time.NewTimer(StopTimeout)
	defer t.Stop()
	select {
	case <-w.done:
		return nil
	case <-t.C:
		return errors.New("mail worker: the message in flight was not handed back in time")
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
	ctx = tenant.Unscoped(ctx) // the outbox holds every account's mail
	c, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	if len(c.ids) > 0 {
		defer w.heartbeat(c)()
	}
	for i, id := range c.ids {
		if ctx.Err() != nil || w.sends.Err() != nil {
			// Hand the rest back at once rather than after the lease.
			w.release(c, c.ids[i:])
			return len(c.ids), nil
		}
		if err := w.deliver(c, id); err != nil {
			w.release(c, c.ids[i+1:])
			return len(c.ids), err
		}
	}
	return len(c.ids), nil
}

// claimed is one claim: the messages it took and the token marking them as
// its own (emails.claimed_by). Each claim has a fresh random token, so a
// message another claim took since — after this one's lease ran out — no
// longer matches and is left alone.
type claimed struct {
	token string
	ids   []int
}

// owned selects message id while the claim c still holds it.
func (c claimed) owned(id int) predicate.Email {
	return email.And(email.ID(id), email.StatusEQ(email.StatusSending), email.ClaimedBy(c.token))
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

// claim marks due messages as sending under a lease and a fresh token and
// returns them.
func (w *Worker) claim(ctx context.Context) (claimed, error) {
	c := claimed{token: rand.Text()}
	now := w.now()
	lease := now.Add(w.cfg.Lease)
	client := w.cfg.DB.Client
	if w.cfg.DB.IsPostgres() {
		err := db.WithTx(ctx, client, func(tx *ent.Tx) error {
			ids, err := tx.Email.Query().Where(due(now)).Order(ent.Asc(email.FieldNextAttemptAt), ent.Asc(email.FieldID)).
				Limit(w.cfg.BatchSize).ForUpdate(sql.WithLockAction(sql.SkipLocked)).IDs(ctx)
			if err == nil && len(ids) > 0 {
				_, err = tx.Email.Update().Where(email.IDIn(ids...)).SetStatus(email.StatusSending).
					SetLockedUntil(lease).SetClaimedBy(c.token).AddAttempts(1).Save(ctx)
			}
			c.ids = ids
			return err
		})
		if err != nil {
			return claimed{}, err
		}
		return c, nil
	}
	// SQLite has one writer at a time: a conditional UPDATE per candidate is
	// the claim, and only the worker whose UPDATE changed the row owns it.
	cands, err := client.Email.Query().Where(due(now)).Order(ent.Asc(email.FieldNextAttemptAt), ent.Asc(email.FieldID)).
		Limit(w.cfg.BatchSize).IDs(ctx)
	if err != nil {
		return claimed{}, err
	}
	for _, id := range cands {
		n, err := client.Email.Update().Where(email.ID(id), due(now)).SetStatus(email.StatusSending).
			SetLockedUntil(lease).SetClaimedBy(c.token).AddAttempts(1).Save(ctx)
		if err != nil {
			w.release(c, c.ids)
			return claimed{}, err
		}
		if n == 1 {
			c.ids = append(c.ids, id)
		}
	}
	return c, nil
}

// heartbeat renews claim c on every message it still holds, every Lease/3,
// until the returned stop is called: a live worker keeps its claims through
// sends of any length, and a dead one's run out within Lease.
func (w *Worker) heartbeat(c claimed) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(w.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			ctx, cancel := dbContext()
			_, err := w.cfg.DB.Client.Email.Update().
				Where(email.StatusEQ(email.StatusSending), email.ClaimedBy(c.token)).
				SetLockedUntil(w.now().Add(w.cfg.Lease)).Save(tenant.Unscoped(ctx))
			cancel()
			if err != nil {
				w.cfg.Logger.Error("mail outbox: renew claims", "err", err)
			}
		}
	}()
	return func() { close(quit); <-done }
}

// dbContext bounds the worker's own database writes; they are not cut short
// by Stop, which waits for them.
func dbContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tenant.Unscoped(context.Background()), StopTimeout)
}

// release returns messages of claim c that were not tried to the queue.
func (w *Worker) release(c claimed, ids []int) {
	if len(ids) == 0 {
		return
	}
	ctx, cancel := dbContext()
	defer cancel()
	_, err := w.cfg.DB.Client.Email.Update().
		Where(email.IDIn(ids...), email.StatusEQ(email.StatusSending), email.ClaimedBy(c.token)).
		SetStatus(email.StatusQueued).ClearLockedUntil().SetClaimedBy("").AddAttempts(-1).Save(ctx)
	if err != nil {
		w.cfg.Logger.Error("mail outbox: release claims", "err", err)
	}
}

// renew extends claim c on message id to a full lease from now, right
// before its send: false when the claim is no longer c's (its lease ran out
// while earlier messages were sent and another worker claimed it).
func (w *Worker) renew(ctx context.Context, c claimed, id int) (bool, error) {
	n, err := w.cfg.DB.Client.Email.Update().Where(c.owned(id)).
		SetLockedUntil(w.now().Add(w.cfg.Lease)).Save(ctx)
	return n == 1, err
}

// deliver sends one message of claim c, if c still holds it, and records
// the outcome unless another claim took the message meanwhile.
func (w *Worker) deliver(c claimed, id int) error {
	ctx, cancel := dbContext()
	ok, err := w.renew(ctx, c, id)
	cancel()
	if err != nil {
		return err
	}
	if !ok {
		w.cfg.Logger.Warn("mail outbox: claim lost before sending; skipped", "email_id", id)
		return nil
	}
	ctx, cancel = dbContext()
	e, err := w.cfg.DB.Client.Email.Get(ctx, id)
	cancel()
	if err != nil {
		return err
	}
	var sendErr error
	if e.Attempts > w.cfg.MaxAttempts {
		// Claimed again after workers died mid-send more times than allowed.
		sendErr = errors.New("gave up: delivery was interrupted too often")
	} else {
		sctx, cancel := context.WithTimeout(w.sends, w.cfg.SendTimeout)
		sendErr = w.cfg.Sender.Send(sctx, e)
		cancel()
	}
	ctx, cancel = dbContext()
	defer cancel()
	now := w.now()
	u := w.cfg.DB.Client.Email.Update().Where(c.owned(id)).ClearLockedUntil().SetClaimedBy("")
	log := w.cfg.Logger.With("email_id", id, "account_id", e.AccountID, "attempt", e.Attempts)
	switch {
	case sendErr != nil && w.sends.Err() != nil:
		// Stop interrupted the send: hand the message back for an immediate
		// retry (by the next worker) without counting the attempt.
		u.SetStatus(email.StatusQueued).AddAttempts(-1).SetLastError(truncate(sendErr.Error()))
		log.Info("email delivery interrupted by shutdown; handed back", "err", sendErr)
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
	n, err := u.Save(ctx)
	if err == nil && n == 0 {
		// The send outlasted the lease and another worker claimed the
		// message; its outcome is that worker's to record.
		log.Warn("mail outbox: claim lost during send; outcome not recorded", "send_err", sendErr)
	}
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

// truncate makes an error fit last_error: valid UTF-8 without NUL (an SMTP
// reply need be neither; PostgreSQL refuses both), at most 1000 bytes, cut
// at a character boundary (a cut inside one is invalid UTF-8 too).
func truncate(s string) string {
	const max = 1000
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
