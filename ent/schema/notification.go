package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Notification remembers that the admins were told about one event of one
// key (internal/notify). Its unique dedup_key — e.g. "leaked:42:<hash>" or
// "expiry7:42:<expires_at>" — is inserted in the same transaction as the
// emails, so however many processes see the event, and across restarts, a
// second insert fails and nothing is sent twice. It is a system table: the
// account is kept for reference, not as a tenant edge.
type Notification struct{ ent.Schema }

// Mixin of the Notification.
func (Notification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Notification.
func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.String("dedup_key").NotEmpty().MaxLen(200).Unique().Immutable(),
		field.Int("account_id").Immutable(),
		field.Int("api_key_id").Optional().Nillable().Immutable(),
		// Kind is the event (leaked, revoked, expiry7, …), for reading the table.
		field.String("kind").Immutable(),
	}
}

// Annotations of the Notification.
func (Notification) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
