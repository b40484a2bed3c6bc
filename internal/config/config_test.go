package config

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
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

// Ensure no secret set in the environment appears in the usage text (-h, a
// bad flag) or in the error Load returns, and that secrets are not flags.
func TestSecretsStayOutOfUsage(t *testing.T) {
	secretValues := map[string]string{
		"DATABASE_URL":      "postgres://bt:db-pass-3f9a@db.internal:5432/bt",
		"BT_MASTER_KEY":     "bWFzdGVyLWtleS1zZWNyZXQtdmFsdWUtMzItYnl0ZXM=",
		"BT_SMTP_URL":       "smtps://mailer:smtp-pass-77c1@smtp.example.com:465",
		"BT_ADMIN_PASSWORD": "admin-pass-e41d0b",
	}
	getenv := func(k string) string { return secretValues[k] }
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-no-such-flag"}, {"-rate-limit", "x", "-no-such-flag"},
		{"-master-key", "x"}, {"--admin-password=x"}, {"-smtp-url", "x"}, {"-database-url", "x"}} {
		var usage strings.Builder
		_, err := load(args, getenv, &usage)
		if err == nil {
			t.Fatalf("%v: no error", args)
		}
		out := usage.String() + err.Error()
		for name, v := range secretValues {
			for _, part := range []string{v, "db-pass-3f9a", "smtp-pass-77c1"} {
				if strings.Contains(out, part) && strings.Contains(v, part) {
					t.Errorf("%v: the output shows %s:\n%s", args, name, out)
				}
			}
		}
		if args[0] == "-h" && !strings.Contains(out, "BT_MASTER_KEY") {
			t.Errorf("-h does not say where the master key comes from:\n%s", out)
		}
	}
	c, err := load(nil, getenv, io.Discard)
	if err != nil || c.DatabaseURL != secretValues["DATABASE_URL"] || c.MasterKey != secretValues["BT_MASTER_KEY"] ||
		c.SMTPURL != secretValues["BT_SMTP_URL"] || c.AdminPassword != secretValues["BT_ADMIN_PASSWORD"] {
		t.Fatalf("secrets from the environment: %+v %v", c, err)
	}
}

// Ensure each secret can come from a NAME_FILE path (one trailing line break
// dropped), that NAME and NAME_FILE together are refused, and that an
// unreadable file's error names the variable but not any content.
func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{
		"DATABASE_URL_FILE":      write("db", "postgres://u:p@h/db\n"),
		"BT_MASTER_KEY_FILE":     write("mk", "a2V5\r\n"),
		"BT_SMTP_URL_FILE":       write("smtp", "smtp://u:p@h:25"),
		"BT_ADMIN_PASSWORD_FILE": write("pw", " spaces kept \n"),
	}
	c, err := load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u:p@h/db" || c.MasterKey != "a2V5" || c.SMTPURL != "smtp://u:p@h:25" || c.AdminPassword != " spaces kept " {
		t.Fatalf("from files: %+v", c)
	}
	env["BT_MASTER_KEY"] = "a2V5"
	if _, err := load(nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "BT_MASTER_KEY_FILE") {
		t.Fatalf("both set: %v", err)
	}
	delete(env, "BT_MASTER_KEY")
	env["BT_SMTP_URL_FILE"] = filepath.Join(dir, "missing")
	if _, err := load(nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "BT_SMTP_URL_FILE") {
		t.Fatalf("missing file: %v", err)
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
