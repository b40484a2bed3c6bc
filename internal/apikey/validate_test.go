package apikey_test

import (
	"slices"
	"testing"

	"businesstools/internal/apikey"
)

// Ensure ParseCIDR accepts an address or a range in canonical, masked form,
// writes an IPv4-mapped entry of /96 or longer as the IPv4 range it covers
// (a mapped entry would never match: clients are compared unmapped), keeps
// shorter ones — ordinary IPv6 space once masked — as IPv6, and refuses
// anything else.
func TestParseCIDR(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":                "127.0.0.1/32",
		" 10.1.2.3/8 ":             "10.0.0.0/8",
		"2001:db8::1":              "2001:db8::1/128",
		"2001:db8:1::/32":          "2001:db8::/32",
		"::1":                      "::1/128",
		"::/0":                     "::/0",
		"::ffff:127.0.0.1":         "127.0.0.1/32",
		"::FFFF:7f00:1":            "127.0.0.1/32",
		"::ffff:127.0.0.1/128":     "127.0.0.1/32",
		"::ffff:127.0.0.0/104":     "127.0.0.0/8",
		"::ffff:10.20.30.40/120":   "10.20.30.0/24",
		"::ffff:0.0.0.0/96":        "0.0.0.0/0",
		"::ffff:0:0/95":            "::fffe:0:0/95",
		"::ffff:1.2.3.4/80":        "::/80",
		"::127.0.0.1":              "::7f00:1/128",          // IPv4-compatible, not mapped
		"64:ff9b::192.0.2.1":       "64:ff9b::c000:201/128", // NAT64: IPv6 on the wire
		"0:0:0:0:0:ffff:192.0.2.1": "192.0.2.1/32",
	} {
		p, err := apikey.ParseCIDR(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseCIDR(%q) = %s, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "localhost", "10.0.0.0/33", "::ffff:127.0.0.1/129", "1.2.3.4/", "fe80::1%eth0/64", "::ffff:300.0.0.1"} {
		if p, err := apikey.ParseCIDR(bad); err == nil {
			t.Errorf("ParseCIDR(%q) = %s, want an error", bad, p)
		}
	}
}

// Ensure a key's allow-list is stored and returned normalised, on create
// and on update: IPv4-mapped entries as the IPv4 ranges they cover.
func TestAllowlistStoredNormalised(t *testing.T) {
	svc, ctx, actor := keyService(t)
	in := []string{"::ffff:127.0.0.1", "::ffff:127.0.0.0/104", "::ffff:0:0/95", "2001:db8::/32"}
	want := []string{"127.0.0.1/32", "127.0.0.0/8", "::fffe:0:0/95", "2001:db8::/32"}
	k, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: "mapped", Permissions: sendOnly, IPAllowlist: in})
	if err != nil || !slices.Equal(k.IPAllowlist, want) {
		t.Fatalf("create: %q, %v; want %q", k.IPAllowlist, err, want)
	}
	upd, err := svc.Update(ctx, actor, k.ID, apikey.UpdateInput{SetIPAllowlist: true, IPAllowlist: []string{"::ffff:10.0.0.0/112"}})
	if err != nil || !slices.Equal(upd.IPAllowlist, []string{"10.0.0.0/16"}) {
		t.Fatalf("update: %q, %v", upd.IPAllowlist, err)
	}
}
