package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEvent records one lifecycle event of a key. It holds the key's id and
// name as plain values, not an edge, so the trail outlives a deleted key.
type AuditEvent struct{ ent.Schema }

// Mixin of the AuditEvent.
func (AuditEvent) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("action").Values(
			"CREATED", "REVEALED", "REVEAL_FAILED", "ACTIVATED", "DEACTIVATED",
			"RENAMED", "PERMISSIONS_CHANGED", "UPDATED", "ROLLED", "DELETED",
			// Section 9: leaks, policies and sign-ins.
			"LEAKED", "REVOKED_PUBLICLY", "DEACTIVATED_UNUSED", "SETTINGS_CHANGED", "LOGIN", "LOGIN_FAILED",
			// Section 10: team and access tokens.
			"ADMIN_INVITED", "ADMIN_JOINED", "ADMIN_ROLE_CHANGED", "ADMIN_REMOVED", "TOKEN_CREATED", "TOKEN_REVOKED",
		).Annotations(entgql.Type("AuditAction")),
		field.Int("actor_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("actor_email").Default(""),
		field.Int("api_key_id").Optional().Nillable().Annotations(entgql.Type("ID")),
		field.String("api_key_name").Default(""),
		field.String("client_ip").Default(""),
		field.String("detail").Default("").Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		// A key's trail, newest first (the SPA's key details).
		index.Fields("api_key_id", "created_at", "id"),
		// The security log: one account's events, newest first.
		index.Fields("account_id", "created_at", "id"),
	}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField("auditEvents"),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
