package notify

import (
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
)

// message is a rendered email.
type message struct{ Subject, HTML, Text string }

// fact is one labelled line of an email ("Found at: https://…").
type fact struct{ Label, Value string }

// view is what the templates show. It never holds a secret: the key is
// named by its name and masked form only.
type view struct {
	Headline string
	Account  string
	KeyName  string
	Masked   string
	Facts    []fact
	Advice   string
	Link     string
	LinkText string
}

const textLayout = `{{.Headline}}

Account: {{.Account}}
Key: {{.KeyName}} ({{.Masked}})
{{range .Facts}}{{.Label}}: {{.Value}}
{{end}}
{{.Advice}}

{{.LinkText}}: {{.Link}}

— businesstools
`

const htmlLayout = `<!doctype html>
<html><body style="font-family: sans-serif; color: #1f2328;">
<p style="font-size: 16px;"><strong>{{.Headline}}</strong></p>
<table style="border-collapse: collapse;">
<tr><td style="padding: 2px 12px 2px 0; color: #59636e;">Account</td><td>{{.Account}}</td></tr>
<tr><td style="padding: 2px 12px 2px 0; color: #59636e;">Key</td><td>{{.KeyName}} (<code>{{.Masked}}</code>)</td></tr>
{{range .Facts}}<tr><td style="padding: 2px 12px 2px 0; color: #59636e;">{{.Label}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
<p>{{.Advice}}</p>
<p><a href="{{.Link}}">{{.LinkText}}</a></p>
<p style="color: #59636e; font-size: 12px;">businesstools</p>
</body></html>
`

var (
	textTmpl = texttemplate.Must(texttemplate.New("text").Parse(textLayout))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(htmlLayout))
)

// render builds the email of ev for the account named accountName.
func (n *Notifier) render(ev Event, accountName string) (message, error) {
	subject, v := n.describe(ev)
	v.Account = accountName
	v.KeyName = ev.Key.Name
	v.Masked = apikey.Mask(ev.Key.KeyStart, ev.Key.KeyEnd)
	if ev.Masked != "" {
		v.Masked = ev.Masked
	}
	var text, html strings.Builder
	if err := textTmpl.Execute(&text, v); err != nil {
		return message{}, apperr.Internalf(err, "notify: render text")
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return message{}, apperr.Internalf(err, "notify: render html")
	}
	return message{Subject: oneLine(subject), HTML: html.String(), Text: text.String()}, nil
}

// describe returns the subject and the event-specific parts of the email.
func (n *Notifier) describe(ev Event) (string, view) {
	name := "API key “" + ev.Key.Name + "”"
	when := fact{"When", stamp(ev.At)}
	v := view{Link: n.cfg.PublicURL + "/keys/" + strconv.Itoa(ev.Key.ID), LinkText: "Open the key"}
	roll := "Roll the key to issue a new secret, update the services that use it, then activate the key again."
	switch ev.Kind {
	case Leaked:
		v.Facts = []fact{{"Found at", clip(ev.URL)}, {"Source", orDash(ev.Source)}, when}
		if ev.Deactivated {
			v.Headline = name + " was found in a public repository and deactivated."
			v.Facts = append(v.Facts, fact{"Action", "Deactivated: requests made with it are refused."})
			v.Advice = roll
			return name + " was found in a public repository and deactivated", v
		}
		v.Headline = name + " was found in a public repository. It still works."
		v.Facts = append(v.Facts, fact{"Action", "None: this account only reports leaked keys (leakedKeyAction NOTIFY)."})
		v.Advice = "Roll the key now: anyone who read it can use it until you do."
		return name + " was found in a public repository", v
	case RevokedPublicly:
		v.Headline = name + " was revoked by someone holding its secret, and deactivated."
		v.Facts = []fact{{"Requested from", orDash(ev.ActorIP)}, when, {"Action", "Deactivated: requests made with it are refused."}}
		v.Advice = "Whoever sent the secret to /v1/credentials/revoke had it. " + roll
		return name + " was revoked publicly and deactivated", v
	case Expires7Days, Expires1Day:
		left := until(ev.Key.ExpiresAt, ev.At)
		v.Headline = name + " expires " + left + "."
		v.Facts = []fact{{"Expires", stamp(deref(ev.Key.ExpiresAt))}}
		v.Advice = "After that, requests made with it are refused. Extend its expiry or create a replacement before then."
		return name + " expires " + left, v
	case DeactivatedUnused:
		days := strconv.Itoa(ev.Days) + " days"
		v.Headline = name + " was deactivated after " + days + " without use."
		v.Facts = []fact{{"Last used", lastUsed(ev)}, when, {"Action", "Deactivated: requests made with it are refused."}}
		v.Advice = "This account deactivates keys unused for " + days + ". Activate it again if it is still needed."
		return name + " was deactivated after " + days + " without use", v
	case Created, Deleted, Rolled:
		verb := map[Kind]string{Created: "created", Deleted: "deleted", Rolled: "rolled (given a new secret)"}[ev.Kind]
		v.Headline = name + " was " + verb + " by " + orDash(ev.ActorEmail) + "."
		v.Facts = []fact{{"By", orDash(ev.ActorEmail)}, {"From IP address", orDash(ev.ActorIP)}, when}
		v.Advice = "If this was not expected, review the account's security log."
		if ev.Kind == Deleted {
			v.Link, v.LinkText = n.cfg.PublicURL+"/keys", "Open the key list"
		}
		return name + " was " + strings.TrimSuffix(verb, " (given a new secret)") + " by " + orDash(ev.ActorEmail), v
	}
	v.Headline = name + ": " + string(ev.Kind)
	return v.Headline, v
}

// until says how long is left before expiresAt, in words: "in 6 days",
// "within a day".
func until(expiresAt *time.Time, now time.Time) string {
	if expiresAt == nil {
		return "soon"
	}
	left := expiresAt.Sub(now)
	switch {
	case left <= 0:
		return "now"
	case left <= 24*time.Hour:
		return "within a day"
	}
	days := int((left + 24*time.Hour - 1) / (24 * time.Hour)) // rounded up
	return "in " + strconv.Itoa(days) + " days"
}

func lastUsed(ev Event) string {
	if ev.Key.LastUsedAt.After(time.Unix(0, 0)) {
		return stamp(ev.Key.LastUsedAt)
	}
	return "never (created " + stamp(ev.Key.CreatedAt) + ")"
}

func stamp(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// clip bounds a reported URL and drops control characters.
func clip(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > MaxURLLen {
		s = string(r[:MaxURLLen]) + "…"
	}
	return orDash(s)
}

// oneLine drops control characters (line breaks included), so nothing an
// admin or a reporter typed can start another header or line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
