package notify

import (
	"strings"
	"testing"
	"time"

	"businesstools/ent"
)

// Ensure every event renders a plain subject naming the key, a text and an
// HTML part with the link to the key, escapes what admins typed in HTML,
// and keeps line breaks out of the subject.
func TestRender(t *testing.T) {
	n := New(Config{PublicURL: "https://keys.example.com/"})
	at := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
	expires := at.Add(6*24*time.Hour + time.Hour)
	k := &ent.ApiKey{ID: 42, Name: "CRM <b>Sync</b>\r\nBcc: x@example.com", KeyStart: "bt_AbCd", KeyEnd: "x9Zq", ExpiresAt: &expires, CreatedAt: at}
	for kind, subject := range map[Kind]string{
		Leaked:            "was found in a public repository and deactivated",
		RevokedPublicly:   "was revoked publicly and deactivated",
		Expires7Days:      "expires in 7 days",
		DeactivatedUnused: "was deactivated after 90 days without use",
		Created:           "was created by a@example.com",
		Rolled:            "was rolled by a@example.com",
		Deleted:           "was deleted by a@example.com",
	} {
		m, err := n.render(Event{Kind: kind, Key: k, At: at, Deactivated: true, URL: "https://github.com/a/b", Days: 90,
			ActorEmail: "a@example.com", ActorIP: "192.0.2.1"}, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Subject, "API key “CRM <b>Sync</b>Bcc: x@example.com” ") || !strings.HasSuffix(m.Subject, subject) {
			t.Errorf("%s: subject %q", kind, m.Subject)
		}
		link := "https://keys.example.com/keys/42"
		if kind == Deleted {
			link = "https://keys.example.com/keys"
		}
		if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`) {
			t.Errorf("%s: no link %s", kind, link)
		}
		if strings.Contains(m.HTML, "<b>Sync") || !strings.Contains(m.HTML, "&lt;b&gt;Sync") || !strings.Contains(m.Text, "bt_AbCd…x9Zq") {
			t.Errorf("%s: key name or mask not rendered safely:\n%s", kind, m.HTML)
		}
	}
}

// Ensure the time left is said in whole days, rounded up, or "within a day".
func TestUntil(t *testing.T) {
	now := time.Now()
	for d, want := range map[time.Duration]string{
		6*24*time.Hour + time.Minute: "in 7 days", 6 * 24 * time.Hour: "in 6 days", 25 * time.Hour: "in 2 days",
		24 * time.Hour: "within a day", time.Minute: "within a day", -time.Minute: "now",
	} {
		e := now.Add(d)
		if got := until(&e, now); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
