package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"businesstools/ent/permission"
	"businesstools/ent/schema"
	"businesstools/internal/apikey"
)

// The shape of a seeded account, chosen to look like a real one: most keys
// active and never used, a quarter used within the last 90 days, a few
// switched off, a few with an expiry (some already past).
const (
	InactiveShare = 0.05
	UsedShare     = 0.25
	ExpiringShare = 0.05 // expiry in the coming year
	ExpiredShare  = 0.03 // expiry already passed
	UsedWithin    = 90 * 24 * time.Hour
	CreatedWithin = 2 * 365 * 24 * time.Hour
)

// systems and envs make names such as "CRM Sync (prod) 4711"; the number is
// the key's row id counted from the table's first, so names never collide.
var (
	systems = []string{
		"CRM Sync", "Billing Export", "Newsletter", "Lead Import", "Support Desk",
		"Website Forms", "Data Warehouse", "Zapier", "Mobile App", "Partner Portal",
		"Marketing Automation", "Invoice Mailer", "Onboarding Flow", "Analytics ETL",
		"Slack Bot", "Webhook Relay", "Order Confirmation", "Password Reset",
		"Event Registration", "Survey Tool", "Shop Backend", "Ticketing", "HR Portal",
		"Lead Scoring",
	}
	envs = []string{"prod", "prod", "prod", "staging", "staging", "dev", "test", "eu", "us"}
)

// profile is a permission set an integration typically asks for, with its
// weight in percent.
type profile struct {
	weight int
	keys   []permission.Key
}

var profiles = []profile{
	{30, []permission.Key{permission.KeySEND_EMAILS}},
	{15, []permission.Key{permission.KeySEND_EMAILS, permission.KeyMANAGE_EMAIL_TEMPLATES}},
	{7, []permission.Key{permission.KeyMANAGE_EMAIL_TEMPLATES}},
	{15, []permission.Key{permission.KeyREAD_LEADS}},
	{20, []permission.Key{permission.KeyREAD_LEADS, permission.KeyWRITE_LEADS}},
	{8, []permission.Key{permission.KeyREAD_LEADS, permission.KeyWRITE_LEADS, permission.KeyDELETE_LEADS}},
	{5, []permission.Key{permission.KeySEND_EMAILS, permission.KeyMANAGE_EMAIL_TEMPLATES,
		permission.KeyREAD_LEADS, permission.KeyWRITE_LEADS, permission.KeyDELETE_LEADS}},
}

// key is one seeded row before it has an id.
type key struct {
	id                    int
	name                  string
	system, env           int
	hash                  []byte
	start, end            string
	active                bool
	createdAt, lastUsedAt time.Time
	expiresAt             *time.Time
	profile               int
}

// generator draws keys. The shape comes from a seeded PRNG (reproducible
// distributions); the secrets from crypto/rand through apikey.Generate, so
// every row holds a hash of a real, well-formed key nobody knows.
type generator struct {
	rnd *rand.Rand
	now time.Time
}

func (g *generator) next(i, n int) (key, error) {
	secret, err := apikey.Generate()
	if err != nil {
		return key{}, fmt.Errorf("generate key: %w", err)
	}
	k := key{
		system: g.rnd.IntN(len(systems)), env: g.rnd.IntN(len(envs)),
		hash: apikey.Hash(secret), start: apikey.Start(secret), end: apikey.End(secret),
		active: g.rnd.Float64() >= InactiveShare, profile: g.pickProfile(),
		lastUsedAt: schema.NeverUsed,
	}
	// Older keys first, as an account grows: creation times rise with i,
	// with a little jitter so that the order is not exactly the id order.
	age := time.Duration(float64(CreatedWithin) * (1 - (float64(i)+g.rnd.Float64())/float64(n)))
	k.createdAt = g.now.Add(-age).Truncate(time.Microsecond)
	usable := g.now // a key is not used after it expired
	switch r := g.rnd.Float64(); {
	case r < ExpiredShare:
		t := g.between(k.createdAt, g.now)
		k.expiresAt, usable = &t, t
	case r < ExpiredShare+ExpiringShare:
		t := g.between(g.now.Add(24*time.Hour), g.now.Add(365*24*time.Hour))
		k.expiresAt = &t
	}
	if g.rnd.Float64() < UsedShare {
		from := g.now.Add(-UsedWithin)
		if from.Before(k.createdAt) || !from.Before(usable) { // new, or expired over 90 days ago
			from = k.createdAt
		}
		k.lastUsedAt = g.between(from, usable)
	}
	return k, nil
}

// between returns a time in [from, to), at microsecond precision (what
// PostgreSQL keeps, so cursors round-trip).
func (g *generator) between(from, to time.Time) time.Time {
	span := to.Sub(from)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(g.rnd.Int64N(int64(span)))).Truncate(time.Microsecond)
}

func (g *generator) pickProfile() int {
	r := g.rnd.IntN(100)
	for i, p := range profiles {
		if r < p.weight {
			return i
		}
		r -= p.weight
	}
	return 0
}

// setID gives the key its row id and the name that goes with it.
func (k *key) setID(id, firstID int) {
	k.id = id
	k.name = fmt.Sprintf("%s (%s) %d", systems[k.system], envs[k.env], id-firstID+1)
}

// keyColumns are the api_keys columns a seeded row sets, in values' order;
// the others keep their defaults (no sealed copy, no allow-list).
var keyColumns = []string{"id", "account_id", "name", "created_at", "key_hash", "key_start", "key_end",
	"active", "last_used_at", "expires_at", "rate_limit", "last_used_ip", "last_used_route"}

// values returns the row for keyColumns.
func (k *key) values(accountID int) []any {
	var expires any
	if k.expiresAt != nil {
		expires = *k.expiresAt
	}
	return []any{k.id, accountID, k.name, k.createdAt, k.hash, k.start, k.end,
		k.active, k.lastUsedAt, expires, 0, "", ""}
}
