package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/requestid"
)

// Ensure an internal error answers problem+json with a fixed detail and the
// request id (the X-Request-Id header's), never driver text, and is logged
// with that id.
func TestInternalError_RequestID(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "Templates", "MANAGE_EMAIL_TEMPLATES")
	if _, err := app.DB.SQL.Exec(`ALTER TABLE templates RENAME TO templates_gone`); err != nil {
		t.Fatal(err)
	}
	resp := app.REST("GET", "/v1/templates", k.Secret, nil)
	var p struct {
		Status    int    `json:"status"`
		Detail    string `json:"detail"`
		RequestID string `json:"request_id"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &p); err != nil || resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("answer %d %s", resp.StatusCode, raw)
	}
	if p.RequestID == "" || p.RequestID != resp.Header.Get(requestid.Header) || p.Detail != "Something went wrong on our side." {
		t.Fatalf("problem %+v, X-Request-Id %q", p, resp.Header.Get(requestid.Header))
	}
	if body := strings.ToLower(string(raw)); strings.Contains(body, "templates_gone") || strings.Contains(body, "sql") || strings.Contains(body, "pq:") {
		t.Fatalf("the answer carries driver text: %s", raw)
	}
	if !strings.Contains(app.Logs.String(), `"request_id":"`+p.RequestID+`"`) {
		t.Fatalf("no log line carries request_id %s", p.RequestID)
	}
	// Every answer, not only errors, carries an id.
	if resp := app.REST("GET", "/v1/me", k.Secret, nil); resp.Header.Get(requestid.Header) == "" {
		t.Fatal("GET /v1/me without X-Request-Id")
	}
}
