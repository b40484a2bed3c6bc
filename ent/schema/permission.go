package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Permission is one scope a key can hold. The five rows are seeded at start
// (internal/db) and joined to keys by an edge.
type Permission struct{ ent.Schema }

// Fields of the Permission.
func (Permission) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("key").
			Values("SEND_EMAILS", "MANAGE_EMAIL_TEMPLATES", "READ_LEADS", "WRITE_LEADS", "DELETE_LEADS").
			Immutable().
			Annotations(entgql.Type("PermissionKey"), entgql.OrderField("KEY")),
		field.String("scope").Unique().Immutable(),
		field.String("name"),
		field.String("description"),
	}
}

// Edges of the Permission.
func (Permission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("api_keys", ApiKey.Type).Ref("permissions").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Permission.
func (Permission) Indexes() []ent.Index { return []ent.Index{index.Fields("key").Unique()} }

// Annotations of the Permission.
func (Permission) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}
