// Package mail is the durable outbox of the REST API's emails. A message is
// written (status queued) in the same transaction that answers 202; a Worker
// claims due messages — FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional
// UPDATE with a lease on SQLite — so several workers in several processes
// never send one twice, delivers them through a Sender (SMTP, or the capture
// sink that keeps them in the database), and retries failures with
// exponential backoff up to a limit. Unfinished mail resumes after a restart.
package mail

import (
	"context"
	"time"

	"businesstools/ent"
	"businesstools/internal/apperr"
)

// Message is an email to enqueue; its recipients are already checked.
type Message struct {
	AccountID  int
	APIKeyID   int // 0 = none
	From       string
	Recipients Recipients
	Subject    string
	HTML       string
	Text       string
	TemplateID int // 0 = none
}

// Enqueue writes m to the outbox with c (the caller's transaction, so the
// message exists exactly when the request that accepted it succeeded). Call
// Worker.Notify after the commit to deliver it without waiting for a poll.
func Enqueue(ctx context.Context, c *ent.Client, m Message) (*ent.Email, error) {
	q := c.Email.Create().SetAccountID(m.AccountID).SetFrom(m.From).
		SetTo(m.Recipients.To).SetCc(nonNil(m.Recipients.Cc)).SetBcc(nonNil(m.Recipients.Bcc)).
		SetReplyTo(m.Recipients.ReplyTo).SetSubject(m.Subject).SetHTML(m.HTML).SetText(m.Text).
		SetNextAttemptAt(time.Now().UTC().Truncate(time.Microsecond))
	if m.APIKeyID != 0 {
		q.SetAPIKeyID(m.APIKeyID)
	}
	if m.TemplateID != 0 {
		q.SetTemplateID(m.TemplateID)
	}
	e, err := q.Save(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "enqueue email")
	}
	return e, nil
}

// Get returns one email of the context's account; NotFound otherwise.
func Get(ctx context.Context, c *ent.Client, id int) (*ent.Email, error) {
	e, err := c.Email.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("There is no email with id %d.", id)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get email")
	}
	return e, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
