package leaks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"businesstools/ent/auditevent"
	"businesstools/internal/apikey"
	"businesstools/internal/apptest"
	"businesstools/internal/leaks"
	"businesstools/internal/notify"
	"businesstools/internal/notify/notifytest"
)

func revoke(app *apptest.App, body any) *http.Response {
	return app.REST("POST", leaks.PathRevoke, "", body)
}

func idle(t *testing.T, app *apptest.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Server.Leaks.Idle(ctx); err != nil {
		t.Fatalf("revocations not processed: %v", err)
	}
}

// Ensure public revocation answers 202 with the count whatever the
// credentials are, then deactivates each real key (also a previous secret
// in its grace period), audits REVOKED_PUBLICLY, marks it LEAKED and emails
// each admin once — and a second revocation of the same secret nothing.
func TestRevoke(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Exposed", "SEND_EMAILS")
	kept := env.CreateKey(owner, "Kept", "SEND_EMAILS")
	unknown, _ := apikey.Generate()

	creds := []string{key.Secret, unknown, "garbage", ""}
	for range 2 {
		resp := revoke(env.App, map[string]any{"credentials": creds})
		var got leaks.RevokeResponse
		apptest.ReadJSON(t, resp, &got)
		if resp.StatusCode != http.StatusAccepted || got.Received != len(creds) {
			t.Fatalf("revoke: %d %+v", resp.StatusCode, got)
		}
		idle(t, env.App)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "INACTIVE" || !has(s.Warnings, "LEAKED") {
		t.Fatalf("revoked key: %+v", s)
	}
	if s := state(t, env.App, owner, kept.ID); s.Status != "ACTIVE" {
		t.Fatalf("other key: %+v", s)
	}
	ev := audits(t, env, auditevent.ActionREVOKED_PUBLICLY)
	if len(ev) != 1 || ev[0].APIKeyName != "Exposed" || ev[0].ClientIP != "127.0.0.1" || ev[0].ActorEmail != "system" {
		t.Fatalf("REVOKED_PUBLICLY events: %+v", ev)
	}
	ms := env.ExpectOnePerAdmin("API key “Exposed” was revoked publicly and deactivated")
	if strings.Contains(ms[0].Text, key.Secret) || !strings.Contains(ms[0].HTML, notifytest.PublicURL+"/keys/"+key.ID) {
		t.Fatalf("email:\n%s", ms[0].HTML)
	}
}

// Ensure bad requests answer their documented status and change nothing:
// malformed JSON, a body that is not an object, credentials that are not
// an array of strings, 1001 credentials, a 10 KB token, a body over 1 MiB,
// an unknown field, a body that is not JSON, a credential that is not text
// on one line (invalid UTF-8, a lone surrogate, NUL, a line break) — each
// 400 naming the credential.
func TestRevokeBadInput(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Target", "SEND_EMAILS")
	many := make([]string, leaks.MaxCredentials+1)
	for i := range many {
		many[i] = key.Secret
	}
	for name, c := range map[string]struct {
		body  any
		ctype string
		want  int
		field string
	}{
		"MalformedJSON":   {`{"credentials":[`, "", 400, ""},
		"NotAnObject":     {`["` + key.Secret + `"]`, "", 400, ""},
		"NotAnArray":      {`{"credentials":"` + key.Secret + `"}`, "", 400, "credentials"},
		"NotStrings":      {`{"credentials":[1,2]}`, "", 400, "credentials[0]"},
		"Missing":         {`{}`, "", 400, "credentials"},
		"Null":            {`null`, "", 400, ""},
		"TooMany":         {map[string]any{"credentials": many}, "", 400, "credentials"},
		"TokenOf10KB":     {map[string]any{"credentials": []string{key.Secret, strings.Repeat("x", 10<<10)}}, "", 400, "credentials[1]"},
		"UnknownField":    {map[string]any{"credentials": []string{key.Secret}, "reason": "x"}, "", 400, "reason"},
		"TooLarge":        {`{"credentials":["` + strings.Repeat("x", leaks.MaxBodyBytes) + `"]}`, "", 413, ""},
		"NotJSON":         {`credentials=` + key.Secret, "application/x-www-form-urlencoded", 415, ""},
		"InvalidUTF8Text": {"{\"credentials\":[\"" + key.Secret + "\",\"\xff\xfe\"]}", "", 400, "credentials[1]"},
		"LoneSurrogate":   {`{"credentials":["\ud800"]}`, "", 400, "credentials[0]"},
		"NUL":             {`{"credentials":["bt_\u0000"]}`, "", 400, "credentials[0]"},
		"LineBreak":       {map[string]any{"credentials": []string{key.Secret, key.Secret + "\n"}}, "", 400, "credentials[1]"},
		"C1Control":       {map[string]any{"credentials": []string{"bt_\u0085"}}, "", 400, "credentials[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			var opts []apptest.RequestOption
			if c.ctype != "" {
				opts = append(opts, apptest.WithHeader("Content-Type", c.ctype))
			}
			resp := env.REST("POST", leaks.PathRevoke, "", c.body, opts...)
			var p struct{ Field string }
			apptest.ReadJSON(t, resp, &p)
			if resp.StatusCode != c.want || (c.field != "" && p.Field != c.field) {
				t.Fatalf("status %d field %q, want %d %q", resp.StatusCode, p.Field, c.want, c.field)
			}
		})
	}
	idle(t, env.App)
	if s := state(t, env.App, owner, key.ID); s.Status != "ACTIVE" || len(s.Warnings) != 0 {
		t.Fatalf("a refused request changed the key: %+v", s)
	}
	if n := len(audits(t, env, auditevent.ActionREVOKED_PUBLICLY)); n != 0 {
		t.Fatalf("%d REVOKED_PUBLICLY events", n)
	}
	if n := len(env.Outbox("revoked")); n != 0 {
		t.Fatalf("%d emails", n)
	}
}

// Ensure one address gets 60 requests an hour, then 429 with Retry-After,
// while another address is not affected.
func TestRevokeRateLimit(t *testing.T) {
	env := notifytest.Start(t)
	for i := range 60 {
		if resp := revoke(env.App, map[string]any{"credentials": []string{}}); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := revoke(env.App, map[string]any{"credentials": []string{}})
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || retry < 1 || retry > 60 {
		t.Fatalf("request 61: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Bad requests count too: a flood of garbage is still a flood.
	if resp := revoke(env.App, "not json"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a bad request past the limit: %d", resp.StatusCode)
	}
}

// Ensure the answer does not wait for any lookup: with the worker not yet
// started, a request naming a real key is answered 202 exactly like one
// naming none, and nothing has happened to the key; the worker then
// deactivates it. (Same work on the request path, whatever the keys are.)
func TestRevokeAnswersBeforeLookup(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Slow", "SEND_EMAILS")
	unknown, _ := apikey.Generate()
	svc, err := leaks.New(leaks.Config{DB: env.DB, Keys: env.Server.Keys, Notifier: notify.New(notify.Config{From: "a@example.com"})})
	if err != nil {
		t.Fatal(err)
	}
	h := svc.Handler()
	answer := func(secret string) string {
		rec := httptest.NewRecorder()
		raw, _ := json.Marshal(map[string]any{"credentials": []string{secret}})
		h.ServeHTTP(rec, httptest.NewRequest("POST", leaks.PathRevoke, strings.NewReader(string(raw))))
		b, _ := io.ReadAll(rec.Body)
		return strconv.Itoa(rec.Code) + " " + string(b)
	}
	real, none := answer(key.Secret), answer(unknown)
	if real != none || !strings.HasPrefix(real, "202 ") {
		t.Fatalf("answers differ: %q vs %q", real, none)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "ACTIVE" {
		t.Fatalf("the request path touched the key: %+v", s)
	}
	svc.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "INACTIVE" {
		t.Fatalf("after the worker ran: %+v", s)
	}
}
