package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"businesstools/ent/permission"
	"businesstools/internal/db"
)

// sqliteWriter stores keys with multi-row INSERTs, a chunk per transaction.
// The transaction holds SQLite's write lock from its start (_txlock=
// immediate), so the ids it hands out after the table's current sequence
// cannot be taken by anyone else.
type sqliteWriter struct {
	d         *db.DB
	accountID int
	permIDs   map[permission.Key]int
}

// sqliteRowsPerInsert keeps a statement's parameters (13 a row) well under
// SQLite's limit of 32,766.
const sqliteRowsPerInsert = 500

func (w *sqliteWriter) chunkSize() int { return 10_000 }

func (w *sqliteWriter) writers() int { return 1 }

func (w *sqliteWriter) write(ctx context.Context, chunk []key) error {
	return db.WithSQLTx(ctx, w.d.SQL, func(tx *sql.Tx) error {
		var last int
		err := tx.QueryRowContext(ctx, `SELECT max(
			coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'api_keys'), 0),
			coalesce((SELECT max(id) FROM api_keys), 0))`).Scan(&last)
		if err != nil {
			return fmt.Errorf("next key id: %w", err)
		}
		last = max(last, firstKeyID()-1)
		for i := range chunk {
			chunk[i].setID(last+1+i, firstKeyID())
		}
		for from := 0; from < len(chunk); from += sqliteRowsPerInsert {
			if err := w.insertKeys(ctx, tx, chunk[from:min(from+sqliteRowsPerInsert, len(chunk))]); err != nil {
				return err
			}
		}
		return w.insertLinks(ctx, tx, chunk)
	})
}

func (w *sqliteWriter) insertKeys(ctx context.Context, tx *sql.Tx, keys []key) error {
	q := "INSERT INTO api_keys (" + strings.Join(keyColumns, ", ") + ") VALUES " +
		placeholders(len(keys), len(keyColumns))
	args := make([]any, 0, len(keys)*len(keyColumns))
	for _, k := range keys {
		args = append(args, k.values(w.accountID)...)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("insert keys: %w", err)
	}
	return nil
}

func (w *sqliteWriter) insertLinks(ctx context.Context, tx *sql.Tx, keys []key) error {
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := "INSERT INTO api_key_permissions (api_key_id, permission_id) VALUES " + placeholders(len(args)/2, 2)
		_, err := tx.ExecContext(ctx, q, args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("insert key permissions: %w", err)
		}
		return nil
	}
	for _, k := range keys {
		for _, p := range profiles[k.profile].keys {
			args = append(args, k.id, w.permIDs[p])
		}
		if len(args) >= 2*sqliteRowsPerInsert*4 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// placeholders returns "(?, ?), (?, ?)" for rows × cols.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (w *sqliteWriter) finish(ctx context.Context) error {
	if _, err := w.d.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
