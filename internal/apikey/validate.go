package apikey

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/ent/permission"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/text"
)

// Limits on key fields.
const (
	MaxNameLen     = 100
	MaxAllowlist   = 50
	MaxGracePeriod = 7 * 24 * time.Hour
	MaxRateLimit   = 10_000
)

// validRateLimit accepts 0 (the server default) to MaxRateLimit requests/s.
func validRateLimit(n *int) (int, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 0 || *n > MaxRateLimit {
		return 0, apperr.Invalidf("rateLimit", "The rate limit must be between 1 and %d requests per second, or 0 for the default.", MaxRateLimit)
	}
	return *n, nil
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := text.CheckName("name", name); err != nil {
		return "", err
	}
	if name == "" {
		return "", apperr.Invalidf("name", "The key name is required.")
	}
	if text.Len(name) > MaxNameLen {
		return "", apperr.Invalidf("name", "The key name must be at most %d characters.", MaxNameLen)
	}
	return name, nil
}

// nameFree checks the name is not taken in the account (by another key than except).
func nameFree(ctx context.Context, tx *ent.Tx, name string, except int) error {
	taken, err := tx.ApiKey.Query().Where(apikey.Name(name), apikey.IDNEQ(except)).Exist(ctx)
	if err != nil {
		return apperr.Internalf(err, "check name")
	}
	if taken {
		return nameTaken(name)
	}
	return nil
}

func nameTaken(name string) error {
	return apperr.Invalidf("name", "A key named %q already exists in this account.", name)
}

// saveError maps an error saving key name: a unique violation on the name
// — a concurrent create or rename won the race nameFree could not see — is
// the same Invalid as the sequential case; anything else is internal.
func saveError(err error, name, what string) error {
	if db.IsUniqueViolation(err, "name") {
		return nameTaken(name)
	}
	return apperr.Internalf(err, "%s", what)
}

func validExpiry(t *time.Time, now time.Time) error {
	if t != nil && !t.After(now) {
		return apperr.Invalidf("expiresAt", "The expiry must be in the future.")
	}
	return nil
}

// validAllowlist parses CIDRs or single addresses and returns them in
// canonical CIDR form.
func validAllowlist(entries []string) ([]string, error) {
	if len(entries) > MaxAllowlist {
		return nil, apperr.Invalidf("ipAllowlist", "The IP allow-list holds at most %d entries.", MaxAllowlist)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		p, err := ParseCIDR(e)
		if err != nil {
			return nil, apperr.Invalidf("ipAllowlist", "%q is not an IP address or CIDR range.", e)
		}
		out = append(out, p.String())
	}
	return out, nil
}

// ParseCIDR parses "10.0.0.0/8" or a single address ("192.0.2.7" → /32),
// normalised (normalizePrefix): "::ffff:192.0.2.7" is "192.0.2.7/32".
func ParseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return normalizePrefix(p), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return normalizePrefix(netip.PrefixFrom(a, a.BitLen())), nil
}

// normalizePrefix masks p and writes an IPv4-mapped IPv6 prefix
// (::ffff:a.b.c.d/n, n ≥ 96) as the IPv4 prefix it covers, a.b.c.d/(n-96):
// the verifier compares a client's address unmapped (an IPv4 client on a
// dual-stack socket arrives as ::ffff:a.b.c.d), so a mapped entry would
// never match anyone. A prefix shorter than /96 stays IPv6: it is no longer
// mapped once masked (::ffff:0:0/95 is ::fffe:0:0/95) and spans native
// IPv6 space besides the mapped block. Shrinking it to IPv4 would drop
// that space, and widening it to 0.0.0.0/0 as well would open the key to
// every IPv4 address — so it matches the IPv6 clients in it, as written.
func normalizePrefix(p netip.Prefix) netip.Prefix {
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// permissionIDs resolves permission keys to row ids. Errors: Invalid
// (field "permissions") for none or an unknown one.
func permissionIDs(ctx context.Context, tx *ent.Tx, keys []permission.Key) ([]int, error) {
	if len(keys) == 0 {
		return nil, apperr.Invalidf("permissions", "Choose at least one permission.")
	}
	seen := map[permission.Key]bool{}
	for _, k := range keys {
		if err := permission.KeyValidator(k); err != nil {
			return nil, apperr.Invalidf("permissions", "%q is not a permission.", k)
		}
		seen[k] = true
	}
	uniq := make([]permission.Key, 0, len(seen))
	for k := range seen {
		uniq = append(uniq, k)
	}
	ids, err := tx.Permission.Query().Where(permission.KeyIn(uniq...)).IDs(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "find permissions")
	}
	if len(ids) != len(uniq) {
		return nil, apperr.Invalidf("permissions", "Some permissions do not exist.")
	}
	return ids, nil
}
