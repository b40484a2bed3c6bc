package keyjobs_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/keyjobs"
	"businesstools/internal/notify/notifytest"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// clock is a controllable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func runner(env *notifytest.Env, c *clock) *keyjobs.Runner {
	return keyjobs.New(keyjobs.Config{DB: env.DB, Keys: env.Server.Keys, Notifier: env.Server.Notifier, Now: c.Now})
}

func run(t *testing.T, r *keyjobs.Runner) keyjobs.Result {
	t.Helper()
	res, err := r.RunOnce(context.Background())
	if err != nil || !res.Ran {
		t.Fatalf("run: %+v %v", res, err)
	}
	return res
}

func createKey(t *testing.T, app *apptest.App, token, name string, expires *time.Time) string {
	t.Helper()
	in := map[string]any{"name": name, "permissions": []string{"SEND_EMAILS"}}
	if expires != nil {
		in["expiresAt"] = expires.Format(time.RFC3339)
	}
	var data struct {
		CreateApiKey struct{ ApiKey struct{ ID string } }
	}
	app.GQL(token, `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){apiKey{id}}}`, map[string]any{"in": in}).Decode(t, &data)
	return data.CreateApiKey.ApiKey.ID
}

// Ensure a key expiring in 6 days gets one "7 days" warning, then — within
// a day of its expiry — one "1 day" warning, never more, also from a new
// runner (a restart); keys expiring later, or inactive, get none.
func TestExpiryWarnings(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	now := time.Now().UTC().Truncate(time.Second)
	expires := now.Add(6 * 24 * time.Hour)
	later := now.Add(30 * 24 * time.Hour)
	id := createKey(t, env.App, owner, "Nightly export", &expires)
	createKey(t, env.App, owner, "Later", &later)
	off := createKey(t, env.App, owner, "Switched off", &expires)
	env.GQL(owner, `mutation($id:ID!){setApiKeyActive(id:$id,active:false){id}}`, map[string]any{"id": off}).Decode(t, &struct{}{})
	c := &clock{t: now}
	r := runner(env, c)

	if res := run(t, r); res.Warned != 1 {
		t.Fatalf("first run warned %d keys", res.Warned)
	}
	ms := env.ExpectOnePerAdmin("API key “Nightly export” expires in 6 days")
	if !strings.Contains(ms[0].Text, notifytest.PublicURL+"/keys/"+id) || !strings.Contains(ms[1].HTML, expires.Format("2 Jan 2006 15:04 UTC")) {
		t.Fatalf("warning email:\n%s\n%s", ms[0].Text, ms[1].HTML)
	}
	for _, at := range []time.Duration{time.Hour, 3 * 24 * time.Hour} {
		c.Set(now.Add(at))
		if res := run(t, r); res.Warned != 0 {
			t.Fatalf("warned again %v later", at)
		}
	}
	c.Set(expires.Add(-20 * time.Hour))
	if res := run(t, runner(env, c)); res.Warned != 1 { // a restarted process
		t.Fatalf("1-day run warned %d keys", res.Warned)
	}
	env.ExpectOnePerAdmin("API key “Nightly export” expires within a day")
	c.Set(expires.Add(-time.Hour))
	if res := run(t, r); res.Warned != 0 {
		t.Fatal("warned again within the day")
	}
	c.Set(expires.Add(time.Hour))
	run(t, r)
	if n := len(env.Outbox("expires")); n != 4 {
		t.Fatalf("%d expiry emails in all, want 4 (2 warnings × 2 admins)", n)
	}
}

// Ensure keys unused for unusedKeyDays (counting from creation when never
// used) are deactivated when the account asks, audited DEACTIVATED_UNUSED
// by "system", each admin emailed once; a key an admin reactivates stays
// on; nothing happens without deactivateUnusedKeys.
func TestDeactivateUnused(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	idle := createKey(t, env.App, owner, "Idle", nil)
	now := time.Now().UTC()
	c := &clock{t: now.Add(3 * 24 * time.Hour)}
	r := runner(env, c)

	env.GQL(owner, `mutation{updateAccountSettings(input:{unusedKeyDays:2}){unusedKeyDays}}`, nil).Decode(t, &struct{}{})
	if res := run(t, r); res.Deactivated != 0 {
		t.Fatal("deactivated without deactivateUnusedKeys")
	}
	env.GQL(owner, `mutation{updateAccountSettings(input:{deactivateUnusedKeys:true}){deactivateUnusedKeys}}`, nil).Decode(t, &struct{}{})
	busy := createKey(t, env.App, owner, "Busy", nil)
	c.Set(now.Add(2*24*time.Hour + time.Hour))
	busyID, _ := strconv.Atoi(busy)
	if err := env.DB.Client.ApiKey.UpdateOneID(busyID).SetLastUsedAt(c.Now().Add(-time.Hour)).
		Exec(tenant.Unscoped(context.Background())); err != nil { // as the usage flush records a request
		t.Fatal(err)
	}
	if res := run(t, r); res.Deactivated != 1 {
		t.Fatalf("deactivated %d keys", res.Deactivated)
	}
	status := func(id string) string {
		var data struct{ ApiKey struct{ Status string } }
		env.GQL(owner, `query($id:ID!){apiKey(id:$id){status}}`, map[string]any{"id": id}).Decode(t, &data)
		return data.ApiKey.Status
	}
	if status(idle) != "INACTIVE" || status(busy) != "ACTIVE" {
		t.Fatalf("idle %s, busy %s", status(idle), status(busy))
	}
	evs, err := env.DB.Client.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionDEACTIVATED_UNUSED)).
		All(tenant.Unscoped(context.Background()))
	if err != nil || len(evs) != 1 || evs[0].ActorEmail != "system" || evs[0].APIKeyName != "Idle" {
		t.Fatalf("DEACTIVATED_UNUSED events: %+v %v", evs, err)
	}
	env.ExpectOnePerAdmin("API key “Idle” was deactivated after 2 days without use")

	env.GQL(owner, `mutation($id:ID!){setApiKeyActive(id:$id,active:true){id}}`, map[string]any{"id": idle}).Decode(t, &struct{}{})
	c.Set(c.Now().Add(time.Hour))
	if res := run(t, runner(env, c)); res.Deactivated != 0 || status(idle) != "ACTIVE" {
		t.Fatalf("a reactivated key was switched off again: %+v", res)
	}
	env.ExpectOnePerAdmin("API key “Idle” was deactivated")
}

// Ensure only the process holding the advisory lock runs the checks
// (PostgreSQL); on SQLite every process runs them.
func TestOneProcessAtATime(t *testing.T) {
	env := notifytest.Start(t)
	r := runner(env, &clock{t: time.Now()})
	if testdb.Kind() != "postgres" {
		run(t, r)
		return
	}
	other, err := sql.Open("postgres", env.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(context.Background(), "SELECT pg_try_advisory_lock($1)", keyjobs.LockID).Scan(&got); err != nil || !got {
		t.Fatalf("take the lock: %v %v", got, err)
	}
	if res, err := r.RunOnce(context.Background()); err != nil || res.Ran {
		t.Fatalf("ran while another process held the lock: %+v %v", res, err)
	}
	if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", keyjobs.LockID); err != nil {
		t.Fatal(err)
	}
	run(t, r)
	run(t, r) // and it let the lock go
}
