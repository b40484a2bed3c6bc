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
		field.String("email").NotEmpty().MaxRuneLen(254).Unique(),
		// PasswordHash is an argon2id PHC string; never exposed.
		field.String("password_hash").Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		// Role decides what the admin may do (DESIGN section 10). The default is
		// OWNER so that admins of a database made before roles existed become
		// owners on upgrade; every code path that creates an admin sets it.
		field.Enum("role").Values("OWNER", "ADMIN", "VIEWER").Default("OWNER").
			Annotations(entgql.Type("AdminRole")),
		// InvitePending is true from inviteAdmin until acceptInvite sets a password.
		field.Bool("invite_pending").Default(false),
		// The pending invite: the SHA-256 of the token in the emailed link and
		// when it stops working. Both are cleared when it is accepted, so the
		// link works once; the row's email binds the invite to its address.
		// Only the expiry is in GraphQL (the Team page tells expired invites).
		field.Bytes("invite_token_hash").Optional().Nillable().Sensitive().Unique().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("invite_expires_at").Optional().Nillable().
			Comment("When the pending invite's link stops working; null unless invitePending."),
	}
}

// Annotations of the Admin.
func (Admin) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
