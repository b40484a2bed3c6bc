package keysearch

import (
	"context"
	"slices"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"businesstools/ent"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure nameContainsFold, searched as the apiKeys resolver does
// (ShortTermsAsPrefix, then the Searcher on PostgreSQL), finds a name by
// any case of its non-ASCII letters, as a prefix below MinContainsLen
// characters and anywhere from there on, and takes LIKE's wildcards
// literally — on SQLite and PostgreSQL alike.
func TestNameSearch_FoldsUnicode(t *testing.T) {
	d := testdb.Open(t)
	unscoped := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("Searched").SaveX(unscoped)
	other := d.Client.Account.Create().SetName("Other").SaveX(unscoped)
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
	var builders []*ent.ApiKeyCreate
	for i, name := range []string{"Élan Straße", "elan basic", "Strasse", "a_b 100%", "axb 1000", "Ölmühle"} {
		builders = append(builders, newKey(d.Client, acc.ID, name, base, i))
	}
	builders = append(builders, newKey(d.Client, other.ID, "Élan elsewhere", base, 0))
	d.Client.ApiKey.CreateBulk(builders...).ExecX(unscoped)
	ctx := tenant.WithAccount(context.Background(), acc.ID)

	for term, want := range map[string][]string{
		"Él":     {"Élan Straße"},
		"él":     {"Élan Straße"},
		"ÉL":     {"Élan Straße"},
		"Élan":   {"Élan Straße"},
		"élan":   {"Élan Straße"},
		"ÉLAN":   {"Élan Straße"},
		"elan":   {"elan basic"}, // é is not e, on either database
		"straße": {"Élan Straße"},
		"STRAßE": {"Élan Straße"},
		"ö":      {"Ölmühle"},
		"MÜHLE":  {"Ölmühle"},
		"%":      nil,
		"_":      nil,
		"0%":     nil, // two characters: a prefix
		"00%":    {"a_b 100%"},
		"a_":     {"a_b 100%"},
		"a_b":    {"a_b 100%"},
	} {
		if got := search(t, d.Client, New(d), ctx, term); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", term, got, want)
		}
	}
}

// search is the names of the keys matching term, by name, as the apiKeys
// resolver finds them.
func search(t *testing.T, c *ent.Client, s *Searcher, ctx context.Context, term string) []string {
	t.Helper()
	w := &ent.ApiKeyWhereInput{NameContainsFold: &term}
	ShortTermsAsPrefix(w)
	first := 50
	order := &ent.ApiKeyOrder{Field: ent.ApiKeyOrderFieldName, Direction: entgql.OrderDirectionAsc}
	if err := s.Plan(ctx, w, Page{First: &first, Order: order}); err != nil {
		t.Fatal(err)
	}
	conn, err := c.ApiKey.Query().Paginate(ctx, nil, &first, nil, nil, ent.WithApiKeyOrder(order), ent.WithApiKeyFilter(w.Filter))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range conn.Edges {
		names = append(names, e.Node.Name)
	}
	return names
}
