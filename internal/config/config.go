// Package config reads the server's settings from the environment, each
// overridable by a flag of the same meaning (DESIGN.md section 6) — except
// the secrets, which come from the environment or a file only (section 7).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	netmail "net/mail"
	"net/netip"
	"os"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server.
type Config struct {
	Addr          string   // BT_ADDR, -addr
	DataDir       string   // BT_DATA_DIR, -data-dir
	DatabaseURL   string   // DATABASE_URL or DATABASE_URL_FILE (secret: may hold a password)
	Env           string   // BT_ENV, -env: development or production
	MasterKey     string   // BT_MASTER_KEY or BT_MASTER_KEY_FILE (secret; base64 of 32 bytes)
	AllowReveal   bool     // BT_ALLOW_REVEAL, -allow-reveal
	CORSOrigins   []string // BT_CORS_ORIGINS, -cors-origins (comma-separated)
	SMTPURL       string   // BT_SMTP_URL or BT_SMTP_URL_FILE (secret: may hold a password)
	MailFrom      string   // BT_MAIL_FROM, -mail-from
	AdminEmail    string   // BT_ADMIN_EMAIL, -admin-email
	AdminPassword string   // BT_ADMIN_PASSWORD or BT_ADMIN_PASSWORD_FILE (secret)
	RateLimit     int      // BT_RATE_LIMIT, -rate-limit: default requests/s per key
	// MailMaxAttempts is BT_MAIL_MAX_ATTEMPTS, -mail-max-attempts: deliveries
	// tried before an email fails (default 8).
	MailMaxAttempts int
	// MailBackoff is BT_MAIL_BACKOFF, -mail-backoff: the wait after the first
	// failed delivery, doubled after each further one (default 30s).
	MailBackoff time.Duration
	// TrustedProxies is BT_TRUSTED_PROXIES, -trusted-proxies: comma-separated
	// CIDRs (a bare address is one host) of reverse proxies whose
	// X-Forwarded-For is believed (default none: the TCP peer is the client).
	TrustedProxies []netip.Prefix
	// RedisURL is BT_REDIS_URL (environment only: it may hold a password):
	// redis://host:port/db shares per-key rate limits between processes.
	RedisURL string
	// MailLease is BT_MAIL_LEASE, for tests: how long a mail claim lasts
	// without its heartbeat (default 30s).
	MailLease time.Duration
	// PublicURL is BT_PUBLIC_URL, -public-url: where admins reach the SPA;
	// links in emails start with it (default http://localhost:8080).
	PublicURL string
	// SecretScanningKeys is BT_SECRET_SCANNING_KEYS, -secret-scanning-keys: the
	// path to GitHub's secret scanning public keys (JSON); empty refuses every
	// report.
	SecretScanningKeys string
}

// Development reports whether the server runs in development mode.
func (c Config) Development() bool { return c.Env != "production" }

// secrets are the settings that hold a secret. They are read from the
// environment, or from the file NAME_FILE names (a Docker or Kubernetes
// secret), and never from a flag: a flag shows in `ps`, and a flag's
// default — which would be the environment's value — in the usage text.
var secrets = []struct {
	env string
	dst func(*Config) *string
}{
	{"DATABASE_URL", func(c *Config) *string { return &c.DatabaseURL }},
	{"BT_MASTER_KEY", func(c *Config) *string { return &c.MasterKey }},
	{"BT_SMTP_URL", func(c *Config) *string { return &c.SMTPURL }},
	{"BT_ADMIN_PASSWORD", func(c *Config) *string { return &c.AdminPassword }},
}

// removedFlags are the secret settings' former flags, refused with a hint.
var removedFlags = map[string]string{
	"database-url": "DATABASE_URL", "master-key": "BT_MASTER_KEY",
	"smtp-url": "BT_SMTP_URL", "admin-password": "BT_ADMIN_PASSWORD",
}

// Load parses args (without the program name) over the environment. The
// usage text (-h, or a bad flag) goes to stderr; flag.ErrHelp means -h.
func Load(args []string, getenv func(string) string) (Config, error) {
	return load(args, getenv, os.Stderr)
}

func load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var c Config
	if err := loadSecrets(&c, getenv); err != nil {
		return c, err
	}
	if err := refuseSecretFlags(args); err != nil {
		return c, err
	}
	fs := flag.NewFlagSet("businesstools", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprintln(usage, "Usage of businesstools (each flag overrides the environment variable named with it):")
		fs.PrintDefaults()
		names := make([]string, len(secrets))
		for i, s := range secrets {
			names[i] = s.env
		}
		fmt.Fprintf(usage, "Secrets come from the environment only, or from a file named by NAME_FILE: %s.\n",
			strings.Join(names, ", "))
	}
	var cors, reveal, rate, attempts, backoff, proxies string
	fs.StringVar(&c.Addr, "addr", env("BT_ADDR", ":8080"), "listen address (BT_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("BT_DATA_DIR", "./data"), "data directory for SQLite and the master key (BT_DATA_DIR)")
	fs.StringVar(&c.Env, "env", env("BT_ENV", "development"), "development or production (BT_ENV)")
	fs.StringVar(&reveal, "allow-reveal", env("BT_ALLOW_REVEAL", "true"), "store keys for reveal (BT_ALLOW_REVEAL)")
	fs.StringVar(&cors, "cors-origins", env("BT_CORS_ORIGINS", ""), "comma-separated allowed origins (BT_CORS_ORIGINS)")
	fs.StringVar(&c.MailFrom, "mail-from", env("BT_MAIL_FROM", "businesstools <noreply@localhost>"), "sender address (BT_MAIL_FROM)")
	fs.StringVar(&c.AdminEmail, "admin-email", env("BT_ADMIN_EMAIL", ""), "first admin's email (BT_ADMIN_EMAIL)")
	fs.StringVar(&rate, "rate-limit", env("BT_RATE_LIMIT", "50"), "default requests per second per API key (BT_RATE_LIMIT)")
	fs.StringVar(&attempts, "mail-max-attempts", env("BT_MAIL_MAX_ATTEMPTS", "8"), "delivery attempts before an email fails (BT_MAIL_MAX_ATTEMPTS)")
	fs.StringVar(&backoff, "mail-backoff", env("BT_MAIL_BACKOFF", "30s"), "wait after the first failed delivery, doubled each time (BT_MAIL_BACKOFF)")
	fs.StringVar(&proxies, "trusted-proxies", env("BT_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted (BT_TRUSTED_PROXIES)")
	fs.StringVar(&c.PublicURL, "public-url", env("BT_PUBLIC_URL", "http://localhost:8080"), "the SPA's public URL, for links in emails (BT_PUBLIC_URL)")
	fs.StringVar(&c.SecretScanningKeys, "secret-scanning-keys", env("BT_SECRET_SCANNING_KEYS", ""), "path to GitHub's secret scanning public keys JSON (BT_SECRET_SCANNING_KEYS)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.AllowReveal, err = strconv.ParseBool(reveal); err != nil {
		return c, fmt.Errorf("BT_ALLOW_REVEAL must be true or false")
	}
	if c.RateLimit, err = strconv.Atoi(rate); err != nil || c.RateLimit < 1 {
		return c, fmt.Errorf("BT_RATE_LIMIT must be a positive number of requests per second")
	}
	if c.MailMaxAttempts, err = strconv.Atoi(attempts); err != nil || c.MailMaxAttempts < 1 {
		return c, fmt.Errorf("BT_MAIL_MAX_ATTEMPTS must be a positive number")
	}
	if c.MailBackoff, err = time.ParseDuration(backoff); err != nil || c.MailBackoff <= 0 {
		return c, fmt.Errorf("BT_MAIL_BACKOFF must be a positive duration such as 30s")
	}
	if err := checkSender(c.MailFrom); err != nil {
		return c, fmt.Errorf("BT_MAIL_FROM must be one email address such as \"App <noreply@example.com>\": %w", err)
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("BT_ENV must be development or production")
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.PublicURL, err = checkPublicURL(c.PublicURL); err != nil {
		return c, fmt.Errorf("BT_PUBLIC_URL must be an http:// or https:// URL such as https://keys.example.com: %w", err)
	}
	if c.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		return c, fmt.Errorf("BT_TRUSTED_PROXIES must be comma-separated CIDRs such as 10.0.0.0/8,::1/128: %w", err)
	}
	if c.RedisURL = getenv("BT_REDIS_URL"); c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return c, fmt.Errorf("BT_REDIS_URL must look like redis://host:port/db")
	}
	if v := getenv("BT_MAIL_LEASE"); v != "" {
		if c.MailLease, err = time.ParseDuration(v); err != nil || c.MailLease <= 0 {
			return c, fmt.Errorf("BT_MAIL_LEASE must be a positive duration such as 30s")
		}
	}
	return c, nil
}

// loadSecrets reads each secret from NAME or from the file NAME_FILE
// (one trailing line break dropped); setting both is an error. Errors name
// the variable, never the value.
func loadSecrets(c *Config, getenv func(string) string) error {
	for _, s := range secrets {
		v, path := getenv(s.env), getenv(s.env+"_FILE")
		switch {
		case v != "" && path != "":
			return fmt.Errorf("set %s or %s_FILE, not both", s.env, s.env)
		case path != "":
			b, err := os.ReadFile(path)
			if err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					err = pe.Err // the path is the operator's own; the cause is enough
				}
				return fmt.Errorf("%s_FILE: cannot read %s: %w", s.env, path, err)
			}
			v = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
			if v == "" {
				return fmt.Errorf("%s_FILE: %s is empty", s.env, path)
			}
		}
		*s.dst(c) = v
	}
	return nil
}

// refuseSecretFlags explains a former secret flag instead of "flag
// provided but not defined" (whose usage text would not say where it went).
// It does not echo the flag's value.
func refuseSecretFlags(args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if env, ok := removedFlags[name]; ok {
			return fmt.Errorf("-%s is not a flag: a secret is read from %s or from the file %s_FILE names", name, env, env)
		}
	}
	return nil
}

// checkSender validates the sender address as the mail sender will parse it
// (net/mail), so a bad one stops the start instead of failing every email.
func checkSender(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("%q contains a line break", s)
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	if at := strings.LastIndexByte(a.Address, '@'); at < 1 || at == len(a.Address)-1 {
		return fmt.Errorf("%q has no domain", s)
	}
	return nil
}

// checkPublicURL accepts an absolute http(s) URL without query or fragment
// and returns it without a trailing slash, ready for "/keys/42".
func checkPublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// parsePrefixes reads comma-separated CIDRs; a bare address is a single host.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
