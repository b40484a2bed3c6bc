// Package testdb opens a real, empty, migrated database for one test: a
// SQLite file in the test's temp dir, or — when TEST_DB=postgres — a fresh
// PostgreSQL database on TEST_DATABASE_URL (default: the machine's server),
// dropped when the test ends. `make test` runs the suite once per kind.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq"

	"businesstools/internal/db"
)

// DefaultPostgresURL is the machine's PostgreSQL (trust auth, database test).
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Kind returns "postgres" or "sqlite", the database the suite runs on.
func Kind() string {
	if os.Getenv("TEST_DB") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a migrated database private to tb, closed at its end.
func Open(tb testing.TB) *db.DB {
	tb.Helper()
	ctx := context.Background()
	var d *db.DB
	var err error
	if Kind() == "postgres" {
		d, err = db.Open(ctx, NewPostgresDatabase(tb), "")
	} else {
		d, err = db.OpenSQLiteFile(filepath.Join(tb.TempDir(), "test.db"))
		if err == nil {
			err = db.Migrate(ctx, d)
		}
	}
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// NewPostgresDatabase creates an empty database and returns its URL. Without
// a reachable server the test fails when CI is set and skips loudly otherwise.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is required in CI but not reachable at %s: %v", redact(base), err)
		}
		tb.Skipf("SKIPPING: PostgreSQL not reachable at %s (%v); set TEST_DATABASE_URL", redact(base), err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "bt_test_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
