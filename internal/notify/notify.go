// Package notify tells an account's admins what happened to their keys —
// leaked, publicly revoked, expiring, deactivated for disuse, and (when the
// account asks for it) created, deleted or rolled — by email through the
// durable outbox (internal/mail).
//
// Each event carries a dedup key ("leaked:42:<hash>", "expiry7:42:<expiry>")
// that is inserted into the notifications table, under a unique index, in
// the same transaction as the emails. However many processes see the event,
// and across restarts, a second insert fails: the admins hear of each event
// of each key once. Callers put Send first in their transaction, so a
// duplicate aborts the whole of it (their own writes too) — which is what
// makes a replayed leak report change nothing.
package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/admin"
	"businesstools/ent/notification"
	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/mail"
)

// Kind is what happened to a key.
type Kind string

// The events admins are told about (DESIGN.md section 9).
const (
	Leaked            Kind = "leaked"  // reported by secret scanning
	RevokedPublicly   Kind = "revoked" // POST /v1/credentials/revoke
	Expires7Days      Kind = "expiry7" // expires within 7 days
	Expires1Day       Kind = "expiry1" // expires within a day
	DeactivatedUnused Kind = "unused"  // deactivated for disuse
	Created           Kind = "created" // only with notifyOnKeyChanges
	Deleted           Kind = "deleted" // only with notifyOnKeyChanges
	Rolled            Kind = "rolled"  // only with notifyOnKeyChanges
)

// ChangeKinds are sent only to accounts that turned notifyOnKeyChanges on.
var ChangeKinds = map[Kind]bool{Created: true, Deleted: true, Rolled: true}

// MaxURLLen bounds the "found at" URL kept in emails and audit details.
const MaxURLLen = 2000

// ErrAlreadySent is returned by Send when the event's dedup key is taken:
// the admins were told already. The caller's transaction must roll back.
var ErrAlreadySent = errors.New("notify: already sent")

// Event is one thing to tell the admins about one key.
type Event struct {
	Kind Kind
	// Key is the key after the event (for Deleted: as it was).
	Key *ent.ApiKey
	// DedupKey makes the event once-only; build it with the …Key functions.
	DedupKey string
	// At is when it happened.
	At time.Time
	// Deactivated tells whether the event switched the key off (Leaked, RevokedPublicly).
	Deactivated bool
	// URL and Source say where a leaked key was found (Leaked).
	URL, Source string
	// ActorEmail and ActorIP say who acted (Created, Deleted, Rolled) or,
	// for RevokedPublicly, where the request came from (ActorIP).
	ActorEmail, ActorIP string
	// Days is the account's unusedKeyDays (DeactivatedUnused).
	Days int
	// Masked, if set, replaces the key's masked view: the masked form of the
	// reported secret, which may be the previous one (Leaked, RevokedPublicly).
	Masked string
}

// Config configures a Notifier.
type Config struct {
	// From is the sender (BT_MAIL_FROM).
	From string
	// PublicURL is where admins reach the SPA (BT_PUBLIC_URL), without a
	// trailing slash; links point at PublicURL + "/keys/<id>".
	PublicURL string
	// Wake, if set, runs after a commit that enqueued emails (mail.Worker.Notify).
	Wake func()
	// Now is the clock of key change events (time.Now).
	Now func() time.Time
}

// Notifier writes notification emails into the outbox.
type Notifier struct{ cfg Config }

// New returns a Notifier.
func New(cfg Config) *Notifier {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{cfg: cfg}
}

// OnKeyChange is the apikey.ChangeHook that tells the admins of accounts
// with notifyOnKeyChanges about a key's creation, deletion or roll, naming
// who did it and from where.
func (n *Notifier) OnKeyChange(ctx context.Context, tx *ent.Tx, kind string, a apikey.Actor, k *ent.ApiKey) error {
	ev := Event{Key: k, At: n.cfg.Now(), ActorEmail: a.Email, ActorIP: a.IP}
	switch kind {
	case apikey.ChangeCreated:
		ev.Kind, ev.DedupKey = Created, CreatedKey(k.ID)
	case apikey.ChangeDeleted:
		ev.Kind, ev.DedupKey = Deleted, DeletedKey(k.ID)
	case apikey.ChangeRolled:
		ev.Kind, ev.DedupKey = Rolled, RolledKey(k.ID, k.KeyHash)
	default:
		return nil
	}
	return n.Send(ctx, tx, ev)
}

// Send records ev's dedup key and enqueues one email to each admin of the
// key's account, all in tx. Change kinds (Created, Deleted, Rolled) are
// skipped, without error, unless the account has notifyOnKeyChanges on. It
// returns ErrAlreadySent when the dedup key exists: the caller must roll tx
// back (on PostgreSQL the failed insert has aborted it anyway). Call it
// before the transaction's other writes so a duplicate costs nothing.
// The outbox is woken after tx commits.
func (n *Notifier) Send(ctx context.Context, tx *ent.Tx, ev Event) error {
	k := ev.Key
	acc, err := tx.Account.Query().Where(account.ID(k.AccountID)).Only(ctx)
	if err != nil {
		return apperr.Internalf(err, "notify: load account %d", k.AccountID)
	}
	if ChangeKinds[ev.Kind] && !acc.NotifyOnKeyChanges {
		return nil
	}
	err = tx.Notification.Create().SetDedupKey(ev.DedupKey).SetAccountID(k.AccountID).
		SetAPIKeyID(k.ID).SetKind(string(ev.Kind)).SetCreatedAt(ev.At).Exec(ctx)
	if ent.IsConstraintError(err) {
		return ErrAlreadySent
	}
	if err != nil {
		return apperr.Internalf(err, "notify: record %s", ev.Kind)
	}
	admins, err := tx.Admin.Query().Where(admin.AccountID(k.AccountID), admin.InvitePending(false)).
		Order(admin.ByID()).All(ctx)
	if err != nil {
		return apperr.Internalf(err, "notify: list admins")
	}
	msg, err := n.render(ev, acc.Name)
	if err != nil {
		return err
	}
	for _, a := range admins {
		_, err := mail.Enqueue(ctx, tx.Client(), mail.Message{AccountID: k.AccountID, From: n.cfg.From,
			Recipients: mail.Recipients{To: []string{a.Email}}, Subject: msg.Subject, HTML: msg.HTML, Text: msg.Text})
		if err != nil {
			return err
		}
	}
	if n.cfg.Wake != nil && len(admins) > 0 {
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				err := next.Commit(ctx, tx)
				if err == nil {
					n.cfg.Wake()
				}
				return err
			})
		})
	}
	return nil
}

// Sent reports which of the dedup keys are recorded already, so a periodic
// check can skip them without a failing transaction per key.
func Sent(ctx context.Context, c *ent.Client, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	got, err := c.Notification.Query().Where(notification.DedupKeyIn(keys...)).
		Select(notification.FieldDedupKey).Strings(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "notify: read sent")
	}
	for _, k := range got {
		out[k] = true
	}
	return out, nil
}

// LeakedKey is the dedup key of a leak report of one secret of a key: a
// secret is reported once however often and wherever it is found again.
func LeakedKey(keyID int, secretHash []byte) string { return secretKey(Leaked, keyID, secretHash) }

// RevokedKey is the dedup key of a public revocation of one secret of a key.
func RevokedKey(keyID int, secretHash []byte) string {
	return secretKey(RevokedPublicly, keyID, secretHash)
}

// RolledKey is the dedup key of a roll, named by the new secret's hash.
func RolledKey(keyID int, newSecretHash []byte) string {
	return secretKey(Rolled, keyID, newSecretHash)
}

// secretKey names a secret by the first 8 bytes of its SHA-256: enough to
// tell a key's secrets apart, and nothing anyone could use.
func secretKey(kind Kind, keyID int, hash []byte) string {
	if len(hash) > 8 {
		hash = hash[:8]
	}
	return fmt.Sprintf("%s:%d:%x", kind, keyID, hash)
}

// ExpiryKey is the dedup key of an expiry warning (Expires7Days or
// Expires1Day) for one expiry: a key whose expiry is moved is warned again.
func ExpiryKey(kind Kind, keyID int, expiresAt time.Time) string {
	return fmt.Sprintf("%s:%d:%d", kind, keyID, expiresAt.Unix())
}

// UnusedKey is the dedup key of a deactivation for disuse, named by the
// key's last activity (last use, or creation): a key an admin reactivates
// stays active until it is used and then falls idle again.
func UnusedKey(keyID int, lastActivity time.Time) string {
	return fmt.Sprintf("%s:%d:%d", DeactivatedUnused, keyID, lastActivity.Unix())
}

// CreatedKey and DeletedKey are the dedup keys of a key's creation and deletion.
func CreatedKey(keyID int) string { return fmt.Sprintf("%s:%d", Created, keyID) }

// DeletedKey is the dedup key of a key's deletion.
func DeletedKey(keyID int) string { return fmt.Sprintf("%s:%d", Deleted, keyID) }
