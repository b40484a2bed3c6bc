package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure the embedded default creates its data dir and SQLite file, and that
// opening again (a restart) keeps exactly the five permissions.
func TestOpenSQLiteDefault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := tenant.Unscoped(context.Background())
	for range 2 {
		d, err := db.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if n := d.Client.Permission.Query().CountX(ctx); n != len(db.Permissions) {
			t.Fatalf("%d permissions, want %d", n, len(db.Permissions))
		}
		d.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "businesstools.db")); err != nil {
		t.Fatal(err)
	}
}

// Ensure PostgreSQL opens through DATABASE_URL.
func TestOpenPostgres(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("runs in the PostgreSQL pass (TEST_DB=postgres)")
	}
	d, err := db.Open(tenant.Unscoped(context.Background()), testdb.NewPostgresDatabase(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.IsPostgres() || d.Ping(tenant.Unscoped(context.Background())) != nil {
		t.Fatal("not a working PostgreSQL connection")
	}
}

// Ensure a DATABASE_URL that is not PostgreSQL is refused.
func TestOpenBadURL(t *testing.T) {
	if _, err := db.Open(tenant.Unscoped(context.Background()), "mysql://x", t.TempDir()); err == nil {
		t.Fatal("mysql:// accepted")
	}
}
