package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
)

// Indexes ent's schema cannot declare, created after its auto-migration.
// Together with the (account_id, created_at, id), (account_id, last_used_at,
// id) and partial status indexes of ent/schema/apikey.go they keep the first
// page of every SPA key list on an index at a million keys (DESIGN.md
// section 8; the EXPLAIN output is in the README).
const (
	// PermissionKeysIndex serves the permission filter when the planner
	// starts from the permission (a rare one) rather than from the key list.
	// The join table's primary key (api_key_id, permission_id) serves the
	// other direction.
	PermissionKeysIndex = "api_key_permissions_permission_id_api_key_id"
	// NameTrigramIndex (PostgreSQL, extension pg_trgm) serves
	// nameContainsFold: ILIKE '%term%' for terms of three or more characters.
	NameTrigramIndex = "api_keys_name_trgm"
	// NamePrefixIndex (PostgreSQL) serves shorter terms, which match the
	// start of the name: lower(name) LIKE 'te%'.
	NamePrefixIndex = "api_keys_account_id_lower_name"
	// NameMatchesFunc (PostgreSQL) returns up to cap ids of an account's
	// keys whose name matches an ILIKE pattern, always through the trigram
	// index (its SET clauses rule out walking the key list): the first step
	// of a name search (graph/keyfilter.go), whose cost then depends on how
	// many keys match, never on the planner guessing it.
	NameMatchesFunc = "bt_key_name_matches"
)

// NameMatchesQuery is NameMatchesFunc's body ($1 account, $2 ILIKE pattern,
// $3 cap), run under NameMatchesSettings, which leave the planner only
// bitmap scans: the trigram index, never a walk of the key list.
const NameMatchesQuery = "SELECT id FROM api_keys WHERE account_id = $1 AND name ILIKE $2 LIMIT $3"

// NameMatchesSettings are NameMatchesFunc's planner settings.
var NameMatchesSettings = []string{"enable_seqscan = off", "enable_indexscan = off", "enable_indexonlyscan = off"}

// migrationLock is the PostgreSQL advisory lock key under which the extra
// indexes are created, so processes starting together do not race.
const migrationLock = 0x6274_6964_7831 // "btidx1"

// createIndexes creates the extra indexes when missing. The trigram index
// needs the pg_trgm extension; when it cannot be created (the database user
// may not), the server still starts, with a warning: name search then
// filters instead of using an index.
func createIndexes(ctx context.Context, d *DB) error {
	permIdx := "CREATE INDEX IF NOT EXISTS " + PermissionKeysIndex + " ON api_key_permissions (permission_id, api_key_id)"
	if !d.IsPostgres() {
		if _, err := d.SQL.ExecContext(ctx, permIdx); err != nil {
			return fmt.Errorf("create index %s: %w", PermissionKeysIndex, err)
		}
		return nil
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("extra indexes: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("extra indexes: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	for _, stmt := range []string{
		permIdx,
		"CREATE INDEX IF NOT EXISTS " + NamePrefixIndex + " ON api_keys (account_id, lower(name) text_pattern_ops)",
		// Key lists read a page on an index; a parallel plan's worker
		// start-up costs more than that, and the planner picks one exactly
		// when it overestimates the work (a name test it cannot estimate).
		"ALTER TABLE api_keys SET (parallel_workers = 0)",
		"CREATE OR REPLACE FUNCTION " + NameMatchesFunc + "(account bigint, pattern text, cap integer) " +
			"RETURNS SETOF bigint LANGUAGE sql STABLE ROWS 100 " +
			"SET " + strings.Join(NameMatchesSettings, " SET ") + " AS $$ " + NameMatchesQuery + " $$",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("extra indexes: %s: %w", stmt, err)
		}
	}
	return createTrigramIndex(ctx, conn)
}

func createTrigramIndex(ctx context.Context, conn *sql.Conn) error {
	var have bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").Scan(&have); err != nil {
		return fmt.Errorf("extra indexes: %w", err)
	}
	if !have {
		if _, err := conn.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm"); err != nil {
			slog.WarnContext(ctx, "pg_trgm is not available, so searching keys by name reads the whole key list; "+
				"run CREATE EXTENSION pg_trgm as a superuser and restart", "err", err)
			return nil
		}
	}
	stmt := "CREATE INDEX IF NOT EXISTS " + NameTrigramIndex + " ON api_keys USING gin (name gin_trgm_ops)"
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("extra indexes: %s: %w", stmt, err)
	}
	return nil
}
