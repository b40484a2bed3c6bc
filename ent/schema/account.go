package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Account is a tenant: it owns admins, API keys, leads, templates and emails.
type Account struct{ ent.Schema }

// Mixin of the Account.
func (Account) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Account.
func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxRuneLen(100).Unique(),
		// Policies (DESIGN section 9), shown in GraphQL as AccountSettings.
		field.Int("max_key_lifetime_days").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("unused_key_days").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("deactivate_unused_keys").Default(false).Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("leaked_key_action").Values("DEACTIVATE", "NOTIFY").Default("DEACTIVATE").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("notify_on_key_changes").Default(false).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the Account.
func (Account) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
