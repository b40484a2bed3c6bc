package graph_test

import (
	"fmt"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// Ensure ordering by lastUsedAt pages through every key exactly once, with
// never-used keys last in both directions' natural reading (most recent first).
func TestApiKeys_OrderByLastUsed(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	base := time.Now().Add(-time.Hour)
	for i := range 23 {
		k := app.CreateKey(token, fmt.Sprintf("k%02d", i), "SEND_EMAILS")
		if i%3 == 0 {
			var id int
			fmt.Sscan(k.ID, &id)
			app.DB.Client.ApiKey.UpdateOneID(id).SetLastUsedAt(base.Add(time.Duration(i) * time.Minute)).ExecX(tenant.Unscoped(t.Context()))
		}
	}
	for _, dir := range []string{"DESC", "ASC"} {
		seen := map[string]bool{}
		var order []string
		after := any(nil)
		for range 10 {
			var p struct {
				ApiKeys struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct {
						Node struct {
							Name       string
							LastUsedAt *time.Time
						}
					}
				}
			}
			app.GQL(token, `query($after:Cursor,$d:OrderDirection!){apiKeys(first:5,after:$after,orderBy:{field:LAST_USED_AT,direction:$d}){pageInfo{hasNextPage endCursor} edges{node{name lastUsedAt}}}}`,
				map[string]any{"after": after, "d": dir}).Decode(t, &p)
			for _, e := range p.ApiKeys.Edges {
				if seen[e.Node.Name] {
					t.Fatalf("%s: %s twice: %v", dir, e.Node.Name, order)
				}
				seen[e.Node.Name] = true
				order = append(order, fmt.Sprintf("%s:%v", e.Node.Name, e.Node.LastUsedAt != nil))
			}
			if !p.ApiKeys.PageInfo.HasNextPage {
				break
			}
			after = p.ApiKeys.PageInfo.EndCursor
		}
		if len(seen) != 23 {
			t.Fatalf("%s: saw %d keys: %v", dir, len(seen), order)
		}
		t.Logf("%s: %v", dir, order)
	}
}
