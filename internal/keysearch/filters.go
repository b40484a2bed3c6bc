// Package keysearch keeps the key list's filters fast at a million keys in
// one account (DESIGN.md section 8): the permission filter as an indexed
// semi-join, short name terms as prefix matches, and, on PostgreSQL, a name
// search planned from what the data holds rather than from the planner's
// guess (Searcher). The indexes they rely on are in ent/schema/apikey.go and
// internal/db/indexes.go.
package keysearch

import (
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/ent/predicate"
)

// MinContainsLen is the shortest nameContainsFold term matched anywhere in a
// key's name. PostgreSQL finds those through a trigram index; a term of one
// or two characters has no trigram, so finding it anywhere would mean
// reading every key of the account (about a second at a million keys).
// Shorter terms therefore match the start of the name, which the b-tree
// index on (account_id, lower(name)) answers at once.
const MinContainsLen = 3

// ShortTermsAsPrefix rewrites, in w and every filter nested in it, a
// nameContainsFold term shorter than MinContainsLen into a case-insensitive
// prefix match.
func ShortTermsAsPrefix(w *ent.ApiKeyWhereInput) {
	if w == nil {
		return
	}
	if w.NameContainsFold != nil && utf8.RuneCountInString(*w.NameContainsFold) < MinContainsLen {
		w.AddPredicates(nameHasPrefixFold(*w.NameContainsFold))
		w.NameContainsFold = nil
	}
	ShortTermsAsPrefix(w.Not)
	for _, o := range w.And {
		ShortTermsAsPrefix(o)
	}
	for _, o := range w.Or {
		ShortTermsAsPrefix(o)
	}
}

// nameHasPrefixFold is `lower(name) LIKE 'te%'`, the form the
// (account_id, lower(name) text_pattern_ops) index serves on PostgreSQL.
// On SQLite, lower() is internal/db's Unicode one (lower.go), so the term,
// lowered here in Go, meets the name folded alike.
func nameHasPrefixFold(term string) predicate.ApiKey {
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("lower(" + s.C(apikey.FieldName) + ") LIKE ").Arg(escapeLike(strings.ToLower(term)) + "%")
			if b.Dialect() == dialect.SQLite { // SQLite's LIKE has no escape character by default
				b.WriteString(" ESCAPE ").Arg(`\`)
			}
		}))
	}
}

// nameContainsUnindexed is `lower(name) LIKE '%term%'` on PostgreSQL: the
// same test as nameContainsFold's ILIKE, in a form no index answers, so that
// the planner walks the list's order index and stops after a page.
func nameContainsUnindexed(pattern string) predicate.ApiKey {
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("lower(" + s.C(apikey.FieldName) + ") LIKE ").Arg(pattern)
		}))
	}
}

// HasPermission keeps the keys holding the permission with row id
// permissionID, as a correlated EXISTS on the join table. PostgreSQL runs it
// as a semi-join: while walking the list's order index it probes the join
// table's primary key (api_key_id, permission_id) for each key — a page
// costs a few dozen probes when the permission is common — and, when the
// statistics say the permission is rare, it starts from the
// (permission_id, api_key_id) index instead. Passing the id, not the
// permission's key, lets the planner use those statistics.
func HasPermission(permissionID int) predicate.ApiKey {
	return func(s *sql.Selector) {
		t := sql.Table(apikey.PermissionsTable)
		s.Where(sql.Exists(sql.Select(t.C(apikey.PermissionsPrimaryKey[0])).From(t).Where(sql.And(
			sql.ColumnsEQ(t.C(apikey.PermissionsPrimaryKey[0]), s.C(apikey.FieldID)),
			sql.EQ(t.C(apikey.PermissionsPrimaryKey[1]), permissionID),
		))))
	}
}

// escapeLike escapes LIKE's wildcards and its escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
