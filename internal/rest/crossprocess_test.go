package rest_test

import (
	"net/http"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/testdb"
)

// Ensure that with two server processes on one PostgreSQL database, a key
// deactivated, deleted or rolled on one is refused by the other within a
// second (DESIGN.md section 6), although the other had it cached.
func TestAuthn_OtherProcessDropsChangedKey(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("several processes share PostgreSQL only (TEST_DB=postgres)")
	}
	one := apptest.New(t)
	two := apptest.New(t, apptest.SameDatabase(one))
	token := one.LoginOwner()
	refusedWithinASecond := func(t *testing.T, key string) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for {
			code, _ := status(t, two, "/v1/me", key)
			if code == http.StatusUnauthorized {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the second process still answers %d after a second", code)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cases := map[string]func(id string){
		"Deactivated": func(id string) { setActive(t, one, token, id, false) },
		"Deleted": func(id string) {
			mutate(t, one, token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": id})
		},
		"RolledNoGrace": func(id string) { roll(t, one, token, id, 0) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			k := one.CreateKey(token, name, "SEND_EMAILS")
			noSecretsInLogs(t, one, k.Secret)
			noSecretsInLogs(t, two, k.Secret)
			if code, body := status(t, two, "/v1/me", k.Secret); code != 200 {
				t.Fatalf("second process: %d %s", code, body)
			}
			change(k.ID)
			refusedWithinASecond(t, k.Secret)
		})
	}
}
