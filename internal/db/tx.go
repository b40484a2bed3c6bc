package db

import (
	"context"
	"fmt"

	"businesstools/ent"
)

// WithTx runs fn in one transaction of client: committed when fn returns
// nil, rolled back when it returns an error or panics (the panic then goes
// on). It is the one way this codebase opens a transaction, so no path can
// leave one open — on SQLite that would hold the global write lock.
// Keep only writes inside fn: decode, validate and render before calling it.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) (err error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
