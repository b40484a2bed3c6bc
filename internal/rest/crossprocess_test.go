package rest_test

import (
	"net/http"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/testdb"
)

// Ensure that with two server processes on one PostgreSQL database, a key
// deactivated, deleted, rolled or stripped of a permission on one is
// refused by the other within a second (DESIGN.md sections 6 and 8),
// although the other had it cached and would serve a stale entry while
// refreshing it.
func TestAuthn_OtherProcessDropsChangedKey(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("several processes share PostgreSQL only (TEST_DB=postgres)")
	}
	one := apptest.New(t)
	two := apptest.New(t, apptest.SameDatabase(one))
	token := one.LoginOwner()
	withinASecond := func(t *testing.T, path, key string, want int) {
		t.Helper()
		start := time.Now()
		for {
			code, _ := status(t, two, path, key)
			if code == want {
				t.Logf("refused by the other process after %s", time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Since(start) > time.Second {
				t.Fatalf("the second process still answers %d after a second, want %d", code, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	cases := map[string]struct {
		change func(id string)
		path   string
		want   int
	}{
		"Deactivated": {func(id string) { setActive(t, one, token, id, false) }, "/v1/leads", http.StatusUnauthorized},
		"Deleted": {func(id string) {
			mutate(t, one, token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": id})
		}, "/v1/leads", http.StatusUnauthorized},
		"RolledNoGrace": {func(id string) { roll(t, one, token, id, 0) }, "/v1/leads", http.StatusUnauthorized},
		"PermissionRemoved": {func(id string) {
			mutate(t, one, token, `mutation($id:ID!){updateApiKey(id:$id,input:{permissions:[SEND_EMAILS]}){id}}`, map[string]any{"id": id})
		}, "/v1/leads", http.StatusForbidden},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			k := one.CreateKey(token, name, "READ_LEADS")
			noSecretsInLogs(t, one, k.Secret)
			noSecretsInLogs(t, two, k.Secret)
			if code, body := status(t, two, c.path, k.Secret); code != 200 {
				t.Fatalf("second process: %d %s", code, body)
			}
			c.change(k.ID)
			withinASecond(t, c.path, k.Secret, c.want)
		})
	}
}
