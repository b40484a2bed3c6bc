// Package db opens the database — the embedded SQLite file by default, or
// PostgreSQL when DATABASE_URL says so — migrates it and seeds the fixed rows.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver
	_ "modernc.org/sqlite" // SQLite driver, pure Go

	"businesstools/ent"
	"businesstools/internal/tenant"
)

// DB is an open database: the ent client plus what LISTEN/NOTIFY and raw
// batch writes need.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
	URL     string // the PostgreSQL URL; empty for SQLite
	Path    string // the SQLite file; empty for PostgreSQL
}

// IsPostgres reports whether the database is PostgreSQL.
func (d *DB) IsPostgres() bool { return d.Dialect == dialect.Postgres }

// Close closes the database.
func (d *DB) Close() error { return d.Client.Close() }

// Ping checks the database answers; /readyz uses it.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Open opens databaseURL (postgres://… or postgresql://…), or, when it is
// empty, the SQLite file businesstools.db in dataDir (created if missing).
// It migrates the schema and seeds the permissions.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	d, err := connect(databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func connect(databaseURL, dataDir string) (*DB, error) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		sqlDB, err := sql.Open("postgres", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return wrap(sqlDB, dialect.Postgres, databaseURL), nil
	}
	if databaseURL != "" {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// or postgresql://")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return OpenSQLiteFile(filepath.Join(dataDir, "businesstools.db"))
}

// OpenSQLiteFile opens (without migrating) a SQLite database file.
func OpenSQLiteFile(path string) (*DB, error) {
	// WAL lets readers run beside the writer; busy_timeout waits for the
	// write lock instead of failing; _txlock=immediate takes it at BEGIN so two
	// transactions never deadlock upgrading a read lock. Times are written in
	// UTC in one fixed layout (the driver's default adds Go's monotonic clock
	// reading), so comparing them as text — what cursor pagination does —
	// orders them as times.
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite&_timezone=UTC"
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqlDB.SetMaxOpenConns(8)
	d := wrap(sqlDB, dialect.SQLite, "")
	d.Path = path
	return d, nil
}

func wrap(sqlDB *sql.DB, dialectName, url string) *DB {
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialectName, sqlDB)))
	client.Intercept(tenant.Interceptor())
	client.Use(tenant.Hook(), microseconds)
	return &DB{Client: client, SQL: sqlDB, Dialect: dialectName, URL: url}
}

var migrateMu sync.Mutex

// Migrate creates or updates the schema, adds the indexes ent cannot
// declare (indexes.go) and seeds the permissions.
func Migrate(ctx context.Context, d *DB) error {
	// ent's migration plans over package-level table descriptions that it
	// mutates: migrations in one process (parallel tests) must not overlap.
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if err := d.Client.Schema.Create(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := createIndexes(ctx, d); err != nil {
		return err
	}
	return SeedPermissions(ctx, d.Client)
}
