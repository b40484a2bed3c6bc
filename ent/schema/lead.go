package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"businesstools/internal/leads/custom"
)

// Lead is a sales lead managed over the REST API.
type Lead struct{ ent.Schema }

// Mixin of the Lead.
func (Lead) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the Lead.
func (Lead) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").NotEmpty().MaxRuneLen(254),
		field.String("first_name").Default(""),
		field.String("last_name").Default(""),
		field.String("company").Default(""),
		field.String("phone").Default(""),
		field.Enum("status").Values("new", "contacted", "qualified", "won", "lost").Default("new"),
		field.String("source").Default(""),
		// json, not jsonb, on PostgreSQL: jsonb rewrites numbers (1e2 becomes
		// 100, -0 becomes 0) and refuses exponents beyond its numeric range,
		// where SQLite keeps the text; json keeps what was sent on both.
		field.JSON("custom", custom.Object{}).Optional().SchemaType(map[string]string{dialect.Postgres: "json"}),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Indexes of the Lead.
func (Lead) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "email").Unique()}
}

// Annotations of the Lead.
func (Lead) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
