package graph

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
// key's name. PostgreSQL answers those from a trigram index (see
// internal/db/indexes.go); a term of one or two characters has no trigram,
// so finding it anywhere would mean reading every key of the account (about
// a second at a million keys). Shorter terms therefore match the start of
// the name instead, which a b-tree index on lower(name) answers at once.
const MinContainsLen = 3

// shortNamesAsPrefix rewrites, in w and every filter nested in it, a
// nameContainsFold term shorter than MinContainsLen into a case-insensitive
// prefix match.
func shortNamesAsPrefix(w *ent.ApiKeyWhereInput) {
	if w == nil {
		return
	}
	if w.NameContainsFold != nil && utf8.RuneCountInString(*w.NameContainsFold) < MinContainsLen {
		w.AddPredicates(nameHasPrefixFold(*w.NameContainsFold))
		w.NameContainsFold = nil
	}
	shortNamesAsPrefix(w.Not)
	for _, o := range w.And {
		shortNamesAsPrefix(o)
	}
	for _, o := range w.Or {
		shortNamesAsPrefix(o)
	}
}

// nameHasPrefixFold is `lower(name) LIKE 'term%'`, the form the
// (account_id, lower(name) text_pattern_ops) index serves on PostgreSQL.
func nameHasPrefixFold(term string) predicate.ApiKey {
	escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(term))
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("lower(" + s.C(apikey.FieldName) + ") LIKE ").Arg(escaped + "%")
			if b.Dialect() == dialect.SQLite { // SQLite's LIKE has no escape character by default
				b.WriteString(" ESCAPE ").Arg(`\`)
			}
		}))
	}
}

// hasPermission keeps the keys holding the permission with row id
// permissionID, as a correlated EXISTS on the join table. PostgreSQL runs it
// as a semi-join: while walking the key list's order index it probes the
// join table's primary key (api_key_id, permission_id) for each key — a page
// costs a few dozen probes when the permission is common — and, when the
// statistics say the permission is rare, it starts from the
// (permission_id, api_key_id) index instead. Passing the id, not the
// permission's key, lets the planner use those statistics.
func hasPermission(permissionID int) predicate.ApiKey {
	return func(s *sql.Selector) {
		t := sql.Table(apikey.PermissionsTable)
		s.Where(sql.Exists(sql.Select(t.C(apikey.PermissionsPrimaryKey[0])).From(t).Where(sql.And(
			sql.ColumnsEQ(t.C(apikey.PermissionsPrimaryKey[0]), s.C(apikey.FieldID)),
			sql.EQ(t.C(apikey.PermissionsPrimaryKey[1]), permissionID),
		))))
	}
}
