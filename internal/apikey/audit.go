package apikey

import (
	"context"

	"businesstools/ent"
	"businesstools/ent/auditevent"
	"businesstools/internal/apperr"
)

// record writes one audit event in tx. It never holds the secret.
func record(ctx context.Context, tx *ent.Tx, a Actor, action auditevent.Action, k *ent.ApiKey, detail string) error {
	c := tx.AuditEvent.Create().
		SetAccountID(a.AccountID).SetAction(action).SetActorEmail(a.Email).
		SetClientIP(a.IP).SetDetail(detail).SetAPIKeyID(k.ID).SetAPIKeyName(k.Name)
	if a.AdminID != 0 {
		c.SetActorID(a.AdminID)
	}
	if err := c.Exec(ctx); err != nil {
		return apperr.Internalf(err, "audit %s", action)
	}
	return nil
}
