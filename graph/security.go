package graph

import (
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/predicate"
	"businesstools/graph/model"
	keys "businesstools/internal/apikey"
	"businesstools/internal/settings"
)

// SystemActor is AuditEvent.actor for what the product did on its own (and
// for events written before actors were recorded).
const SystemActor = "system"

// auditActor names who acted: the recorded actor, or "system".
func auditActor(e *ent.AuditEvent) string {
	if e.ActorEmail == "" {
		return SystemActor
	}
	return e.ActorEmail
}

// nonEmpty turns the empty string (never recorded) into null.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// accountSettings is the GraphQL view of an account's policies.
func accountSettings(acc *ent.Account) *model.AccountSettings {
	return &model.AccountSettings{MaxKeyLifetimeDays: acc.MaxKeyLifetimeDays, UnusedKeyDays: acc.UnusedKeyDays,
		DeactivateUnusedKeys: acc.DeactivateUnusedKeys, LeakedKeyAction: model.LeakedKeyAction(acc.LeakedKeyAction),
		NotifyOnKeyChanges: acc.NotifyOnKeyChanges}
}

// settingsPatch turns the GraphQL patch into the service's.
func settingsPatch(in model.UpdateAccountSettingsInput) settings.Patch {
	p := settings.Patch{DeactivateUnusedKeys: in.DeactivateUnusedKeys, NotifyOnKeyChanges: in.NotifyOnKeyChanges}
	p.MaxKeyLifetimeDays, p.SetMaxKeyLifetimeDays = in.MaxKeyLifetimeDays.ValueOK()
	p.UnusedKeyDays, p.SetUnusedKeyDays = in.UnusedKeyDays.ValueOK()
	if in.LeakedKeyAction != nil {
		a := account.LeakedKeyAction(*in.LeakedKeyAction)
		p.LeakedKeyAction = &a
	}
	return p
}

// needsAttention selects the keys with a LEAKED, EXPIRING_SOON or UNUSED
// warning (want) or those without (!want).
func needsAttention(acc *ent.Account, now time.Time, want bool) predicate.ApiKey {
	p := keys.NeedsAttentionWhere(acc, now)
	if want {
		return p
	}
	return apikey.Not(p)
}
