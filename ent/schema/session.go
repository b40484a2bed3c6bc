package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Session is a signed-in admin. Only the SHA-256 of its token is stored.
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Sensitive().Unique(),
		field.Int("admin_id"),
		field.Time("last_seen_at"),
		field.Time("expires_at"),
		field.String("client_ip").Default(""),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("admin", Admin.Type).Field("admin_id").Unique().Required(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index { return []ent.Index{index.Fields("admin_id")} }

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
