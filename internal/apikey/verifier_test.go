package apikey_test

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"businesstools/ent/permission"
	"businesstools/internal/apikey"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// fixture is a test database with one account and the key service.
type fixture struct {
	d       *db.DB
	svc     *apikey.Service
	actor   apikey.Actor
	clock   *clock
	queries *atomic.Int64 // statements sent through d (see countingDB)
}

// ctx is the tests' context: set-up and admin actions here are system paths.
var ctx = tenant.Unscoped(context.Background())

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	d, queries := countingDB(tb, testdb.Open(tb))
	acc := d.Client.Account.Create().SetName("bench").SaveX(ctx)
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return &fixture{d: d, svc: apikey.New(apikey.Config{Client: d.Client, Now: c.Now}),
		actor: apikey.Actor{AccountID: acc.ID}, clock: c, queries: queries}
}

// key creates a key and returns its id and secret.
func (fx *fixture) key(tb testing.TB, in apikey.CreateInput) (int, string) {
	tb.Helper()
	if in.Name == "" {
		in.Name = "key"
	}
	k, secret, err := fx.svc.Create(ctx, fx.actor, in)
	if err != nil {
		tb.Fatal(err)
	}
	return k.ID, secret
}

// verifier returns a Verifier on the fixture's clock, dropping keys the
// service changes.
func (fx *fixture) verifier() *apikey.Verifier {
	v := apikey.NewVerifier(apikey.VerifierConfig{DB: fx.d, Now: fx.clock.Now})
	fx.svc.OnChange(v.Forget)
	return v
}

// clock is a controllable time source.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

var loopback = netip.MustParseAddr("127.0.0.1")

// newVerifier returns a Verifier over a test database holding one key.
func newVerifier(tb testing.TB) (*apikey.Verifier, string) {
	tb.Helper()
	fx := newFixture(tb)
	_, secret := fx.key(tb, apikey.CreateInput{Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	return fx.verifier(), secret
}

// Ensure the verifier's outcomes, and that its facts carry the account name.
func TestVerifier_Outcomes(t *testing.T) {
	v, secret := newVerifier(t)
	f, outcome, err := v.Verify(ctx, secret, loopback)
	if err != nil || outcome != apikey.OutcomeOK || f.AccountName != "bench" || len(f.Scopes) != 1 {
		t.Fatalf("valid key: %+v %s %v", f, outcome, err)
	}
	unknown, _ := apikey.Generate()
	bad := []byte(secret)
	bad[len(bad)-1] ^= 1
	for key, want := range map[string]string{"": apikey.OutcomeMissing, "bt_x": apikey.OutcomeMalformed,
		string(bad): apikey.OutcomeMalformed, unknown: apikey.RefusedUnknown} {
		if _, outcome, err := v.Verify(ctx, key, loopback); err != apikey.ErrInvalidKey || outcome != want {
			t.Errorf("%.10q: %s %v, want %s", key, outcome, err, want)
		}
	}
}

// Ensure a key this process never saw is verified with exactly one
// statement (the key, its account and its permissions in one round trip,
// prepared once per connection),
// whatever it is — several permissions, none, an allow-list and expiry, a
// rolled-away secret in its grace period, unknown — and that the facts it
// loads are complete; a second request for it sends none.
func TestVerifier_OneQueryPerUncachedKey(t *testing.T) {
	fx := newFixture(t)
	expires := fx.clock.Now().Add(time.Hour).Truncate(time.Second)
	_, full := fx.key(t, apikey.CreateInput{Name: "full", ExpiresAt: &expires, IPAllowlist: []string{"127.0.0.0/8", "10.0.0.0/8"},
		Permissions: []permission.Key{permission.KeyREAD_LEADS, permission.KeySEND_EMAILS, permission.KeyDELETE_LEADS}})
	noneID, none := fx.key(t, apikey.CreateInput{Name: "none", Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	fx.d.Client.ApiKey.UpdateOneID(noneID).ClearPermissions().ExecX(ctx) // the service insists on one; older rows may not
	rolledID, previous := fx.key(t, apikey.CreateInput{Name: "rolled", Permissions: []permission.Key{permission.KeyWRITE_LEADS}})
	if _, _, err := fx.svc.Roll(ctx, fx.actor, rolledID, time.Hour); err != nil {
		t.Fatal(err)
	}
	unknown, _ := apikey.Generate()
	v := fx.verifier()
	// The first lookup prepares the statement on the (one) connection: a
	// second round trip, once per pooled connection.
	warm, _ := apikey.Generate()
	before := fx.queries.Load()
	if _, outcome, _ := v.Verify(ctx, warm, loopback); outcome != apikey.RefusedUnknown || fx.queries.Load()-before != 2 {
		t.Fatalf("first lookup: %s, %d statements; want unknown, 2 (prepare, execute)", outcome, fx.queries.Load()-before)
	}

	cases := []struct {
		name, key, outcome string
		check              func(f *apikey.Facts) bool
	}{
		{"SeveralPermissions", full, apikey.OutcomeOK, func(f *apikey.Facts) bool {
			return f.Name == "full" && f.AccountName == "bench" && f.AccountID == fx.actor.AccountID &&
				strings.Join(f.Scopes, " ") == "emails:send leads:read leads:delete" &&
				f.ExpiresAt != nil && f.ExpiresAt.Equal(expires) && len(f.AllowedPrefix) == 2 && f.ValidUntil == nil
		}},
		{"NoPermissions", none, apikey.OutcomeOK, func(f *apikey.Facts) bool { return f.Name == "none" && len(f.Scopes) == 0 }},
		{"PreviousSecret", previous, apikey.OutcomeOK, func(f *apikey.Facts) bool {
			return f.KeyID == rolledID && f.ValidUntil != nil && strings.Join(f.Scopes, " ") == "leads:write"
		}},
		{"Unknown", unknown, apikey.RefusedUnknown, func(f *apikey.Facts) bool { return f == nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, want := range []int64{1, 0} { // uncached, then cached
				before := fx.queries.Load()
				f, outcome, _ := v.Verify(ctx, c.key, loopback)
				if n := fx.queries.Load() - before; n != want || outcome != c.outcome {
					t.Fatalf("request %d: %d statements, outcome %s; want %d, %s", i+1, n, outcome, want, c.outcome)
				}
				if !c.check(f) {
					t.Fatalf("request %d: facts %+v", i+1, f)
				}
			}
		})
	}
}

// waitLookups waits (briefly) for the verifier's background lookups.
func waitLookups(t *testing.T, v *apikey.Verifier, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for v.Lookups() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d lookups after 5 s, want %d", v.Lookups(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Ensure an entry past its freshness is served at once while one
// background lookup refreshes it, and past its staleness is looked up again
// before answering.
func TestVerifier_ServesStaleWhileRefreshing(t *testing.T) {
	fx := newFixture(t)
	_, secret := fx.key(t, apikey.CreateInput{Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	unknown, _ := apikey.Generate()
	v := fx.verifier()
	mustVerify := func(key, want string, lookups int64) {
		t.Helper()
		if _, outcome, err := v.Verify(ctx, key, loopback); outcome != want || v.Lookups() != lookups {
			t.Fatalf("%s (%v), %d lookups; want %s, %d", outcome, err, v.Lookups(), want, lookups)
		}
	}
	mustVerify(secret, apikey.OutcomeOK, 1)
	mustVerify(unknown, apikey.RefusedUnknown, 2)

	fx.clock.Add(apikey.DefaultFreshFor)
	for range 5 { // served from the stale entries; one refresh each, in the background
		for _, k := range []struct{ key, want string }{{secret, apikey.OutcomeOK}, {unknown, apikey.RefusedUnknown}} {
			if _, outcome, _ := v.Verify(ctx, k.key, loopback); outcome != k.want {
				t.Fatalf("stale entry: %s, want %s", outcome, k.want)
			}
		}
	}
	waitLookups(t, v, 4)
	time.Sleep(20 * time.Millisecond) // a second refresh, were one to start, would show now
	mustVerify(secret, apikey.OutcomeOK, 4)
	mustVerify(unknown, apikey.RefusedUnknown, 4)

	fx.clock.Add(apikey.DefaultStaleFor) // too old to serve: looked up before answering
	mustVerify(secret, apikey.OutcomeOK, 5)
	mustVerify(unknown, apikey.RefusedUnknown, 6)
}

// Ensure a change made through the service drops the key at once: the next
// request reads the database before answering, even when the entry was
// stale; while a change made behind the service's back is seen after the
// first stale answer's refresh (the safety net).
func TestVerifier_ChangesNeverServedStale(t *testing.T) {
	fx := newFixture(t)
	id, secret := fx.key(t, apikey.CreateInput{Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	v := fx.verifier()
	if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.OutcomeOK {
		t.Fatal(outcome)
	}
	fx.clock.Add(apikey.DefaultFreshFor + time.Second)
	if _, err := fx.svc.SetActive(ctx, fx.actor, id, false); err != nil {
		t.Fatal(err)
	}
	if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.RefusedInactive || v.Lookups() != 2 {
		t.Fatalf("after deactivation: %s with %d lookups, want inactive after 2", outcome, v.Lookups())
	}

	if _, err := fx.svc.SetActive(ctx, fx.actor, id, true); err != nil {
		t.Fatal(err)
	}
	if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.OutcomeOK {
		t.Fatal(outcome)
	}
	fx.d.Client.ApiKey.UpdateOneID(id).SetActive(false).ExecX(ctx) // no notice
	fx.clock.Add(apikey.DefaultFreshFor)
	if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.OutcomeOK {
		t.Fatalf("stale answer: %s", outcome)
	}
	waitLookups(t, v, 4)
	if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.RefusedInactive {
		t.Fatalf("after the refresh: %s, want inactive", outcome)
	}
}

// Ensure that while the change feed is down nothing is served stale, and
// that both its loss and its return empty the cache.
func TestVerifier_ChangeFeed(t *testing.T) {
	fx := newFixture(t)
	_, secret := fx.key(t, apikey.CreateInput{Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	v := fx.verifier()
	verify := func() {
		t.Helper()
		if _, outcome, _ := v.Verify(ctx, secret, loopback); outcome != apikey.OutcomeOK {
			t.Fatal(outcome)
		}
	}
	verify()
	v.ChangeFeed(false)
	verify()
	if v.Lookups() != 2 {
		t.Fatalf("the feed's loss kept the cache: %d lookups", v.Lookups())
	}
	fx.clock.Add(apikey.DefaultFreshFor)
	verify()
	if v.Lookups() != 3 {
		t.Fatalf("a stale entry was served while the feed was down: %d lookups", v.Lookups())
	}
	v.ChangeFeed(true)
	verify()
	if v.Lookups() != 4 {
		t.Fatalf("the feed's return kept the cache: %d lookups", v.Lookups())
	}
}

// BenchmarkVerifyCached is the hot path: a known key answered from the cache.
func BenchmarkVerifyCached(b *testing.B) {
	v, secret := newVerifier(b)
	if _, _, err := v.Verify(ctx, secret, loopback); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := v.Verify(ctx, secret, loopback); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyUnknown is a well-formed unknown key, answered from the negative cache.
func BenchmarkVerifyUnknown(b *testing.B) {
	v, _ := newVerifier(b)
	unknown, _ := apikey.Generate()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := v.Verify(ctx, unknown, loopback); err != apikey.ErrInvalidKey {
				b.Fatal(err)
			}
		}
	})
	if v.Lookups() != 1 {
		b.Fatalf("%d lookups, want 1", v.Lookups())
	}
}

// BenchmarkVerifyBadChecksum is refused by Parse alone.
func BenchmarkVerifyBadChecksum(b *testing.B) {
	v, secret := newVerifier(b)
	bad := []byte(secret)
	bad[5] ^= 1
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := v.Verify(ctx, string(bad), loopback); err != apikey.ErrInvalidKey {
				b.Fatal(err)
			}
		}
	})
	if v.Lookups() != 0 {
		b.Fatalf("%d lookups, want 0", v.Lookups())
	}
}

// BenchmarkVerifyUncached is a key never seen: every call is a database
// lookup (of an unknown key; a known one costs the same single statement).
func BenchmarkVerifyUncached(b *testing.B) {
	v, _ := newVerifier(b)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i], _ = apikey.Generate()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := v.Verify(ctx, keys[i], loopback); err != apikey.ErrInvalidKey {
			b.Fatal(err)
		}
	}
}
