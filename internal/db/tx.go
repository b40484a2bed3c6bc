package db

import (
	"context"
	"database/sql"
	"fmt"

	"businesstools/ent"
)

// WithTx runs fn in one transaction of client: committed when fn returns
// nil, rolled back when it returns an error or panics (the panic then goes
// on). It is the one way this codebase opens a transaction, so no path can
// leave one open — on SQLite that would hold the global write lock.
// Keep only writes inside fn: decode, validate and render before calling it.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	return within(func() (*ent.Tx, error) { return client.Tx(ctx) }, fn)
}

// WithSQLTx is WithTx for the raw database/sql work ent cannot express
// (COPY, multi-row INSERTs of the seed command), with the same guarantees.
func WithSQLTx(ctx context.Context, sqlDB *sql.DB, fn func(tx *sql.Tx) error) error {
	return within(func() (*sql.Tx, error) { return sqlDB.BeginTx(ctx, nil) }, fn)
}

// within is the one begin → fn → commit, rolling back on error or panic.
func within[T interface {
	Commit() error
	Rollback() error
}](begin func() (T, error), fn func(T) error) (err error) {
	tx, err := begin()
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
