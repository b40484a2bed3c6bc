package team_test

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/team"
)

// setInviteExpiry moves a pending invite's end, as if it had been sent earlier.
func setInviteExpiry(t *testing.T, app *apptest.App, id string, at time.Time) {
	t.Helper()
	n, err := strconv.Atoi(id)
	if err != nil {
		t.Fatal(err)
	}
	app.DB.Client.Admin.UpdateOneID(n).SetInviteExpiresAt(at).ExecX(unscoped)
}

// expiries lists the team over GraphQL: email → inviteExpiresAt ("" for null).
func expiries(t *testing.T, app *apptest.App, session string) map[string]string {
	t.Helper()
	var data struct {
		Admins []struct {
			Email           string
			InvitePending   bool
			InviteExpiresAt *string
		}
	}
	app.GQL(session, `{admins{email invitePending inviteExpiresAt}}`, nil).Decode(t, &data)
	out := map[string]string{}
	for _, a := range data.Admins {
		if (a.InviteExpiresAt != nil) != a.InvitePending {
			t.Fatalf("%s: invitePending %v but inviteExpiresAt %v", a.Email, a.InvitePending, a.InviteExpiresAt)
		}
		out[a.Email] = ""
		if a.InviteExpiresAt != nil {
			out[a.Email] = *a.InviteExpiresAt
		}
	}
	return out
}

func sameTime(t *testing.T, gql string, want time.Time) bool {
	t.Helper()
	got, err := time.Parse(time.RFC3339Nano, gql)
	if err != nil {
		t.Fatalf("inviteExpiresAt %q: %v", gql, err)
	}
	return got.Sub(want).Abs() < time.Millisecond
}

// Ensure inviting the email of one of the account's pending invites again
// re-sends it: the same admin with the new role, exactly one new email whose
// link replaces the old one, 72 h from now, and an audit event; GraphQL
// tells the expiry of pending invites only.
func TestInvite_Resend(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	first := invite(t, app, owner, "late@example.com", "VIEWER")
	oldToken := inviteToken(t, app, "late@example.com")
	setInviteExpiry(t, app, first.ID, time.Now().Add(time.Hour)) // live, sent 71 h ago
	admins, emails := app.DB.Client.Admin.Query().CountX(unscoped), app.DB.Client.Email.Query().CountX(unscoped)

	before := time.Now()
	again := invite(t, app, owner, " Late@Example.com ", "ADMIN")
	after := time.Now()
	if again.ID != first.ID || again.Email != "late@example.com" || again.Role != "ADMIN" {
		t.Fatalf("re-sent %+v, first %+v", again, first)
	}
	if a, e := app.DB.Client.Admin.Query().CountX(unscoped), app.DB.Client.Email.Query().CountX(unscoped); a != admins || e != emails+1 {
		t.Fatalf("the resend made %d admins and %d emails, want 0 and 1", a-admins, e-emails)
	}
	if got, want := lastEvent(t, app), "ADMIN_INVITED by owner@example.com: late@example.com as ADMIN (re-sent)"; got != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
	newToken := inviteToken(t, app, "late@example.com")
	if newToken == oldToken {
		t.Fatal("the re-sent email has the old link")
	}
	row := app.DB.Client.Admin.Query().Where(admin.Email("late@example.com")).OnlyX(unscoped)
	hash := sha256.Sum256([]byte(newToken))
	if row.InviteTokenHash == nil || string(*row.InviteTokenHash) != string(hash[:]) || row.Role != admin.RoleADMIN || !row.InvitePending {
		t.Fatal("the row does not hold the new token's hash, the new role and the pending state")
	}
	exp := row.InviteExpiresAt
	if exp == nil || exp.Before(before.Add(team.InviteValidFor-time.Second)) || exp.After(after.Add(team.InviteValidFor+time.Second)) {
		t.Fatalf("expires %v, want 72 h after %v", exp, before)
	}
	list := expiries(t, app, owner)
	if list[apptest.OwnerEmail] != "" || !sameTime(t, list["late@example.com"], *exp) {
		t.Fatalf("inviteExpiresAt %v, want null for the owner and %v for the invite", list, *exp)
	}

	resp, _ := accept(t, app, oldToken, "a long enough password")
	wantCode(t, resp, "BAD_USER_INPUT", "token")
	resp, _ = accept(t, app, newToken, "a long enough password")
	var data struct {
		AcceptInvite struct{ Admin struct{ Email, Role string } }
	}
	resp.Decode(t, &data)
	if got := data.AcceptInvite.Admin; got.Email != "late@example.com" || got.Role != "ADMIN" {
		t.Fatalf("accepted %+v", got)
	}
	if list := expiries(t, app, owner); list["late@example.com"] != "" {
		t.Fatalf("inviteExpiresAt of an accepted invite: %q", list["late@example.com"])
	}
}

// Ensure an expired invite, which the Team page can tell by its
// inviteExpiresAt, can be re-sent, and the new link then signs in.
func TestInvite_ResendExpired(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	a := invite(t, app, owner, "late@example.com", "ADMIN")
	oldToken := inviteToken(t, app, "late@example.com")
	ended := time.Now().Add(-time.Minute).UTC()
	setInviteExpiry(t, app, a.ID, ended)
	resp, _ := accept(t, app, oldToken, "a long enough password")
	if e := wantCode(t, resp, "BAD_USER_INPUT", "token"); !strings.Contains(e.Message, "expired") {
		t.Fatalf("accepting an expired invite: %q", e.Message)
	}
	if list := expiries(t, app, owner); !sameTime(t, list["late@example.com"], ended) {
		t.Fatalf("inviteExpiresAt %q, want %v", list["late@example.com"], ended)
	}

	invite(t, app, owner, "late@example.com", "VIEWER")
	resp, _ = accept(t, app, inviteToken(t, app, "late@example.com"), "a long enough password")
	var data struct {
		AcceptInvite struct{ Admin struct{ Role string } }
	}
	resp.Decode(t, &data)
	if data.AcceptInvite.Admin.Role != "VIEWER" {
		t.Fatalf("accepted as %q, want VIEWER", data.AcceptInvite.Admin.Role)
	}
	if app.Login("late@example.com", "a long enough password") == "" {
		t.Fatal("the re-sent invite's password does not sign in")
	}
}

// teamState renders what a refused resend must not change: every admin with
// role, pending state, a fingerprint of the token hash and the expiry; the
// emails; the audit events but refusals.
func teamState(t *testing.T, app *apptest.App) string {
	t.Helper()
	var b strings.Builder
	for _, a := range app.DB.Client.Admin.Query().Order(admin.ByID()).AllX(unscoped) {
		var hash, exp string
		if a.InviteTokenHash != nil {
			h := sha256.Sum256(*a.InviteTokenHash)
			hash = fmt.Sprintf("%x", h[:4])
		}
		if a.InviteExpiresAt != nil {
			exp = a.InviteExpiresAt.UTC().String()
		}
		fmt.Fprintf(&b, "%d %s %s pending=%v hash=%s expires=%s\n", a.ID, a.Email, a.Role, a.InvitePending, hash, exp)
	}
	events := app.DB.Client.AuditEvent.Query().Where(auditevent.Not(auditevent.DetailHasPrefix("refused:"))).CountX(unscoped)
	fmt.Fprintf(&b, "emails %d, events %d", app.DB.Client.Email.Query().CountX(unscoped), events)
	return b.String()
}

// Ensure only the account's own pending invites are re-sent, by owners only:
// another account's pending invite and active admins' emails keep the
// refusal of taken emails (BAD_USER_INPUT on email, naming no account); an
// admin or a viewer gets FORBIDDEN; nothing changes.
func TestInvite_ResendRefused(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	other := app.NewAdmin("Other Corp", "other@example.org")
	invite(t, app, other, "theirs@example.org", "VIEWER")
	invite(t, app, owner, "ours@example.com", "VIEWER")
	dana := app.NewAdminAs(apptest.DefaultAccount, "dana@example.com", "ADMIN")
	vic := app.NewAdminAs(apptest.DefaultAccount, "vic@example.com", "VIEWER")
	send := func(session, addr string) apptest.GQLResponse {
		return app.GQL(session, inviteMutation, map[string]any{"in": map[string]any{"email": addr, "role": "OWNER"}})
	}
	before := teamState(t, app)
	const taken = "This email cannot be invited: it already belongs to an admin."
	for _, addr := range []string{"theirs@example.org", "other@example.org", "dana@example.com"} {
		if got := wantCode(t, send(owner, addr), "BAD_USER_INPUT", "email").Message; got != taken {
			t.Errorf("%s: %q, want %q", addr, got, taken)
		}
	}
	for _, session := range []string{dana, vic} {
		wantCode(t, send(session, "ours@example.com"), "FORBIDDEN", "")
	}
	if after := teamState(t, app); after != before {
		t.Fatalf("refused resends changed\n%s\nto\n%s", before, after)
	}
}
