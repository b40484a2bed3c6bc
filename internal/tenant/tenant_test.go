package tenant_test

import (
	"context"
	"errors"
	"testing"

	"businesstools/ent"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure reads and writes made with an account in the context reach only
// that account's rows, whatever the caller forgets to filter.
func TestScoping(t *testing.T) {
	d := testdb.Open(t)
	bg := tenant.Unscoped(context.Background())
	accA := d.Client.Account.Create().SetName("A").SaveX(bg)
	accB := d.Client.Account.Create().SetName("B").SaveX(bg)
	leadA := d.Client.Lead.Create().SetAccountID(accA.ID).SetEmail("a@example.com").SaveX(bg)
	leadB := d.Client.Lead.Create().SetAccountID(accB.ID).SetEmail("b@example.com").SaveX(bg)
	ctx := tenant.WithAccount(bg, accA.ID)

	t.Run("Reads", func(t *testing.T) {
		if ids := d.Client.Lead.Query().IDsX(ctx); len(ids) != 1 || ids[0] != leadA.ID {
			t.Fatalf("leads seen from A: %v", ids)
		}
		if _, err := d.Client.Lead.Get(ctx, leadB.ID); !ent.IsNotFound(err) {
			t.Fatalf("B's lead from A: %v", err)
		}
		if n := d.Client.Account.Query().CountX(ctx); n != 1 {
			t.Fatalf("A sees %d accounts", n)
		}
	})
	t.Run("Writes", func(t *testing.T) {
		if n := d.Client.Lead.Update().SetCompany("Acme").SaveX(ctx); n != 1 {
			t.Fatalf("unfiltered update from A touched %d rows", n)
		}
		if err := d.Client.Lead.UpdateOneID(leadB.ID).SetCompany("x").Exec(ctx); !ent.IsNotFound(err) {
			t.Fatalf("update of B's lead from A: %v", err)
		}
		if err := d.Client.Lead.DeleteOneID(leadB.ID).Exec(ctx); !ent.IsNotFound(err) {
			t.Fatalf("delete of B's lead from A: %v", err)
		}
		if _, err := d.Client.Lead.Create().SetAccountID(accB.ID).SetEmail("c@example.com").Save(ctx); err == nil {
			t.Fatal("A created a lead in B")
		}
		b := d.Client.Lead.GetX(bg, leadB.ID)
		if b.Company != "" {
			t.Fatalf("B's lead changed: %+v", b)
		}
	})
}

// Ensure a context with neither an account nor the system marker is
// refused for every read and write of a tenant-owned entity and of Account
// — nothing is read or changed — while Unscoped reaches every account and
// entities owned by no account (permissions) need no scope.
func TestBareContextRefused(t *testing.T) {
	d := testdb.Open(t)
	sys := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("A").SaveX(sys)
	l := d.Client.Lead.Create().SetAccountID(acc.ID).SetEmail("a@example.com").SaveX(sys)
	bare := context.Background()
	for name, op := range map[string]func() error{
		"query":         func() error { _, err := d.Client.Lead.Query().All(bare); return err },
		"get":           func() error { _, err := d.Client.Lead.Get(bare, l.ID); return err },
		"count":         func() error { _, err := d.Client.Admin.Query().Count(bare); return err },
		"edge":          func() error { _, err := d.Client.Lead.QueryAccount(l).All(bare); return err },
		"account query": func() error { _, err := d.Client.Account.Query().All(bare); return err },
		"create": func() error {
			return d.Client.Lead.Create().SetAccountID(acc.ID).SetEmail("b@example.com").Exec(bare)
		},
		"update":         func() error { return d.Client.Lead.UpdateOneID(l.ID).SetCompany("x").Exec(bare) },
		"bulk update":    func() error { _, err := d.Client.Lead.Update().SetCompany("x").Save(bare); return err },
		"delete":         func() error { return d.Client.Lead.DeleteOneID(l.ID).Exec(bare) },
		"account update": func() error { return d.Client.Account.UpdateOneID(acc.ID).SetName("B").Exec(bare) },
	} {
		if err := op(); !errors.Is(err, tenant.ErrNoScope) {
			t.Errorf("%s with a bare context: %v, want ErrNoScope", name, err)
		}
	}
	got := d.Client.Lead.GetX(sys, l.ID)
	if got.Company != "" || d.Client.Lead.Query().CountX(sys) != 1 || d.Client.Account.GetX(sys, acc.ID).Name != "A" {
		t.Fatalf("a refused write changed something: %+v", got)
	}
	if n := d.Client.Permission.Query().CountX(context.Background()); n == 0 {
		t.Fatal("permissions (owned by no account) unreadable without a scope")
	}
	other := d.Client.Account.Create().SetName("B").SaveX(sys)
	d.Client.Lead.Create().SetAccountID(other.ID).SetEmail("c@example.com").SaveX(sys)
	if n := d.Client.Lead.Query().CountX(sys); n != 2 {
		t.Fatalf("Unscoped sees %d leads, want both accounts' 2", n)
	}
	if n := d.Client.Lead.Query().CountX(tenant.WithAccount(sys, acc.ID)); n != 1 {
		t.Fatalf("WithAccount over Unscoped sees %d leads, want 1", n)
	}
}
