// Package keyjobs runs the periodic key checks of DESIGN.md section 9:
// expiry warnings (7 days and 1 day before) and deactivation of keys unused
// for the account's unusedKeyDays when it asks for that. One process at a
// time runs them — on PostgreSQL the one holding an advisory lock on a
// dedicated connection; on SQLite (one machine, usually one process) every
// process just runs. Their state is in the database: what was sent is the
// notifications table's dedup keys (internal/notify), so a restart, or two
// processes racing anyway, never sends anything twice.
package keyjobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/auditevent"
	"businesstools/ent/predicate"
	keys "businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/notify"
	"businesstools/internal/tenant"
)

// DefaultInterval is how often the checks run.
const DefaultInterval = time.Minute

// LockID is the PostgreSQL advisory lock the checks run under.
const LockID int64 = 0x6274_6b65_796a_6f62 // "btkeyjob"

// SystemActor is AuditEvent.actor for deactivations for disuse.
const SystemActor = "system"

// Config configures a Runner; zero values take the defaults.
type Config struct {
	DB       *db.DB
	Keys     *keys.Service // Changed(id) after a deactivation
	Notifier *notify.Notifier
	Logger   *slog.Logger
	Interval time.Duration    // DefaultInterval
	Batch    int              // keys read per query (500)
	Now      func() time.Time // the clock (time.Now); tests move it
}

// Runner runs the checks every Interval until Stop.
type Runner struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}
}

// Result is what one run did.
type Result struct {
	Ran         bool // false: another process holds the lock
	Warned      int  // expiry warnings sent (one per key, to every admin)
	Deactivated int  // keys deactivated for disuse
}

// New returns a stopped Runner.
func New(cfg Config) *Runner {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg}
}

// Start runs the checks every Interval (the first one an Interval after
// start, so a restart loop does not hammer the database).
func (r *Runner) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		t := time.NewTicker(r.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if res, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
				r.cfg.Logger.Error("key checks", "err", err)
			} else if res.Warned+res.Deactivated > 0 {
				r.cfg.Logger.Info("key checks", "expiry_warnings", res.Warned, "deactivated_unused", res.Deactivated)
			}
		}
	}()
}

// Stop ends the loop, waiting for a run in progress (until ctx ends).
func (r *Runner) Stop(ctx context.Context) error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RunOnce runs both checks now, unless another process holds the lock.
func (r *Runner) RunOnce(ctx context.Context) (Result, error) {
	ctx = tenant.Unscoped(ctx) // the checks cover every account
	unlock, ok, err := r.lock(ctx)
	if err != nil || !ok {
		return Result{}, err
	}
	defer unlock()
	now := r.cfg.Now()
	res := Result{Ran: true}
	res.Warned, err = r.expiryWarnings(ctx, now)
	if err != nil {
		return res, err
	}
	res.Deactivated, err = r.deactivateUnused(ctx, now)
	return res, err
}

// lock takes the advisory lock (db.TryAdvisoryLock: on SQLite there is
// nothing to take).
func (r *Runner) lock(ctx context.Context) (unlock func(), ok bool, err error) {
	release, ok, err := r.cfg.DB.TryAdvisoryLock(ctx, LockID)
	if err != nil || !ok {
		return nil, false, err
	}
	return func() {
		if err := release(); err != nil {
			r.cfg.Logger.Warn("key checks: unlock", "err", err)
		}
	}, true, nil
}

// expiryWarnings emails the admins of every active key expiring within 7
// days: the "7 days" warning, or — within a day — the "1 day" one; each
// once per key and expiry.
func (r *Runner) expiryWarnings(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	err := r.eachBatch(ctx, apikey.And(apikey.Active(true), keys.ExpiringSoonWhere(now)), func(batch []*ent.ApiKey) error {
		evs := make([]notify.Event, len(batch))
		for i, k := range batch {
			kind := notify.Expires7Days
			if k.ExpiresAt.Sub(now) <= 24*time.Hour {
				kind = notify.Expires1Day
			}
			evs[i] = notify.Event{Kind: kind, Key: k, At: now, DedupKey: notify.ExpiryKey(kind, k.ID, *k.ExpiresAt)}
		}
		n, err := r.sendNew(ctx, evs, nil)
		sent += n
		return err
	})
	return sent, err
}

// deactivateUnused switches off the keys unused for unusedKeyDays in
// accounts that turned deactivateUnusedKeys on; audited DEACTIVATED_UNUSED
// by "system", the admins emailed. A key an admin activates again stays on
// until it is used and falls idle once more (the dedup key names its last
// activity).
func (r *Runner) deactivateUnused(ctx context.Context, now time.Time) (int, error) {
	accs, err := r.cfg.DB.Client.Account.Query().
		Where(account.UnusedKeyDaysNotNil(), account.DeactivateUnusedKeys(true)).All(ctx)
	if err != nil {
		return 0, apperr.Internalf(err, "key checks: accounts with a disuse policy")
	}
	total := 0
	for _, acc := range accs {
		err := r.eachBatch(ctx, apikey.And(apikey.AccountID(acc.ID), keys.UnusedWhere(acc, now)), func(batch []*ent.ApiKey) error {
			evs := make([]notify.Event, len(batch))
			for i, k := range batch {
				evs[i] = notify.Event{Kind: notify.DeactivatedUnused, Key: k, At: now, Days: *acc.UnusedKeyDays,
					DedupKey: notify.UnusedKey(k.ID, keys.LastActivity(k))}
			}
			n, err := r.sendNew(ctx, evs, func(ctx context.Context, tx *ent.Tx, ev notify.Event) error {
				return r.deactivate(ctx, tx, ev, keys.UnusedWhere(acc, now))
			})
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// deactivate switches ev's key off in tx if it still matches unused (a
// request may have used it since the check read it).
func (r *Runner) deactivate(ctx context.Context, tx *ent.Tx, ev notify.Event, unused predicate.ApiKey) error {
	k := ev.Key
	err := tx.ApiKey.UpdateOneID(k.ID).Where(unused).SetActive(false).Exec(ctx)
	if ent.IsNotFound(err) {
		return errStale
	}
	if err != nil {
		return apperr.Internalf(err, "deactivate unused key")
	}
	detail := fmt.Sprintf("unused for %d days (last activity %s)", ev.Days, keys.LastActivity(k).UTC().Format(time.RFC3339))
	return tx.AuditEvent.Create().SetAccountID(k.AccountID).SetAction(auditevent.ActionDEACTIVATED_UNUSED).
		SetActorEmail(SystemActor).SetAPIKeyID(k.ID).SetAPIKeyName(k.Name).SetDetail(detail).Exec(ctx)
}

// errStale: the key changed between the check's read and its transaction.
var errStale = errors.New("keyjobs: key changed since it was read")

// sendNew sends the events not sent before, each in its own transaction
// with then's writes (if any), and returns how many went out.
func (r *Runner) sendNew(ctx context.Context, evs []notify.Event,
	then func(context.Context, *ent.Tx, notify.Event) error) (int, error) {
	dedup := make([]string, len(evs))
	for i, ev := range evs {
		dedup[i] = ev.DedupKey
	}
	done, err := notify.Sent(ctx, r.cfg.DB.Client, dedup)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ev := range evs {
		if done[ev.DedupKey] {
			continue
		}
		err := db.WithTx(ctx, r.cfg.DB.Client, func(tx *ent.Tx) error {
			if err := r.cfg.Notifier.Send(ctx, tx, ev); err != nil {
				return err
			}
			if then != nil {
				return then(ctx, tx, ev)
			}
			return nil
		})
		switch {
		case errors.Is(err, notify.ErrAlreadySent), errors.Is(err, errStale):
			continue
		case err != nil:
			return n, err
		}
		n++
		if then != nil {
			r.cfg.Keys.Changed(ev.Key.ID)
		}
	}
	return n, nil
}

// eachBatch calls fn with the keys matching where, Batch at a time in id
// order, until none are left or ctx ends.
func (r *Runner) eachBatch(ctx context.Context, where predicate.ApiKey, fn func([]*ent.ApiKey) error) error {
	after := 0
	for ctx.Err() == nil {
		batch, err := r.cfg.DB.Client.ApiKey.Query().Where(where, apikey.IDGT(after)).
			Order(apikey.ByID()).Limit(r.cfg.Batch).All(ctx)
		if err != nil {
			return apperr.Internalf(err, "key checks: read keys")
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < r.cfg.Batch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
	return ctx.Err()
}
