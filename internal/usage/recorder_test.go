package usage_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"businesstools/ent/keyusage"
	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
	"businesstools/internal/usage"
)

// countLastUsedWrites counts the statements that write api_keys.last_used_at.
func countLastUsedWrites(app *apptest.App) *atomic.Int64 {
	var n atomic.Int64
	usage.OnExec(app.Server.Usage, func(q string) {
		if strings.Contains(q, "UPDATE api_keys SET last_used_at") {
			n.Add(1)
		}
	})
	return &n
}

// Ensure N requests with one key cost at most one last-used write per flush,
// and that after a flush the admin sees lastUsedAt and today's count.
func TestRecorder_CoalescesWrites(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "busy", "SEND_EMAILS")
	writes := countLastUsedWrites(app)
	const n = 40
	for i := range n {
		resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	rec := app.Server.Usage
	if err := rec.Flush(tenant.Unscoped(t.Context())); err != nil {
		t.Fatal(err)
	}
	st := rec.Stats()
	if st.Recorded != n {
		t.Fatalf("recorded %d requests, want %d", st.Recorded, n)
	}
	if w := writes.Load(); w < 1 || w > st.Flushes || w != st.LastUsedWrites {
		t.Fatalf("%d last-used writes for %d requests in %d flushes (stats say %d)", w, n, st.Flushes, st.LastUsedWrites)
	}

	var data struct {
		APIKey      struct{ LastUsedAt *time.Time }
		APIKeyUsage []struct {
			Day   string
			Count int
		}
	}
	app.GQL(token, `query($id:ID!){apiKey(id:$id){lastUsedAt} apiKeyUsage(id:$id,days:2){day count}}`,
		map[string]any{"id": k.ID}).Decode(t, &data)
	if data.APIKey.LastUsedAt == nil || time.Since(*data.APIKey.LastUsedAt) > time.Hour {
		t.Fatalf("lastUsedAt = %v", data.APIKey.LastUsedAt)
	}
	id, _ := strconv.Atoi(k.ID)
	row := app.DB.Client.ApiKey.GetX(tenant.Unscoped(t.Context()), id)
	if row.LastUsedIP != "127.0.0.1" || row.LastUsedRoute != "GET /v1/me" {
		t.Fatalf("last used from %q on %q, want 127.0.0.1 on GET /v1/me", row.LastUsedIP, row.LastUsedRoute)
	}
	today := data.APIKeyUsage[len(data.APIKeyUsage)-1]
	if today.Day != time.Now().UTC().Format("2006-01-02") || today.Count != n {
		t.Fatalf("apiKeyUsage = %+v, want %d today", data.APIKeyUsage, n)
	}

	// More requests add to the day's row instead of replacing it.
	for range 5 {
		app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	}
	if err := rec.Flush(tenant.Unscoped(t.Context())); err != nil {
		t.Fatal(err)
	}
	app.GQL(token, `query($id:ID!){apiKey(id:$id){lastUsedAt} apiKeyUsage(id:$id,days:1){day count}}`,
		map[string]any{"id": k.ID}).Decode(t, &data)
	if data.APIKeyUsage[0].Count != n+5 {
		t.Fatalf("after 5 more: %+v, want %d", data.APIKeyUsage, n+5)
	}
}

// Ensure usage of a key deleted before the flush is dropped without error
// and leaves no rows behind.
func TestRecorder_DeletedKey(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "short-lived", "SEND_EMAILS")
	for range 3 {
		app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	}
	var del struct{ DeleteApiKey struct{ DeletedID string } }
	app.GQL(token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": k.ID}).Decode(t, &del)
	if err := app.Server.Usage.Flush(tenant.Unscoped(t.Context())); err != nil {
		t.Fatalf("flush after delete: %v", err)
	}
	id, _ := strconv.Atoi(k.ID)
	if n := app.DB.Client.KeyUsage.Query().Where(keyusage.APIKeyID(id)).CountX(tenant.Unscoped(t.Context())); n != 0 {
		t.Fatalf("%d usage rows left for the deleted key", n)
	}
}

// Ensure stopping the server (SIGTERM) writes what is pending.
func TestRecorder_FlushOnStop(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "last words", "SEND_EMAILS")
	for range 7 {
		app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	}
	if err := app.Server.Usage.Stop(tenant.Unscoped(t.Context())); err != nil { // what Server.Stop runs
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(k.ID)
	rows := app.DB.Client.KeyUsage.Query().Where(keyusage.APIKeyID(id)).AllX(tenant.Unscoped(t.Context()))
	if len(rows) != 1 || rows[0].Count != 7 {
		t.Fatalf("usage rows after stop = %+v, want one with 7", rows)
	}
	if strings.Contains(app.Logs.String(), k.Secret) {
		t.Fatal("the log contains the key")
	}
}
