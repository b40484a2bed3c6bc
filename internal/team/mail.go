package team

import (
	"fmt"
	"html"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/mail"
)

// inviteMessage is the invite email: who invited whom to which account, as
// what, and the link. The link is the only copy of the token outside the
// invitee's mailbox and this outbox row; the admins table holds its hash.
func inviteMessage(link, inviter, account string, role admin.Role, expires time.Time) mail.Message {
	until := expires.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
	text := fmt.Sprintf("%s invited you to manage the API keys of the account %q on businesstools, as %s.\n\n"+
		"Set your password and sign in here (the link works once, until %s):\n\n%s\n\n"+
		"If you did not expect this invitation, ignore this email.\n", inviter, account, role, until, link)
	esc := html.EscapeString
	body := fmt.Sprintf(`<p>%s invited you to manage the API keys of the account <strong>%s</strong> on businesstools, as %s.</p>`+
		`<p><a href="%s">Set your password and sign in</a> (the link works once, until %s).</p>`+
		`<p>If you did not expect this invitation, ignore this email.</p>`,
		esc(inviter), esc(account), esc(string(role)), esc(link), esc(until))
	return mail.Message{Subject: "You are invited to businesstools", Text: text, HTML: body}
}
