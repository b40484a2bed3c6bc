package tenant_test

import (
	"context"
	"testing"

	"businesstools/ent"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure reads and writes made with an account in the context reach only
// that account's rows, whatever the caller forgets to filter.
func TestScoping(t *testing.T) {
	d := testdb.Open(t)
	bg := context.Background()
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
