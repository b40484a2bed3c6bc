// Package accesstoken lets GraphQL clients act for an admin without a
// password (DESIGN.md section 10): tokens `btm_` + 256 random bits in base62
// + a CRC32 checksum (the API-key format under another prefix), stored as
// SHA-256, scoped (KEYS_READ, KEYS_WRITE, AUDIT_READ) never beyond the
// admin's role, expiring within 366 days. The Service creates, lists and
// revokes them; the Verifier checks one on every request, from a cache that
// every change empties at once (in every process through LISTEN/NOTIFY);
// LastUsed records their use in batches.
package accesstoken

import (
	"slices"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/apikey"
	"businesstools/internal/auth"
)

// Prefix starts every access token.
const Prefix = auth.TokenPrefix

// MaxLifetime is how far away a token's expiry may be.
const MaxLifetime = 366 * 24 * time.Hour

// The scopes a token may hold (GraphQL enum AccessScope).
const (
	KeysRead  = "KEYS_READ"  // read keys, their usage and permissions
	KeysWrite = "KEYS_WRITE" // create, change, roll and delete keys (never reveal)
	AuditRead = "AUDIT_READ" // read the security log
)

// Scopes lists every scope in the order admins see them.
var Scopes = []string{KeysRead, KeysWrite, AuditRead}

// RoleAllows reports whether an admin of the role may hold a token with the
// scope: owners and admins any; viewers only the read scopes.
func RoleAllows(role admin.Role, scope string) bool {
	switch role {
	case admin.RoleOWNER, admin.RoleADMIN:
		return slices.Contains(Scopes, scope)
	case admin.RoleVIEWER:
		return scope == KeysRead || scope == AuditRead
	}
	return false
}

// roleAllowsAll reports whether the role allows every one of the scopes.
func roleAllowsAll(role admin.Role, scopes []string) bool {
	for _, s := range scopes {
		if !RoleAllows(role, s) {
			return false
		}
	}
	return true
}

// Generate returns a new random token.
func Generate() (string, error) { return apikey.GenerateWith(Prefix) }

// Parse checks a token's shape and checksum without any I/O.
func Parse(token string) error { return apikey.ParseWith(token, Prefix) }

// Mask renders the masked view of a token from its stored start and end,
// e.g. btm_AbCd…x9Zq.
func Mask(start, end string) string { return apikey.Mask(start, end) }

// startLen is how much of the token (prefix included) the masked view shows.
const startLen = len(Prefix) + 4
