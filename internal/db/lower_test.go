package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"businesstools/internal/testdb"
)

// Ensure lower() folds non-ASCII letters on SQLite as PostgreSQL's does
// (the same answers on both), leaves NULL alone, and that a LIKE of two
// lowered sides then matches whatever their case — with wildcards escaped
// still taken literally.
func TestLower_FoldsLikePostgres(t *testing.T) {
	d := testdb.Open(t)
	for in, want := range map[string]string{
		"Éclair GmbH": "éclair gmbh",
		"ÖDÖN":        "ödön",
		"Élan Straße": "élan straße",
		"ΣΑΣ Ǆ":       "σασ ǆ",
		"already low": "already low",
		"":            "",
	} {
		var got sql.NullString
		if err := d.SQL.QueryRow("SELECT lower($1)", in).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Valid || got.String != want {
			t.Errorf("lower(%q) = %q, want %q", in, got.String, want)
		}
	}
	var null sql.NullString
	if err := d.SQL.QueryRow("SELECT lower(NULL)").Scan(&null); err != nil || null.Valid {
		t.Errorf("lower(NULL) = %q (%v), want NULL", null.String, err)
	}
	for _, c := range []struct {
		name, pattern string
		want          bool
	}{
		{"Éclair GmbH", "%éclair%", true},
		{"ÉCLAIR", "éclair", true},
		{"Eclair", "éclair", false},
		{"100% Off", `%0\%%`, true},
		{"1000 Off", `%0\%%`, false},
		{"a_b", `a\_%`, true},
		{"axb", `a\_%`, false},
	} {
		var got bool
		if err := d.SQL.QueryRow(`SELECT lower($1) LIKE $2 ESCAPE '\'`, c.name, c.pattern).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("lower(%q) LIKE %q = %v, want %v", c.name, c.pattern, got, c.want)
		}
	}
}

// Ensure SQLite's lower() keeps the bytes of text that is not valid UTF-8,
// as the built-in did, instead of replacing them.
func TestLower_KeepsInvalidUTF8(t *testing.T) {
	d := testdb.Open(t)
	if d.IsPostgres() {
		t.Skip("PostgreSQL stores no invalid UTF-8")
	}
	var got []byte
	if err := d.SQL.QueryRow("SELECT CAST(lower(CAST(X'41FF42' AS TEXT)) AS BLOB)").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "a\xffb" {
		t.Fatalf("lower of invalid UTF-8: %q", got)
	}
}

// Ensure no SQLite schema object — index, view, trigger, generated column,
// CHECK — uses lower(): their stored results would depend on which lower()
// the writing connection had, the Unicode one registered in lower.go or the
// sqlite3 shell's ASCII one.
func TestSQLiteSchemaHasNoLower(t *testing.T) {
	d := testdb.Open(t)
	if d.IsPostgres() {
		t.Skip("SQLite only: PostgreSQL's lower() is its own")
	}
	rows, err := d.SQL.Query("SELECT name FROM sqlite_master WHERE sql LIKE '%lower%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s uses lower()", name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSQLiteLower compares a case-insensitive prefix test over
// 100,000 names with the Unicode lower() (a call into Go per row) against
// the same test with SQLite's built-in upper() (C, as the built-in lower()
// was).
func BenchmarkSQLiteLower(b *testing.B) {
	d := testdb.Open(b)
	if d.IsPostgres() {
		b.Skip("SQLite only (TEST_DB=sqlite)")
	}
	const rows = 100_000
	ctx := context.Background()
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec("CREATE TABLE bench_names (name text NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		if _, err := tx.Exec("INSERT INTO bench_names (name) VALUES ($1)", fmt.Sprintf("Mailer %d (EU) Ölmühle", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, query string }{
		{"builtin-upper", "SELECT count(*) FROM bench_names WHERE upper(name) LIKE 'ZQ%'"},
		{"unicode-lower", "SELECT count(*) FROM bench_names WHERE lower(name) LIKE 'zq%'"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var n int
				if err := d.SQL.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
