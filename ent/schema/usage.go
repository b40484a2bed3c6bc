package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// KeyUsage counts one key's requests on one UTC day. Rows are upserted in
// batches by the usage recorder, never once per request.
type KeyUsage struct{ ent.Schema }

// Fields of the KeyUsage.
func (KeyUsage) Fields() []ent.Field {
	return []ent.Field{
		field.Int("api_key_id"),
		field.String("day").MaxLen(10), // YYYY-MM-DD, UTC
		field.Int64("count").Default(0),
	}
}

// Indexes of the KeyUsage.
func (KeyUsage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("api_key_id", "day").Unique()}
}

// Annotations of the KeyUsage.
func (KeyUsage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
