package leaks_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/ent/auditevent"
	"businesstools/internal/apikey"
	"businesstools/internal/apptest"
	"businesstools/internal/leaks"
	"businesstools/internal/notify/notifytest"
)

const leakURL = "https://github.com/acme/crm/blob/0123abc/config.yml"

// Ensure a signed report deactivates the reported key, labels each token,
// audits LEAKED with the URL, emails each admin exactly once (text and
// HTML, a link to the key, never the secret), and that a replay changes
// nothing and emails no one; a roll then clears the LEAKED warning.
func TestSecretScanningDeactivates(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "CRM Sync (prod)", "SEND_EMAILS")
	other := env.CreateKey(owner, "Other", "SEND_EMAILS")
	unknown, _ := apikey.Generate()
	raw := body(t, leak(key.Secret, leakURL), leak(unknown, leakURL), leak("bt_notakey", leakURL),
		tok{Token: "ghp_somethingelse", Type: "github_personal_access_token", URL: leakURL})

	labels := gh.report(t, env.App, "k1", raw)
	tokens := []string{key.Secret, unknown, "bt_notakey", "ghp_somethingelse"}
	want := []string{leaks.TruePositive, leaks.FalsePositive, leaks.FalsePositive, leaks.FalsePositive}
	if len(labels) != len(tokens) {
		t.Fatalf("%d labels for %d tokens", len(labels), len(tokens))
	}
	for i, l := range labels {
		if l.Label != want[i] || l.TokenType != leaks.TokenType || l.TokenHash != hashHex(tokens[i]) {
			t.Errorf("label %d = %+v, want %s", i, l, want[i])
		}
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "INACTIVE" || !has(s.Warnings, "LEAKED") {
		t.Fatalf("reported key: %+v", s)
	}
	if s := state(t, env.App, owner, other.ID); s.Status != "ACTIVE" || len(s.Warnings) != 0 {
		t.Fatalf("other key: %+v", s)
	}
	if resp := env.REST("GET", "/v1/me", key.Secret, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the leaked key still works: %d", resp.StatusCode)
	}
	ev := audits(t, env, auditevent.ActionLEAKED)
	if len(ev) != 1 || !strings.Contains(ev[0].Detail, leakURL) || ev[0].ActorEmail != "system" || ev[0].APIKeyName != "CRM Sync (prod)" {
		t.Fatalf("LEAKED events: %+v", ev)
	}
	subject := "API key “CRM Sync (prod)” was found in a public repository and deactivated"
	for _, m := range env.ExpectOnePerAdmin(subject) {
		for _, part := range []string{m.Text, m.HTML} {
			if !strings.Contains(part, notifytest.PublicURL+"/keys/"+key.ID) || !strings.Contains(part, leakURL) ||
				!strings.Contains(part, apikey.Start(key.Secret)) {
				t.Errorf("email part lacks the link, the URL or the masked key:\n%s", part)
			}
			if strings.Contains(part, key.Secret) || strings.Contains(part, key.Secret[len(apikey.Prefix):]) {
				t.Fatal("an email holds the secret")
			}
		}
	}

	t.Run("Replay", func(t *testing.T) {
		labels := gh.report(t, env.App, "k1", raw)
		if labels[0].Label != leaks.TruePositive {
			t.Fatalf("replay labels %+v", labels)
		}
		if n := len(audits(t, env, auditevent.ActionLEAKED)); n != 1 {
			t.Fatalf("%d LEAKED events after a replay", n)
		}
		env.ExpectOnePerAdmin(subject)
	})
	t.Run("RollClearsLeaked", func(t *testing.T) {
		var data struct {
			RollApiKey struct{ ApiKey keyState }
		}
		env.GQL(owner, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:0){apiKey{status warnings}}}`,
			map[string]any{"id": key.ID}).Decode(t, &data)
		if has(data.RollApiKey.ApiKey.Warnings, "LEAKED") {
			t.Fatalf("LEAKED after a roll: %+v", data.RollApiKey.ApiKey)
		}
	})
}

// Ensure an account whose leakedKeyAction is NOTIFY keeps the key working
// but marks it LEAKED and tells the admins it still works; and that the
// previous secret of a roll, in its grace period, is a true positive too.
func TestSecretScanningNotifyAndPreviousSecret(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	owner := env.LoginOwner()
	env.GQL(owner, `mutation{updateAccountSettings(input:{leakedKeyAction:NOTIFY}){leakedKeyAction}}`, nil).Decode(t, &struct{}{})
	key := env.CreateKey(owner, "Billing", "SEND_EMAILS")
	var rolled struct{ RollApiKey struct{ Secret string } }
	env.GQL(owner, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:3600){secret}}`, map[string]any{"id": key.ID}).Decode(t, &rolled)

	labels := gh.report(t, env.App, "k1", body(t, leak(key.Secret, leakURL)))
	if labels[0].Label != leaks.TruePositive {
		t.Fatalf("previous secret in grace: %+v", labels)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "ACTIVE" || !has(s.Warnings, "LEAKED") {
		t.Fatalf("NOTIFY: %+v", s)
	}
	if resp := env.REST("GET", "/v1/me", rolled.RollApiKey.Secret, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("NOTIFY switched the key off: %d", resp.StatusCode)
	}
	ms := env.ExpectOnePerAdmin("API key “Billing” was found in a public repository")
	if strings.Contains(ms[0].Subject, "deactivated") || !strings.Contains(ms[0].Text, "still works") {
		t.Fatalf("NOTIFY email: %s\n%s", ms[0].Subject, ms[0].Text)
	}
	ev := audits(t, env, auditevent.ActionLEAKED)
	if len(ev) != 1 || !strings.Contains(ev[0].Detail, "previous secret") {
		t.Fatalf("LEAKED events: %+v", ev)
	}
}

// Ensure every refused report — unsigned, signed by another key, with a
// truncated, non-base64 or another body's signature, an unknown key id, a
// body over 1 MiB — answers 401/413 and changes nothing; and that signed
// but malformed reports answer 400, and unknown types false_positive,
// without changes either.
func TestSecretScanningBadInput(t *testing.T) {
	gh := newScanner(t, "k1", "k2")
	stranger := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Target", "SEND_EMAILS")
	raw := body(t, leak(key.Secret, leakURL))
	good := gh.sign(t, "k1", raw)
	huge := append(append([]byte(`[{"token":"`), bytes.Repeat([]byte("a"), leaks.MaxBodyBytes)...), `"}]`...)

	for name, c := range map[string]struct {
		raw      []byte
		id, sig  string
		wantCode int
	}{
		"Unsigned":        {raw, "", "", http.StatusUnauthorized},
		"NoKeyID":         {raw, "", good, http.StatusUnauthorized},
		"WrongKey":        {raw, "k1", stranger.sign(t, "k1", raw), http.StatusUnauthorized},
		"OtherKeyIDsKey":  {raw, "k2", good, http.StatusUnauthorized},
		"UnknownKeyID":    {raw, "k9", good, http.StatusUnauthorized},
		"Truncated":       {raw, "k1", good[:len(good)-8], http.StatusUnauthorized},
		"NotBase64":       {raw, "k1", "%%%not-base64%%%", http.StatusUnauthorized},
		"OtherBodysSig":   {raw, "k1", gh.sign(t, "k1", body(t, leak(key.Secret, "https://elsewhere"))), http.StatusUnauthorized},
		"BodyChanged":     {append(raw[:len(raw)-1:len(raw)-1], ' ', ']'), "k1", good, http.StatusUnauthorized},
		"TooLarge":        {huge, "k1", gh.sign(t, "k1", huge), http.StatusRequestEntityTooLarge},
		"MalformedJSON":   {[]byte(`[{"token":`), "k1", gh.sign(t, "k1", []byte(`[{"token":`)), http.StatusBadRequest},
		"NotAnArray":      {[]byte(`{"token":"x"}`), "k1", gh.sign(t, "k1", []byte(`{"token":"x"}`)), http.StatusBadRequest},
		"TokenNotAString": {[]byte(`[{"token":5}]`), "k1", gh.sign(t, "k1", []byte(`[{"token":5}]`)), http.StatusBadRequest},
		"Null":            {[]byte(`null`), "k1", gh.sign(t, "k1", []byte(`null`)), http.StatusBadRequest},
	} {
		t.Run(name, func(t *testing.T) {
			resp := post(env.App, c.raw, c.id, c.sig)
			if resp.StatusCode != c.wantCode || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Header.Get("Content-Type"), c.wantCode)
			}
		})
	}
	t.Run("UnknownType", func(t *testing.T) {
		other := leak(key.Secret, leakURL)
		other.Type = "some_other_token"
		labels := gh.report(t, env.App, "k2", body(t, other))
		if len(labels) != 1 || labels[0].Label != leaks.FalsePositive {
			t.Fatalf("labels %+v", labels)
		}
	})
	wantUntouched(t, env, owner, key.ID)
	t.Run("SecondKeyWorks", func(t *testing.T) {
		if labels := gh.report(t, env.App, "k2", raw); labels[0].Label != leaks.TruePositive {
			t.Fatalf("labels %+v", labels)
		}
	})
}

// Ensure two server processes on one database, receiving the same report
// at the same time, deactivate the key once: one LEAKED event, one email
// per admin.
func TestSecretScanningTwoProcesses(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	second := env.Also(gh.option())
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Shared", "SEND_EMAILS")
	raw := body(t, leak(key.Secret, leakURL))
	sig := gh.sign(t, "k1", raw)

	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app := env.App
			if i%2 == 1 {
				app = second
			}
			codes[i] = post(app, raw, "k1", sig).StatusCode
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("request %d: %d", i, c)
		}
	}
	if n := len(audits(t, env, auditevent.ActionLEAKED)); n != 1 {
		t.Fatalf("%d LEAKED events", n)
	}
	env.ExpectOnePerAdmin("API key “Shared” was found")
	if resp := second.REST("GET", "/v1/me", key.Secret, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the second process still accepts the key: %d", resp.StatusCode)
	}
}

// Ensure GET and other methods answer 405 naming POST.
func TestLeakRoutesMethods(t *testing.T) {
	env := notifytest.Start(t)
	for _, path := range []string{leaks.PathSecretScanning, leaks.PathRevoke} {
		resp := env.REST("GET", path, "", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d Allow %q", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// Ensure a key GitHub rotates in — added to the BT_SECRET_SCANNING_KEYS
// file while the server runs — verifies reports without a restart.
func TestSecretScanningKeyRotation(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	rotated := newScanner(t, "k1", "k2")
	raw, err := os.ReadFile(rotated.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gh.path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Minute) // a different mtime, whatever the file system's precision
	if err := os.Chtimes(gh.path, future, future); err != nil {
		t.Fatal(err)
	}
	if labels := rotated.report(t, env.App, "k2", body(t, leak("bt_x", leakURL))); len(labels) != 1 {
		t.Fatalf("labels %+v", labels)
	}
}

// Ensure the OpenAPI document describes both leak routes without API key
// security and with every status they answer.
func TestLeakRoutesDocumented(t *testing.T) {
	doc, _, err := apptest.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for path, codes := range map[string][]string{
		leaks.PathSecretScanning: {"200", "400", "401", "413", "500"},
		leaks.PathRevoke:         {"202", "400", "413", "415", "429", "500"},
	} {
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil {
			t.Fatalf("POST %s is not documented", path)
		}
		if item.Post.Security == nil || len(*item.Post.Security) != 0 {
			t.Errorf("POST %s: security %v, want none", path, item.Post.Security)
		}
		for _, c := range codes {
			if item.Post.Responses.Value(c) == nil {
				t.Errorf("POST %s: no %s response", path, c)
			}
		}
	}
}

// Ensure a signed report with one item whose token, type, url or source is
// not plain text within its limit — NUL (the bug: PostgreSQL refused the
// write after a 200), another control character, invalid UTF-8, a lone
// surrogate, too many characters — or an item of the wrong shape answers
// 400 problem+json naming the field with the item's index, and changes
// nothing for any item of the report: the reported key stays active, no
// LEAKED event, no email; and that neither the answer nor the log echoes
// the key.
func TestSecretScanningBadFields(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Target", "SEND_EMAILS")
	good := leak(key.Secret, leakURL)
	with := func(f func(*tok)) tok {
		t := good
		f(&t)
		return t
	}
	other := with(func(t *tok) { t.Token = "bt_other" })
	// raw is a report of good, other and a third item whose url is
	// "https://x/" + frag, written into the JSON as is (bytes or escapes
	// that json.Marshal would not write).
	raw := func(frag string) []byte {
		b := body(t, good, other, with(func(t *tok) { t.URL = "https://x/FRAG" }))
		return bytes.Replace(b, []byte("FRAG"), []byte(frag), 1)
	}

	for name, c := range map[string]struct {
		raw   []byte
		field string
	}{
		"NULInURL":           {body(t, with(func(t *tok) { t.URL = "https://x/\x00y" })), "[0].url"},
		"NULInSource":        {body(t, other, with(func(t *tok) { t.Source = "com\x00mit" })), "[1].source"},
		"NULInToken":         {body(t, with(func(t *tok) { t.Token = key.Secret + "\x00" })), "[0].token"},
		"NULInType":          {body(t, good, with(func(t *tok) { t.Type = leaks.TokenType + "\x00" })), "[1].type"},
		"LineBreakInURL":     {body(t, good, other, with(func(t *tok) { t.URL = leakURL + "\nBcc: x@example.com" })), "[2].url"},
		"TabInSource":        {body(t, with(func(t *tok) { t.Source = "com\tmit" })), "[0].source"},
		"DELInToken":         {body(t, with(func(t *tok) { t.Token = key.Secret[:10] + "\x7f" + key.Secret[10:] })), "[0].token"},
		"C1InType":           {body(t, good, with(func(t *tok) { t.Type = "\u0085" + leaks.TokenType })), "[1].type"},
		"InvalidUTF8InURL":   {raw("\xff\xfe"), "[2].url"},
		"CutCharacterInURL":  {raw("caf\xc3"), "[2].url"},
		"LoneSurrogateInURL": {raw(`\ud800`), "[2].url"},
		"EscapedNULInURL":    {raw(`\u0000`), "[2].url"},
		"URLOf500KB":         {body(t, good, with(func(t *tok) { t.URL = "https://x/" + strings.Repeat("a", 500<<10) })), "[1].url"},
		"URLOneOver":         {body(t, with(func(t *tok) { t.URL = strings.Repeat("é", leaks.MaxReportURLLen+1) })), "[0].url"},
		"TokenOneOver":       {body(t, good, with(func(t *tok) { t.Token = strings.Repeat("x", leaks.MaxReportTokenLen+1) })), "[1].token"},
		"TypeOneOver":        {body(t, with(func(t *tok) { t.Type = strings.Repeat("t", leaks.MaxReportTypeLen+1) })), "[0].type"},
		"SourceOneOver":      {body(t, with(func(t *tok) { t.Source = strings.Repeat("😀", leaks.MaxReportSourceLen+1) })), "[0].source"},
		"TokenNotAString":    {[]byte(`[{"token":"` + key.Secret + `","type":"` + leaks.TokenType + `"},{"token":5}]`), "[1].token"},
		"ItemNotAnObject":    {[]byte(`[{"token":"` + key.Secret + `","type":"` + leaks.TokenType + `"},"x"]`), "[1]"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := post(env.App, c.raw, "k1", gh.sign(t, "k1", c.raw))
			answer, _ := io.ReadAll(resp.Body)
			var p struct{ Field string }
			_ = json.Unmarshal(answer, &p)
			if resp.StatusCode != http.StatusBadRequest || p.Field != c.field ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%d field %q (%s), want 400 naming %q", resp.StatusCode, p.Field, answer, c.field)
			}
			if strings.Contains(string(answer), key.Secret) {
				t.Fatalf("the answer echoes the key: %s", answer)
			}
		})
	}
	wantUntouched(t, env, owner, key.ID)
	if logs := env.Logs.String(); strings.Contains(logs, key.Secret) || strings.Contains(logs, key.Secret[len(apikey.Prefix):]) {
		t.Fatalf("the log holds the key:\n%s", logs)
	}

	// Fields at their limits, counted in characters, are accepted, and the
	// URL is kept whole in the audit trail and the email.
	t.Run("AtTheLimits", func(t *testing.T) {
		long := "https://github.com/acme/crm/blob/main/" + strings.Repeat("é", leaks.MaxReportURLLen-38)
		edge := with(func(t *tok) { t.URL, t.Source = long, strings.Repeat("😀", leaks.MaxReportSourceLen) })
		labels := gh.report(t, env.App, "k1", body(t, edge, tok{Token: strings.Repeat("x", leaks.MaxReportTokenLen),
			Type: strings.Repeat("t", leaks.MaxReportTypeLen)}))
		if len(labels) != 2 || labels[0].Label != leaks.TruePositive || labels[1].Label != leaks.FalsePositive {
			t.Fatalf("labels %+v", labels)
		}
		ev := audits(t, env, auditevent.ActionLEAKED)
		if len(ev) != 1 || !strings.Contains(ev[0].Detail, long) {
			t.Fatalf("LEAKED events: %+v", ev)
		}
		if ms := env.ExpectOnePerAdmin("API key “Target” was found"); !strings.Contains(ms[0].Text, long) {
			t.Fatalf("the email clips the URL:\n%s", ms[0].Text)
		}
	})
}

// Ensure a true positive whose handling fails in the database is not
// answered as handled: 500 problem+json with a request id and no driver
// text (so GitHub sends the report again), the key unchanged, no event, no
// email; the failure is logged with the key's id, never the secret; and
// the report sent again once the database works handles the key once.
func TestSecretScanningActFailureAnswers500(t *testing.T) {
	gh := newScanner(t, "k1")
	env := notifytest.Start(t, gh.option())
	owner := env.LoginOwner()
	key := env.CreateKey(owner, "Fragile", "SEND_EMAILS")
	raw := body(t, leak(key.Secret, leakURL))
	rename := func(from, to string) {
		t.Helper()
		if _, err := env.DB.SQL.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
			t.Fatal(err)
		}
	}

	rename("audit_events", "audit_events_gone") // the audit event is the transaction's last write
	resp := post(env.App, raw, "k1", gh.sign(t, "k1", raw))
	answer, _ := io.ReadAll(resp.Body)
	rename("audit_events_gone", "audit_events")
	var p struct {
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal(answer, &p)
	if resp.StatusCode != http.StatusInternalServerError || p.RequestID == "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("answer %d %s, want 500 problem+json with a request id", resp.StatusCode, answer)
	}
	if a := strings.ToLower(string(answer)); strings.Contains(a, "audit_events") || strings.Contains(a, "label") {
		t.Fatalf("the answer carries driver text or labels: %s", answer)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "ACTIVE" || len(s.Warnings) != 0 {
		t.Fatalf("a failed report changed the key: %+v", s)
	}
	if n := len(env.Outbox("public repository")); n != 0 {
		t.Fatalf("%d emails for a key not handled", n)
	}
	logs := env.Logs.String()
	if !strings.Contains(logs, `"msg":"act on leaked key","key_id":`+key.ID) || !strings.Contains(logs, `"request_id":"`+p.RequestID+`"`) {
		t.Fatalf("the failure is not logged with the key id and the request id:\n%s", logs)
	}
	if strings.Contains(logs, key.Secret) || strings.Contains(logs, key.Secret[len(apikey.Prefix):]) {
		t.Fatalf("the log holds the key:\n%s", logs)
	}

	if labels := gh.report(t, env.App, "k1", raw); labels[0].Label != leaks.TruePositive {
		t.Fatalf("retry: labels %+v", labels)
	}
	if s := state(t, env.App, owner, key.ID); s.Status != "INACTIVE" || !has(s.Warnings, "LEAKED") {
		t.Fatalf("after the retry: %+v", s)
	}
	if n := len(audits(t, env, auditevent.ActionLEAKED)); n != 1 {
		t.Fatalf("%d LEAKED events after the retry", n)
	}
	env.ExpectOnePerAdmin("API key “Fragile” was found")
}

// wantUntouched checks that refused reports left the key active without
// warnings, wrote no LEAKED event and sent no email.
func wantUntouched(t *testing.T, env *notifytest.Env, owner, keyID string) {
	t.Helper()
	if s := state(t, env.App, owner, keyID); s.Status != "ACTIVE" || len(s.Warnings) != 0 {
		t.Fatalf("a refused report changed the key: %+v", s)
	}
	if n := len(audits(t, env, auditevent.ActionLEAKED)); n != 0 {
		t.Fatalf("%d LEAKED events", n)
	}
	if n := len(env.Outbox("public repository")); n != 0 {
		t.Fatalf("%d emails", n)
	}
}
