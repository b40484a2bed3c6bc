package team_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/team"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure an invite stops working after 72 hours and changes nothing then.
func TestAccept_Expired(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	o, err := auth.CreateAdmin(ctx, d.Client, "Acme", "owner@acme.example", "owner password")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	svc := team.New(team.Config{Client: d.Client, PublicURL: "https://keys.example.com/", MailFrom: "noreply@example.com",
		Now: func() time.Time { return now }})
	v := &auth.Viewer{AdminID: o.ID, AccountID: o.AccountID, Email: o.Email, Role: admin.RoleOWNER}
	scoped := auth.WithViewer(ctx, v)
	if _, err := svc.Invite(scoped, v, "late@acme.example", admin.RoleADMIN); err != nil {
		t.Fatal(err)
	}
	e := d.Client.Email.Query().OnlyX(tenant.Unscoped(ctx))
	m := regexp.MustCompile(`https://keys\.example\.com/invite/(\S+)`).FindStringSubmatch(e.Text)
	if m == nil {
		t.Fatalf("no link in %q", e.Text)
	}
	now = now.Add(team.InviteValidFor)
	_, err = svc.Accept(ctx, m[1], "a long enough password")
	if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != "token" {
		t.Fatalf("accept after 72 h: %v", err)
	}
	if a := d.Client.Admin.Query().Where(admin.Email("late@acme.example")).OnlyX(tenant.Unscoped(ctx)); !a.InvitePending {
		t.Fatal("an expired accept changed the admin")
	}
	now = now.Add(-time.Second)
	if _, err := svc.Accept(ctx, m[1], "a long enough password"); err != nil {
		t.Fatalf("accept a second before expiry: %v", err)
	}
}
