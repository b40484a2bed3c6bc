// Package leaks acts on API keys that got out: GitHub's secret scanning
// partner endpoint (POST /v1/secret-scanning, signed reports of keys found
// in public code) and the public revocation endpoint (POST
// /v1/credentials/revoke, where anyone holding a key may kill it). Both
// need no API key. A reported key — its current secret, or a previous one
// still in its grace period — is marked leaked (ApiKey.leaked_at, the
// LEAKED warning until a roll), deactivated (revocation always; a report
// per the account's leakedKeyAction), audited (LEAKED with the URL, or
// REVOKED_PUBLICLY) and its account's admins are emailed (internal/notify)
// — all in one transaction that the notification's dedup key makes
// once-only, so a replayed report changes nothing.
package leaks

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/auditevent"
	keys "businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/notify"
	"businesstools/internal/ratelimit"
	"businesstools/internal/tenant"
)

// Config configures the Service.
type Config struct {
	DB       *db.DB
	Keys     *keys.Service // Changed(id) after a key is switched off
	Notifier *notify.Notifier
	Logger   *slog.Logger
	// PublicKeysPath is BT_SECRET_SCANNING_KEYS (empty: every report is refused).
	PublicKeysPath string
	// RevokeLimit requests per RevokeWindow per client address (60 per hour).
	RevokeLimit  int
	RevokeWindow time.Duration
	// RateLimits, when it shares limits through Redis (BT_REDIS_URL), holds
	// the revocation limit for every process too; otherwise (nil, or no
	// Redis) — and while Redis is unreachable — each process has its own.
	RateLimits *ratelimit.Limiter
	// ClientIP returns a request's client address (the peer when nil).
	ClientIP func(*http.Request) string
	Now      func() time.Time
}

// Service handles leak reports and public revocations.
type Service struct {
	cfg     Config
	keyring *keyring
	limiter *ipLimiter

	queue   chan revocation
	pending atomic.Int64
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// New returns a stopped Service; it fails when BT_SECRET_SCANNING_KEYS is set
// but cannot be read as a public keys file.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RevokeLimit <= 0 {
		cfg.RevokeLimit = 60
	}
	if cfg.RevokeWindow <= 0 {
		cfg.RevokeWindow = time.Hour
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = peer
	}
	ring, err := newKeyring(cfg.PublicKeysPath, cfg.Now)
	if err != nil {
		return nil, err
	}
	var shared *ratelimit.SharedLimit
	if cfg.RateLimits != nil {
		shared = cfg.RateLimits.SharedLimit(revokeScope, cfg.RevokeLimit, cfg.RevokeWindow)
	}
	return &Service{cfg: cfg, keyring: ring, limiter: newIPLimiter(cfg.RevokeLimit, cfg.RevokeWindow, cfg.Now, shared),
		queue: make(chan revocation, queueSize), stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// report is one leaked secret of one key, to act on.
type report struct {
	kind   notify.Kind // notify.Leaked or notify.RevokedPublicly
	hash   []byte      // SHA-256 of the secret
	masked string      // the secret's masked view
	url    string      // where it was found (Leaked)
	source string      // GitHub's source, e.g. "commit" (Leaked)
	ip     string      // the request's client address
}

// match is the live key a secret belongs to.
type match struct {
	key      *ent.ApiKey
	previous bool // the secret is the one a roll replaced, still in its grace period
}

// lookupChunk bounds the hashes of one lookup query.
const lookupChunk = 500

// lookup finds the keys the hashes are secrets of, across accounts: the
// current secret, or the previous one while its grace period lasts. The
// map is keyed by string(hash).
func (s *Service) lookup(ctx context.Context, hashes [][]byte) (map[string]match, error) {
	ctx = tenant.Unscoped(ctx) // a reported key may belong to any account
	now := s.cfg.Now()
	out := map[string]match{}
	for start := 0; start < len(hashes); start += lookupChunk {
		chunk := hashes[start:min(start+lookupChunk, len(hashes))]
		found, err := s.cfg.DB.Client.ApiKey.Query().
			Where(apikey.Or(apikey.KeyHashIn(chunk...), apikey.PreviousKeyHashIn(chunk...))).All(ctx)
		if err != nil {
			return nil, apperr.Internalf(err, "look up reported keys")
		}
		for _, k := range found {
			out[string(k.KeyHash)] = match{key: k}
			if k.PreviousKeyHash != nil && k.PreviousValidUntil != nil && now.Before(*k.PreviousValidUntil) {
				out[string(*k.PreviousKeyHash)] = match{key: k, previous: true}
			}
		}
	}
	return out, nil
}

// errStale means the key changed between lookup and transaction (rolled,
// deleted): the reported secret no longer opens it, so there is nothing to do.
var errStale = errors.New("leaks: key changed since lookup")

// act handles one leaked secret of m.key in one transaction: the dedup
// record and emails first (a replay stops there), then the key and the
// audit event. It reports whether anything changed.
func (s *Service) act(ctx context.Context, m match, r report) (bool, error) {
	ctx = tenant.Unscoped(ctx)
	k := m.key
	acc, err := s.cfg.DB.Client.Account.Query().Where(account.ID(k.AccountID)).Only(ctx)
	if err != nil {
		return false, apperr.Internalf(err, "load account of a reported key")
	}
	deactivate := r.kind == notify.RevokedPublicly || acc.LeakedKeyAction == account.LeakedKeyActionDEACTIVATE
	now := s.cfg.Now()
	ev := notify.Event{Kind: r.kind, Key: k, At: now, Deactivated: deactivate, URL: r.url, Source: r.source,
		ActorIP: r.ip, Masked: r.masked}
	action := auditevent.ActionLEAKED
	ev.DedupKey = notify.LeakedKey(k.ID, r.hash)
	if r.kind == notify.RevokedPublicly {
		action, ev.DedupKey = auditevent.ActionREVOKED_PUBLICLY, notify.RevokedKey(k.ID, r.hash)
	}
	err = db.WithTx(ctx, s.cfg.DB.Client, func(tx *ent.Tx) error {
		if err := s.cfg.Notifier.Send(ctx, tx, ev); err != nil {
			return err
		}
		upd := tx.ApiKey.UpdateOneID(k.ID).SetLeakedAt(now)
		if m.previous {
			upd.Where(apikey.PreviousKeyHash(r.hash))
		} else {
			upd.Where(apikey.KeyHash(r.hash))
		}
		if deactivate {
			upd.SetActive(false)
			if m.previous { // the leaked secret stops now, whatever happens to the key next
				upd.ClearPreviousKeyHash().ClearPreviousValidUntil()
			}
		}
		if err := upd.Exec(ctx); ent.IsNotFound(err) {
			return errStale
		} else if err != nil {
			return apperr.Internalf(err, "mark key leaked")
		}
		return tx.AuditEvent.Create().SetAccountID(k.AccountID).SetAction(action).SetActorEmail(SystemActor).
			SetClientIP(r.ip).SetAPIKeyID(k.ID).SetAPIKeyName(k.Name).SetDetail(detail(r, m, deactivate)).Exec(ctx)
	})
	switch {
	case errors.Is(err, notify.ErrAlreadySent), errors.Is(err, errStale):
		return false, nil
	case err != nil:
		return false, err
	}
	s.cfg.Keys.Changed(k.ID) // caches here and, through NOTIFY, everywhere
	return true, nil
}

// SystemActor is AuditEvent.actor for what the product does on its own.
const SystemActor = "system"

// detail is the audit event's detail: where the key was found, which
// secret, what was done.
func detail(r report, m match, deactivated bool) string {
	var d string
	if r.kind == notify.Leaked {
		d = "found at " + clip(r.url)
		if r.source != "" {
			d += " (source: " + clip(r.source) + ")"
		}
	} else {
		d = "revoked through POST /v1/credentials/revoke"
	}
	if m.previous {
		d += "; the previous secret, still in its grace period"
	}
	if deactivated {
		return d + "; key deactivated"
	}
	return d + "; key left active (leakedKeyAction NOTIFY)"
}

// clip bounds a reporter's text kept in the audit trail.
func clip(s string) string {
	if r := []rune(s); len(r) > notify.MaxURLLen {
		return string(r[:notify.MaxURLLen]) + "…"
	}
	return s
}

// actAll acts on every reported secret that matched a key. Each key is its
// own transaction: one that fails is logged and does not stop the rest,
// and the error returned, once all were tried, says how many failed (the
// first one's cause attached) so that the caller does not pass the report
// off as handled.
func (s *Service) actAll(ctx context.Context, reports []report, matches map[string]match) (int, error) {
	changed, failed := 0, 0
	var first error
	for _, r := range reports {
		m, ok := matches[string(r.hash)]
		if !ok {
			continue
		}
		did, err := s.act(ctx, m, r)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "act on leaked key", "key_id", m.key.ID, "kind", string(r.kind), "err", err)
			if failed++; first == nil {
				first = err
			}
			continue
		}
		if did {
			changed++
		}
	}
	if failed > 0 {
		return changed, apperr.Internalf(first, "act on %d reported keys (the first failure)", failed)
	}
	return changed, nil
}
