package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// AccessToken lets a GraphQL client act for an admin without a password
// (DESIGN section 10): `btm_` + 256 random bits + CRC32, stored as SHA-256.
type AccessToken struct{ ent.Schema }

// Mixin of the AccessToken.
func (AccessToken) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the AccessToken.
func (AccessToken) Fields() []ent.Field {
	skip := entgql.Skip(entgql.SkipAll)
	return []ent.Field{
		field.String("name").NotEmpty().MaxRuneLen(100),
		field.Bytes("token_hash").Sensitive().Unique().Annotations(skip),
		field.String("token_start").Annotations(skip),
		field.String("token_end").Annotations(skip),
		// Scopes are AccessScope values (KEYS_READ, KEYS_WRITE, AUDIT_READ).
		field.Strings("scopes").Annotations(skip),
		field.Time("expires_at"),
		field.Time("last_used_at").Optional().Nillable(),
		field.Int("admin_id").Annotations(skip),
	}
}

// Edges of the AccessToken.
func (AccessToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("admin", Admin.Type).Field("admin_id").Unique().Required().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the AccessToken.
func (AccessToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
