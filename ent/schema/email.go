package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Email is one message in the durable outbox. It is written in the same
// transaction that answers 202 and delivered by the mail worker.
type Email struct{ ent.Schema }

// Mixin of the Email.
func (Email) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the Email.
func (Email) Fields() []ent.Field {
	return []ent.Field{
		field.Int("api_key_id").Optional().Nillable(),
		field.String("from").Default(""),
		field.Strings("to"),
		field.Strings("cc").Optional(),
		field.Strings("bcc").Optional(),
		field.String("reply_to").Default(""),
		field.Text("subject").Default(""),
		field.Text("html").Default(""),
		field.Text("text").Default(""),
		field.Int("template_id").Optional().Nillable(),
		field.Enum("status").Values("queued", "sending", "sent", "failed").Default("queued"),
		field.Int("attempts").Default(0),
		field.Text("last_error").Default(""),
		// NextAttemptAt is when the worker may try next (backoff after failures).
		field.Time("next_attempt_at").Default(time.Now),
		// LockedUntil lets a worker claim a message; a crashed worker's claim expires.
		field.Time("locked_until").Optional().Nillable(),
		// ClaimedBy is the token of the claim that holds the message: a worker
		// only sends or updates a message whose claim is still its own.
		field.String("claimed_by").Default(""),
		field.Time("sent_at").Optional().Nillable(),
		// Sink is "smtp" or "capture": where the message went.
		field.String("sink").Default(""),
	}
}

// Indexes of the Email.
func (Email) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "next_attempt_at")}
}

// Annotations of the Email.
func (Email) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
