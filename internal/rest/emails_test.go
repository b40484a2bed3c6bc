package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/mail/mailtest"
	"businesstools/internal/tenant"
)

type emailJSON struct {
	ID         int        `json:"id"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  *string    `json:"last_error"`
	To         []string   `json:"to"`
	Subject    string     `json:"subject"`
	TemplateID *int       `json:"template_id"`
	Sink       *string    `json:"sink"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
}

func withSMTP(srv *mailtest.Server, backoff time.Duration, attempts int) apptest.Option {
	return func(c *config.Config) {
		c.SMTPURL = srv.URL
		c.MailBackoff = backoff
		c.MailMaxAttempts = attempts
	}
}

// send posts an email and returns its id, checking 202 and Location.
func send(t *testing.T, app *apptest.App, key string, body map[string]any) int {
	t.Helper()
	resp := app.REST("POST", "/v1/emails", key, body)
	var e emailJSON
	wantJSON(t, resp, http.StatusAccepted, &e)
	if e.Status != "queued" || e.ID == 0 || resp.Header.Get("Location") != fmt.Sprintf("/v1/emails/%d", e.ID) {
		t.Fatalf("202 answer %+v, Location %q", e, resp.Header.Get("Location"))
	}
	return e.ID
}

// waitStatus polls GET /v1/emails/{id} until the status is want.
func waitStatus(t *testing.T, app *apptest.App, key string, id int, want string) emailJSON {
	t.Helper()
	var e emailJSON
	eventually(t, "email "+want, func() bool {
		e = emailJSON{}
		wantJSON(t, app.REST("GET", fmt.Sprintf("/v1/emails/%d", id), key, nil), http.StatusOK, &e)
		return e.Status == want
	})
	return e
}

// Ensure an accepted email reaches a real SMTP server with its recipients,
// subject and both parts, and its status ends as sent.
func TestSendEmailOverSMTP(t *testing.T) {
	srv := mailtest.Start(t)
	app, key := resourceApp(t, withSMTP(srv, 0, 0))
	id := send(t, app, key, map[string]any{
		"to": []string{"ann@example.com", "Bob <bob@example.com>"}, "cc": []string{"cc@example.com"},
		"bcc": []string{"bcc@example.com"}, "reply_to": "help@example.com",
		"subject": "Welcome aboard", "html": "<p>Hi <b>there</b></p>", "text": "Hi there"})

	got := srv.WaitFor(1, 30*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	rcpts := slices.Sorted(slices.Values(got[0].To))
	if want := []string{"ann@example.com", "bcc@example.com", "bob@example.com", "cc@example.com"}; !slices.Equal(rcpts, want) {
		t.Errorf("envelope recipients %v, want %v", rcpts, want)
	}
	m, err := mailtest.Parse(got[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Welcome aboard" || m.Text != "Hi there" || m.HTML != "<p>Hi <b>there</b></p>" {
		t.Errorf("received subject %q text %q html %q", m.Subject, m.Text, m.HTML)
	}
	if !strings.Contains(m.Header.Get("To"), "bob@example.com") || m.Header.Get("Bcc") != "" ||
		!strings.Contains(m.Header.Get("Reply-To"), "help@example.com") || !strings.Contains(got[0].From, "noreply@example.com") {
		t.Errorf("headers To %q Bcc %q Reply-To %q, envelope from %q", m.Header.Get("To"), m.Header.Get("Bcc"), m.Header.Get("Reply-To"), got[0].From)
	}
	e := waitStatus(t, app, key, id, "sent")
	if e.Attempts != 1 || e.LastError != nil || e.Sink == nil || *e.Sink != "smtp" || e.SentAt == nil {
		t.Errorf("status %+v", e)
	}
}

// Ensure a template is rendered with the variables: escaped in HTML, as is
// in the subject and text.
func TestSendEmailFromTemplate(t *testing.T) {
	srv := mailtest.Start(t)
	app, key := resourceApp(t, withSMTP(srv, 0, 0))
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "welcome",
		"subject": "Hello {{.name}}", "html": "<p>Hello {{.name}}</p>", "text": "Hello {{.name}}, from {{.company}}"}),
		http.StatusCreated, &tpl)
	id := send(t, app, key, map[string]any{"to": []string{"ann@example.com"}, "template_id": tpl.ID,
		"variables": map[string]any{"name": "<Ann>", "company": "Acme & Co"}})
	got := srv.WaitFor(1, 30*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	m, err := mailtest.Parse(got[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Hello <Ann>" || m.HTML != "<p>Hello &lt;Ann&gt;</p>" || m.Text != "Hello <Ann>, from Acme & Co" {
		t.Errorf("received subject %q html %q text %q", m.Subject, m.HTML, m.Text)
	}
	e := waitStatus(t, app, key, id, "sent")
	if e.TemplateID == nil || *e.TemplateID != tpl.ID || e.Subject != "Hello <Ann>" {
		t.Errorf("status %+v", e)
	}
}

// Ensure a relay that refuses the first attempts is retried with backoff
// until it accepts, and the attempts and last error are shown meanwhile.
func TestSendEmailRetries(t *testing.T) {
	srv := mailtest.Start(t, mailtest.FailFirst(2))
	app, key := resourceApp(t, withSMTP(srv, 5*time.Millisecond, 5))
	id := send(t, app, key, map[string]any{"to": []string{"ann@example.com"}, "subject": "s", "text": "t"})
	e := waitStatus(t, app, key, id, "sent")
	if e.Attempts != 3 || srv.Tries() != 3 || len(srv.Received()) != 1 {
		t.Errorf("attempts %d, server tries %d, accepted %d", e.Attempts, srv.Tries(), len(srv.Received()))
	}
}

// Ensure mail that keeps failing ends as failed with the relay's error.
func TestSendEmailFailsAtLimit(t *testing.T) {
	srv := mailtest.Start(t, mailtest.FailFirst(100))
	app, key := resourceApp(t, withSMTP(srv, time.Millisecond, 2))
	id := send(t, app, key, map[string]any{"to": []string{"ann@example.com"}, "subject": "s", "text": "t"})
	e := waitStatus(t, app, key, id, "failed")
	if e.Attempts != 2 || e.LastError == nil || !strings.Contains(*e.LastError, "451") || e.SentAt != nil {
		t.Errorf("status %+v", e)
	}
}

// Ensure an authenticating relay works and its password never reaches the log.
func TestSendEmailSMTPAuthNotLogged(t *testing.T) {
	srv := mailtest.Start(t, mailtest.RequireAuth("mailer", "sup3r-s3cret-pw"))
	app, key := resourceApp(t, withSMTP(srv, 0, 0))
	id := send(t, app, key, map[string]any{"to": []string{"ann@example.com"}, "subject": "s", "text": "t"})
	waitStatus(t, app, key, id, "sent")
	if strings.Contains(app.Logs.String(), "sup3r-s3cret-pw") {
		t.Fatal("the SMTP password is in the log")
	}
	if !strings.Contains(app.Logs.String(), "mailer@") {
		t.Error("the relay (without password) is not logged")
	}
}

// Ensure without BT_SMTP_URL mail is captured in the database and shown sent.
func TestSendEmailCaptureSink(t *testing.T) {
	app, key := resourceApp(t)
	id := send(t, app, key, map[string]any{"to": []string{"ann@example.com"}, "subject": "s", "html": "<p>x</p>"})
	e := waitStatus(t, app, key, id, "sent")
	if e.Sink == nil || *e.Sink != "capture" {
		t.Errorf("sink %v", e.Sink)
	}
	stored := app.DB.Client.Email.GetX(tenant.Unscoped(context.Background()), id)
	if stored.HTML != "<p>x</p>" || stored.To[0] != "ann@example.com" {
		t.Errorf("captured %+v", stored)
	}
}

// Ensure each kind of bad send is refused naming the field and queues nothing.
func TestSendEmailBadInput(t *testing.T) {
	app, key := resourceApp(t)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "t", "subject": "Hi {{.name}}", "text": "x"}),
		http.StatusCreated, &tpl)
	other := otherAccountKey(t, app)
	var otherTpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", other, map[string]any{"name": "t", "text": "x"}), http.StatusCreated, &otherTpl)

	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	ok := func(extra map[string]any) map[string]any {
		m := map[string]any{"to": []string{"a@example.com"}, "subject": "s", "text": "t"}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"MalformedJSON", `{"to": [`, 400, ""},
		{"NotAnObject", `[1,2]`, 400, ""},
		{"UnknownField", ok(map[string]any{"sender": "x"}), 400, "sender"},
		{"WrongType", ok(map[string]any{"to": "a@example.com"}), 400, "to"},
		{"WrongTypeTemplateID", ok(map[string]any{"template_id": "one"}), 400, "template_id"},
		{"NoRecipients", ok(map[string]any{"to": []string{}}), 400, "to"},
		{"InvalidTo", ok(map[string]any{"to": []string{"a@example.com", "not-an-address"}}), 422, "to[1]"},
		{"InvalidCc", ok(map[string]any{"cc": []string{"x@"}}), 422, "cc[0]"},
		{"InvalidReplyTo", ok(map[string]any{"reply_to": "nobody"}), 422, "reply_to"},
		{"TooManyRecipients", ok(map[string]any{"to": many}), 422, "to"},
		{"TooManyAcrossFields", ok(map[string]any{"to": many[:30], "cc": many[30:]}), 422, "to"},
		{"HTMLAndTemplate", map[string]any{"to": []string{"a@example.com"}, "html": "<p>x</p>", "template_id": tpl.ID}, 400, "template_id"},
		{"Neither", map[string]any{"to": []string{"a@example.com"}, "subject": "s"}, 400, "html"},
		{"NoSubject", ok(map[string]any{"subject": nil}), 400, "subject"},
		{"VariablesWithoutTemplate", ok(map[string]any{"variables": map[string]any{"a": 1}}), 400, "variables"},
		{"MissingVariable", map[string]any{"to": []string{"a@example.com"}, "template_id": tpl.ID, "variables": map[string]any{}}, 422, "variables.name"},
		{"UnknownTemplate", map[string]any{"to": []string{"a@example.com"}, "template_id": 999999}, 404, "template_id"},
		{"OtherAccountsTemplate", map[string]any{"to": []string{"a@example.com"}, "template_id": otherTpl.ID}, 404, "template_id"},
		{"TooLarge", ok(map[string]any{"text": strings.Repeat("x", 1<<20)}), 413, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, app.REST("POST", "/v1/emails", key, c.body), c.status, c.field)
		})
	}
	if n := app.DB.Client.Email.Query().CountX(tenant.Unscoped(context.Background())); n != 0 {
		t.Fatalf("%d emails queued by refused requests", n)
	}
}

// Ensure Idempotency-Key replays the first answer for the same body and
// refuses another body, queueing one email in all.
func TestSendEmailIdempotency(t *testing.T) {
	app, key := resourceApp(t)
	body := map[string]any{"to": []string{"a@example.com"}, "subject": "once", "text": "t"}
	idem := apptest.WithHeader("Idempotency-Key", "order-42")
	first := app.REST("POST", "/v1/emails", key, body, idem)
	var e1 emailJSON
	wantJSON(t, first, http.StatusAccepted, &e1)

	again := app.REST("POST", "/v1/emails", key, body, idem)
	var e2 emailJSON
	wantJSON(t, again, http.StatusAccepted, &e2)
	if !reflect.DeepEqual(e1, e2) || again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %+v (Location %q) differs from %+v (%q)", e2, again.Header.Get("Location"), e1, first.Header.Get("Location"))
	}
	wantProblem(t, app.REST("POST", "/v1/emails", key, map[string]any{"to": []string{"a@example.com"}, "subject": "other", "text": "t"}, idem),
		http.StatusConflict, "Idempotency-Key")
	wantProblem(t, app.REST("POST", "/v1/emails", key, body, apptest.WithHeader("Idempotency-Key", strings.Repeat("k", 256))),
		http.StatusBadRequest, "Idempotency-Key")
	if n := app.DB.Client.Email.Query().CountX(tenant.Unscoped(context.Background())); n != 1 {
		t.Fatalf("%d emails queued, want 1", n)
	}
	// The key is the calling API key's: another key may use the same string.
	key2 := app.CreateKey(app.LoginOwner(), "second", "SEND_EMAILS").Secret
	wantJSON(t, app.REST("POST", "/v1/emails", key2, body, idem), http.StatusAccepted, nil)
}

// Ensure another account's key cannot see an email (404, not 403), and a
// key without emails:send is refused naming the scope.
func TestEmailIsolationAndScope(t *testing.T) {
	app, key := resourceApp(t)
	id := send(t, app, key, map[string]any{"to": []string{"a@example.com"}, "subject": "s", "text": "t"})
	other := otherAccountKey(t, app)
	wantProblem(t, app.REST("GET", fmt.Sprintf("/v1/emails/%d", id), other, nil), http.StatusNotFound, "")
	wantProblem(t, app.REST("GET", "/v1/emails/999999", key, nil), http.StatusNotFound, "")
	wantProblem(t, app.REST("GET", "/v1/emails/abc", key, nil), http.StatusNotFound, "")
	leadsOnly := app.CreateKey(app.LoginOwner(), "leads", "READ_LEADS").Secret
	p := wantProblem(t, app.REST("POST", "/v1/emails", leadsOnly, map[string]any{"to": []string{"a@example.com"}, "subject": "s", "text": "t"}),
		http.StatusForbidden, "")
	if p.Scope != "emails:send" {
		t.Fatalf("403 names scope %q", p.Scope)
	}
}
