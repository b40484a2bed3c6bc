package auth

import (
	"context"

	"businesstools/ent"
	"businesstools/ent/auditevent"
	"businesstools/internal/apperr"
)

// Event is one entry of the security log that is not about a key (the key
// service writes those): sign-ins, team changes, access tokens.
type Event struct {
	AccountID int
	Action    auditevent.Action
	ActorID   int    // the admin who acted; 0 for none
	Actor     string // an email, token:<name> (<email>), or system
	IP        string
	Detail    string // never a secret
	// APIKeyID and APIKeyName name the key the event is about, if any.
	APIKeyID   int
	APIKeyName string
}

// Record writes ev with c: pass a transaction's client (tx.Client()) when
// the event belongs to a change, so both commit or neither does.
func Record(ctx context.Context, c *ent.Client, ev Event) error {
	q := c.AuditEvent.Create().SetAccountID(ev.AccountID).SetAction(ev.Action).
		SetActorEmail(ev.Actor).SetClientIP(ev.IP).SetDetail(ev.Detail)
	if ev.ActorID != 0 {
		q.SetActorID(ev.ActorID)
	}
	if ev.APIKeyID != 0 {
		q.SetAPIKeyID(ev.APIKeyID).SetAPIKeyName(ev.APIKeyName)
	}
	if err := q.Exec(ctx); err != nil {
		return apperr.Internalf(err, "audit %s", ev.Action)
	}
	return nil
}

// ViewerEvent is an Event acted by the request's viewer.
func ViewerEvent(ctx context.Context, v *Viewer, action auditevent.Action, detail string) Event {
	return Event{AccountID: v.AccountID, Action: action, ActorID: v.AdminID, Actor: v.Actor(),
		IP: ClientIP(ctx), Detail: detail}
}
