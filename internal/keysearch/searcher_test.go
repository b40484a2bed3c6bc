package keysearch

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// fixture is an account of 600 keys (newest last) whose names make each
// step of the Searcher find the page, with a window of 100 and a cap of 50:
// "alpha" in every other key (step 1), "delta" in every tenth (step 2),
// "zebra" in three (step 3), "legacy" in the 150 oldest only (step 4),
// "nothing" nowhere (step 3, empty).
func fixture(t *testing.T) (*ent.Client, *Searcher, context.Context, time.Time) {
	t.Helper()
	if testdb.Kind() != "postgres" {
		t.Skip("the Searcher plans for PostgreSQL only (TEST_DB=postgres)")
	}
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("Searched").SaveX(ctx)
	other := d.Client.Account.Create().SetName("Other").SaveX(ctx)
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
	var builders []*ent.ApiKeyCreate
	for i := range 600 {
		word := "beta"
		switch {
		case i < 150:
			word = "Legacy"
		case i%120 == 7:
			word = "ZEBRA"
		case i%10 == 3:
			word = "Delta"
		case i%2 == 0:
			word = "Alpha"
		}
		builders = append(builders, newKey(d.Client, acc.ID, fmt.Sprintf("%s key %03d", word, i), base, i))
	}
	for i := range 30 { // another account's keys never show
		builders = append(builders, newKey(d.Client, other.ID, fmt.Sprintf("Alpha zebra legacy %d", i), base, i))
	}
	d.Client.ApiKey.CreateBulk(builders...).ExecX(ctx)
	if _, err := d.SQL.Exec("ANALYZE api_keys"); err != nil {
		t.Fatal(err)
	}
	s := New(d)
	s.window, s.matchCap = 100, 50
	return d.Client, s, tenant.WithAccount(context.Background(), acc.ID), base
}

// newKey is the i-th key, created i seconds after base and last used at a
// time unrelated to its creation.
func newKey(c *ent.Client, account int, name string, base time.Time, i int) *ent.ApiKeyCreate {
	hash := make([]byte, 32)
	_, _ = rand.Read(hash)
	created := base.Add(time.Duration(i) * time.Second)
	used := created.Add(-time.Duration(i*7919%3600) * time.Second)
	return c.ApiKey.Create().SetAccountID(account).SetName(name).SetCreatedAt(created).
		SetKeyHash(hash).SetKeyStart("bt_test").SetKeyEnd("test").SetLastUsedAt(used)
}

// Ensure every step of the Searcher returns exactly the pages of a plain
// filter — first pages, next pages, pages before a cursor, in every order —
// and the step expected for each term.
func TestSearcher_SamePagesAsPlainFilter(t *testing.T) {
	client, s, ctx, _ := fixture(t)
	var steps []int
	s.trace = func(step int) { steps = append(steps, step) }
	orders := []*ent.ApiKeyOrder{
		{Field: ent.ApiKeyOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc},
		{Field: ent.ApiKeyOrderFieldLastUsedAt, Direction: entgql.OrderDirectionDesc},
		{Field: ent.ApiKeyOrderFieldName, Direction: entgql.OrderDirectionAsc},
	}
	// The step expected for the newest-first order (the others shuffle the terms).
	terms := map[string]int{"alpha": 1, "delta": 2, "zebra": 3, "legacy": 4, "nothing": 3, "KEY 5": 1}
	for term, wantStep := range terms {
		for _, order := range orders {
			name := fmt.Sprintf("%s by %s", term, order.Field)
			all := plain(t, client, ctx, term, order)
			twenty := 20
			first := page(t, client, s, ctx, term, order, Page{First: &twenty, Order: order})
			if want := ids(all[:min(20, len(all))]); !slices.Equal(first.ids(), want) {
				t.Fatalf("%s: first page %v, want %v", name, first.ids(), want)
			}
			if first.PageInfo.HasNextPage != (len(all) > 20) {
				t.Fatalf("%s: hasNextPage %v with %d matches", name, first.PageInfo.HasNextPage, len(all))
			}
			if len(all) > 20 {
				next := page(t, client, s, ctx, term, order, Page{First: &twenty, After: first.PageInfo.EndCursor, Order: order})
				if want := ids(all[20:min(40, len(all))]); !slices.Equal(next.ids(), want) {
					t.Fatalf("%s: second page %v, want %v", name, next.ids(), want)
				}
				back := page(t, client, s, ctx, term, order, Page{Last: &twenty, Before: next.PageInfo.StartCursor, Order: order})
				if want := ids(all[:20]); !slices.Equal(back.ids(), want) {
					t.Fatalf("%s: page before the second %v, want %v", name, back.ids(), want)
				}
			}
			if order == orders[0] && steps[0] != wantStep {
				t.Errorf("%s: first page found by step %d, want %d", name, steps[0], wantStep)
			}
			steps = nil
		}
	}
}

// Ensure the other filters apply together with the name in every step.
func TestSearcher_WithOtherFilters(t *testing.T) {
	client, s, ctx, base := fixture(t)
	order := &ent.ApiKeyOrder{Field: ent.ApiKeyOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc}
	for _, term := range []string{"alpha", "delta", "zebra", "legacy"} {
		extra := apikey.LastUsedAtGT(base.Add(-30 * time.Minute)) // about half the keys
		want := client.ApiKey.Query().Where(apikey.NameContainsFold(term), extra).
			Order(apikey.ByCreatedAt(entgql.OrderDirectionDesc.OrderTermOption()), apikey.ByID(entgql.OrderDirectionDesc.OrderTermOption())).
			Limit(20).IDsX(ctx)
		w := &ent.ApiKeyWhereInput{NameContainsFold: &term}
		w.AddPredicates(extra)
		twenty := 20
		p := Page{First: &twenty, Order: order}
		if err := s.Plan(ctx, w, p); err != nil {
			t.Fatal(err)
		}
		conn, err := client.ApiKey.Query().Paginate(ctx, nil, &twenty, nil, nil, ent.WithApiKeyOrder(order), ent.WithApiKeyFilter(w.Filter))
		if err != nil {
			t.Fatal(err)
		}
		if got := (connection{conn}).ids(); !slices.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", term, got, want)
		}
	}
}

type connection struct{ *ent.ApiKeyConnection }

func (c connection) ids() []int {
	out := []int{}
	for _, e := range c.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

func ids(keys []*ent.ApiKey) []int {
	out := []int{}
	for _, k := range keys {
		out = append(out, k.ID)
	}
	return out
}

// plain is every key matching term, in order, by ent's own filter.
func plain(t *testing.T, c *ent.Client, ctx context.Context, term string, o *ent.ApiKeyOrder) []*ent.ApiKey {
	t.Helper()
	conn, err := c.ApiKey.Query().Where(apikey.NameContainsFold(term)).
		Paginate(ctx, nil, nil, nil, nil, ent.WithApiKeyOrder(o))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*ent.ApiKey, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node
	}
	return out
}

// page plans the search and reads the page as the resolver does.
func page(t *testing.T, c *ent.Client, s *Searcher, ctx context.Context, term string, o *ent.ApiKeyOrder, p Page) connection {
	t.Helper()
	w := &ent.ApiKeyWhereInput{NameContainsFold: &term}
	if err := s.Plan(ctx, w, p); err != nil {
		t.Fatal(err)
	}
	conn, err := c.ApiKey.Query().Paginate(ctx, p.After, p.First, p.Before, p.Last, ent.WithApiKeyOrder(o), ent.WithApiKeyFilter(w.Filter))
	if err != nil {
		t.Fatal(err)
	}
	return connection{conn}
}
