package config

import (
	"net/netip"
	"slices"
	"testing"
)

// Ensure BT_TRUSTED_PROXIES and -trusted-proxies parse CIDRs (a bare address
// is one host), default to none, and refuse anything else.
func TestTrustedProxies(t *testing.T) {
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(nil, getenv(nil))
	if err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("default: %v %v", c.TrustedProxies, err)
	}
	c, err = Load(nil, getenv(map[string]string{"BT_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1,"}))
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("::1/128")}
	if err != nil || !slices.Equal(c.TrustedProxies, want) {
		t.Fatalf("env: %v %v", c.TrustedProxies, err)
	}
	c, err = Load([]string{"-trusted-proxies", "172.16.5.9/12"}, getenv(map[string]string{"BT_TRUSTED_PROXIES": "10.0.0.0/8"}))
	if err != nil || !slices.Equal(c.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}) {
		t.Fatalf("flag: %v %v", c.TrustedProxies, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.0/8;192.168.0.0/16", "fe80::1%eth0"} {
		if _, err := Load(nil, getenv(map[string]string{"BT_TRUSTED_PROXIES": bad})); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
