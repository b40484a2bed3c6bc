package db_test

import (
	"context"
	"errors"
	"testing"

	"businesstools/ent"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure WithTx commits on success, rolls back on error and on panic, and
// that a panic leaves no transaction open (the next write goes through).
func TestWithTx(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	create := func(tx *ent.Tx, name string) error {
		return tx.Account.Create().SetName(name).Exec(ctx)
	}
	if err := db.WithTx(ctx, d.Client, func(tx *ent.Tx) error { return create(tx, "committed") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := db.WithTx(ctx, d.Client, func(tx *ent.Tx) error {
		if err := create(tx, "rolled back"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want boom", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not go on")
			}
		}()
		_ = db.WithTx(ctx, d.Client, func(tx *ent.Tx) error {
			if err := create(tx, "panicked"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if err := db.WithTx(ctx, d.Client, func(tx *ent.Tx) error { return create(tx, "after panic") }); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
	names, err := d.Client.Account.Query().Select("name").Strings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"committed": true, "after panic": true}
	if len(names) != len(want) {
		t.Fatalf("accounts = %v, want %v", names, want)
	}
	for _, n := range names {
		if !want[n] {
			t.Fatalf("accounts = %v, want only %v", names, want)
		}
	}
}
