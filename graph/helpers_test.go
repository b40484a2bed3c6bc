package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"businesstools/ent/apikey"
	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// snapshot renders every key row (with its permissions and hashes) and the
// audit trail's length, so a test can prove a refused call changed nothing.
func snapshot(t *testing.T, app *apptest.App) string {
	t.Helper()
	return snapshotOf(t, app, true)
}

// keysSnapshot is snapshot without the audit trail, for refusals that are
// themselves audited (failed reveals).
func keysSnapshot(t *testing.T, app *apptest.App) string {
	t.Helper()
	return snapshotOf(t, app, false)
}

func snapshotOf(t *testing.T, app *apptest.App, withAudit bool) string {
	t.Helper()
	ctx := tenant.Unscoped(context.Background())
	keys, err := app.DB.Client.ApiKey.Query().WithPermissions().Order(apikey.ByID()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events, err := app.DB.Client.AuditEvent.Query().Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID         int
		Name       string
		Active     bool
		Expires    string
		Allow      []string
		Hash, Prev string
		Perms      []string
	}
	var rows []row
	for _, k := range keys {
		r := row{ID: k.ID, Name: k.Name, Active: k.Active, Expires: fmt.Sprint(k.ExpiresAt), Allow: k.IPAllowlist,
			Hash: fmt.Sprintf("%x", k.KeyHash), Prev: fmt.Sprint(k.PreviousKeyHash)}
		for _, p := range k.Edges.Permissions {
			r.Perms = append(r.Perms, string(p.Key))
		}
		rows = append(rows, r)
	}
	if !withAudit {
		events = 0
	}
	b, _ := json.Marshal(map[string]any{"keys": rows, "auditEvents": events})
	return string(b)
}

// wantError fails unless resp holds exactly one error with the code (and field, when given).
func wantError(t *testing.T, resp apptest.GQLResponse, code, field string) apptest.GQLError {
	t.Helper()
	e := resp.Err(t)
	if e.Code() != code {
		t.Fatalf("code = %q (%s), want %s", e.Code(), e.Message, code)
	}
	if field != "" && e.Field() != field {
		t.Fatalf("field = %q (%s), want %s", e.Field(), e.Message, field)
	}
	if e.Message == "" {
		t.Fatal("error without a message")
	}
	return e
}
