// Package notifytest starts a test server whose mail goes to a real
// in-process SMTP server, with two admins in its first account, and reads
// the notification emails back — from the outbox (every email ever
// enqueued, so "exactly one" needs no waiting) and from the SMTP server
// (what was really delivered).
package notifytest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/internal/apptest"
	"businesstools/internal/auth"
	"businesstools/internal/config"
	"businesstools/internal/mail/mailtest"
	"businesstools/internal/tenant"
)

// SecondAdmin is the other admin of the first account.
const SecondAdmin = "second@example.com"

// Admins are both admins of the first account, sorted.
var Admins = []string{apptest.OwnerEmail, SecondAdmin}

// PublicURL is the test servers' BT_PUBLIC_URL.
const PublicURL = "https://keys.example.com"

// Env is a test server with its SMTP server.
type Env struct {
	*apptest.App
	SMTP *mailtest.Server
	tb   testing.TB
}

// Start runs a server relaying to a new SMTP server, with a second admin.
func Start(tb testing.TB, opts ...apptest.Option) *Env {
	tb.Helper()
	smtp := mailtest.Start(tb)
	opts = append([]apptest.Option{func(c *config.Config) { c.SMTPURL, c.PublicURL = smtp.URL, PublicURL }}, opts...)
	app := apptest.New(tb, opts...)
	if _, err := auth.CreateAdmin(context.Background(), app.DB.Client, "Default", SecondAdmin, apptest.OwnerPassword); err != nil &&
		!strings.Contains(err.Error(), "already") {
		tb.Fatalf("second admin: %v", err)
	}
	return &Env{App: app, SMTP: smtp, tb: tb}
}

// Also runs another server (process) on e's database, relaying to e's SMTP server.
func (e *Env) Also(opts ...apptest.Option) *apptest.App {
	e.tb.Helper()
	opts = append([]apptest.Option{apptest.SameDatabase(e.App), func(c *config.Config) {
		c.SMTPURL, c.PublicURL = e.SMTP.URL, PublicURL
	}}, opts...)
	return apptest.New(e.tb, opts...)
}

// Outbox returns every email enqueued whose subject contains part, oldest first.
func (e *Env) Outbox(part string) []*ent.Email {
	e.tb.Helper()
	all, err := e.DB.Client.Email.Query().Where(email.SubjectContains(part)).Order(email.ByID()).
		All(tenant.Unscoped(context.Background()))
	if err != nil {
		e.tb.Fatal(err)
	}
	return all
}

// ExpectOnePerAdmin checks the outbox holds exactly one email with the
// subject part for each admin, and waits for the SMTP server to have them;
// it returns them as delivered, parsed, in the order of Admins.
func (e *Env) ExpectOnePerAdmin(part string) []mailtest.Message {
	e.tb.Helper()
	out := e.Outbox(part)
	var to []string
	for _, m := range out {
		to = append(to, m.To...)
	}
	slices.Sort(to)
	if !slices.Equal(to, Admins) {
		e.tb.Fatalf("emails %q went to %v, want one to each of %v", part, to, Admins)
	}
	return e.Delivered(part, len(Admins))
}

// Delivered waits until the SMTP server received n messages whose subject
// contains part and returns them in the order of their recipients.
func (e *Env) Delivered(part string, n int) []mailtest.Message {
	e.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []mailtest.Message
		var rcpt []string
		for _, r := range e.SMTP.Received() {
			m, err := mailtest.Parse(r.Data)
			if err != nil {
				e.tb.Fatalf("parse delivered mail: %v", err)
			}
			if strings.Contains(m.Subject, part) {
				got = append(got, m)
				rcpt = append(rcpt, strings.Join(r.To, ","))
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				e.tb.Fatalf("%d messages %q delivered, want %d", len(got), part, n)
			}
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			slices.SortFunc(idx, func(a, b int) int { return strings.Compare(rcpt[a], rcpt[b]) })
			sorted := make([]mailtest.Message, n)
			for i, j := range idx {
				sorted[i] = got[j]
			}
			return sorted
		}
		e.SMTP.WaitFor(len(e.SMTP.Received())+1, 50*time.Millisecond)
	}
}
