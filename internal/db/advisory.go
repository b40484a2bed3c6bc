package db

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// TryAdvisoryLock lets one process at a time run a periodic job. On
// PostgreSQL it takes the session-level advisory lock id, without waiting,
// on a connection of its own: ok is false when another connection (another
// process) holds it, and the lock goes away with the connection should the
// process die. unlock releases it; when the release fails the connection is
// discarded rather than pooled, so the lock never outlives the job. On
// SQLite — one machine, writes serialized by the database — there is
// nothing to take and ok is always true.
func (d *DB) TryAdvisoryLock(ctx context.Context, id int64) (unlock func() error, ok bool, err error) {
	if !d.IsPostgres() {
		return func() error { return nil }, true, nil
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("advisory lock %#x: connection: %w", id, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", id).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("advisory lock %#x: %w", id, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", id)
		if err != nil {
			// Still locked: close the connection instead of pooling it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			conn.Close()
			return fmt.Errorf("advisory unlock %#x: %w", id, err)
		}
		return conn.Close()
	}, true, nil
}
