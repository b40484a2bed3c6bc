package apikey_test

import (
	"context"
	"net/netip"
	"testing"

	"businesstools/ent/permission"
	"businesstools/internal/apikey"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// newVerifier returns a Verifier over a test database holding one key.
func newVerifier(tb testing.TB) (*apikey.Verifier, string) {
	tb.Helper()
	ctx := tenant.Unscoped(context.Background())
	d := testdb.Open(tb)
	acc := d.Client.Account.Create().SetName("bench").SaveX(ctx)
	svc := apikey.New(apikey.Config{Client: d.Client})
	_, secret, err := svc.Create(ctx, apikey.Actor{AccountID: acc.ID}, apikey.CreateInput{Name: "bench",
		Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	if err != nil {
		tb.Fatal(err)
	}
	v := apikey.NewVerifier(apikey.VerifierConfig{Client: d.Client})
	svc.OnChange(v.Forget)
	return v, secret
}

var loopback = netip.MustParseAddr("127.0.0.1")

// Ensure the verifier's outcomes, and that its facts carry the account name.
func TestVerifier_Outcomes(t *testing.T) {
	v, secret := newVerifier(t)
	ctx := tenant.Unscoped(context.Background())
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

// BenchmarkVerifyCached is the hot path: a known key answered from the cache.
func BenchmarkVerifyCached(b *testing.B) {
	v, secret := newVerifier(b)
	ctx := tenant.Unscoped(context.Background())
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
	ctx := tenant.Unscoped(context.Background())
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
	ctx := tenant.Unscoped(context.Background())
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
