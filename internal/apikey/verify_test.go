package apikey_test

import (
	"net/netip"
	"testing"

	"businesstools/ent/permission"
	"businesstools/internal/apikey"
)

// Ensure an allow-list entry written IPv4-mapped is honoured: a key
// allowing "::ffff:127.0.0.1" is accepted from 127.0.0.1 (also when the
// client arrives mapped, as on a dual-stack socket) and refused from any
// other address; a mapped /104 covers its IPv4 /8; a mapped prefix shorter
// than /96 is IPv6 space and lets no IPv4 client in. A row stored before
// entries were normalised ("::ffff:127.0.0.1/128") works the same.
func TestVerifier_MappedAllowlist(t *testing.T) {
	fx := newFixture(t)
	key := func(name string, allow ...string) string {
		_, secret := fx.key(t, apikey.CreateInput{Name: name, IPAllowlist: allow, Permissions: []permission.Key{permission.KeySEND_EMAILS}})
		return secret
	}
	host := key("host", "::ffff:127.0.0.1")
	block := key("block", "::ffff:127.0.0.0/104")
	wide := key("wide", "::ffff:0:0/95")
	legacyID, legacy := fx.key(t, apikey.CreateInput{Name: "legacy", Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	fx.d.Client.ApiKey.UpdateOneID(legacyID).SetIPAllowlist([]string{"::ffff:127.0.0.1/128"}).ExecX(ctx) // as the old code stored it
	v := fx.verifier()

	for _, c := range []struct {
		name, key, ip, want string
	}{
		{"HostFromItself", host, "127.0.0.1", apikey.OutcomeOK},
		{"HostFromItselfMapped", host, "::ffff:127.0.0.1", apikey.OutcomeOK},
		{"HostFromNeighbour", host, "127.0.0.2", apikey.RefusedIP},
		{"HostFromElsewhere", host, "192.0.2.1", apikey.RefusedIP},
		{"HostFromIPv6Loopback", host, "::1", apikey.RefusedIP},
		{"BlockFromInside", block, "127.9.8.7", apikey.OutcomeOK},
		{"BlockFromOutside", block, "128.0.0.1", apikey.RefusedIP},
		{"WideFromIPv6Inside", wide, "::fffe:1:2", apikey.OutcomeOK},
		{"WideFromIPv4", wide, "127.0.0.1", apikey.RefusedIP},
		{"LegacyFromItself", legacy, "127.0.0.1", apikey.OutcomeOK},
		{"LegacyFromElsewhere", legacy, "10.0.0.1", apikey.RefusedIP},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, outcome, _ := v.Verify(ctx, c.key, netip.MustParseAddr(c.ip)); outcome != c.want {
				t.Fatalf("from %s: %s, want %s", c.ip, outcome, c.want)
			}
		})
	}
}
