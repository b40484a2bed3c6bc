package db

import (
	"database/sql/driver"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// SQLite's built-in lower() folds ASCII letters only, so every
// case-insensitive search on SQLite missed non-ASCII names: ent writes
// ContainsFold, HasPrefixFold and EqualFold as lower(col) LIKE (or =) the
// term lowered in Go, and so do the key searches (internal/keysearch);
// lower('Éclair') stayed 'Éclair' while the term became 'éclair', so even
// the exact spelling found nothing. PostgreSQL's lower() and ILIKE fold
// every letter. Replacing lower() on every SQLite connection the driver
// opens (SQLite lets an application function override a built-in of the
// same name) makes both sides of those tests fold alike, on both
// databases, for every predicate ent generates — including graph/'s where
// inputs — without a query of its own. A function under another name would
// have needed each of them rewritten.
//
// What else this touches:
//   - Nothing stored depends on lower(): no SQLite index, generated column,
//     view, trigger or CHECK uses it (TestSQLiteSchemaHasNoLower guards
//     this). Do not add one: its entries would be computed by whichever
//     lower() the writing connection had — this one, or the sqlite3 shell's
//     ASCII one — and lookups would disagree with them. PostgreSQL's
//     (account_id, lower(name)) index (indexes.go) is PostgreSQL's own
//     lower() and unchanged.
//   - LIKE stays SQLite's, case-insensitive for ASCII only; that no longer
//     matters, since both of its sides are lowered. Wildcards in a term stay
//     escaped exactly as before (ESCAPE '\'): only the column's side of the
//     LIKE changes.
//   - Cost: lower(name) was computed in C and is now a call into Go, some
//     0.3–0.5 µs more per row tested (BenchmarkSQLiteLower: about 2.5 times
//     the built-in's test). SQLite has no index on lower(name) either way,
//     so plans do not change: a key name search, prefix or not, walks the
//     account's keys in the list's order and tests each until a page
//     matched — a rare term at a million keys costs some 0.3–0.5 s more.
//     PostgreSQL's queries and indexes are untouched.
//
// It is registered in init, before any connection exists: the driver
// registered as "sqlite" (OpenSQLiteFile) adds it to each connection it
// opens. A connection opened through a sqlite.Driver of one's own (as
// internal/apikey's statement-counting test does) has the built-in.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, lowerUnicode)
}

// lowerUnicode is SQLite's lower(x) folding every letter as PostgreSQL's
// lower() does: one for one, by the simple Unicode case mapping
// (strings.ToLower; PostgreSQL in a UTF-8 libc locale such as C.UTF-8 uses
// glibc's towlower, which agrees), so that lower('ÉCLAIR') is 'éclair' on
// both. Values other than text have no
// letters and come back as they are (the built-in returned them as text;
// ent only lowers text columns).
func lowerUnicode(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	s, ok := args[0].(string)
	if !ok {
		return args[0], nil
	}
	if !utf8.ValidString(s) {
		return lowerASCII(s), nil // strings.ToLower would replace the invalid bytes
	}
	return strings.ToLower(s), nil
}

// lowerASCII is the built-in lower(): ASCII letters folded, other bytes kept.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
