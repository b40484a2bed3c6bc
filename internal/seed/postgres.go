package seed

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"businesstools/ent/permission"
	"businesstools/internal/db"
)

// pgWriter stores keys with COPY, the bulk path PostgreSQL is fastest at:
// ids are taken from the table's sequence first (nextval is safe beside a
// server inserting keys at the same time), then both tables are copied.
type pgWriter struct {
	d         *db.DB
	accountID int
	permIDs   map[permission.Key]int
}

func (w *pgWriter) chunkSize() int { return 25_000 }

func (w *pgWriter) writers() int { return 2 }

func (w *pgWriter) write(ctx context.Context, chunk []key) error {
	ids, err := w.reserveIDs(ctx, len(chunk))
	if err != nil {
		return err
	}
	for i := range chunk {
		chunk[i].setID(ids[i], firstKeyID())
	}
	return db.WithSQLTx(ctx, w.d.SQL, func(tx *sql.Tx) error {
		err := copyRows(ctx, tx, "api_keys", keyColumns, len(chunk), func(i int) []any {
			return chunk[i].values(w.accountID)
		})
		if err != nil {
			return err
		}
		var links [][2]int
		for _, k := range chunk {
			for _, p := range profiles[k.profile].keys {
				links = append(links, [2]int{k.id, w.permIDs[p]})
			}
		}
		return copyRows(ctx, tx, "api_key_permissions", []string{"api_key_id", "permission_id"}, len(links),
			func(i int) []any { return []any{links[i][0], links[i][1]} })
	})
}

// reserveIDs draws n ids from api_keys' sequence. They are ours alone even
// when another process inserts keys meanwhile (then they are not contiguous).
func (w *pgWriter) reserveIDs(ctx context.Context, n int) ([]int, error) {
	rows, err := w.d.SQL.QueryContext(ctx,
		`SELECT nextval(pg_get_serial_sequence('api_keys', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	defer rows.Close()
	ids := make([]int, 0, n)
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reserve ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	return ids, nil
}

// copyRows streams n rows into table with COPY FROM STDIN.
func copyRows(ctx context.Context, tx *sql.Tx, table string, columns []string, n int, row func(int) []any) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

func (w *pgWriter) finish(ctx context.Context) error {
	if _, err := w.d.SQL.ExecContext(ctx, "ANALYZE api_keys, api_key_permissions"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
