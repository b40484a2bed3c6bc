package apikey

import (
	"context"
	"crypto/subtle"
	"net/netip"
	"time"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Facts is what verification needs to know about a key, loaded once per key
// (and cacheable): never the secret.
type Facts struct {
	KeyID         int
	AccountID     int
	AccountName   string // loaded once with the key so GET /v1/me needs no query
	Name          string
	Hash          []byte // the hash this lookup matched (current or previous secret)
	Active        bool
	ExpiresAt     *time.Time
	ValidUntil    *time.Time // set when Hash is a rolled-away secret in its grace period
	Scopes        []string
	AllowedPrefix []netip.Prefix
	RateLimit     int
}

// ErrInvalidKey is the one answer for every unusable key: missing, malformed,
// unknown, inactive, expired, rolled past its grace period, or from an IP
// outside its allow-list. Callers must not tell these apart to the client.
var ErrInvalidKey = apperr.New(apperr.Unauthenticated, "The API key is missing or invalid.")

// LoadFacts looks a key up by the SHA-256 of its secret (current or, within
// its grace period, previous). It returns (nil, nil) for an unknown hash.
func LoadFacts(ctx context.Context, c *ent.Client, hash []byte) (*Facts, error) {
	ctx = tenant.Unscoped(ctx) // a key is found by its hash, whatever its account
	k, err := c.ApiKey.Query().
		Where(apikey.Or(apikey.KeyHash(hash), apikey.PreviousKeyHash(hash))).
		WithPermissions().WithAccount().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load key")
	}
	f := &Facts{KeyID: k.ID, AccountID: k.AccountID, Name: k.Name, Active: k.Active,
		ExpiresAt: k.ExpiresAt, RateLimit: k.RateLimit}
	if k.Edges.Account != nil {
		f.AccountName = k.Edges.Account.Name
	}
	switch {
	case subtle.ConstantTimeCompare(k.KeyHash, hash) == 1:
		f.Hash = k.KeyHash
	case k.PreviousKeyHash != nil && subtle.ConstantTimeCompare(*k.PreviousKeyHash, hash) == 1:
		f.Hash = *k.PreviousKeyHash
		f.ValidUntil = k.PreviousValidUntil
		if f.ValidUntil == nil {
			return nil, nil
		}
	default:
		return nil, nil
	}
	for _, p := range k.Edges.Permissions {
		f.Scopes = append(f.Scopes, db.ScopeOf(p.Key))
	}
	for _, cidr := range k.IPAllowlist {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			f.AllowedPrefix = append(f.AllowedPrefix, p)
		}
	}
	return f, nil
}

// Why a key is refused. Only metrics and tests see these: the client gets
// ErrInvalidKey whatever the reason.
const (
	RefusedUnknown    = "unknown"
	RefusedInactive   = "inactive"
	RefusedExpired    = "expired"
	RefusedGraceEnded = "grace_ended"
	RefusedIP         = "ip_denied"
)

// Check applies the per-request rules to loaded facts: active, not expired,
// not past a roll's grace period, and from an allowed address.
func (f *Facts) Check(now time.Time, ip netip.Addr) error {
	if f.Refusal(now, ip) != "" {
		return ErrInvalidKey
	}
	return nil
}

// Refusal is Check's reason (one of the Refused… constants), or "" when the
// key may be used. A nil *Facts is an unknown key.
func (f *Facts) Refusal(now time.Time, ip netip.Addr) string {
	switch {
	case f == nil:
		return RefusedUnknown
	case !f.Active:
		return RefusedInactive
	case f.ExpiresAt != nil && !now.Before(*f.ExpiresAt):
		return RefusedExpired
	case f.ValidUntil != nil && !now.Before(*f.ValidUntil):
		return RefusedGraceEnded
	case len(f.AllowedPrefix) > 0 && !allowed(f.AllowedPrefix, ip):
		return RefusedIP
	}
	return ""
}

func allowed(prefixes []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
