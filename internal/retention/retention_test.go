package retention_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"businesstools/ent"
	entaccesstoken "businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/ent/email"
	"businesstools/internal/accesstoken"
	"businesstools/internal/auth"
	"businesstools/internal/db"
	"businesstools/internal/retention"
	"businesstools/internal/team"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

const day = 24 * time.Hour

var (
	unscoped = tenant.Unscoped(context.Background())
	base     = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
)

// clock is a controllable time source shared by the services and the Pruner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// fixture is an account with an owner, and the services that make tokens
// and invites the way requests do (with their audit events).
type fixture struct {
	d      *db.DB
	clock  *clock
	owner  *auth.Viewer
	tokens *accesstoken.Service
	team   *team.Service
}

func setup(t *testing.T) *fixture {
	t.Helper()
	d := testdb.Open(t)
	o, err := auth.CreateAdmin(context.Background(), d.Client, "Acme", "owner@acme.example", "owner password")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: base}
	return &fixture{d: d, clock: c,
		owner:  &auth.Viewer{AdminID: o.ID, AccountID: o.AccountID, Email: o.Email, Role: admin.RoleOWNER},
		tokens: accesstoken.New(accesstoken.Config{Client: d.Client, Now: c.Now}),
		team: team.New(team.Config{Client: d.Client, PublicURL: "https://keys.example.com", MailFrom: "noreply@example.com",
			Now: c.Now})}
}

func (f *fixture) ctx() context.Context { return auth.WithViewer(context.Background(), f.owner) }

// token creates an access token at the time at, expiring at expires.
func (f *fixture) token(t *testing.T, name string, at, expires time.Time) {
	t.Helper()
	f.clock.Set(at)
	if _, _, err := f.tokens.Create(f.ctx(), f.owner, accesstoken.CreateInput{Name: name,
		Scopes: []string{"KEYS_READ"}, ExpiresAt: expires}); err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
}

// invite invites addr at the time at (the link expires 72 h later) and
// returns the link's token.
func (f *fixture) invite(t *testing.T, addr string, at time.Time) string {
	t.Helper()
	f.clock.Set(at)
	if _, err := f.team.Invite(f.ctx(), f.owner, addr, admin.RoleADMIN); err != nil {
		t.Fatalf("invite %s: %v", addr, err)
	}
	for _, e := range f.d.Client.Email.Query().Order(ent.Desc(email.FieldID)).AllX(unscoped) {
		if slices.Contains(e.To, addr) {
			if m := regexp.MustCompile(`/invite/(\S+)`).FindStringSubmatch(e.Text); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no invite link for %s", addr)
	return ""
}

func (f *fixture) tokenNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, tok := range f.d.Client.AccessToken.Query().Order(ent.Asc(entaccesstoken.FieldName)).AllX(unscoped) {
		names = append(names, tok.Name)
	}
	return names
}

func (f *fixture) adminEmails(t *testing.T) []string {
	t.Helper()
	var emails []string
	for _, a := range f.d.Client.Admin.Query().Order(ent.Asc(admin.FieldEmail)).AllX(unscoped) {
		emails = append(emails, a.Email)
	}
	return emails
}

func run(t *testing.T, p *retention.Pruner) retention.Result {
	t.Helper()
	res, err := p.RunOnce(context.Background())
	if err != nil || !res.Ran {
		t.Fatalf("run: %+v %v", res, err)
	}
	return res
}

// Ensure access tokens and invites expired more than 30 days ago are
// deleted; live ones, ones expired more recently (the SPA still shows them)
// and accepted invites stay; the security log keeps every event about the
// deleted rows; a second run deletes nothing; a pruned invite's email may be
// invited again.
func TestRunOnce(t *testing.T) {
	f := setup(t)
	now := base.Add(40 * day)
	cutoff := now.Add(-retention.DefaultKeepFor)
	f.token(t, "expired 39 days ago", base, base.Add(day))
	f.token(t, "expired a second past retention", base, cutoff.Add(-time.Second))
	f.token(t, "expired exactly 30 days ago", base, cutoff)
	f.token(t, "expired 20 days ago", base, base.Add(20*day))
	f.token(t, "live", base, base.Add(300*day))
	f.invite(t, "old@acme.example", base)                // expired 37 days ago
	f.invite(t, "recent@acme.example", base.Add(30*day)) // expired 7 days ago
	f.invite(t, "live@acme.example", base.Add(39*day))   // expires in 2 days
	link := f.invite(t, "joined@acme.example", base)     // accepted in time
	if _, err := f.team.Accept(context.Background(), link, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	events := f.d.Client.AuditEvent.Query().CountX(unscoped)

	f.clock.Set(now)
	p := retention.New(retention.Config{DB: f.d, Now: f.clock.Now})
	if res := run(t, p); res.AccessTokens != 2 || res.Invites != 1 {
		t.Fatalf("first run: %+v", res)
	}
	if got, want := f.tokenNames(t), []string{"expired 20 days ago", "expired exactly 30 days ago", "live"}; !slices.Equal(got, want) {
		t.Fatalf("tokens left %q, want %q", got, want)
	}
	if got, want := f.adminEmails(t), []string{"joined@acme.example", "live@acme.example", "owner@acme.example", "recent@acme.example"}; !slices.Equal(got, want) {
		t.Fatalf("admins left %q, want %q", got, want)
	}
	if n := f.d.Client.AuditEvent.Query().CountX(unscoped); n != events {
		t.Fatalf("security log: %d events, was %d", n, events)
	}
	for _, ev := range []struct {
		action auditevent.Action
		detail string
	}{{auditevent.ActionTOKEN_CREATED, `"expired 39 days ago"`}, {auditevent.ActionADMIN_INVITED, "old@acme.example"}} {
		if !f.d.Client.AuditEvent.Query().Where(auditevent.ActionEQ(ev.action), auditevent.DetailContains(ev.detail)).ExistX(unscoped) {
			t.Fatalf("no %s event naming %s after the prune", ev.action, ev.detail)
		}
	}
	if res := run(t, p); res.AccessTokens != 0 || res.Invites != 0 {
		t.Fatalf("second run: %+v", res)
	}
	f.invite(t, "old@acme.example", now)
}

// Ensure two processes pruning one database at the same time — two
// Pruners on two connection pools, batches small enough to take several
// statements — delete every expired row exactly once between them, without
// errors, and nothing else: on PostgreSQL both under the one lock (one of
// them runs), and with two locks as if one's lock connection had been lost
// (both run).
func TestRunOnce_TwoProcesses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lockIDs [2]int64
		bothRun bool
	}{
		{"OneLock", [2]int64{retention.LockID, retention.LockID}, false},
		{"TwoLocks", [2]int64{1, 2}, true},
	} {
		t.Run(tc.name, func(t *testing.T) { twoProcesses(t, tc.lockIDs, tc.bothRun) })
	}
}

func twoProcesses(t *testing.T, lockIDs [2]int64, bothRun bool) {
	f := setup(t)
	const expiredTokens, expiredInvites, live = 230, 70, 5
	var tokens []*ent.AccessTokenCreate
	var invites []*ent.AdminCreate
	for i := range expiredTokens + live {
		expires := base
		if i >= expiredTokens {
			expires = base.Add(60 * day)
		}
		h := sha256.Sum256(fmt.Appendf(nil, "token %d", i))
		tokens = append(tokens, f.d.Client.AccessToken.Create().SetAccountID(f.owner.AccountID).SetAdminID(f.owner.AdminID).
			SetName(fmt.Sprintf("t%d", i)).SetTokenHash(h[:]).SetTokenStart("btm_0000").SetTokenEnd("0000").
			SetScopes([]string{"KEYS_READ"}).SetExpiresAt(expires))
	}
	for i := range expiredInvites + live {
		expires := base
		if i >= expiredInvites {
			expires = base.Add(60 * day)
		}
		h := sha256.Sum256(fmt.Appendf(nil, "invite %d", i))
		invites = append(invites, f.d.Client.Admin.Create().SetAccountID(f.owner.AccountID).SetEmail(fmt.Sprintf("i%d@acme.example", i)).
			SetPasswordHash("!invite-pending").SetRole(admin.RoleVIEWER).SetInvitePending(true).
			SetInviteTokenHash(h[:]).SetInviteExpiresAt(expires))
	}
	f.d.Client.AccessToken.CreateBulk(tokens...).ExecX(unscoped)
	f.d.Client.Admin.CreateBulk(invites...).ExecX(unscoped)

	other := openAgain(t, f.d)
	now := func() time.Time { return base.Add(31 * day) }
	pruners := []*retention.Pruner{
		retention.New(retention.Config{DB: f.d, Batch: 16, Now: now}),
		retention.New(retention.Config{DB: other, Batch: 16, Now: now}),
	}
	for i, p := range pruners {
		p.SetLockID(lockIDs[i])
	}
	results := make([]retention.Result, len(pruners))
	errs := make([]error, len(pruners))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range pruners {
		wg.Go(func() {
			<-start
			results[i], errs[i] = p.RunOnce(context.Background())
		})
	}
	close(start)
	wg.Wait()
	t.Logf("results %+v", results)
	var sum retention.Result
	for i := range pruners {
		if errs[i] != nil {
			t.Fatalf("pruner %d: %v", i, errs[i])
		}
		sum.Ran = sum.Ran || results[i].Ran
		sum.AccessTokens += results[i].AccessTokens
		sum.Invites += results[i].Invites
	}
	if bothRun && !(results[0].Ran && results[1].Ran) {
		t.Fatalf("one of two pruners with locks of their own did not run: %+v", results)
	}
	if !sum.Ran || sum.AccessTokens != expiredTokens || sum.Invites != expiredInvites {
		t.Fatalf("deleted between them %+v (%+v), want %d tokens and %d invites", sum, results, expiredTokens, expiredInvites)
	}
	if n := f.d.Client.AccessToken.Query().CountX(unscoped); n != live {
		t.Fatalf("%d tokens left, want %d", n, live)
	}
	if n := f.d.Client.Admin.Query().Where(admin.InvitePending(true)).CountX(unscoped); n != live {
		t.Fatalf("%d invites left, want %d", n, live)
	}
}

// openAgain opens d's database once more, as another process would: its
// own connection pool (and on PostgreSQL its own sessions).
func openAgain(t *testing.T, d *db.DB) *db.DB {
	t.Helper()
	var other *db.DB
	var err error
	if d.IsPostgres() {
		other, err = db.Open(context.Background(), d.URL, "")
	} else {
		other, err = db.OpenSQLiteFile(d.Path)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// Ensure a Pruner does nothing while another process holds the lock
// (PostgreSQL), and runs once it is free.
func TestRunOnce_Locked(t *testing.T) {
	f := setup(t)
	f.token(t, "old", base, base.Add(day))
	p := retention.New(retention.Config{DB: f.d, Now: func() time.Time { return base.Add(40 * day) }})
	if f.d.IsPostgres() {
		unlock, ok, err := openAgain(t, f.d).TryAdvisoryLock(context.Background(), retention.LockID)
		if err != nil || !ok {
			t.Fatalf("take the lock: %v %v", ok, err)
		}
		if res, err := p.RunOnce(context.Background()); err != nil || res.Ran || len(f.tokenNames(t)) != 1 {
			t.Fatalf("ran while another process held the lock: %+v %v", res, err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	}
	if res := run(t, p); res.AccessTokens != 1 {
		t.Fatalf("after the lock was free: %+v", res)
	}
}
