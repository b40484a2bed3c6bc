// Package retention deletes rows that can never be used again, once they
// have been kept long enough to stay useful on screen (DESIGN.md section 10):
//
//   - access tokens KeepFor (30 days) after they expired: the SPA's "Access
//     tokens" page marks them Expired meanwhile, so their admins see what to
//     replace. A revoked token is deleted at once (accesstoken.Service.Revoke)
//     and leaves nothing to prune.
//   - invites — admins still invitePending — KeepFor after their 72 h link
//     expired: the Team page lists them as "Invite pending" meanwhile, and
//     an owner can remove one and invite again. Pruned, the email may be
//     invited afresh (emails are unique across accounts). An accepted invite
//     is an admin like any other and is never pruned.
//
// Sessions need no retention: auth.PruneSessions deletes them as soon as
// they pass their idle or absolute expiry (server housekeeping).
//
// The security log stays whole: audit events name tokens and admins in
// plain columns (the detail text, actor_id, actor_email), with no foreign
// key to either table, so nothing blocks these deletes or cascades from
// them. Nothing refers to an access token; what refers to an admin
// (sessions, access tokens, keys' creator) never refers to a pending one,
// who has never signed in.
//
// Each table is pruned by set-based DELETEs of at most Batch rows, each a
// single statement that picks its own rows by expiry, so a run is
// idempotent and a row is deleted once however many processes prune at the
// same time; on PostgreSQL the runs are moreover one process at a time (an
// advisory lock).
package retention

import (
	"context"
	"time"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// DefaultKeepFor is how long expired access tokens and invites are kept.
const DefaultKeepFor = 30 * 24 * time.Hour

// LockID is the PostgreSQL advisory lock the pruning runs under.
const LockID int64 = 0x6274_7265_7461_696e // "btretain"

// Config configures a Pruner; zero values take the defaults.
type Config struct {
	DB      *db.DB
	KeepFor time.Duration    // DefaultKeepFor
	Batch   int              // rows per DELETE (1000)
	Now     func() time.Time // the clock (time.Now); tests move it
}

// Pruner deletes expired access tokens and invites past their retention.
type Pruner struct {
	cfg  Config
	lock int64 // LockID; tests change it to run two Pruners at once anyway
}

// Result is what one run deleted.
type Result struct {
	Ran          bool // false: another process holds the lock
	AccessTokens int  // access tokens expired more than KeepFor ago
	Invites      int  // pending admins whose invite expired more than KeepFor ago
}

// New returns a Pruner.
func New(cfg Config) *Pruner {
	if cfg.KeepFor <= 0 {
		cfg.KeepFor = DefaultKeepFor
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Pruner{cfg: cfg, lock: LockID}
}

// RunOnce prunes every account now, unless another process holds the lock.
// Errors: Internal, or ctx's own when it ends.
func (p *Pruner) RunOnce(ctx context.Context) (res Result, err error) {
	ctx = tenant.Unscoped(ctx) // every account's rows
	unlock, ok, err := p.cfg.DB.TryAdvisoryLock(ctx, p.lock)
	if err != nil {
		return Result{}, apperr.Internalf(err, "prune")
	}
	if !ok {
		return Result{}, nil
	}
	defer func() {
		if uerr := unlock(); uerr != nil && err == nil {
			err = apperr.Internalf(uerr, "prune")
		}
	}()
	cutoff := p.cfg.Now().Add(-p.cfg.KeepFor).UTC()
	res.Ran = true
	client := p.cfg.DB.Client
	res.AccessTokens, err = p.chunked(ctx, "access tokens", func(limit int) (int, error) {
		return client.AccessToken.Delete().Where(
			firstOf(accesstoken.Table, accesstoken.FieldID, limit, accesstoken.ExpiresAtLT(cutoff))).Exec(ctx)
	})
	if err != nil {
		return res, err
	}
	res.Invites, err = p.chunked(ctx, "invites", func(limit int) (int, error) {
		return client.Admin.Delete().Where(firstOf(admin.Table, admin.FieldID, limit,
			admin.InvitePending(true), admin.InviteExpiresAtLT(cutoff))).Exec(ctx)
	})
	return res, err
}

// chunked repeats del (a DELETE of at most Batch rows) until one deletes
// nothing or ctx ends, and returns how many it deleted. Not stopping at a
// short batch: should two processes prune at once anyway (the lock's
// connection lost), each may see a short one while rows remain.
func (p *Pruner) chunked(ctx context.Context, what string, del func(limit int) (int, error)) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := del(p.cfg.Batch)
		total += n
		if err != nil {
			return total, apperr.Internalf(err, "prune %s", what)
		}
		if n == 0 {
			return total, nil
		}
	}
	return total, ctx.Err()
}

// firstOf narrows a DELETE to at most limit of the rows matching where, in
// the statement itself: `id IN (SELECT id FROM table WHERE … LIMIT limit)`.
func firstOf[P ~func(*sql.Selector)](table, id string, limit int, where ...P) P {
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		t := b.Table(table).As("pruned")
		sub := b.Select(t.C(id)).From(t).Limit(limit)
		for _, w := range where {
			w(sub)
		}
		s.Where(sql.In(s.C(id), sub))
	}
}
