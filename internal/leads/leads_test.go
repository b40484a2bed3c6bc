package leads_test

import (
	"context"
	"slices"
	"testing"

	"businesstools/ent"
	"businesstools/internal/leads"
	"businesstools/internal/page"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure q finds a lead by any case of a non-ASCII name or company, as
// PostgreSQL's ILIKE does, that wildcards in q match literally, and that
// status and email still filter beside it — on SQLite and PostgreSQL alike.
func TestList_QFoldsUnicode(t *testing.T) {
	d := testdb.Open(t)
	unscoped := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("Leads").SaveX(unscoped)
	other := d.Client.Account.Create().SetName("Other").SaveX(unscoped)
	ctx := tenant.WithAccount(context.Background(), acc.ID)
	for _, f := range []leads.Fields{
		{Email: "odon@example.com", Company: "Éclair GmbH", FirstName: "Ödön", Status: "contacted"},
		{Email: "eclair@example.com", Company: "Eclair Ltd", FirstName: "Anna"},
		{Email: "sale@example.com", Company: "100% Off_Shop", LastName: "Straße"},
		{Email: "plain@example.com", Company: "1000 Offs", LastName: "Strasse"},
	} {
		create(t, d.Client, ctx, acc.ID, f)
	}
	create(t, d.Client, tenant.WithAccount(context.Background(), other.ID), other.ID,
		leads.Fields{Email: "odon@example.com", Company: "Éclair GmbH", FirstName: "Ödön"})

	for _, c := range []struct {
		filter leads.Filter
		want   []string
	}{
		{leads.Filter{Q: "Éclair"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "éclair"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "ÉCLAIR"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "Ödön"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "ödön"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "ÖDÖN"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "eclair"}, []string{"eclair@example.com"}}, // é is not e, on either database
		{leads.Filter{Q: "STRAßE"}, []string{"sale@example.com"}},
		{leads.Filter{Q: "0%"}, []string{"sale@example.com"}},
		{leads.Filter{Q: "f_s"}, []string{"sale@example.com"}},
		{leads.Filter{Q: "%"}, []string{"sale@example.com"}},
		{leads.Filter{Q: "_"}, []string{"sale@example.com"}},
		{leads.Filter{Q: "éclair", Status: "contacted"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "éclair", Status: "new"}, nil},
		{leads.Filter{Status: "new"}, []string{"eclair@example.com", "plain@example.com", "sale@example.com"}},
		{leads.Filter{Q: "ödön", Email: "ODON@example.com"}, []string{"odon@example.com"}},
		{leads.Filter{Q: "ödön", Email: "eclair@example.com"}, nil},
		{leads.Filter{Email: "Eclair@Example.com"}, []string{"eclair@example.com"}},
	} {
		res, err := leads.List(ctx, d.Client, c.filter, page.Request{Limit: 50})
		if err != nil {
			t.Fatalf("%+v: %v", c.filter, err)
		}
		var got []string
		for _, l := range res.Items {
			got = append(got, l.Email)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.filter, got, c.want)
		}
	}
}

func create(t *testing.T, c *ent.Client, ctx context.Context, accountID int, f leads.Fields) {
	t.Helper()
	v, err := leads.Kind.Check(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leads.Kind.Create(ctx, c, accountID, v); err != nil {
		t.Fatal(err)
	}
}
