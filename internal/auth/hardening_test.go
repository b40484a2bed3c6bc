package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure a login whose email or password is not valid text (NUL, invalid
// UTF-8) is Invalid naming the field — on PostgreSQL the lookup would
// otherwise fail as an internal error — and does not count as a failure.
func TestLoginRefusesInvalidText(t *testing.T) {
	ctx := context.Background()
	s, _ := setup(t)
	for _, tc := range []struct{ email, password, field string }{
		{"ann@example.com\x00", pw, "email"}, {"\xffann@example.com", pw, "email"}, {"ann@example.com", "pass\x00word", "password"},
	} {
		for range 12 { // more than the lock-out threshold
			_, _, _, err := s.Login(ctx, tc.email, tc.password, "192.0.2.1")
			if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != tc.field {
				t.Fatalf("login %q/%q: %v (code %s), want Invalid naming %s", tc.email, tc.password, err, ae.Code, tc.field)
			}
		}
	}
	if _, _, _, err := s.Login(ctx, "ann@example.com", pw, "192.0.2.1"); err != nil {
		t.Fatalf("refused inputs were counted as failures: %v", err)
	}
}

// Ensure wrong step-up (reveal) passwords are counted for the signed-in
// admin alone: however many an admin fails, their own login and another
// admin's login and step-up from the same IP go on working, while their own
// step-up is throttled — and a login lock-out does not block step-up.
func TestStepUpHasItsOwnCounter(t *testing.T) {
	ctx := context.Background()
	d := testdb.Open(t)
	for _, e := range []string{"ann@example.com", "bob@example.com"} {
		if _, err := auth.CreateAdmin(ctx, d.Client, "Acme", e, pw); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := auth.New(d.Client, auth.Config{Now: c.now})
	sys := tenant.Unscoped(ctx)
	ann := d.Client.Admin.Query().Where(admin.Email("ann@example.com")).OnlyX(sys)
	bob := d.Client.Admin.Query().Where(admin.Email("bob@example.com")).OnlyX(sys)
	annCtx := tenant.WithAccount(ctx, ann.AccountID)
	const ip = "192.0.2.9"
	for i := range 30 {
		err := s.StepUp(annCtx, ann.ID, ann.Email, "wrong password", ip)
		if code := apperr.CodeOf(err); code != apperr.Invalid && code != apperr.RateLimited {
			t.Fatalf("wrong step-up %d: %v", i, err)
		}
	}
	if err := s.StepUp(annCtx, ann.ID, ann.Email, pw, ip); apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("ann's step-up after 30 failures: %v, want rate limited", err)
	}
	if _, _, _, err := s.Login(ctx, ann.Email, pw, ip); err != nil {
		t.Fatalf("ann's login after failed reveals: %v", err)
	}
	if err := s.StepUp(tenant.WithAccount(ctx, bob.AccountID), bob.ID, bob.Email, pw, ip); err != nil {
		t.Fatalf("bob's step-up from the same IP: %v", err)
	}
	// The other way round: bob's login locked by failures, his step-up still works.
	for range 12 {
		_, _, _, _ = s.Login(ctx, bob.Email, "wrong", "192.0.2.10")
		c.t = c.t.Add(time.Minute)
	}
	if _, _, _, err := s.Login(ctx, bob.Email, pw, "192.0.2.10"); apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("bob's login after 12 failures: %v, want rate limited", err)
	}
	if err := s.StepUp(tenant.WithAccount(ctx, bob.AccountID), bob.ID, bob.Email, pw, "192.0.2.10"); err != nil {
		t.Fatalf("bob's step-up while his login is locked: %v", err)
	}
}

// Ensure account names and emails are counted in characters (100 emoji is
// a valid account name), that text with NUL is Invalid naming the field,
// and that 8 admins created at once into one new account all succeed in
// that one account (the account's creation race is not an error).
func TestCreateAdminText(t *testing.T) {
	ctx := context.Background()
	d := testdb.Open(t)
	name := strings.Repeat("😀", auth.MaxAccountNameLen)
	a, err := auth.CreateAdmin(ctx, d.Client, name, "emoji@example.com", pw)
	if err != nil {
		t.Fatalf("100-emoji account: %v", err)
	}
	if got := d.Client.Account.GetX(tenant.Unscoped(ctx), a.AccountID).Name; got != name {
		t.Fatalf("stored account name %q", got)
	}
	if _, err := auth.CreateAdmin(ctx, d.Client, name+"😀", "e2@example.com", pw); apperr.As(err).Field != "account" {
		t.Fatalf("101 emoji: %v", err)
	}
	for _, tc := range []struct{ account, email, password, field string }{
		{"A\x00", "x@example.com", pw, "account"}, {"A", "x\x00@example.com", pw, "email"}, {"A", "x@example.com", pw + "\x00", "password"},
	} {
		_, err := auth.CreateAdmin(ctx, d.Client, tc.account, tc.email, tc.password)
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != tc.field {
			t.Errorf("%q %q: %v, want Invalid naming %s", tc.account, tc.email, err, tc.field)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = auth.CreateAdmin(ctx, d.Client, "Race", fmt.Sprintf("r%d@example.com", i), pw)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("admin %d: %v", i, err)
		}
	}
	if n := d.Client.Account.Query().CountX(tenant.Unscoped(ctx)); n != 2 {
		t.Errorf("%d accounts, want 2 (emoji, Race)", n)
	}
}
