package apikey

import (
	"context"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/predicate"
	"businesstools/internal/apperr"
)

// ExpiringSoon is how close to its expiry a key shows EXPIRING_SOON.
const ExpiringSoon = 7 * 24 * time.Hour

// Day is the unit of the account policies' day counts.
const Day = 24 * time.Hour

// Warnings of ApiKey.warnings (DESIGN.md section 9).
const (
	WarningLeaked       = "LEAKED"
	WarningExpiringSoon = "EXPIRING_SOON"
	WarningUnused       = "UNUSED"
	WarningOutOfPolicy  = "OUT_OF_POLICY"
)

// ChangeHook runs inside the transaction of a key's creation, deletion or
// roll (kind "created", "deleted", "rolled"), after the key's own writes;
// its error rolls the change back. The server wires the admins' emails
// (internal/notify) to it.
type ChangeHook func(ctx context.Context, tx *ent.Tx, kind string, a Actor, k *ent.ApiKey) error

// Kinds passed to a ChangeHook.
const (
	ChangeCreated = "created"
	ChangeDeleted = "deleted"
	ChangeRolled  = "rolled"
)

// Changed tells the OnChange listeners (caches, other processes) that a
// key was changed outside this service — leak handling, periodic jobs —
// after that change committed.
func (s *Service) Changed(keyID int) { s.changed(keyID) }

func (s *Service) hook(ctx context.Context, tx *ent.Tx, kind string, a Actor, k *ent.ApiKey) error {
	if s.cfg.OnChangeTx == nil {
		return nil
	}
	return s.cfg.OnChangeTx(ctx, tx, kind, a, k)
}

// accountPolicy loads the account whose policies apply to a change.
func (s *Service) accountPolicy(ctx context.Context, c *ent.Client, accountID int) (*ent.Account, error) {
	acc, err := c.Account.Query().Where(account.ID(accountID)).Only(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "load account policy")
	}
	return acc, nil
}

// checkLifetime enforces maxKeyLifetimeDays on a key's expiry after a
// create or update: with the policy set, the key needs an expiry at most
// that many days from now. Errors: Invalid (expiresAt).
func checkLifetime(acc *ent.Account, expiresAt *time.Time, now time.Time) error {
	if acc.MaxKeyLifetimeDays == nil {
		return nil
	}
	days := *acc.MaxKeyLifetimeDays
	if expiresAt == nil {
		return apperr.Invalidf("expiresAt", "This account's policy needs every key to expire within %d days; set an expiry.", days)
	}
	if expiresAt.After(now.Add(time.Duration(days) * Day)) {
		return apperr.Invalidf("expiresAt", "This account's policy needs every key to expire within %d days of now.", days)
	}
	return nil
}

// checkGrace enforces maxKeyLifetimeDays on a roll's grace period: an old
// secret may not outlive what the policy allows a new key. Errors: Invalid
// (oldSecretValidFor).
func checkGrace(acc *ent.Account, grace time.Duration) error {
	if acc.MaxKeyLifetimeDays == nil {
		return nil
	}
	if limit := time.Duration(*acc.MaxKeyLifetimeDays) * Day; grace > limit {
		return apperr.Invalidf("oldSecretValidFor", "This account's policy limits keys to %d days; the old secret may stay valid at most %d seconds.",
			*acc.MaxKeyLifetimeDays, int(limit.Seconds()))
	}
	return nil
}

// LastActivity is when a key was last used or, never used, created: what
// unusedKeyDays counts from.
func LastActivity(k *ent.ApiKey) time.Time {
	if k.LastUsedAt.After(k.CreatedAt) {
		return k.LastUsedAt
	}
	return k.CreatedAt
}

// Warnings returns what about k needs its admins' attention under the
// account's policies, in the enum's order. Keys past their expiry carry
// only LEAKED: nothing else about them matters any more.
func Warnings(k *ent.ApiKey, acc *ent.Account, now time.Time) []string {
	out := []string{}
	if k.LeakedAt != nil {
		out = append(out, WarningLeaked)
	}
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return out
	}
	if k.ExpiresAt != nil && !k.ExpiresAt.After(now.Add(ExpiringSoon)) {
		out = append(out, WarningExpiringSoon)
	}
	if acc.UnusedKeyDays != nil && k.Active && LastActivity(k).Before(unusedCutoff(acc, now)) {
		out = append(out, WarningUnused)
	}
	if acc.MaxKeyLifetimeDays != nil &&
		(k.ExpiresAt == nil || k.ExpiresAt.After(now.Add(time.Duration(*acc.MaxKeyLifetimeDays)*Day))) {
		out = append(out, WarningOutOfPolicy)
	}
	return out
}

func unusedCutoff(acc *ent.Account, now time.Time) time.Time {
	return now.Add(-time.Duration(*acc.UnusedKeyDays) * Day)
}

// ExpiringSoonWhere selects keys that show EXPIRING_SOON at now. (IS NOT
// NULL keeps the predicate true or false, never NULL, so Not works on it.)
func ExpiringSoonWhere(now time.Time) predicate.ApiKey {
	return apikey.And(apikey.ExpiresAtNotNil(), apikey.ExpiresAtGT(now), apikey.ExpiresAtLTE(now.Add(ExpiringSoon)))
}

// UnusedWhere selects keys that show UNUSED at now under acc's policy
// (none when the policy is off): active, not expired, and neither used nor
// created since the cutoff.
func UnusedWhere(acc *ent.Account, now time.Time) predicate.ApiKey {
	if acc.UnusedKeyDays == nil {
		return apikey.IDLT(0) // nothing
	}
	cutoff := unusedCutoff(acc, now)
	return apikey.And(apikey.Active(true), apikey.Or(apikey.ExpiresAtIsNil(), apikey.ExpiresAtGT(now)),
		apikey.LastUsedAtLT(cutoff), apikey.CreatedAtLT(cutoff))
}

// NeedsAttentionWhere selects keys that are leaked, expiring soon or unused
// (the SPA's "Needs attention" filter).
func NeedsAttentionWhere(acc *ent.Account, now time.Time) predicate.ApiKey {
	return apikey.Or(apikey.LeakedAtNotNil(), ExpiringSoonWhere(now), UnusedWhere(acc, now))
}
