package seed_test

import (
	"context"
	"math"
	"regexp"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/schema"
	keys "businesstools/internal/apikey"
	"businesstools/internal/seed"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

var namePattern = regexp.MustCompile(`^[A-Za-z ]+ \((prod|staging|dev|test|eu|us)\) [0-9]+$`)

// Ensure a seeded account holds exactly the keys asked for, shaped as
// promised (about 5 % inactive, 25 % used within 90 days, some expiring or
// expired), each with permissions and a well-formed, unique hash.
func TestRun(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	now := time.Now().UTC().Truncate(time.Second)
	const n = 2000
	res, err := seed.Run(ctx, d, seed.Options{Account: "Seeded", Keys: n, Now: now, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	acc := d.Client.Account.Query().Where(account.Name("Seeded")).OnlyX(ctx)
	if res.AccountID != acc.ID || res.Keys != n {
		t.Fatalf("result %+v, account %d", res, acc.ID)
	}
	all := d.Client.ApiKey.Query().Where(apikey.AccountID(acc.ID)).WithPermissions().AllX(ctx)
	if len(all) != n {
		t.Fatalf("%d keys stored, want %d", len(all), n)
	}
	var inactive, used, expiring, expired, grants int
	hashes, names := map[string]bool{}, map[string]bool{}
	for _, k := range all {
		if len(k.KeyHash) != 32 || hashes[string(k.KeyHash)] {
			t.Fatalf("key %d: hash of %d bytes or repeated", k.ID, len(k.KeyHash))
		}
		hashes[string(k.KeyHash)] = true
		if len(k.KeyStart) != keys.StartLen || k.KeyStart[:3] != keys.Prefix || len(k.KeyEnd) != keys.EndLen {
			t.Fatalf("key %d: masked parts %q…%q", k.ID, k.KeyStart, k.KeyEnd)
		}
		if !namePattern.MatchString(k.Name) || names[k.Name] {
			t.Fatalf("key %d: name %q malformed or repeated", k.ID, k.Name)
		}
		names[k.Name] = true
		if len(k.Edges.Permissions) == 0 {
			t.Fatalf("key %d has no permission", k.ID)
		}
		grants += len(k.Edges.Permissions)
		if k.CreatedAt.After(now) || k.CreatedAt.Before(now.Add(-seed.CreatedWithin)) {
			t.Fatalf("key %d created %s", k.ID, k.CreatedAt)
		}
		if !k.Active {
			inactive++
		}
		if k.LastUsedAt.After(schema.NeverUsed) {
			used++
			if k.LastUsedAt.Before(k.CreatedAt) || k.LastUsedAt.After(now) {
				t.Fatalf("key %d created %s, last used %s", k.ID, k.CreatedAt, k.LastUsedAt)
			}
		}
		switch {
		case k.ExpiresAt == nil:
		case k.ExpiresAt.After(now):
			expiring++
		default:
			expired++
			if k.ExpiresAt.Before(k.CreatedAt) {
				t.Fatalf("key %d expired before its creation", k.ID)
			}
		}
	}
	if inactive != res.Inactive || used != res.Used || expiring != res.Expiring || expired != res.Expired || grants != res.PermissionRows {
		t.Fatalf("stored %d/%d/%d/%d/%d, result says %+v", inactive, used, expiring, expired, grants, res)
	}
	within := func(what string, got int, share float64) {
		t.Helper()
		want := share * n
		if tolerance := 5 * math.Sqrt(want*(1-share)); math.Abs(float64(got)-want) > tolerance {
			t.Errorf("%s: %d of %d, want about %.0f (± %.0f)", what, got, n, want, tolerance)
		}
	}
	within("inactive", inactive, seed.InactiveShare)
	within("used", used, seed.UsedShare)
	within("expiring", expiring, seed.ExpiringShare)
	within("expired", expired, seed.ExpiredShare)
	if perKey := float64(grants) / n; perKey < 1.4 || perKey > 2.0 {
		t.Errorf("%.2f permissions per key, want about 1.7", perKey)
	}
	// Every id is in the api_keys range of the global ids, so node(id) finds it.
	if nd, err := d.Client.Noder(ctx, all[0].ID); err != nil {
		t.Fatalf("node(%d): %v", all[0].ID, err)
	} else if _, ok := nd.(*ent.ApiKey); !ok {
		t.Fatalf("node(%d) is a %T", all[0].ID, nd)
	}
}

// Ensure seeding the same account twice adds keys (no name collides) and
// another account's seed stays apart.
func TestRun_Again(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	for _, o := range []seed.Options{{Account: "A", Keys: 30}, {Account: "A", Keys: 20}, {Account: "B", Keys: 5}} {
		if _, err := seed.Run(ctx, d, o); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for _, a := range d.Client.Account.Query().AllX(ctx) {
		counts[a.Name] = d.Client.ApiKey.Query().Where(apikey.AccountID(a.ID)).CountX(ctx)
	}
	if counts["A"] != 50 || counts["B"] != 5 {
		t.Fatalf("keys per account: %v", counts)
	}
}

// Ensure bad options are refused before anything is written.
func TestRun_BadOptions(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	for _, o := range []seed.Options{{Account: "", Keys: 1}, {Account: "A", Keys: 0}, {Account: "A", Keys: seed.MaxKeys + 1}} {
		if _, err := seed.Run(ctx, d, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if n := d.Client.ApiKey.Query().CountX(tenant.Unscoped(ctx)); n != 0 {
		t.Fatalf("%d keys written", n)
	}
}
