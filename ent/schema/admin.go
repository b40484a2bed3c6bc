package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Admin is a person who manages one account's keys in the SPA or over GraphQL.
type Admin struct{ ent.Schema }

// Mixin of the Admin.
func (Admin) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the Admin.
func (Admin) Fields() []ent.Field {
	return []ent.Field{
		// Email is unique across accounts: login takes only email and password.
		field.String("email").NotEmpty().MaxLen(254).Unique(),
		// PasswordHash is an argon2id PHC string; never exposed.
		field.String("password_hash").Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the Admin.
func (Admin) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
