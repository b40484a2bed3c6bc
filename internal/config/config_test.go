package config

import (
	"net/netip"
	"slices"
	"strings"
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

// Ensure BT_MAIL_FROM (and -mail-from) must be one valid address, named in
// the error, and that the default and usual forms are accepted.
func TestMailFrom(t *testing.T) {
	getenv := func(v string) func(string) string {
		return func(k string) string {
			if k == "BT_MAIL_FROM" {
				return v
			}
			return ""
		}
	}
	for _, ok := range []string{"", "noreply@example.com", "App <noreply@example.com>", `"Acme, Inc." <a@b.example>`} {
		if _, err := Load(nil, getenv(ok)); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"noreply", "App <noreply>", "a@example.com, b@example.com", "App <a@example.com", "a@example.com\r\nBcc: x@example.com"} {
		_, err := Load(nil, getenv(bad))
		if err == nil || !strings.Contains(err.Error(), "BT_MAIL_FROM") {
			t.Errorf("%q: got %v, want an error naming BT_MAIL_FROM", bad, err)
		}
	}
	if _, err := Load([]string{"-mail-from", "not an address"}, getenv("")); err == nil {
		t.Error("-mail-from with an invalid address accepted")
	}
}

// Ensure BT_PUBLIC_URL defaults to the local server, loses a trailing slash
// and must be an absolute http(s) URL.
func TestPublicURL(t *testing.T) {
	getenv := func(v string) func(string) string {
		return func(k string) string {
			if k == "BT_PUBLIC_URL" {
				return v
			}
			return ""
		}
	}
	for in, want := range map[string]string{"": "http://localhost:8080", "https://keys.example.com/": "https://keys.example.com",
		"https://example.com/admin": "https://example.com/admin"} {
		c, err := Load(nil, getenv(in))
		if err != nil || c.PublicURL != want {
			t.Errorf("%q: got %q, %v; want %q", in, c.PublicURL, err, want)
		}
	}
	for _, bad := range []string{"keys.example.com", "ftp://example.com", "https://example.com/?a=b", "/relative"} {
		if _, err := Load(nil, getenv(bad)); err == nil || !strings.Contains(err.Error(), "BT_PUBLIC_URL") {
			t.Errorf("%q: got %v, want an error naming BT_PUBLIC_URL", bad, err)
		}
	}
}
