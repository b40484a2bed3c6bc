package rest_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"businesstools/internal/apptest"
)

// createKey creates a key through GraphQL with any CreateApiKeyInput fields.
func createKey(t *testing.T, app *apptest.App, token string, in map[string]any) apptest.Key {
	t.Helper()
	var data struct {
		CreateApiKey struct {
			Secret string
			ApiKey struct{ ID string }
		}
	}
	app.GQL(token, `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret apiKey{id}}}`,
		map[string]any{"in": in}).Decode(t, &data)
	return apptest.Key{ID: data.CreateApiKey.ApiKey.ID, Secret: data.CreateApiKey.Secret}
}

// mutate runs a GraphQL operation that must succeed and returns its data.
func mutate(t *testing.T, app *apptest.App, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	var data map[string]any
	app.GQL(token, query, vars).Decode(t, &data)
	return data
}

// roll rolls a key and returns the new secret.
func roll(t *testing.T, app *apptest.App, token, id string, grace int) string {
	t.Helper()
	var data struct{ RollApiKey struct{ Secret string } }
	app.GQL(token, `mutation($id:ID!,$g:Int!){rollApiKey(id:$id,oldSecretValidFor:$g){secret}}`,
		map[string]any{"id": id, "g": grace}).Decode(t, &data)
	return data.RollApiKey.Secret
}

func setActive(t *testing.T, app *apptest.App, token, id string, active bool) {
	t.Helper()
	mutate(t, app, token, `mutation($id:ID!,$a:Boolean!){setApiKeyActive(id:$id,active:$a){id}}`,
		map[string]any{"id": id, "a": active})
}

func intID(t *testing.T, id string) int {
	t.Helper()
	n, err := strconv.Atoi(id)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}

// status calls GET path with the key and returns the status and body.
func status(t *testing.T, app *apptest.App, path, key string) (int, string) {
	t.Helper()
	resp := app.REST(http.MethodGet, path, key, nil)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// noSecretsInLogs fails the test if the structured log holds any of the
// secrets when the test ends.
func noSecretsInLogs(t *testing.T, app *apptest.App, secrets ...string) {
	t.Cleanup(func() {
		logs := app.Logs.String()
		for _, s := range secrets {
			if s != "" && strings.Contains(logs, s) {
				t.Errorf("the log contains the secret %s…", s[:7])
			}
		}
	})
}
