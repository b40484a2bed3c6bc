package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/lead"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure LockForUpdate reads the row on both databases and, on PostgreSQL,
// holds it: a second transaction's locked read waits until the first ends.
func TestLockForUpdate(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("A").SaveX(ctx)
	l := d.Client.Lead.Create().SetAccountID(acc.ID).SetEmail("a@example.com").SaveX(ctx)
	locked := func(c *ent.Client, ctx context.Context) (*ent.Lead, error) {
		return db.LockForUpdate(c.Lead.Query().Where(lead.ID(l.ID))).Only(ctx)
	}
	err := db.WithTx(ctx, d.Client, func(tx *ent.Tx) error {
		got, err := locked(tx.Client(), ctx)
		if err != nil || got.ID != l.ID {
			t.Fatalf("locked read: %v %v", got, err)
		}
		if !d.IsPostgres() {
			return nil // SQLite: the transaction itself holds the write lock
		}
		waitCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		err = db.WithTx(waitCtx, d.Client, func(tx2 *ent.Tx) error {
			_, err := locked(tx2.Client(), waitCtx)
			return err
		})
		if err == nil {
			t.Fatal("a second locked read of the row did not wait for the first transaction")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := locked(d.Client, ctx); err != nil { // outside a transaction too
		t.Fatalf("after commit: %v", err)
	}
}

// Ensure IsUniqueViolation recognises a unique violation by its columns on
// both databases, and nothing else (another column, a foreign key, nil).
func TestIsUniqueViolation(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("A").SaveX(ctx)
	d.Client.Lead.Create().SetAccountID(acc.ID).SetEmail("a@example.com").SaveX(ctx)
	_, dup := d.Client.Lead.Create().SetAccountID(acc.ID).SetEmail("a@example.com").Save(ctx)
	if !db.IsUniqueViolation(dup, "email") || !db.IsUniqueViolation(dup, "account_id") || db.IsUniqueViolation(dup, "name") {
		t.Fatalf("duplicate lead email: %v", dup)
	}
	_, dupAcc := d.Client.Account.Create().SetName("A").Save(ctx)
	if !db.IsUniqueViolation(dupAcc, "name") || db.IsUniqueViolation(dupAcc, "email") {
		t.Fatalf("duplicate account name: %v", dupAcc)
	}
	_, fk := d.Client.Lead.Create().SetAccountID(acc.ID + 1000).SetEmail("b@example.com").Save(ctx)
	if fk == nil || db.IsUniqueViolation(fk, "email") || db.IsUniqueViolation(fk, "account_id") {
		t.Fatalf("foreign-key violation taken for unique: %v", fk)
	}
	if db.IsUniqueViolation(nil, "email") || db.IsUniqueViolation(errors.New("UNIQUE"), "email") {
		t.Fatal("nil or plain error taken for a unique violation")
	}
}
