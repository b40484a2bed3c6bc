package apikey

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"businesstools/ent/account"
	"businesstools/ent/apikey"
	"businesstools/ent/permission"
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

	view atomic.Pointer[any]
}

// View returns what build makes of these facts, building it once. The REST
// layer keeps its per-key answer here (the principal, the encoded GET /v1/me
// body), so that it lives exactly as long as the cached facts and is built
// again after every change. There is one view per Facts.
func (f *Facts) View(build func(*Facts) any) any {
	if v := f.view.Load(); v != nil {
		return *v
	}
	v := build(f)
	f.view.CompareAndSwap(nil, &v) // a concurrent builder may have won: use its view
	return *f.view.Load()
}

// ErrInvalidKey is the one answer for every unusable key: missing, malformed,
// unknown, inactive, expired, rolled past its grace period, or from an IP
// outside its allow-list. Callers must not tell these apart to the client.
var ErrInvalidKey = apperr.New(apperr.Unauthenticated, "The API key is missing or invalid.")

// factsQuery is LoadFacts' one statement: the key found by either of its
// hashes (each has a unique index), joined to its account and to its
// permissions, one row per permission (a single row with a NULL scope for a
// key without any) in the order admins see them. It is built once per
// dialect by ent's SQL builder, so names and placeholders are the schema's.
var factsQuery = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, dia := range []string{dialect.SQLite, dialect.Postgres} {
		b := entsql.Dialect(dia)
		k, a := b.Table(apikey.Table).As("k"), b.Table(account.Table).As("a")
		kp, p := b.Table(apikey.PermissionsTable).As("kp"), b.Table(permission.Table).As("p")
		q, _ := b.Select(k.C(apikey.FieldID), k.C(apikey.FieldAccountID), a.C(account.FieldName), k.C(apikey.FieldName),
			k.C(apikey.FieldKeyHash), k.C(apikey.FieldPreviousKeyHash), k.C(apikey.FieldPreviousValidUntil),
			k.C(apikey.FieldActive), k.C(apikey.FieldExpiresAt), k.C(apikey.FieldIPAllowlist), k.C(apikey.FieldRateLimit),
			p.C(permission.FieldScope)).
			From(k).
			Join(a).On(a.C(account.FieldID), k.C(apikey.FieldAccountID)).
			LeftJoin(kp).On(kp.C(apikey.PermissionsPrimaryKey[0]), k.C(apikey.FieldID)).
			LeftJoin(p).On(p.C(permission.FieldID), kp.C(apikey.PermissionsPrimaryKey[1])).
			Where(entsql.Or(entsql.EQ(k.C(apikey.FieldKeyHash), []byte(nil)), entsql.EQ(k.C(apikey.FieldPreviousKeyHash), []byte(nil)))).
			OrderBy(k.C(apikey.FieldID), p.C(permission.FieldID)).
			Query()
		out[dia] = q
	}
	return out
})

// FactsQuery is LoadFacts' statement in a dialect (dialect.SQLite or
// dialect.Postgres), for EXPLAIN; its two arguments are the hash, twice.
func FactsQuery(dialect string) string { return factsQuery()[dialect] }

// LoadFacts looks a key up by the SHA-256 of its secret (current or, within
// its grace period, previous), with its account's name and its scopes, in
// one indexed round trip. It returns (nil, nil) for an unknown hash. The
// lookup crosses accounts by design (the key is what names the account).
func LoadFacts(ctx context.Context, d *db.DB, hash []byte) (*Facts, error) {
	rows, err := d.SQL.QueryContext(tenant.Unscoped(ctx), FactsQuery(d.Dialect), hash, hash)
	return scanFacts(rows, err, hash)
}

// loadFactsPrepared is LoadFacts through a prepared factsQuery: PostgreSQL
// then neither parses nor (after its first executions) plans it again,
// which costs more than running it.
func loadFactsPrepared(ctx context.Context, stmt *sql.Stmt, hash []byte) (*Facts, error) {
	rows, err := stmt.QueryContext(tenant.Unscoped(ctx), hash, hash)
	return scanFacts(rows, err, hash)
}

// scanFacts reads factsQuery's rows (err is the query's).
func scanFacts(rows *sql.Rows, err error, hash []byte) (*Facts, error) {
	if err != nil {
		return nil, apperr.Internalf(err, "load key")
	}
	defer rows.Close()
	var f *Facts
	for rows.Next() {
		var (
			r                  Facts
			cur, prev          []byte
			prevUntil, expires sql.NullTime
			allowlist          []byte
			scope              sql.NullString
		)
		if err := rows.Scan(&r.KeyID, &r.AccountID, &r.AccountName, &r.Name, &cur, &prev, &prevUntil,
			&r.Active, &expires, &allowlist, &r.RateLimit, &scope); err != nil {
			return nil, apperr.Internalf(err, "read key")
		}
		if f != nil && f.KeyID != r.KeyID {
			break // another key's previous hash equal to this one's: impossible with random secrets; keep the first
		}
		if f == nil {
			if f, err = newFacts(&r, hash, cur, prev, prevUntil, expires, allowlist); f == nil || err != nil {
				return nil, err
			}
		}
		if scope.Valid {
			f.Scopes = append(f.Scopes, scope.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Internalf(err, "read key")
	}
	return f, nil
}

// newFacts completes the first row of a lookup: which of the key's hashes
// matched (compared in constant time), its times and its allow-list. It
// returns nil for a previous secret without a grace deadline.
func newFacts(r *Facts, hash, cur, prev []byte, prevUntil, expires sql.NullTime, allowlist []byte) (*Facts, error) {
	f := &Facts{KeyID: r.KeyID, AccountID: r.AccountID, AccountName: r.AccountName, Name: r.Name,
		Active: r.Active, RateLimit: r.RateLimit}
	switch {
	case subtle.ConstantTimeCompare(cur, hash) == 1:
		f.Hash = cur
	case prev != nil && subtle.ConstantTimeCompare(prev, hash) == 1:
		if !prevUntil.Valid {
			return nil, nil
		}
		f.Hash = prev
		f.ValidUntil = &prevUntil.Time
	default:
		return nil, nil
	}
	if expires.Valid {
		f.ExpiresAt = &expires.Time
	}
	if len(allowlist) > 0 {
		var cidrs []string
		if err := json.Unmarshal(allowlist, &cidrs); err != nil {
			return nil, apperr.Internalf(err, "read allow-list of key %d", r.KeyID)
		}
		for _, cidr := range cidrs {
			// Normalised again: rows saved before ParseCIDR unmapped
			// entries hold "::ffff:127.0.0.1/128", which no client matches.
			if p, err := netip.ParsePrefix(cidr); err == nil {
				f.AllowedPrefix = append(f.AllowedPrefix, normalizePrefix(p))
			}
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
