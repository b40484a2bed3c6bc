package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// NeverUsed is ApiKey.last_used_at before the key's first request. It is the
// Unix epoch, not Go's zero time, because entgql cursors omit zero values.
var NeverUsed = time.Unix(0, 0).UTC()

// ApiKey is an account's API key. The secret itself is never stored: only its
// SHA-256, a short non-secret start and end for the masked view and, while
// reveal is allowed, an AES-256-GCM ciphertext under the master key.
type ApiKey struct{ ent.Schema }

// Mixin of the ApiKey.
func (ApiKey) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the ApiKey.
func (ApiKey) Fields() []ent.Field {
	skip := entgql.Skip(entgql.SkipAll)
	return []ent.Field{
		// Lengths count characters, as validation does (MaxLen would count
		// bytes and refuse 100 emoji that PostgreSQL's varchar(100) holds).
		field.String("name").NotEmpty().MaxRuneLen(100).
			Annotations(entgql.OrderField("NAME")),
		field.Bytes("key_hash").Sensitive().Unique().Annotations(skip),
		field.String("key_start").Annotations(skip),
		field.String("key_end").Annotations(skip),
		field.Bytes("key_ciphertext").Optional().Nillable().Sensitive().Annotations(skip),
		// The secret replaced by the last roll keeps working until previous_valid_until.
		field.Bytes("previous_key_hash").Optional().Nillable().Sensitive().Unique().Annotations(skip),
		field.Time("previous_valid_until").Optional().Nillable().Annotations(skip),
		field.Bool("active").Default(true).Annotations(skip),
		// LastUsedAt is NeverUsed until the first request, not NULL: cursor
		// pagination ordered by it needs a value in every row (GraphQL shows null).
		field.Time("last_used_at").Default(func() time.Time { return NeverUsed }).
			Annotations(entgql.OrderField("LAST_USED_AT"), entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		// No order field: entgql cursors cannot page past NULLs, and keys
		// without an expiry are the common case.
		field.Time("expires_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Strings("ip_allowlist").Optional().Annotations(entgql.Skip(entgql.SkipWhereInput)),
		// RateLimit overrides the default requests per second for this key (0 = default).
		field.Int("rate_limit").Default(0).NonNegative().Annotations(skip),
		field.Int("created_by_id").Optional().Nillable().Annotations(skip),
		// LeakedAt is set when the key was reported leaked or publicly revoked;
		// a roll clears it (ApiKey.warnings shows LEAKED while it is set).
		field.Time("leaked_at").Optional().Nillable().Annotations(skip),
		// Where the key was last used from, written by the batched usage flush.
		field.String("last_used_ip").Default("").Annotations(skip),
		field.String("last_used_route").Default("").Annotations(skip),
	}
}

// Edges of the ApiKey.
func (ApiKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("permissions", Permission.Type).Annotations(entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("created_by", Admin.Type).Field("created_by_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the ApiKey.
func (ApiKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "name").Unique(),
		// First pages of the key list at 1M keys: each SPA order walks an
		// index backwards (ORDER BY created_at DESC, id DESC LIMIT n+1),
		// stopping after the page. More in internal/db/indexes.go.
		index.Fields("account_id", "created_at", "id"),
		index.Fields("account_id", "last_used_at", "id"),
		// The periodic expiry check (internal/keyjobs) reads keys expiring soon;
		// with the partial leaked_at index, the "needs attention" filter is a
		// BitmapOr of three index scans, not a scan of every key.
		index.Fields("expires_at"),
		index.Fields("leaked_at").Annotations(entsql.IndexWhere("leaked_at IS NOT NULL")),
		// The status filters INACTIVE and EXPIRED select few keys, or none:
		// walking the list's index for them could read the whole account, so
		// they get small partial indexes of their own.
		index.Fields("account_id", "created_at", "id").StorageKey("apikey_inactive_account_id_created_at_id").
			Annotations(entsql.IndexWhere("NOT active")),
		index.Fields("account_id", "expires_at").StorageKey("apikey_expiring_account_id_expires_at").
			Annotations(entsql.IndexWhere("expires_at IS NOT NULL")),
	}
}

// Annotations of the ApiKey.
func (ApiKey) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField("apiKeys"),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
