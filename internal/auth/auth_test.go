package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

const pw = "a long enough password"

func setup(t *testing.T) (*auth.Service, *clock) {
	t.Helper()
	d := testdb.Open(t)
	if _, err := auth.CreateAdmin(tenant.Unscoped(context.Background()), d.Client, "Acme", "ann@example.com", pw); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	return auth.New(d.Client, auth.Config{Now: c.now, IdleTimeout: time.Hour, AbsoluteTimeout: 24 * time.Hour}), c
}

// Ensure a session works, ends after the idle timeout, and ends at the
// absolute timeout however active it is.
func TestSessionExpiry(t *testing.T) {
	ctx := tenant.Unscoped(context.Background())
	t.Run("Idle", func(t *testing.T) {
		s, c := setup(t)
		token, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); err != nil {
			t.Fatalf("fresh session refused: %v", err)
		}
		c.t = c.t.Add(61 * time.Minute)
		if _, err := s.Authenticate(ctx, token); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Fatalf("idle session: err = %v, want unauthenticated", err)
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		s, c := setup(t)
		token, _, _, _ := s.Login(ctx, "ann@example.com", pw, "192.0.2.1")
		for range 25 { // active every 59 minutes, past the 24 h limit
			c.t = c.t.Add(59 * time.Minute)
			if _, err := s.Authenticate(ctx, token); err != nil {
				if c.t.Sub(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) < 24*time.Hour {
					t.Fatalf("session ended early at %v: %v", c.t, err)
				}
				return
			}
		}
		t.Fatal("session outlived its absolute timeout")
	})
	t.Run("Logout", func(t *testing.T) {
		s, _ := setup(t)
		token, _, _, _ := s.Login(ctx, "ann@example.com", pw, "192.0.2.1")
		v, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(ctx, v.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Fatalf("revoked session still works: %v", err)
		}
	})
}

// Ensure failed logins are slowed, then locked, per email and per IP, and
// that the error never says whether the email exists.
func TestLoginThrottling(t *testing.T) {
	ctx := tenant.Unscoped(context.Background())
	s, c := setup(t)
	_, _, _, errUnknown := s.Login(ctx, "nobody@example.com", pw, "192.0.2.1")
	_, _, _, errWrong := s.Login(ctx, "ann@example.com", "wrong password", "192.0.2.2")
	if errUnknown.Error() != errWrong.Error() || apperr.CodeOf(errWrong) != apperr.Unauthenticated {
		t.Fatalf("unknown email %q vs wrong password %q: must be the same", errUnknown, errWrong)
	}
	// Two more failures (three in all) slow the email down: even the right
	// password waits.
	s.Login(ctx, "ann@example.com", "wrong", "192.0.2.2")
	s.Login(ctx, "ann@example.com", "wrong", "192.0.2.2")
	if _, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.3"); apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("after 3 failures: %v, want rate limited", err)
	}
	c.t = c.t.Add(2 * time.Second)
	if _, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.3"); err != nil {
		t.Fatalf("after waiting, the right password: %v", err)
	}
	// Ten failures lock the email for the lock-out period.
	for range 10 {
		c.t = c.t.Add(10 * time.Minute / 10)
		s.Login(ctx, "ann@example.com", "wrong", "192.0.2.4")
		c.t = c.t.Add(2 * time.Minute)
	}
	c.t = c.t.Add(5 * time.Minute)
	_, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.5")
	var ae *apperr.Error
	if apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("locked email: %v, want rate limited", err)
	}
	ae = apperr.As(err)
	if ae.RetryAfter <= 0 || strings.Contains(ae.Message, "exist") {
		t.Fatalf("lock-out error %+v", ae)
	}
}

// Ensure the first start creates the owner and prints a generated password
// once to the terminal writer.
func TestEnsureOwner(t *testing.T) {
	d := testdb.Open(t)
	var out bytes.Buffer
	if err := auth.EnsureOwner(tenant.Unscoped(context.Background()), d.Client, "", "", &out); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(out.String())
	var password string
	for i, f := range fields {
		if f == "password" && i+1 < len(fields) {
			password = fields[i+1]
		}
	}
	s := auth.New(d.Client, auth.Config{})
	if _, _, _, err := s.Login(tenant.Unscoped(context.Background()), auth.DefaultAdminEmail, password, "192.0.2.1"); err != nil {
		t.Fatalf("printed password %q does not log in: %v", password, err)
	}
	out.Reset()
	if err := auth.EnsureOwner(tenant.Unscoped(context.Background()), d.Client, "", "", &out); err != nil || out.Len() != 0 {
		t.Fatalf("second start printed %q (err %v); want nothing", out.String(), err)
	}
}

// Ensure admin creation validates its input.
func TestCreateAdmin_BadInput(t *testing.T) {
	d := testdb.Open(t)
	ctx := tenant.Unscoped(context.Background())
	cases := map[string][3]string{
		"email":    {"Acme", "not-an-email", pw},
		"password": {"Acme", "x@example.com", "short"},
		"account":  {"", "x@example.com", pw},
	}
	for field, c := range cases {
		_, err := auth.CreateAdmin(ctx, d.Client, c[0], c[1], c[2])
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != field {
			t.Errorf("%s: err = %v, want invalid %s", field, err, field)
		}
	}
	if n, _ := d.Client.Admin.Query().Count(ctx); n != 0 {
		t.Fatalf("%d admins created by bad input", n)
	}
	if _, err := auth.CreateAdmin(ctx, d.Client, "Acme", "x@example.com", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateAdmin(ctx, d.Client, "Other", "X@example.com", pw); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("duplicate email: %v, want conflict", err)
	}
}

// Ensure argon2id hashes verify only the right password and are salted.
func TestPasswordHash(t *testing.T) {
	h1, _ := auth.HashPassword(pw)
	h2, _ := auth.HashPassword(pw)
	if h1 == h2 || !strings.HasPrefix(h1, "$argon2id$v=19$") {
		t.Fatalf("hashes %q %q", h1, h2)
	}
	if !auth.CheckPassword(h1, pw) || auth.CheckPassword(h1, pw+"x") || auth.CheckPassword("garbage", pw) {
		t.Fatal("CheckPassword wrong")
	}
}

// Ensure pruning deletes ended sessions and keeps live ones.
func TestPruneSessions(t *testing.T) {
	ctx := tenant.Unscoped(context.Background())
	s, c := setup(t)
	old, _, _, _ := s.Login(ctx, "ann@example.com", pw, "192.0.2.1")
	c.t = c.t.Add(2 * time.Hour) // past the 1 h idle timeout
	live, _, _, _ := s.Login(ctx, "ann@example.com", pw, "192.0.2.1")
	n, err := s.PruneSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if _, err := s.Authenticate(ctx, live); err != nil {
		t.Fatalf("live session pruned: %v", err)
	}
	if _, err := s.Authenticate(ctx, old); err == nil {
		t.Fatal("ended session still works")
	}
}

// Ensure parallel guesses cannot all pass the throttle before any of them
// has failed: only the first SlowAfter tries reach the password check.
func TestLoginThrottling_Parallel(t *testing.T) {
	ctx := tenant.Unscoped(context.Background())
	s, _ := setup(t)
	var wg sync.WaitGroup
	results := make(chan apperr.Code, 15)
	for i := range 15 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _, err := s.Login(ctx, "ann@example.com", "guess", fmt.Sprintf("192.0.2.%d", i))
			results <- apperr.CodeOf(err)
		}()
	}
	wg.Wait()
	close(results)
	checked := 0
	for code := range results {
		if code == apperr.Unauthenticated {
			checked++
		}
	}
	if checked != 3 {
		t.Fatalf("%d of 15 parallel guesses were checked, want 3", checked)
	}
}

// Ensure successful logins do not add up against their IP.
func TestLoginThrottling_SuccessesFromOneIP(t *testing.T) {
	ctx := tenant.Unscoped(context.Background())
	s, _ := setup(t)
	for i := range 30 {
		if _, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.1"); err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
	}
}

// Ensure several processes starting at once on an empty database create one
// owner, and none of them fails.
func TestEnsureOwner_Concurrent(t *testing.T) {
	d := testdb.Open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- auth.EnsureOwner(tenant.Unscoped(context.Background()), d.Client, "first@example.com", pw, io.Discard)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("EnsureOwner: %v", err)
		}
	}
	if n := d.Client.Admin.Query().CountX(tenant.Unscoped(context.Background())); n != 1 {
		t.Fatalf("%d admins, want 1", n)
	}
}
